"""What each e-mail says (pure): subject, plain text and HTML, in Bahasa
Indonesia, rendered from Jinja2 templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Rendered:
    kind: str
    subject: str
    text: str
    html: str | None


def render(kind: str, **ctx) -> Rendered:
    """Render ``templates/<kind>.{subject,txt,html}`` with ``ctx``."""
    base = kind.replace(".", "_")
    subject = _env.get_template(f"{base}.subject").render(**ctx).strip()
    text = _env.get_template(f"{base}.txt").render(**ctx)
    try:
        html = _env.get_template(f"{base}.html").render(**ctx)
    except Exception:  # a plain-text-only template
        html = None
    return Rendered(kind, subject, text, html)
