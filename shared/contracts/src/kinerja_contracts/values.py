"""Value types that travel on the wire between services."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

NIP_PATTERN = r"^\d{18}$"

#: NIP (PNS) or NI PPPK: 18 digits. The full structural check (birth date,
#: sex digit) is a domain rule of the skp service; on the wire we only insist
#: on the shape.
Nip = Annotated[str, StringConstraints(pattern=NIP_PATTERN)]


def as_utc(value: dt.datetime) -> dt.datetime:
    """A datetime with its time zone: a naive one is taken as UTC.

    Every service stores instants in UTC; SQLite (the development database)
    hands them back without a zone, PostgreSQL with one. Answers must say UTC
    either way, or a client reads "02:02" as local time."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


#: an instant in an API answer: always with its zone (``...Z`` when UTC)
UtcDatetime = Annotated[dt.datetime, AfterValidator(as_utc)]


class Role(StrEnum):
    """Roles carried in the bearer token (docs/architecture.md, HTTP conventions)."""

    pegawai = "pegawai"
    atasan = "atasan"
    admin = "admin"
    portal = "portal"


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
    nama: str
    email: str | None = None
    nrk: str | None = None
    pangkat_golongan: str | None = None
    jabatan: str | None = None
    unit_kerja: str | None = None
    instansi: str | None = None


class Periode(WireModel):
    """A date range in Asia/Jakarta (inclusive)."""

    mulai: dt.date
    selesai: dt.date


class Actor(WireModel):
    """Who caused an event: the token subject and role, and on whose behalf
    (an acting official, Plt/Plh, decides for the pejabat penilai)."""

    sub: str
    role: str
    on_behalf_of: str | None = None


NonEmpty = Annotated[str, Field(min_length=1)]
