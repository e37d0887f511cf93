"""Rules on the people of an SKP: NIP / NI PPPK structure, and the pegawai
is not their own pejabat penilai.

A NIP (PNS) has 18 digits: birth date ``YYYYMMDD``, appointment ``YYYYMM``
(TMT CPNS), a sex digit (1 male, 2 female) and a 3-digit sequence. An NI PPPK
has the same shape, except that digits 13-14 carry a PPPK code (``21``, and
``22``-``29`` for later PPPK kinds such as Paruh Waktu) instead of the month
of appointment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from kinerja_contracts.values import JenisPegawai, Pegawai

from ..model import SkpContent
from .findings import Finding, error

_SHAPE = re.compile(r"^[0-9]{18}$")
#: The oldest plausible birth year of a serving ASN and the youngest age at appointment.
MIN_BIRTH_YEAR = 1940
MIN_AGE_AT_APPOINTMENT = 15


def nip_problems(nip: str, *, pppk: bool | None) -> list[str]:
    """What is wrong with ``nip`` (empty when it is a plausible NIP / NI PPPK).

    ``pppk`` True accepts only the NI PPPK code in digits 13-14, False only a
    month (PNS), None either (a pejabat penilai may be PNS or PPPK).
    """
    if not _SHAPE.fullmatch(nip or ""):
        return ["harus 18 digit angka (must be 18 digits)"]
    out: list[str] = []
    try:
        born = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        born = None
        out.append(f"8 digit pertama {nip[0:8]} bukan tanggal lahir yang sah (digits 1-8 are not a real birth date)")
    year, code = int(nip[8:12]), int(nip[12:14])
    is_month = 1 <= code <= 12
    is_pppk_code = 21 <= code <= 29
    if pppk is True and not (is_pppk_code or is_month):
        out.append(f"digit 13-14 ({nip[12:14]}) harus kode PPPK 21-29 (digits 13-14 must be the PPPK code)")
    elif pppk is False and not is_month:
        out.append(f"digit 13-14 ({nip[12:14]}) harus bulan pengangkatan 01-12 (digits 13-14 must be the month of appointment)")
    elif pppk is None and not (is_month or is_pppk_code):
        out.append(f"digit 13-14 ({nip[12:14]}) bukan bulan pengangkatan atau kode PPPK (neither a month nor a PPPK code)")
    if nip[14] not in "12":
        out.append(f"digit ke-15 ({nip[14]}) harus 1 (pria) atau 2 (wanita) (digit 15 is the sex digit: 1 or 2)")
    if born is not None:
        if born.year < MIN_BIRTH_YEAR or born > dt.date.today():
            out.append(f"tanggal lahir {born.isoformat()} tidak masuk akal (implausible birth date)")
        elif year < born.year + MIN_AGE_AT_APPOINTMENT:
            out.append(
                f"tahun pengangkatan {year} terlalu dekat dengan tahun lahir {born.year} "
                "(appointment year too close to the birth year)"
            )
    if year > dt.date.today().year + 1:
        out.append(f"tahun pengangkatan {year} di masa depan (appointment year in the future)")
    return out


def _people(content: SkpContent) -> Iterator[tuple[str, Pegawai, bool | None]]:
    pppk = content.jenis_pegawai in (JenisPegawai.PPPK, JenisPegawai.PPPK_PARUH_WAKTU)
    yield "pegawai", content.pegawai, pppk
    yield "penilai", content.penilai, None
    if content.atasan_pejabat_penilai is not None:
        yield "atasan_pejabat_penilai", content.atasan_pejabat_penilai, None


def check_nip(content: SkpContent) -> list[Finding]:
    """Every NIP / NI PPPK on the SKP is structurally valid."""
    out = []
    for where, person, pppk in _people(content):
        label = "NI PPPK" if where == "pegawai" and pppk else "NIP"
        for problem in nip_problems(person.nip, pppk=pppk):
            out.append(error("nip-format", f"{where}.nip", f"{label} {person.nip} ({person.nama}): {problem}."))
    return out


def check_penilai_differs(content: SkpContent) -> list[Finding]:
    """The pegawai is neither their own pejabat penilai nor the atasan pejabat penilai."""
    out = []
    if content.pegawai.nip == content.penilai.nip:
        out.append(error("penilai-differs", "penilai.nip",
                         "Pegawai dan pejabat penilai harus orang yang berbeda (pegawai and penilai must differ)."))
    if content.atasan_pejabat_penilai is not None and content.atasan_pejabat_penilai.nip in (content.pegawai.nip, content.penilai.nip):
        out.append(error("atasan-pejabat-penilai-differs", "atasan_pejabat_penilai.nip",
                         "Atasan pejabat penilai harus berbeda dari pegawai dan pejabat penilai "
                         "(the atasan pejabat penilai must be a third person)."))
    return out
