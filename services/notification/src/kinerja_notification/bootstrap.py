"""The notification service's composition: every object the routes, the
consumers, the delivery worker and the digest use, built in one place
(cosmicpython's ``bootstrap.py``) and held by the runtime as
``runtime.container``.

``main.py`` calls :func:`bootstrap` once the database is up; tests reach
the same objects through ``app.state.runtime.container`` (e.g.
``container.delivery.sent``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kinerja_contracts.calendar import Clock, utcnow
from kinerja_platform.db import UnitOfWork

from .adapters.smtp import SmtpSender
from .service_layer import unsubscribe
from .service_layer.delivery import DeliveryWorker
from .service_layer.digest import DigestTask
from .service_layer.mail import MailConfig, Mailroom
from .settings import Settings


@dataclass
class Container:
    settings: Settings
    uow: UnitOfWork
    #: the mail settings and this process's delivery workers (the consumers queue through it)
    mail: Mailroom
    #: sends pending e-mails
    delivery: DeliveryWorker
    #: one summary per penilai per window
    digest: DigestTask

    async def start(self) -> None:
        self.mail.workers.append(self.delivery)
        await self.delivery.start()
        await self.digest.start()

    async def stop(self) -> None:
        await self.digest.stop()
        if self.delivery in self.mail.workers:
            self.mail.workers.remove(self.delivery)
        await self.delivery.stop()


def unsubscribe_links(settings: Settings) -> Callable[[str], str] | None:
    """NIP -> the signed one-click link of the List-Unsubscribe header (None: no header)."""
    base = settings.unsubscribe_base_url
    if base == "":
        return None
    base = base or f"http://127.0.0.1:{settings.port}"
    return lambda nip: unsubscribe.url(base, nip, settings.unsubscribe_secret)


def bootstrap(settings: Settings, *, uow: UnitOfWork, sessions, clock: Clock | None = None,
              sender: object | None = None) -> Container:
    """Wire the notification service. ``sessions`` is the session factory
    (the delivery worker runs its own short transactions); ``clock`` (the
    digest's now) and ``sender`` (an SMTP sender wrapper) are for tests."""
    mail = Mailroom(MailConfig(
        domain=settings.message_id_domain,
        base_url=settings.link_base_url or settings.common.public_base_url,
        default_locale=settings.default_locale,
        digest_default=settings.digest_default,
        rerating_window=settings.rerating_window_seconds,
    ))
    senders = [sender] if sender is not None else [
        SmtpSender(settings.smtp_host, settings.smtp_port, starttls=settings.smtp_starttls,
                   use_tls=settings.smtp_use_tls, username=settings.smtp_username,
                   password=settings.smtp_password, timeout=settings.smtp_timeout)
        for _ in range(max(1, settings.smtp_connections))
    ]
    worker = DeliveryWorker(
        sessions, senders, mail_from=settings.mail_from, poll_interval=settings.delivery_poll_interval,
        max_attempts=settings.delivery_max_attempts, batch_size=settings.delivery_batch_size,
        retry_base=settings.retry_base_seconds, retry_max=settings.retry_max_seconds,
        rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst,
        lease_seconds=settings.delivery_lease_seconds, unsubscribe_url=unsubscribe_links(settings),
    )
    digest = DigestTask(uow, mail, interval=settings.digest_interval_seconds, anchor=settings.digest_anchor,
                        tick=settings.digest_tick_seconds, clock=clock or utcnow)
    return Container(settings=settings, uow=uow, mail=mail, delivery=worker, digest=digest)
