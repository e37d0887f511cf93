"""Who a recipient is and where their mail goes: the directory's word only.

The directory service publishes every person (``directory.person_changed``);
this service keeps a projection of those events (``directory_person``,
:mod:`kinerja_platform.directory_view`). A recipient's name, instansi and
address are read from the record in force today, never from the identity
block an event carries: an SKP that names another person's NIP with the
writer's own address cannot send that person's mail to the writer
(docs/security.md, "Where mail goes").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kinerja_contracts.calendar import today_jakarta
from kinerja_contracts.directory import record_on
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Pegawai
from kinerja_platform.directory_view import DirectoryView, parse_riwayat


#: why a mail to a person is not sent (stored in the delivery's ``last_error``)
NOT_IN_DIRECTORY = ("tidak ada di direktori kepegawaian: e-mail tidak dikirim, alamat dari event tidak dipakai "
                    "(not in the directory: no mail sent; an address an event carries is never used)")
NOT_ACTIVE = "tidak aktif menurut direktori kepegawaian (not active in the directory)"
NO_ADDRESS = ("direktori kepegawaian tidak memuat alamat e-mail orang ini; perbaiki di direktori "
              "(the directory holds no e-mail address for this person; correct it there)")


@dataclass(frozen=True)
class Addressee:
    """A person as the directory knows them today (``record`` None: unknown)."""

    nip: str
    record: DirectoryRecord | None

    @property
    def email(self) -> str | None:
        """The address mail goes to: the directory's, for an active person."""
        if self.record is None or not self.record.aktif:
            return None
        return (self.record.email or "").strip() or None

    @property
    def instansi(self) -> str | None:
        return self.record.instansi if self.record is not None else None

    @property
    def nama(self) -> str | None:
        return self.record.nama if self.record is not None else None

    @property
    def why_not(self) -> str | None:
        """Why no mail can go to this person (None: the directory has an address)."""
        if self.record is None:
            return NOT_IN_DIRECTORY
        if not self.record.aktif:
            return NOT_ACTIVE
        if self.email is None:
            return NO_ADDRESS
        return None


class Addresses:
    """The directory's view of people inside one session (one unit of work)."""

    def __init__(self, session, today: dt.date | None = None):
        self.view = DirectoryView(session)
        self.today = today or today_jakarta()
        #: records in force today of people read with another statement (:meth:`know`)
        self._known: dict[str, DirectoryRecord | None] = {}

    async def load(self, nips: list[str]) -> None:
        """Read many people at once (one SELECT), e.g. the recipients of an announcement."""
        await self.view.load(nips)

    def know(self, nips: Iterable[str], riwayat: Mapping[str, str]) -> None:
        """Take ``nips`` as read from the projection elsewhere (the mail
        queueing reads them with the recipients' preferences, in one
        statement): ``riwayat`` holds the projection's JSON of those it
        holds; the others the directory does not know."""
        for nip in nips:
            raw = riwayat.get(nip)
            self._known[nip] = record_on(parse_riwayat(raw), self.today) if raw is not None else None

    async def of(self, nip: str) -> Addressee:
        if nip in self._known:
            return Addressee(nip, self._known[nip])
        return Addressee(nip, await self.view.record_on(nip, self.today))

    async def named(self, person: Pegawai) -> Pegawai:
        """``person`` as an event carried them, with the directory's name,
        instansi and address when it knows them (the rest of the snapshot,
        e.g. jabatan, as the event had it); without an address otherwise."""
        who = await self.of(person.nip)
        if who.record is None:
            return person.model_copy(update={"email": None})
        rec = who.record
        return person.model_copy(update={"nama": rec.nama, "instansi": rec.instansi, "email": who.email})


async def addressee(session, nip: str) -> Addressee:
    """One person as the directory knows them today."""
    return await Addresses(session).of(nip)
