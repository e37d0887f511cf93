"""Texts Indonesian readers expect (shared: the evaluation service's
documents and the notification service's mails print the same way): period names ("Triwulan I 2026",
"Maret 2026", "Tahun 2026") and numbers with a decimal comma, printed as the
rule computed them (never rounded again for display), so a pegawai rated
below 80 on 79.995 reads "79,995 %", not "80.0%".
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from .calendar import NAMA_BULAN

#: the calendar's month names (one list in the contracts)
BULAN = NAMA_BULAN
ROMAWI = ("I", "II", "III", "IV")


def angka(value: float | Decimal | None, desimal: int | None = None) -> str:
    """A number with a decimal comma and a dot for thousands, without
    trailing zeros: 79.995 -> "79,995", 103.33 -> "103,33", 1250 -> "1.250".
    ``desimal`` None prints the value as the rule left it (its shortest
    decimal form); a number rounds half away from zero to that many places."""
    if value is None:
        return "-"
    d = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value))
    if desimal is not None:
        d = d.quantize(Decimal(1).scaleb(-desimal), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    d = abs(d)
    whole, _, frac = f"{d:f}".partition(".")
    frac = frac.rstrip("0")
    whole = f"{int(whole):,}".replace(",", ".")
    return sign + whole + ("," + frac if frac else "")


def persen(value: float | Decimal | None, desimal: int | None = None) -> str:
    """``"79,99 %"``: :func:`angka` with a percent sign."""
    return "-" if value is None else f"{angka(value, desimal)} %"


def nama_periode(kind: str, mulai: dt.date) -> str:
    """``Triwulan I 2026``, ``Maret 2026`` or ``Tahun 2026``."""
    if kind == "monthly":
        return f"{BULAN[mulai.month - 1]} {mulai.year}"
    if kind == "quarterly":
        return f"Triwulan {ROMAWI[(mulai.month - 1) // 3]} {mulai.year}"
    return f"Tahun {mulai.year}"


def nama_periode_dari_id(period_id: str) -> str:
    """``2026-Q1/PNS/quarterly`` -> ``Triwulan I 2026``; ``2026-03/...`` ->
    ``Maret 2026``; ``2026/...`` -> ``Tahun 2026``; anything else unchanged."""
    label = (period_id or "").split("/", 1)[0]
    try:
        if "-Q" in label:
            y, q = label.split("-Q")
            return nama_periode("quarterly", dt.date(int(y), 3 * int(q) - 2, 1))
        if "-" in label:
            y, m = label.split("-")
            return nama_periode("monthly", dt.date(int(y), int(m), 1))
        return nama_periode("annual", dt.date(int(label), 1, 1))
    except (ValueError, IndexError):
        return period_id
