"""The digest task: one summary per penilai per window instead of one mail
per SKP (for people whose digest preference is on)."""

from __future__ import annotations

import datetime as dt

from kinerja_contracts.calendar import Clock, utcnow
from kinerja_platform.db import after_commit
from kinerja_platform.isolation import set_aside
from kinerja_platform.logging import get_logger
from kinerja_platform.periodic import PeriodicTask

from ..adapters.repository import NotificationRepository
from ..adapters.tables import Delivery, DigestItem
from ..domain.digest import digest_event_id, digest_message_id, window_start
from ..domain.messages import render
from ..domain.routing import INBOX_PATH, PREFERENCES_PATH
from . import directory
from .mail import Mailroom, delivery_status

log = get_logger(__name__)


class DigestTask:
    """Every ``tick`` seconds, sends the summaries that are due at ``clock()``."""

    def __init__(self, uow, mail: Mailroom, *, interval: int, anchor: str = "07:00", tick: float = 60.0,
                 clock: Clock = utcnow):
        self.uow = uow
        self.mail = mail
        self.interval = interval
        self.anchor = anchor
        self.tick = tick
        self.clock = clock
        self._task: PeriodicTask | None = None

    async def start(self) -> None:
        self._task = PeriodicTask("digest-task", self.run_due, self.tick)
        self._task.start()

    async def stop(self) -> None:
        if self._task:
            await self._task.stop()

    async def run_due(self, now: dt.datetime | None = None) -> int:
        """Queue the summaries due at ``now``; returns how many were queued."""
        start = window_start(now or self.clock(), self.interval, self.anchor)
        async with self.uow() as session:
            nips = await NotificationRepository(session).digest_recipients(start)
        queued = 0
        for nip in nips:
            try:
                async with self.uow() as session:
                    queued += await self._summarise(session, nip, start)
            except Exception as exc:  # this recipient's summary is set aside; the others go out
                set_aside("notification-digest", nip, exc)
                await self._mark_failed(nip, start)
        return queued

    async def _mark_failed(self, nip: str, start: dt.datetime) -> None:
        """The items of a summary that could not be made end ``failed`` (not tried at every tick)."""
        try:
            async with self.uow() as session:
                await NotificationRepository(session).mark_digest_failed(nip, start)
        except Exception as exc:
            log.warning("could not mark digest items failed", nip=nip, error=repr(exc))

    async def _summarise(self, session, nip: str, start: dt.datetime) -> int:
        repo = NotificationRepository(session)
        items = await repo.pending_digest_items(nip, start)
        if not items:
            return 0
        event_id = digest_event_id(nip, start)
        if await repo.delivery(event_id, nip) is not None:
            return 0  # this window's summary is out already; late items wait for the next
        rec = await repo.recipient(nip)
        who = await directory.addressee(session, nip)  # name and address: the directory's only
        recipient = {"nip": nip, "nama": who.nama or nip}
        rendered = render("approval.digest", self.mail.locale_of(rec), recipient=recipient, until=start,
                          items=summary_lines(items), link=self.mail.link(INBOX_PATH),
                          preferences_link=self.mail.link(PREFERENCES_PATH))
        email = who.email
        status, reason = delivery_status(email, who.why_not)
        repo.add_delivery(Delivery(
            event_id=event_id, recipient_nip=nip, kind="approval.digest", event_type="digest", email=email,
            locale=rendered.locale, subject=rendered.subject, body_text=rendered.text, body_html=rendered.html,
            message_id=digest_message_id(nip, start, self.mail.config.domain),
            status=status, last_error=reason,
            correlation_id=f"digest-{nip}-{int(start.timestamp())}", priority=1,
        ))
        await repo.mark_digest_sent(nip, [i.event_id for i in items], event_id)
        if status == "pending":
            after_commit(session, self.mail.wake_workers)
        log.info("digest queued", nip=nip, items=len(items), window=start.isoformat())
        return 1


def summary_lines(items: list[DigestItem]) -> list[dict]:
    """One line per SKP, oldest first (a reminder and the request for the same
    SKP merge; the line keeps the longest wait)."""
    by_skp: dict = {}
    for i in sorted(items, key=lambda x: x.created_at):
        line = by_skp.get(i.skp_id)
        if line is None:
            by_skp[i.skp_id] = {"pegawai_nama": i.pegawai_nama, "pegawai_nip": i.pegawai_nip,
                                "periode_mulai": i.periode_mulai, "periode_selesai": i.periode_selesai,
                                "resubmission": i.resubmission, "reminder_days": i.reminder_days}
        elif i.reminder_days:
            line["reminder_days"] = max(line["reminder_days"] or 0, i.reminder_days)
    return list(by_skp.values())
