"""Who may do what on the bus: one NATS user per service.

The bus is not open (docs/security.md). Each service
connects as its own user and may publish only

- its own events, ``kinerja.<service>.>``;
- dead letters, ``kinerja-dlq.>`` (any service's consumer parks a poison
  message there; nothing consumes that stream automatically, so a forged
  dead letter triggers nothing);
- what JetStream needs: its API (``$JS.API.>``: stream and consumer
  provisioning, pull requests, info) without the destructive calls (delete,
  purge, message delete), acknowledgements (``$JS.ACK.>``), and for the
  services that keep a leader lease, their key-value bucket (``$KV.>``).

It may subscribe only to reply inboxes (``_INBOX.>``): pull consumers and
JetStream publishes receive on those. No service can publish another
service's event, and an anonymous client cannot connect at all.

This table is the one source: :func:`render_authorization` turns it into the
``authorization`` block that ``deploy/nats/auth.conf`` holds (a test checks
the file is current) and that ``make run``'s embedded server is started with.
Passwords are never in it: the block names an environment variable per user
(``$KINERJA_NATS_PASSWORD_SKP`` ...) that nats-server resolves at start.
"""

from __future__ import annotations

from dataclasses import dataclass

#: every service that connects to the bus
SERVICES: tuple[str, ...] = ("skp", "approval", "evaluation", "notification", "directory")

#: JetStream API calls no service needs and none may make: they destroy data
DENIED_JS_API: tuple[str, ...] = (
    "$JS.API.STREAM.DELETE.>",
    "$JS.API.STREAM.PURGE.>",
    "$JS.API.STREAM.MSG.DELETE.>",
    "$JS.API.CONSUMER.DELETE.>",
)

#: services that keep a leader lease in a JetStream key-value bucket
KV_USERS: frozenset[str] = frozenset({"evaluation"})


@dataclass(frozen=True)
class BusPermissions:
    """The subjects one service's NATS user may publish to and subscribe to."""

    user: str
    publish_allow: tuple[str, ...]
    publish_deny: tuple[str, ...]
    subscribe_allow: tuple[str, ...]


def permissions(service: str) -> BusPermissions:
    """The NATS permissions of ``service``'s user (its user name is the service name)."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    publish = [f"kinerja.{service}.>", "kinerja-dlq.>", "$JS.API.>", "$JS.ACK.>"]
    if service in KV_USERS:
        publish.append("$KV.>")
    return BusPermissions(
        user=service,
        publish_allow=tuple(publish),
        publish_deny=DENIED_JS_API,
        subscribe_allow=("_INBOX.>",),
    )


def password_variable(service: str) -> str:
    """The environment variable nats-server reads ``service``'s password from."""
    return f"KINERJA_NATS_PASSWORD_{service.upper()}"


def _quoted(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def render_authorization() -> str:
    """The nats-server ``authorization`` block for every service's user."""
    lines = [
        "# Generated from kinerja_platform.messaging.bus_auth: do not edit by hand",
        "# (`uv run python -m kinerja_platform.messaging.bus_auth > deploy/nats/auth.conf`;",
        "# tests/integration/test_bus_auth.py checks it is current).",
        "# One user per service; passwords come from the environment of nats-server.",
        "authorization {",
        "  users = [",
    ]
    for service in SERVICES:
        p = permissions(service)
        lines += [
            "    {",
            f"      user: {p.user}",
            f"      password: ${password_variable(service)}",
            "      permissions: {",
            f"        publish: {{ allow: {_quoted(p.publish_allow)}, deny: {_quoted(p.publish_deny)} }}",
            f"        subscribe: {{ allow: {_quoted(p.subscribe_allow)} }}",
            "      }",
            "    }",
        ]
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - writes the generated file
    print(render_authorization(), end="")
