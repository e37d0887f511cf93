"""Database tables of the evaluation service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kinerja_contracts.calendar import utcnow
from sqlalchemy import JSON, Column, Date, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = False):
    return Field(default_factory=utcnow if not nullable else None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class EvaluationPlan(SQLModel, table=True):
    """The evaluation plan of one approved SKP: what will be measured.

    ``rencana`` holds the plan lines (every IKI with its annual, monthly and
    quarterly targets, see :func:`domain.plan.build_plan`).
    """

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
    # added by issue 5
    atasan_pejabat_penilai: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    instansi: str | None = Field(default=None, max_length=300)
    periode_mulai: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    periode_selesai: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    rencana: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    #: IKI measured per period, precomputed: 12 months, 4 quarters, the year (opening a period reads only this)
    jumlah_iki_periode: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    #: mutasi: the SKP of the new position that ended this one (its periode_selesai is then the day before)
    diakhiri_oleh_skp: uuid.UUID | None = Field(default=None)
    #: the version of the shared target rule (kinerja_contracts.targets.VERSI_ATURAN) that built ``rencana``;
    #: None: stored before the rule was versioned. Older plans are rebuilt (service_layer/rebuild.py)
    aturan_target: int | None = Field(default=None)


class EvaluationPeriod(SQLModel, table=True):
    """An evaluation period of one jenis pegawai, opened and closed by the scheduler."""

    __tablename__ = "evaluation_period"

    period_id: str = Field(primary_key=True, max_length=80)
    kind: str = Field(max_length=16)
    jenis_pegawai: str = Field(max_length=32)
    mulai: dt.date = Field(sa_column=Column(Date, nullable=False))
    selesai: dt.date = Field(sa_column=Column(Date, nullable=False))
    deadline: dt.date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(default="open", max_length=16)
    opened_at: dt.datetime = _ts()
    reminded_at: dt.datetime | None = _ts(True)
    closed_at: dt.datetime | None = _ts(True)


class Evaluation(SQLModel, table=True):
    """The evaluation of one pegawai (one approved SKP) in one period."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("period_id", "skp_id", name="uq_evaluation_period_skp"),
        Index("ix_evaluation_period_status", "period_id", "status"),
        Index("ix_evaluation_skp_tahun", "skp_id", "tahun"),
    )

    id: str = Field(primary_key=True, max_length=36)
    period_id: str = Field(max_length=80)
    kind: str = Field(max_length=16)
    tahun: int
    bulan: int | None = None
    skp_id: uuid.UUID
    nip: str = Field(index=True, max_length=18)
    penilai_nip: str = Field(index=True, max_length=18)
    atasan_nip: str | None = Field(default=None, max_length=18)
    jenis_pegawai: str = Field(max_length=32)
    unit_kerja: str | None = Field(default=None, index=True, max_length=300)
    status: str = Field(default="open", max_length=16)
    jumlah_iki: int = 0
    has_input: bool = False
    capaian: float | None = None
    saran_rating: str | None = Field(default=None, max_length=32)
    rating_hasil_kerja: str | None = Field(default=None, max_length=32)
    rating_perilaku: str | None = Field(default=None, max_length=32)
    predikat: str | None = Field(default=None, max_length=32)
    umpan_balik: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    finalized_at: dt.datetime | None = _ts(True)
    keberatan_deadline: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    #: who set the ratings: the penilai, their Plt/Plh, or a reassigned penilai (NIP)
    dinilai_oleh: str | None = Field(default=None, max_length=18)
    closed_at: dt.datetime | None = _ts(True)
    version: int = 1
    updated_at: dt.datetime = _ts()


class Realisasi(SQLModel, table=True):
    """What a pegawai achieved on one IKI in one period, with the evidence."""

    __tablename__ = "realisasi"

    evaluation_id: str = Field(primary_key=True, max_length=36)
    iki_id: str = Field(primary_key=True, max_length=100)
    nilai: float | None = None
    uraian: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    bukti_dukung: str | None = Field(default=None, max_length=2000)
    catatan: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    capaian: float | None = None
    updated_at: dt.datetime = _ts()


class Kehadiran(SQLModel, table=True):
    """Attendance of a pegawai in a month (for the monthly rekap)."""

    __tablename__ = "kehadiran"

    nip: str = Field(primary_key=True, max_length=18)
    tahun: int = Field(primary_key=True)
    bulan: int = Field(primary_key=True)
    hari_kerja_efektif: int
    izin: int = 0
    cuti_sakit: int = 0
    cuti_melahirkan: int = 0
    alpa: int = 0
    keterangan: str | None = Field(default=None, max_length=500)
    updated_by: str | None = Field(default=None, max_length=100)
    updated_at: dt.datetime = _ts()


class Keberatan(SQLModel, table=True):
    """A pegawai's objection to an evaluation result, decided by the atasan pejabat penilai."""

    __tablename__ = "keberatan"

    id: str = Field(primary_key=True, max_length=36)
    evaluation_id: str = Field(unique=True, max_length=36)
    nip: str = Field(index=True, max_length=18)
    atasan_nip: str = Field(index=True, max_length=18)
    alasan: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="diajukan", max_length=16)
    predikat_before: str = Field(max_length=32)
    predikat_after: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    filed_at: dt.datetime = _ts()
    decided_at: dt.datetime | None = _ts(True)
    decided_by: str | None = Field(default=None, max_length=18)


class CapaianOrganisasiRecord(SQLModel, table=True):
    """The organisation achievement of a unit of an instansi in a year, set
    by an admin of that instansi (two instansi may both have a unit of the
    same name)."""

    __tablename__ = "capaian_organisasi"

    instansi: str = Field(primary_key=True, max_length=300)
    unit_kerja: str = Field(primary_key=True, max_length=300)
    tahun: int = Field(primary_key=True)
    capaian: str = Field(max_length=32)
    set_by: str | None = Field(default=None, max_length=100)
    updated_at: dt.datetime = _ts()


class SchedulerAction(SQLModel, table=True):
    """A scheduler action done (``open:<period_id>`` ...): never done twice."""

    __tablename__ = "scheduler_action"

    key: str = Field(primary_key=True, max_length=120)
    due: dt.date = Field(sa_column=Column(Date, nullable=False))
    done_at: dt.datetime = _ts()


class PenugasanPenilai(SQLModel, table=True):
    """An acting assignment (Plt/Plh) an admin recorded for rating:
    ``delegate_nip`` rates for ``penilai_nip`` from ``mulai`` to ``selesai``
    (Asia/Jakarta dates)."""

    __tablename__ = "penugasan_penilai"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    delegate_nip: str = Field(index=True, max_length=18)
    penilai_nip: str = Field(index=True, max_length=18)
    jenis: str = Field(max_length=8)
    mulai: dt.date = Field(sa_column=Column(Date, nullable=False))
    selesai: dt.date = Field(sa_column=Column(Date, nullable=False))
    instansi: str = Field(max_length=300)
    nomor_sk: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=64)
    created_at: dt.datetime = _ts()
    revoked_at: dt.datetime | None = _ts(True)
