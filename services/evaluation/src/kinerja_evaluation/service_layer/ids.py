"""Deterministic ids: the same period and pegawai always give the same id,
so a scheduler tick replayed after a crash produces no second effect."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("8c0f6a52-3b1e-5d7a-9f44-6b2d1e0c7a11")


def evaluation_id(period_id: str, skp_id: uuid.UUID | str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"evaluation|{period_id}|{skp_id}"))


def tick_event_id(action: str, period_id: str, part: str | int = "") -> uuid.UUID:
    """Event id of a scheduler action: per period, and per pegawai (NIP) or chunk."""
    return uuid.uuid5(NAMESPACE, f"tick|{action}|{period_id}|{part}")
