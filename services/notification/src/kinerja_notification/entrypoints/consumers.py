"""Events the notification service turns into e-mail.

One durable consumer per event type (``notification--<event>``); each handler
learns the people in the event and queues the e-mails :func:`route` decides,
in the consumer's transaction (`processed_event` de-duplication included).
``skp.submitted`` and ``skp.resubmitted`` send nothing (the penilai's mail
follows ``approval.requested``, once the SKP is in the inbox) but teach the
directory the addresses of the pegawai, penilai and atasan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja_platform.messaging.consumer import EventConsumers

from ..domain.routing import MAIL_TABLE
from ..service_layer.mail import Mailroom, handle_event

if TYPE_CHECKING:
    from ..bootstrap import Container


#: the events consumed (the reliability tests list the subjects from here)
EVENTS = tuple(row.event for row in MAIL_TABLE)


def _handler(description: str, mail: Mailroom):
    async def handle(session, envelope) -> None:
        await handle_event(session, envelope, mail)

    handle.__doc__ = description
    return handle


def bind(c: Container) -> EventConsumers:
    """The service's consumers for one container: each handler keeps the
    consumer's signature ``(session, env)`` and queues mail through the
    container's mailroom."""
    consumers = EventConsumers("notification")
    for row in MAIL_TABLE:  # one durable consumer per event of the table
        consumers.on(row.event)(_handler(row.handles, c.mail))
    return consumers
