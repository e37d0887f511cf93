"""Value types that travel on the wire between services."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from collections.abc import Callable

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, WithJsonSchema

# ---------------------------------------------------------------------------------------------------------------------
# Bounds every service applies at its edge (docs/reliability.md, "Limits"). A value outside them is refused with 422
# naming the field, before it reaches a domain rule, the database, an export or a mail.

#: the date window: periods, decree dates and deadlines fall in it (date arithmetic and year-based scans stay finite)
TANGGAL_MIN = dt.date(1950, 1, 1)
TANGGAL_MAX = dt.date(2099, 12, 31)
#: numbers (targets, realisasi): at most this many digits before and after the decimal point
ANGKA_INTEGER_DIGITS = 15
ANGKA_DECIMAL_PLACES = 6
#: text: the longest value of one field (a description); names and short fields have their own
TEKS_MAX = 4000
TEKS_PENDEK_MAX = 300
EMAIL_MAX = 254

#: ASCII digits only: ``\d`` would also take full-width and other scripts' digits
NIP_PATTERN = r"^[0-9]{18}$"

#: NIP (PNS) or NI PPPK: 18 ASCII digits. The full structural check (birth
#: date, sex digit) is a domain rule of the skp service; on the wire we only
#: insist on the shape.
Nip = Annotated[str, StringConstraints(pattern=NIP_PATTERN)]


#: validation context for data read back from storage (``model_validate(data, context=STORED)``): the bounds
#: below are not applied, so a row stored before they existed still reads and exports; every write applies them
STORED: dict[str, bool] = {"stored": True}


def is_stored(info: ValidationInfo | None) -> bool:
    """True when a model is being read back from storage (context :data:`STORED`)."""
    return info is not None and isinstance(info.context, dict) and bool(info.context.get("stored"))


def unless_stored(check: Callable[[Any], Any]) -> Callable[[Any, ValidationInfo], Any]:
    """``check`` as a validator that lets data read back from storage through."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        return value if is_stored(info) else check(value)

    return validate


#: Unicode Cc (U+0000-U+001F, U+007F-U+009F: a fixed set) less tab, LF and CR, and Cs (lone surrogates)
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def bad_character(text: str) -> str | None:
    """The first character no text field may hold, or None: control
    characters (Unicode Cc: NUL, ESC, DEL, C1) other than tab and line
    breaks, and lone surrogates (Cs: no encoding can store them).

    One precompiled regular expression (Cc and Cs are fixed ranges), not a
    per-character category lookup: every text of every SKP snapshot in every
    event passes here."""
    found = _BAD_CHARACTER.search(text)
    return found.group() if found else None


def check_text(value: str) -> str:
    """A text value free of control characters (tab and line breaks allowed)."""
    ch = bad_character(value)
    if ch is not None:
        raise ValueError(f"karakter kendali U+{ord(ch):04X} tidak diizinkan (control character U+{ord(ch):04X} is not allowed)")
    return value


def check_texts(value: Any) -> Any:
    """:func:`check_text` on every string inside ``value`` (lists, tuples and
    dict keys and values), each at most TEKS_MAX characters. Used by models
    that hold many text fields (``field_validator("*")``)."""
    if isinstance(value, str):
        if len(value) > TEKS_MAX:
            raise ValueError(f"teks melebihi {TEKS_MAX} karakter (text longer than {TEKS_MAX} characters)")
        return check_text(value)
    if isinstance(value, (list, tuple)):
        for v in value:
            check_texts(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            check_texts(k)
            check_texts(v)
    return value


#: free text (descriptions, notes): no control characters but tab and line breaks, at most TEKS_MAX characters
Teks = Annotated[str, StringConstraints(max_length=TEKS_MAX), AfterValidator(unless_stored(check_text))]
#: a short text (a name, a unit, a rank): at most TEKS_PENDEK_MAX characters
TeksPendek = Annotated[str, StringConstraints(max_length=TEKS_PENDEK_MAX), AfterValidator(unless_stored(check_text))]


def check_angka(value: Decimal) -> Decimal:
    """A finite number with at most ANGKA_INTEGER_DIGITS digits before the
    point and ANGKA_DECIMAL_PLACES after it (``1E+5000`` and 5,000-digit
    numbers are refused: formatting them alone costs a server error)."""
    if not value.is_finite():
        raise ValueError("angka harus terhingga (the number must be finite)")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    integer_digits = len(digits) + exponent if value != 0 else 1
    if integer_digits > ANGKA_INTEGER_DIGITS:
        raise ValueError(f"angka melebihi {ANGKA_INTEGER_DIGITS} digit sebelum koma "
                         f"(more than {ANGKA_INTEGER_DIGITS} digits before the decimal point)")
    if exponent < -ANGKA_DECIMAL_PLACES and value != value.quantize(Decimal(1).scaleb(-ANGKA_DECIMAL_PLACES)):
        raise ValueError(f"angka melebihi {ANGKA_DECIMAL_PLACES} digit di belakang koma "
                         f"(more than {ANGKA_DECIMAL_PLACES} decimal places)")
    return value.normalize() if exponent < -ANGKA_DECIMAL_PLACES else value


_ANGKA_LIMIT = 10**ANGKA_INTEGER_DIGITS
#: a bounded decimal number (targets, realisasi)
Angka = Annotated[
    Decimal,
    AfterValidator(unless_stored(check_angka)),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": -_ANGKA_LIMIT, "exclusiveMaximum": _ANGKA_LIMIT},
                              {"type": "string", "pattern": r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$"}],
                    "description": f"a number, at most {ANGKA_INTEGER_DIGITS} digits before the point and "
                                   f"{ANGKA_DECIMAL_PLACES} after it"}, mode="validation"),
]


def check_tanggal(value: dt.date) -> dt.date:
    """A date inside the window TANGGAL_MIN..TANGGAL_MAX."""
    if not TANGGAL_MIN <= value <= TANGGAL_MAX:
        raise ValueError(f"tanggal di luar {TANGGAL_MIN}..{TANGGAL_MAX} (date outside the window {TANGGAL_MIN}..{TANGGAL_MAX})")
    return value


#: a date (Asia/Jakarta) inside the documented window
Tanggal = Annotated[dt.date, AfterValidator(unless_stored(check_tanggal))]

#: a year inside the date window
Tahun = Annotated[int, Field(ge=TANGGAL_MIN.year, le=TANGGAL_MAX.year)]

# One mailbox, as the SMTP envelope and a To header take it: no display name, no list, no quotes, no spaces, no line
# breaks, no control characters. Letters beyond ASCII are allowed (SMTPUTF8 and internationalised domains).
_ATOM = r"[^\s\"(),.:;<>@\[\\\]\x00-\x1f\x7f-\x9f]+"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[^\W\d_]{{2,63}}")


def email_problem(value: str) -> str | None:
    """Why ``value`` is not one deliverable mail address, or None."""
    if len(value) > EMAIL_MAX:
        return f"longer than {EMAIL_MAX} characters"
    if _EMAIL.fullmatch(value) is None:
        return "not a single address of the form name@domain.tld (no display name, list, space or line break)"
    return None


def check_email(value: str) -> str:
    problem = email_problem(value)
    if problem:
        raise ValueError(f"alamat e-mail tidak sah: {problem} (invalid e-mail address)")
    return value


#: one mail address (no display name, no list, no line break; blanks around it are dropped)
Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(unless_stored(check_email)), WithJsonSchema(
    {"type": "string", "format": "email", "maxLength": EMAIL_MAX}, mode="validation")]


def as_utc(value: dt.datetime) -> dt.datetime:
    """A datetime with its time zone: a naive one is taken as UTC.

    Every service stores instants in UTC; SQLite (the development database)
    hands them back without a zone, PostgreSQL with one. Answers must say UTC
    either way, or a client reads "02:02" as local time."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


#: an instant in an API answer: always with its zone (``...Z`` when UTC)
UtcDatetime = Annotated[dt.datetime, AfterValidator(as_utc)]


class Role(StrEnum):
    """Roles carried in the bearer token (docs/architecture.md, HTTP
    conventions; docs/security.md, what each credential allows).

    ``operator`` is the one deployment-wide role (no instansi): it reads what
    spans every instansi (the rows background scans set aside) and extends an
    evaluation period, nothing else, and each of its requests is audited."""

    pegawai = "pegawai"
    atasan = "atasan"
    admin = "admin"
    portal = "portal"
    operator = "operator"


class JenisPegawai(StrEnum):
    """Kind of civil servant: PNS, PPPK, or PPPK Paruh Waktu (part-time)."""

    PNS = "PNS"
    PPPK = "PPPK"
    PPPK_PARUH_WAKTU = "PPPK_PARUH_WAKTU"


class WireModel(BaseModel):
    """Base of every payload: unknown fields are ignored (tolerant reader)."""

    model_config = ConfigDict(extra="ignore", frozen=False)


class Pegawai(WireModel):
    """Identity snapshot of a person at the time of an event.

    Used for the pegawai (employee), the pejabat penilai (appraising
    superior) and the atasan pejabat penilai. ``email`` may be missing; the
    notification service then records the mail as undeliverable.
    """

    nip: Nip
    nama: TeksPendek
    email: Email | None = None
    nrk: TeksPendek | None = None
    pangkat_golongan: TeksPendek | None = None
    jabatan: TeksPendek | None = None
    unit_kerja: TeksPendek | None = None
    instansi: TeksPendek | None = None


class Periode(WireModel):
    """A date range in Asia/Jakarta (inclusive), inside the date window."""

    mulai: Tanggal
    selesai: Tanggal


class Actor(WireModel):
    """Who caused an event: the token subject and role, and on whose behalf
    (an acting official, Plt/Plh, decides for the pejabat penilai)."""

    sub: str
    role: str
    on_behalf_of: str | None = None


NonEmpty = Annotated[str, Field(min_length=1)]
