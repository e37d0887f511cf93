"""Field-level diff between two versions of an SKP's content (pure).

Lists of objects that carry an ``id`` (RHK, IKI) or a ``nilai`` (perilaku
kerja) are matched by that key, so inserting an RHK reports one added RHK
rather than every later one as changed; paths then read
``hasil_kerja[id=rhk-2].iki[id=iki-3].target.nilai``. Other lists are
compared position by position.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

_KEYS = ("id", "nilai")


@dataclass(frozen=True)
class Change:
    path: str
    op: str  # "added", "removed", "changed"
    before: Any = None
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _list_key(items: list[Any]) -> str | None:
    for key in _KEYS:
        if items and all(isinstance(x, dict) and isinstance(x.get(key), str) for x in items):
            return key
    return None


def diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """Changes that turn ``before`` into ``after`` (JSON-like values)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[Change] = []
        for k in before.keys() | after.keys():
            p = f"{path}.{k}" if path else k
            if k not in after:
                out.append(Change(p, "removed", before[k], None))
            elif k not in before:
                out.append(Change(p, "added", None, after[k]))
            else:
                out += diff(before[k], after[k], p)
        return sorted(out, key=lambda c: c.path)
    if isinstance(before, list) and isinstance(after, list):
        key = _list_key(before + after)
        if key is not None and len({x[key] for x in before}) == len(before) and len({x[key] for x in after}) == len(after):
            old = {x[key]: x for x in before}
            new = {x[key]: x for x in after}
            out = []
            for k, item in new.items():
                p = f"{path}[{key}={k}]"
                out += diff(old[k], item, p) if k in old else [Change(p, "added", None, item)]
            out += [Change(f"{path}[{key}={k}]", "removed", item, None) for k, item in old.items() if k not in new]
            return out
        out = []
        for i in range(max(len(before), len(after))):
            p = f"{path}[{i}]"
            if i >= len(after):
                out.append(Change(p, "removed", before[i], None))
            elif i >= len(before):
                out.append(Change(p, "added", None, after[i]))
            else:
                out += diff(before[i], after[i], p)
        return out
    if before != after:
        return [Change(path, "changed", before, after)]
    return []
