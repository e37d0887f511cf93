"""Events the notification service turns into e-mail.

One durable consumer per event type (``notification--<event>``); each handler
learns the people in the event and queues the e-mails :func:`route` decides,
in the consumer's transaction (`processed_event` de-duplication included).
``skp.submitted`` and ``skp.resubmitted`` send nothing (the penilai's mail
follows ``approval.requested``, once the SKP is in the inbox) but teach the
directory the addresses of the pegawai, penilai and atasan.
"""

from __future__ import annotations

from kinerja_platform.messaging.consumer import EventConsumers

from ..domain.routing import MAIL_TABLE
from ..service_layer.mail import handle_event

consumers = EventConsumers("notification")


def _handler(description: str):
    async def handle(session, envelope) -> None:
        await handle_event(session, envelope)

    handle.__doc__ = description
    return handle


for _row in MAIL_TABLE:  # one durable consumer per event of the table
    consumers.on(_row.event)(_handler(_row.handles))
