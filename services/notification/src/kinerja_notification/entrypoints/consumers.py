"""Events the notification service turns into e-mail.

One durable consumer per event type (``notification--<event>``); each handler
queues the e-mails :func:`route` decides, in the consumer's transaction
(`processed_event` de-duplication included), to the addresses the directory
holds. ``directory.person_changed`` keeps this service's projection of the
directory (kinerja_platform.directory_view): the one source of names,
instansi and addresses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja_contracts.events import PersonChanged
from kinerja_platform import directory_view
from kinerja_platform.messaging.consumer import EventConsumers

from ..domain.routing import MAIL_TABLE
from ..service_layer.mail import Mailroom, handle_event

if TYPE_CHECKING:
    from ..bootstrap import Container


#: the events consumed (the reliability tests list the subjects from here)
EVENTS = (*(row.event for row in MAIL_TABLE), PersonChanged)


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
    directory_view.register(consumers)  # names, instansi and addresses: the directory's
    return consumers
