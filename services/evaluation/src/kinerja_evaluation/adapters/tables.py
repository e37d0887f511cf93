"""Database tables of the evaluation service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class EvaluationPlan(SQLModel, table=True):
    """The evaluation plan of one approved SKP: what will be measured."""

    __tablename__ = "evaluation_plan"

    skp_id: uuid.UUID = Field(primary_key=True)
    nip: str = Field(index=True, max_length=18)
    penilai_nip: str = Field(index=True, max_length=18)
    jenis_pegawai: str = Field(max_length=32)
    unit_kerja: str | None = Field(default=None, index=True, max_length=300)
    version: int
    content_hash: str = Field(max_length=64)
    pegawai: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    penilai: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    periode: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
