"""No code of ours reaches into a private attribute of FastStream or nats-py.

An upgrade of either library may rename or drop a private attribute without a
word; code that used one then breaks silently (the consumer that replaced
FastStream's pull loop by assigning ``sub._consume_pull`` and published dead
letters through ``raw._client`` did exactly that). docs/messaging.md: public APIs
only; where a library has none, say so and use the layer below openly.

The check: every Python file under shared/, services/, tools/ and bench/
that imports faststream or nats is walked; an attribute whose name starts
with one underscore (``obj._x``, not a dunder), read, assigned or named in
``getattr``/``setattr``/``hasattr``/``delattr``, is a finding unless its base
is ``self`` or ``cls`` (the module's own classes). Nothing is allow-listed.
Files that import neither library handle none of their objects directly
and are not judged here (their own privates are their own business).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("shared", "services", "tools", "bench")
LIBRARIES = ("faststream", "nats")
ATTR_FUNCTIONS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _imports_library(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(n.split(".")[0] in LIBRARIES for n in names):
            return True
    return False


def _own(base: ast.expr) -> bool:
    return isinstance(base, ast.Name) and base.id in ("self", "cls")


def _touches_private(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return _private(node.attr) and not _own(node.value)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ATTR_FUNCTIONS
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
        and _private(node.args[1].value)
        and not _own(node.args[0])
    )


def findings(source: str, filename: str = "<string>") -> list[str]:
    """``file:line: expression`` for every private attribute touched, in a
    module that imports FastStream or nats-py."""
    tree = ast.parse(source, filename)
    if not _imports_library(tree):
        return []
    found = [(node.lineno, ast.unparse(node)) for node in ast.walk(tree) if _touches_private(node)]
    return [f"{filename}:{line}: {text}" for line, text in sorted(found)]


def python_files() -> list[Path]:
    files = []
    for top in TREES:
        files += [p for p in (ROOT / top).rglob("*.py") if ".venv" not in p.parts and "node_modules" not in p.parts]
    return sorted(files)


def test_no_code_touches_a_private_attribute_of_faststream_or_nats():
    files = python_files()
    assert len(files) > 100  # the walk found the code
    found = [f for p in files for f in findings(p.read_text(), str(p.relative_to(ROOT)))]
    assert found == [], "private attributes of FastStream / nats-py objects:\n" + "\n".join(found)


#: the two lines of the consumer this check was written against (as of commit 0556206)
OLD_CONSUMER = '''
from faststream.nats import NatsBroker, PullSub

def attach(self, broker):
    sub = broker.subscriber("kinerja.x", pull_sub=PullSub(batch=True))
    sub._consume_pull = self._make_pull_loop(sub)

async def _dead_letter(self, spec, raw, reason):
    js = raw._client.jetstream()
    await js.publish(spec.dlq_subject, raw.data)
    if getattr(raw, "_ackd", False):
        pass
'''


def test_the_check_finds_what_the_old_consumer_did():
    assert findings(OLD_CONSUMER, "consumer.py") == [
        "consumer.py:6: sub._consume_pull",
        "consumer.py:9: raw._client",
        "consumer.py:11: getattr(raw, '_ackd', False)",
    ]


def test_the_own_classes_and_modules_without_the_libraries_are_not_judged():
    own = "import nats\n\nclass A:\n    def f(self):\n        return self._x, cls._y\n"
    assert findings(own) == []
    other = "import json\n\ndef f(x):\n    return x._private\n"
    assert findings(other) == []
