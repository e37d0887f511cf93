"""One-click unsubscribe (RFC 8058) for the ``List-Unsubscribe`` header.

Every mail names a URL ``<base>/api/v1/unsubscribe/<nip>.<signature>``; a
mail client POSTs ``List-Unsubscribe=One-Click`` to it, without a token of
the person. The signature (HMAC-SHA256 of the NIP under the
``unsubscribe_secret`` setting) is what proves the link came from us.

What it unsubscribes from: the one-by-one "an SKP waits for you" mails and
reminders, which from then on come folded into the periodic summary (the
``digest`` preference, as ``PUT /recipients/{nip}/preferences`` sets it).
Mails about the person's own SKP (returned, approved, the evaluation
result) are duty notices and still come one by one.
"""

from __future__ import annotations

import hashlib
import hmac

from ..adapters.repository import NotificationRepository
from . import admin

_PURPOSE = b"kinerja-unsubscribe:"


def _signature(nip: str, secret: str) -> str:
    return hmac.new(secret.encode(), _PURPOSE + nip.encode(), hashlib.sha256).hexdigest()[:32]


def token(nip: str, secret: str) -> str:
    return f"{nip}.{_signature(nip, secret)}"


def verify(tok: str, secret: str) -> str | None:
    """The NIP a token was made for, or None when it was not made with ``secret``."""
    nip, _, sig = tok.rpartition(".")
    if not nip or not hmac.compare_digest(sig, _signature(nip, secret)):
        return None
    return nip


def url(base: str, nip: str, secret: str) -> str:
    return f"{base.rstrip('/')}/api/v1/unsubscribe/{token(nip, secret)}"


async def unsubscribe(session, nip: str) -> admin.RecipientInfo:
    """Switch the person to the summary; idempotent (a second POST changes nothing)."""
    rec = await NotificationRepository(session).recipient_for_update(nip)
    if rec.digest is not True:
        return await admin.set_preferences(session, nip, digest=True, locale=rec.locale, version=rec.version)
    return await admin.get_recipient(session, nip)
