"""What each e-mail says (pure): subject, plain text and HTML, rendered from
Jinja2 templates in Bahasa Indonesia (``id``, the default) or English (``en``).

One template per e-mail kind and locale, ``templates/<locale>/<kind>.j2``,
defines blocks: ``subject``, ``greeting`` (who), ``body`` (what happened;
paragraphs separated by a blank line, lines starting with ``> `` are a quote),
``details`` (optional ``Label: value`` lines), ``action`` (what to do next).
It extends a layout given as ``layout``: ``_layout.txt`` for the plain-text
part and ``_layout.html`` for the HTML part, so both say the same thing and
both carry the link.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from kinerja_contracts.calendar import NAMA_BULAN, to_jakarta
from kinerja_contracts.teks import nama_periode_dari_id, persen
from markupsafe import Markup

from .routing import KINDS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"

_MONTHS = {
    "id": list(NAMA_BULAN),
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}


@dataclass(frozen=True)
class Rendered:
    kind: str
    locale: str
    subject: str
    text: str
    html: str


def _date(locale: str, value: str | dt.date) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = (to_jakarta(value) if value.tzinfo else value).date()
    month = _MONTHS.get(locale, _MONTHS["id"])[value.month - 1]
    return f"{value.day} {month} {value.year}" if locale == "id" else f"{month} {value.day}, {value.year}"


@pass_context
def _tgl(ctx: Context, value: str | dt.date) -> str:
    """Format a date for the template's locale (``1 September 2025``)."""
    return _date(ctx.get("locale", DEFAULT_LOCALE), value)


@pass_context
def _waktu(ctx: Context, value: dt.datetime) -> str:
    """A moment in Asia/Jakarta time: ``25 November 2026 07.00 WIB``."""
    local = to_jakarta(value)
    locale = ctx.get("locale", DEFAULT_LOCALE)
    clock = local.strftime("%H.%M" if locale == "id" else "%H:%M")
    return f"{_date(locale, local.date())} {clock} WIB"


_PERIOD_KINDS = {
    "id": {"monthly": "bulanan", "quarterly": "triwulanan", "annual": "tahunan"},
    "en": {"monthly": "monthly", "quarterly": "quarterly", "annual": "annual"},
}


@pass_context
def _jenis_periode(ctx: Context, value: str) -> str:
    """``monthly`` -> ``bulanan`` (id) / ``monthly`` (en)."""
    return _PERIOD_KINDS.get(ctx.get("locale", DEFAULT_LOCALE), _PERIOD_KINDS["id"]).get(value, value)


@pass_context
def _nama_periode(ctx: Context, period_id: str) -> str:
    """``2026-Q1/PNS/quarterly`` -> ``Triwulan I 2026`` (the official period name, in both locales)."""
    return nama_periode_dari_id(period_id)


@pass_context
def _persen(ctx: Context, value: float | None) -> str:
    """A capaian as the rule computed it: ``79,995 %`` (id), ``79.995 %`` (en); never rounded again."""
    text = persen(value)
    if ctx.get("locale", DEFAULT_LOCALE) == "en":
        text = text.replace(".", "\u2009").replace(",", ".").replace("\u2009", ",")
    return text


def _quote(value: object) -> str:
    """Prefix every line with ``> `` (a quoted note; the HTML layout shows a box)."""
    return "\n".join("> " + line for line in str(value).strip().splitlines() or [""])


def _paragraphs(value: object) -> list[tuple[str, bool]]:
    """Split a block into paragraphs (blank line) for the HTML layout."""
    is_html = isinstance(value, Markup)
    out: list[tuple[str, bool]] = []
    for chunk in str(value).strip().split("\n\n"):
        chunk = chunk.strip("\n")
        if not chunk.strip():
            continue
        lines = [ln.strip() for ln in chunk.split("\n")]
        quote = all(ln.startswith("&gt; ") or ln.startswith("> ") for ln in lines)
        if quote:
            lines = [ln[5:] if ln.startswith("&gt; ") else ln[2:] for ln in lines]
        body = "<br>\n".join(lines)
        out.append((Markup(body) if is_html else body, quote))
    return out


def _pairs(value: object) -> list[tuple[str, str]]:
    """``Label: value`` lines -> [(label, value)] for the HTML details table."""
    is_html = isinstance(value, Markup)
    rows: list[tuple[str, str]] = []
    for line in str(value).strip().splitlines():
        if ": " in line:
            k, v = line.strip().split(": ", 1)
            rows.append((Markup(k), Markup(v)) if is_html else (k, v))
    return rows


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        auto_reload=False,  # the templates ship with the package: no stat of each file per mail
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["tgl"] = _tgl
    env.filters["paragraphs"] = _paragraphs
    env.filters["pairs"] = _pairs
    env.filters["quote"] = _quote
    env.filters["waktu"] = _waktu
    env.filters["jenis_periode"] = _jenis_periode
    env.filters["nama_periode"] = _nama_periode
    env.filters["persen"] = _persen
    return env


_text_env = _environment(False)
_html_env = _environment(True)


#: a sentence's full stop right after a name that ends in an abbreviation
#: ("..., M.M." + ".") is dropped: one stop, as a writer would; an ellipsis stays
_DOUBLE_STOP = re.compile(r"(?<=[^\W\d_]\.)\.(?!\.)")


def _one_stop(text: str) -> str:
    # the pattern needs two dots in a row: without any, the scan of the whole text (the HTML part is
    # several kilobytes) finds nothing (it was a fifth of a render)
    return _DOUBLE_STOP.sub("", text) if ".." in text else text


def _tidy(text: str) -> str:
    lines = [ln.rstrip() for ln in text.strip().splitlines()]
    out: list[str] = []
    for ln in lines:  # at most one blank line in a row
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out) + "\n"


def render(kind: str, locale: str = DEFAULT_LOCALE, **ctx: Any) -> Rendered:
    """Render e-mail ``kind`` in ``locale`` (falls back to Bahasa Indonesia).

    ``ctx`` must hold ``link`` (the URL the reader opens) and the names the
    kind's template uses; a missing name is an error, never an empty gap.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown e-mail kind {kind!r}")
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    name = f"{locale}/{kind.replace('.', '_')}.j2"
    ctx = {**ctx, "locale": locale}
    t_text = _text_env.get_template(name)
    subject = "".join(t_text.blocks["subject"](t_text.new_context(dict(ctx))))
    subject = _one_stop(" ".join(subject.split()))
    text = _one_stop(_tidy(t_text.render(**ctx, layout=f"{locale}/_layout.txt")))
    html = _one_stop(_html_env.get_template(name).render(**ctx, layout=f"{locale}/_layout.html"))
    return Rendered(kind, locale, subject, text, html)

