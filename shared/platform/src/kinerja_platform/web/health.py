"""Typed answers of ``/healthz`` and ``/readyz`` (for the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok"]
    service: str = Field(examples=["skp"])


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    service: str = Field(examples=["skp"])
    checks: dict[Literal["database", "nats"], Literal["ok", "down"]] = Field(
        examples=[{"database": "ok", "nats": "ok"}])


READY_RESPONSES = {
    200: {"model": Readiness, "description": "the database answers and NATS is connected"},
    503: {"model": Readiness, "description": "not ready: `checks` says what is down"},
}
