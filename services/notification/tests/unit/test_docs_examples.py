"""docs/notification.md shows every e-mail as the templates render it today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "render_email_examples.py"


def _script():
    spec = importlib.util.spec_from_file_location("render_email_examples", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_docs_are_regenerated_after_template_changes():
    mod = _script()
    examples = mod.rendered_examples()
    doc = mod.DOC.read_text()
    assert mod.section(examples) in doc, "run services/notification/scripts/render_email_examples.py"
    for key, (_, r) in examples.items():
        for loc, rendered in r.items():
            assert (mod.HTML_DIR / f"{key.replace('.', '_')}.{loc}.html").read_text() == rendered.html
