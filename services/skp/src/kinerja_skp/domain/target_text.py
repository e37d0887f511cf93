"""Reading a target as people type it on the SKP form (pure).

"12 Laporan" -> angka 12 Laporan; "80 - 90 %" or "80 s.d. 90 %" -> rentang;
"100%" -> angka 100 %; anything else -> deskriptif. Numbers may use a
decimal comma ("12,5") and thousands dots ("1.000").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .model import Target

_NUM = r"\d+(?:[.,]\d+)*"
_RANGE = re.compile(rf"^\s*({_NUM})\s*(?:-|–|—|s\.?\s*d\.?|sampai)\s*({_NUM})\s*(.*?)\s*$", re.IGNORECASE)
_SINGLE = re.compile(rf"^\s*({_NUM})\s*(.*?)\s*$")


def parse_angka(text: str) -> Decimal | None:
    t = text.strip()
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", t):
        t = t.replace(".", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def parse_target(text: str | None) -> Target | None:
    if text is None or not str(text).strip():
        return None
    s = str(text).strip()
    m = _RANGE.match(s)
    if m:
        lo, hi = parse_angka(m.group(1)), parse_angka(m.group(2))
        if lo is not None and hi is not None:
            return Target(jenis="rentang", minimum=lo, maksimum=hi, satuan=m.group(3) or None)
    m = _SINGLE.match(s)
    if m and len(m.group(2)) <= 40:
        value = parse_angka(m.group(1))
        if value is not None:
            return Target(jenis="angka", nilai=value, satuan=m.group(2) or None)
    return Target(jenis="deskriptif", deskripsi=s)
