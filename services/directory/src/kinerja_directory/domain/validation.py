"""What a person's record must satisfy before it is written: the input model
shared by the JSON API and the import, the NIP / NI PPPK check, and the
parsing of one import row (the layout of docs/directory.md).

A NIP (PNS) has 18 digits: birth date ``YYYYMMDD``, appointment ``YYYYMM``,
a sex digit (1 male, 2 female) and a 3-digit sequence. An NI PPPK has the same
shape with a PPPK code (21-29) instead of the month of appointment.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from kinerja_contracts.events import JenisJabatan
from kinerja_contracts.values import JenisPegawai
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .model import Record

_NIP = re.compile(r"^\d{18}$")
#: an id for a person without NIP: chosen by the upstream system (its own key) or generated (:func:`new_person_id`)
_OTHER_ID = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_BIRTH_YEAR = 1930


def nip_problems(nip: str) -> list[str]:
    """What is wrong with ``nip`` as a NIP or NI PPPK (empty when plausible)."""
    if not _NIP.fullmatch(nip):
        return ["harus 18 digit angka (must be 18 digits)"]
    out = []
    try:
        born = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
        if born.year < MIN_BIRTH_YEAR:
            out.append(f"tahun lahir {born.year} tidak masuk akal (implausible birth year)")
    except ValueError:
        out.append(f"8 digit pertama {nip[0:8]} bukan tanggal lahir (digits 1-8 are not a birth date)")
    code = int(nip[12:14])
    if not (1 <= code <= 12 or 21 <= code <= 29):
        out.append(f"digit 13-14 ({nip[12:14]}) bukan bulan pengangkatan atau kode PPPK "
                   "(neither a month of appointment nor a PPPK code)")
    if nip[14] not in "12":
        out.append(f"digit ke-15 ({nip[14]}) harus 1 atau 2 (digit 15 is the sex digit: 1 or 2)")
    return out


def is_nip(person_id: str) -> bool:
    return bool(_NIP.fullmatch(person_id))


def new_person_id() -> str:
    """A generated id for a person without NIP."""
    return f"tn-{uuid.uuid4().hex[:16]}"


def person_id_problems(person_id: str) -> list[str]:
    if is_nip(person_id):
        return nip_problems(person_id)
    if not _OTHER_ID.fullmatch(person_id):
        return ["person_id: NIP 18 digit, atau kode 3-64 karakter (huruf di depan; huruf, angka, . _ -) "
                "(an 18-digit NIP, or a 3-64 character code starting with a letter)"]
    return []


class PersonInput(BaseModel):
    """A record as portals and admins send it (JSON, or one import row).

    ``instansi`` may be left out: it is the token's. ``berlaku_mulai`` is the
    date from which the record holds (a mutasi's date)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    nip: str | None = Field(default=None, description="NIP / NI PPPK (18 digits); null for a person without one")
    nrk: str | None = Field(default=None, max_length=32, description="NRK (DKI Jakarta); null while 'belum terbit'")
    nama: str = Field(min_length=1, max_length=300, description="name with titles")
    jenis_asn: JenisPegawai | None = Field(default=None, description="PNS, PPPK or PPPK_PARUH_WAKTU; null if not ASN")
    pangkat_golongan: str | None = Field(default=None, max_length=100, description="e.g. 'Pembina IV/a', PPPK 'IX'")
    jabatan: str | None = Field(default=None, max_length=300)
    jenis_jabatan: JenisJabatan | None = None
    unit_id: str | None = Field(default=None, max_length=64, description="a unit kerja of the same instansi (PUT /units)")
    instansi: str | None = Field(default=None, max_length=300, description="defaults to the token's instansi")
    email: str | None = Field(default=None, max_length=320)
    aktif: bool = True
    atasan_id: str | None = Field(default=None, max_length=64, description="person_id of the direct superior")
    berlaku_mulai: dt.date = Field(description="the record holds from this date (Asia/Jakarta)")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, v: Any) -> Any:
        # PostgreSQL stores no NUL character: refused here, per item, not by the database for a whole bulk
        if isinstance(v, str) and "\x00" in v:
            raise ValueError("karakter NUL tidak diizinkan (the NUL character is not allowed)")
        return v

    @field_validator("nrk", "pangkat_golongan", "jabatan", "unit_id", "instansi", "email", "atasan_id", "nip")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v or None

    @field_validator("nip")
    @classmethod
    def _nip(cls, v: str | None) -> str | None:
        if v is not None and (problems := nip_problems(v)):
            raise ValueError("; ".join(problems))
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL.fullmatch(v):
            raise ValueError("bukan alamat e-mail (not an e-mail address)")
        return v.lower() if v else v

    def record(self, person_id: str, instansi: str) -> Record:
        return Record(
            person_id=person_id, nip=self.nip, nrk=self.nrk, nama=self.nama, jenis_asn=self.jenis_asn,
            pangkat_golongan=self.pangkat_golongan, jabatan=self.jabatan, jenis_jabatan=self.jenis_jabatan,
            unit_id=self.unit_id, instansi=instansi, email=self.email, aktif=self.aktif, atasan_id=self.atasan_id,
            berlaku_mulai=self.berlaku_mulai,
        )


def identity_problems(person_id: str, data: PersonInput) -> list[dict[str, str]]:
    """The rules between the id and the record: a person with a NIP is keyed
    by it, and nobody is their own superior. An 18-digit ``person_id`` given
    without ``nip`` fills ``data.nip``."""
    out = [{"path": "person_id", "message": m} for m in person_id_problems(person_id)]
    if data.nip is not None and data.nip != person_id:
        out.append({"path": "nip", "message": "person_id orang ber-NIP adalah NIP-nya (a person with a NIP is keyed by it: "
                                              f"person_id must be {data.nip})"})
    if data.nip is None and is_nip(person_id) and not out:
        data.nip = person_id
    if data.atasan_id is not None and data.atasan_id == person_id:
        out.append({"path": "atasan_id", "message": "tidak boleh atasan diri sendiri (a person is not their own superior)"})
    return out


def errors_of(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """pydantic's errors as ``{"path", "message"}``."""
    return [{"path": prefix + ".".join(str(p) for p in e["loc"]) if e["loc"] else prefix.rstrip("."),
             "message": e["msg"]} for e in exc.errors()]


# --- the import layout ---------------------------------------------------------------------------------

#: the columns of an import file, in the documented order (docs/directory.md); the header row names them,
#: in any order and any case; unknown columns are refused (a typo would silently drop data)
COLUMNS: tuple[str, ...] = (
    "person_id", "nip", "nrk", "nama", "jenis_asn", "pangkat_golongan", "jabatan", "jenis_jabatan", "unit_id",
    "email", "aktif", "atasan_id", "berlaku_mulai", "instansi",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("nama", "berlaku_mulai")
_TRUE = {"", "1", "ya", "y", "true", "aktif", "yes"}
_FALSE = {"0", "tidak", "t", "n", "false", "nonaktif", "no", "tidak aktif"}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def header_problems(header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    out = [f"kolom tidak dikenal (unknown column): {h!r}" for h in names if h and h not in COLUMNS]
    out += [f"kolom wajib tidak ada (missing column): {c!r}" for c in REQUIRED_COLUMNS if c not in names]
    if "person_id" not in names and "nip" not in names:
        out.append("perlu kolom 'person_id' atau 'nip' (a 'person_id' or 'nip' column is required)")
    dupes = {h for h in names if h and names.count(h) > 1}
    out += [f"kolom ganda (duplicate column): {h!r}" for h in sorted(dupes)]
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | str:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return text  # pydantic reports it


def parse_row(row: dict[str, Any]) -> tuple[str | None, PersonInput | None, list[dict[str, str]]]:
    """One import row -> (person_id, input, errors); errors name the column at fault."""
    errors: list[dict[str, str]] = []
    for column in ("nip", "person_id", "atasan_id", "nrk"):
        if isinstance(row.get(column), int | float):
            errors.append({"path": column, "message": "ketik sebagai teks, bukan angka: Excel membulatkan angka 18 digit "
                                                      "(type it as text: a spreadsheet rounds 18-digit numbers)"})
    aktif_text = _text(row.get("aktif")).lower()
    if aktif_text not in _TRUE | _FALSE:
        errors.append({"path": "aktif", "message": "isi 'ya' atau 'tidak' (yes or no)"})
    if errors:
        return _text(row.get("person_id")) or _text(row.get("nip")) or None, None, errors
    fields: dict[str, Any] = {c: _text(row.get(c)) or None for c in COLUMNS
                              if c not in ("person_id", "aktif", "berlaku_mulai")}
    fields["aktif"] = aktif_text not in _FALSE
    fields["berlaku_mulai"] = _date(row.get("berlaku_mulai")) if row.get("berlaku_mulai") not in (None, "") else None
    person_id = _text(row.get("person_id")) or _text(row.get("nip")) or None
    try:
        data = PersonInput.model_validate(fields)
    except ValidationError as exc:
        return person_id, None, errors_of(exc)
    if person_id is None:
        return None, None, [{"path": "person_id", "message": "isi person_id atau nip (person_id or nip is required)"}]
    problems = identity_problems(person_id, data)
    return person_id, (None if problems else data), problems
