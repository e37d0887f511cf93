"""The recipient directory: NIP -> name, e-mail, preferences.

Built from the identities events carry; an admin's correction of an address
wins over what later events say.
"""

from __future__ import annotations

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.values import Pegawai

from ..adapters.repository import NotificationRepository
from ..adapters.tables import Recipient


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


async def remember(session, people: list[Pegawai]) -> dict:
    """Upsert the directory entries of ``people`` in one statement.

    INSERT .. ON CONFLICT DO UPDATE, so two consumers that meet the same new
    person at once cannot collide. The name and agency follow the newest
    event; the address too, unless an admin corrected it or the event has none.
    """
    if not people:
        return {}
    now = utcnow()
    rows = [
        dict(nip=p.nip, nama=p.nama, email=_clean_email(p.email), email_corrected=False, instansi=p.instansi,
             locale=None, digest=None, version=1, updated_at=now)
        for p in sorted({p.nip: p for p in people}.values(), key=lambda p: p.nip)  # one lock order: no deadlocks
    ]
    return await NotificationRepository(session).upsert_recipients(rows)


async def lookup(session, nip: str) -> Recipient | None:
    return await NotificationRepository(session).recipient(nip, fresh=True)
