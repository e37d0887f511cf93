"""The evaluation service's SQL, behind repository methods: the use cases in
service_layer/ and the scheduler call these and never build a statement.

:class:`EvaluationRepository` wraps the session of one unit of work. The
set-based statements of the scheduler (opening a period for every plan,
closing it with every capaian computed in SQL) stay set-based here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from kinerja_platform.db import dialect_of
from sqlalchemy import Float, Numeric, and_, bindparam, cast, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .tables import (
    CapaianOrganisasiRecord,
    Evaluation,
    EvaluationPeriod,
    EvaluationPlan,
    Keberatan,
    Kehadiran,
    PenugasanPenilai,
    Realisasi,
    SchedulerAction,
)

#: the plan columns a period's opening needs (Core rows, not objects: it runs for every pegawai)
PLAN_COLUMNS = ("skp_id", "nip", "penilai_nip", "atasan_pejabat_penilai", "jenis_pegawai", "unit_kerja", "periode_mulai",
                "periode_selesai", "pegawai", "jumlah_iki_periode")


_PLAN = EvaluationPlan.__table__.c
_PERIOD = EvaluationPeriod.__table__.c
_EVALUATION = Evaluation.__table__.c

#: Statements of an approved SKP's plan, built once (the consumer runs them for every approval).
#: A new plan, unless the SKP has one, returning how many other plans of its NIP overlap its periode (a
#: mutasi; SQL NULL dates overlap nothing): one round trip. Per dialect, for ON CONFLICT.
_OTHERS_OVERLAPPING = (
    select(func.count()).select_from(EvaluationPlan.__table__)
    .where(_PLAN.nip == bindparam("others_nip", type_=_PLAN.nip.type),
           _PLAN.skp_id != bindparam("others_skp_id", type_=_PLAN.skp_id.type),
           _PLAN.periode_mulai <= bindparam("others_selesai", type_=_PLAN.periode_selesai.type),
           _PLAN.periode_selesai >= bindparam("others_mulai", type_=_PLAN.periode_mulai.type))
    .scalar_subquery())
_INSERT_NEW_PLAN = {
    dialect: make(EvaluationPlan.__table__).on_conflict_do_nothing(index_elements=["skp_id"])
    .returning(_OTHERS_OVERLAPPING.label("others"))
    for dialect, make in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
#: the open periods of a jenis pegawai, each with the SKP's evaluation in it if there is one
_OPEN_PERIODS_WITH_EVALUATION = (
    select(_PERIOD.period_id, _PERIOD.kind, _PERIOD.jenis_pegawai, _PERIOD.mulai, _PERIOD.selesai, _PERIOD.deadline,
           _EVALUATION.id.label("evaluation_id"), _EVALUATION.status.label("evaluation_status"))
    .select_from(EvaluationPeriod.__table__.outerjoin(
        Evaluation.__table__, and_(_EVALUATION.period_id == _PERIOD.period_id,
                                   _EVALUATION.skp_id == bindparam("skp_id", type_=_EVALUATION.skp_id.type))))
    .where(_PERIOD.jenis_pegawai == bindparam("jenis_pegawai"), _PERIOD.status == "open"))


def round2(expr):
    """ROUND(x, 2) that works on PostgreSQL (numeric only) and SQLite."""
    return cast(func.round(cast(expr, Numeric), 2), Float)


def _missing_input():
    """Evaluations without a single realisasi."""
    return ~exists().where(Realisasi.evaluation_id == Evaluation.id)


def _live_capaian():
    """Capaian hasil kerja in SQL: the stored one once closed, else the sum of
    the IKI capaian over the IKI measured in the period (missing ones count 0)."""
    total = (select(func.coalesce(func.sum(Realisasi.capaian), 0.0))
             .where(Realisasi.evaluation_id == Evaluation.id).correlate(Evaluation).scalar_subquery())
    return func.coalesce(Evaluation.capaian, round2(total / func.nullif(Evaluation.jumlah_iki, 0)))


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i: i + size]


class Scope(Protocol):
    """Which evaluations (or keberatan) a list may show (service_layer.access.ListScope)."""

    nip: str | None
    penilai_nip: str | None
    acting_for: frozenset[tuple[str, str]]
    atasan_or_pegawai: str | None
    instansi: str | None


class EvaluationRepository:
    """Plans, periods, evaluations, realisasi, keberatan, kehadiran, rekap and
    the scheduler's record, in one unit of work's session."""

    def __init__(self, session):
        self.session = session

    def add(self, row: Any) -> None:
        self.session.add(row)

    async def flush(self) -> None:
        await self.session.flush()

    # --- plans ------------------------------------------------------------------

    async def plan(self, skp_id: uuid.UUID) -> EvaluationPlan | None:
        return await self.session.get(EvaluationPlan, skp_id)

    async def insert_new_plan(self, values: dict[str, Any]) -> int | None:
        """Insert a new plan (every column given, no ORM object) unless the SKP has one (None then, nothing
        written); else how many other plans of its NIP overlap its periode (a mutasi)."""
        conn = await self.session.connection()
        row = (await conn.execute(_INSERT_NEW_PLAN[dialect_of(self.session)], {
            **values, "others_nip": values["nip"], "others_skp_id": values["skp_id"],
            "others_mulai": values["periode_mulai"], "others_selesai": values["periode_selesai"]})).first()
        return None if row is None else row.others

    async def plan_rows_overlapping(self, jenis_pegawai: str, mulai: dt.date, selesai: dt.date) -> list:
        """The :data:`PLAN_COLUMNS` of the plans of a jenis pegawai whose SKP periode overlaps [mulai, selesai]."""
        t = EvaluationPlan.__table__.c
        conn = await self.session.connection()
        return list((await conn.execute(
            select(*(t[c] for c in PLAN_COLUMNS)).where(t.jenis_pegawai == jenis_pegawai, t.periode_mulai <= selesai,
                                                       t.periode_selesai >= mulai))).all())

    async def other_plans_overlapping(self, nip: str, skp_id: uuid.UUID, mulai: dt.date,
                                      selesai: dt.date) -> list[EvaluationPlan]:
        """The other plans of ``nip`` whose SKP periode overlaps [mulai, selesai] (a mutasi)."""
        return list((await self.session.exec(select(EvaluationPlan).where(
            EvaluationPlan.nip == nip, EvaluationPlan.skp_id != skp_id, EvaluationPlan.periode_mulai <= selesai,
            EvaluationPlan.periode_selesai >= mulai))).scalars().all())

    async def plan_for_update(self, skp_id: uuid.UUID) -> EvaluationPlan | None:
        return (await self.session.exec(
            select(EvaluationPlan).where(EvaluationPlan.skp_id == skp_id).with_for_update())).scalar_one_or_none()

    async def stale_plan_ids(self, versi: int, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        """Ids of the plans built by a target rule older than ``versi`` (or before it was versioned), in id order
        after ``after`` (keyset: a plan set aside is not met again in the same scan)."""
        q = select(EvaluationPlan.skp_id).where(or_(EvaluationPlan.aturan_target.is_(None),
                                                    EvaluationPlan.aturan_target < versi))
        if after is not None:
            q = q.where(EvaluationPlan.skp_id > after)
        return list((await self.session.exec(q.order_by(EvaluationPlan.skp_id).limit(limit))).scalars().all())

    async def plan_spans(self) -> dict[str, tuple[dt.date, dt.date]]:
        """Per jenis pegawai, the first start and last end of the plans' periods."""
        rows = (await self.session.exec(
            select(EvaluationPlan.jenis_pegawai, func.min(EvaluationPlan.periode_mulai),
                   func.max(EvaluationPlan.periode_selesai))
            .where(EvaluationPlan.periode_mulai.is_not(None)).group_by(EvaluationPlan.jenis_pegawai))).all()
        return {j: (a, b) for j, a, b in rows}

    async def instansi_of(self, nips: Iterable[str]) -> list[tuple[str, str | None]]:
        """(nip, instansi) of every plan of ``nips``."""
        return list((await self.session.exec(
            select(EvaluationPlan.nip, EvaluationPlan.instansi).where(EvaluationPlan.nip.in_(set(nips))))).all())

    # --- periods ------------------------------------------------------------------

    async def period(self, period_id: str) -> EvaluationPeriod | None:
        return await self.session.get(EvaluationPeriod, period_id)

    async def periods(self, status: str | None) -> list[EvaluationPeriod]:
        q = select(EvaluationPeriod).order_by(EvaluationPeriod.mulai, EvaluationPeriod.period_id)
        if status:
            q = q.where(EvaluationPeriod.status == status)
        return list((await self.session.exec(q)).scalars())

    async def open_periods_with_evaluation(self, jenis_pegawai: str, skp_id: uuid.UUID) -> list:
        """Core rows of the open periods of ``jenis_pegawai`` (the columns of :class:`EvaluationPeriod` a
        :class:`~..domain.periods.Period` needs), each with ``evaluation_id`` and ``evaluation_status`` of the
        evaluation of ``skp_id`` in it (None: it has none), in one statement."""
        conn = await self.session.connection()
        return list((await conn.execute(_OPEN_PERIODS_WITH_EVALUATION,
                                        dict(jenis_pegawai=jenis_pegawai, skp_id=skp_id))).all())

    async def done_actions(self) -> set[str]:
        return set((await self.session.exec(select(SchedulerAction.key))).scalars().all())

    async def record_action(self, key: str, due: dt.date) -> None:
        """Record a scheduler action; IntegrityError when a concurrent replica did it already."""
        self.session.add(SchedulerAction(key=key, due=due))
        await self.session.flush()

    async def evaluated_skp_ids(self, period_id: str) -> set[uuid.UUID]:
        return set((await self.session.exec(
            select(Evaluation.skp_id).where(Evaluation.period_id == period_id))).scalars().all())

    async def insert_evaluations(self, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
        conn = await self.session.connection()
        for part in _chunks(rows, chunk):
            await conn.execute(insert(Evaluation.__table__), part)  # executemany, no ORM

    async def waiting_for_input(self, period_id: str) -> list[tuple[dict, str]]:
        """(pegawai, nip) of the open evaluations of a period with something to
        enter and no realisasi yet."""
        return list((await self.session.exec(
            select(EvaluationPlan.pegawai, EvaluationPlan.nip)
            .join(Evaluation, Evaluation.skp_id == EvaluationPlan.skp_id)
            .where(Evaluation.period_id == period_id, Evaluation.status == "open", Evaluation.jumlah_iki > 0,
                   _missing_input()))).all())

    async def close_evaluations(self, period_id: str, annual: bool, now: dt.datetime) -> None:
        """Close every open evaluation of a period, computing its capaian in SQL:
        the average of the periodic ones for an annual evaluation, else the sum
        of the IKI capaian over the IKI measured."""
        if annual:
            periodic = Evaluation.__table__.alias("periodic")
            avg = (select(func.avg(periodic.c.capaian))
                   .where(periodic.c.skp_id == Evaluation.skp_id, periodic.c.tahun == Evaluation.tahun,
                          periodic.c.kind != "annual", periodic.c.capaian.is_not(None))
                   .scalar_subquery())
            has = (exists().where(and_(periodic.c.skp_id == Evaluation.skp_id, periodic.c.tahun == Evaluation.tahun,
                                       periodic.c.kind != "annual", periodic.c.has_input)))
            values = dict(capaian=round2(avg), has_input=has)
        else:
            total = (select(func.coalesce(func.sum(Realisasi.capaian), 0.0))
                     .where(Realisasi.evaluation_id == Evaluation.id).scalar_subquery())
            values = dict(capaian=round2(total / func.nullif(Evaluation.jumlah_iki, 0)), has_input=~_missing_input())
        await self.session.exec(
            update(Evaluation).where(Evaluation.period_id == period_id, Evaluation.status == "open")
            .values(status="closed", closed_at=now, updated_at=now, version=Evaluation.version + 1, **values)
            .execution_options(synchronize_session=False))

    async def count_with_input(self, period_id: str) -> int:
        return (await self.session.exec(
            select(func.count()).select_from(Evaluation).where(Evaluation.period_id == period_id,
                                                               Evaluation.has_input))).scalar_one()

    async def pegawai_without_input(self, period_id: str) -> list[dict]:
        """The pegawai (snapshots) of a closed period's evaluations that had something to enter and got nothing."""
        return list((await self.session.exec(
            select(EvaluationPlan.pegawai).join(Evaluation, Evaluation.skp_id == EvaluationPlan.skp_id)
            .where(Evaluation.period_id == period_id, ~Evaluation.has_input, Evaluation.jumlah_iki > 0)
            .order_by(Evaluation.nip))).scalars())

    # --- evaluations ------------------------------------------------------------------

    async def evaluation(self, evaluation_id: str, *, for_update: bool = False) -> Evaluation | None:
        q = select(Evaluation).where(Evaluation.id == evaluation_id)
        if for_update:
            q = q.with_for_update()
        return (await self.session.exec(q)).scalar_one_or_none()

    async def get_evaluation(self, evaluation_id: str) -> Evaluation | None:
        return await self.session.get(Evaluation, evaluation_id)

    async def open_evaluations_of(self, skp_id: uuid.UUID) -> list[Evaluation]:
        return list((await self.session.exec(select(Evaluation).where(
            Evaluation.skp_id == skp_id, Evaluation.status == "open"))).scalars().all())

    async def unrated_without_keberatan(self, skp_id: uuid.UUID) -> list[Evaluation]:
        """The evaluations of an SKP not yet rated and without a keberatan (they follow a new penilai)."""
        objected = select(Keberatan.evaluation_id)
        return list((await self.session.exec(select(Evaluation).where(
            Evaluation.skp_id == skp_id, Evaluation.predikat.is_(None),
            Evaluation.id.not_in(objected)))).scalars().all())

    async def delete(self, row: Any) -> None:
        await self.session.delete(row)

    async def has_realisasi(self, evaluation_id: str) -> bool:
        return (await self.session.exec(
            select(Realisasi.iki_id).where(Realisasi.evaluation_id == evaluation_id).limit(1))).first() is not None

    async def periodic_of(self, skp_id: uuid.UUID, tahun: int) -> list[Evaluation]:
        return list((await self.session.exec(select(Evaluation).where(
            Evaluation.skp_id == skp_id, Evaluation.tahun == tahun, Evaluation.kind != "annual"))).scalars().all())

    async def evaluations(self, scope: Scope, *, period_id: str | None, nip: str | None, limit: int,
                          offset: int) -> list[Evaluation]:
        q = select(Evaluation)
        if scope.nip is not None:
            q = q.where(Evaluation.nip == scope.nip)
        if scope.penilai_nip is not None and not scope.acting_for:
            q = q.where(Evaluation.penilai_nip == scope.penilai_nip)
        elif scope.penilai_nip is not None:  # (never with scope.instansi: that is an admin's)
            # a Plt/Plh: the evaluations of the penilai they act for, in the instansi that recorded it, not their own
            q = q.join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id).where(or_(
                Evaluation.penilai_nip == scope.penilai_nip,
                *(and_(Evaluation.penilai_nip == penilai, EvaluationPlan.instansi == instansi,
                       Evaluation.nip != scope.penilai_nip) for penilai, instansi in sorted(scope.acting_for))))
        if nip:
            q = q.where(Evaluation.nip == nip)
        if scope.instansi is not None:
            q = q.join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id).where(
                EvaluationPlan.instansi == scope.instansi)
        if period_id:
            q = q.where(Evaluation.period_id == period_id)
        return list((await self.session.exec(
            q.order_by(Evaluation.period_id, Evaluation.nip).limit(limit).offset(offset))).scalars().all())

    async def appraises(self, penilai_nip: str, nip: str) -> bool:
        """Whether ``penilai_nip`` is (or was) the penilai of an evaluation of ``nip``."""
        return (await self.session.exec(select(Evaluation.id).where(
            Evaluation.nip == nip, Evaluation.penilai_nip == penilai_nip).limit(1))).first() is not None

    async def realisasi_of(self, evaluation_id: str) -> dict[str, Realisasi]:
        return {r.iki_id: r for r in (await self.session.exec(
            select(Realisasi).where(Realisasi.evaluation_id == evaluation_id))).scalars()}

    async def realisasi(self, evaluation_id: str, iki_id: str) -> Realisasi | None:
        return await self.session.get(Realisasi, (evaluation_id, iki_id))

    # --- keberatan ------------------------------------------------------------------

    async def keberatan_of(self, evaluation_id: str) -> Keberatan | None:
        return (await self.session.exec(
            select(Keberatan).where(Keberatan.evaluation_id == evaluation_id))).scalar_one_or_none()

    async def has_keberatan(self, evaluation_id: str) -> bool:
        return (await self.session.exec(
            select(Keberatan.id).where(Keberatan.evaluation_id == evaluation_id))).first() is not None

    async def keberatan_for_update(self, keberatan_id: str) -> Keberatan | None:
        return (await self.session.exec(
            select(Keberatan).where(Keberatan.id == keberatan_id).with_for_update())).scalar_one_or_none()

    async def keberatan_list(self, scope: Scope, status: str | None) -> list[Keberatan]:
        q = select(Keberatan)
        if scope.atasan_or_pegawai is not None:
            q = q.where((Keberatan.atasan_nip == scope.atasan_or_pegawai) | (Keberatan.nip == scope.atasan_or_pegawai))
        elif scope.instansi is not None:
            q = (q.join(Evaluation, Evaluation.id == Keberatan.evaluation_id)
                 .join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id)
                 .where(EvaluationPlan.instansi == scope.instansi))
        if status:
            q = q.where(Keberatan.status == status)
        return list((await self.session.exec(q.order_by(Keberatan.filed_at))).scalars())

    # --- kehadiran ------------------------------------------------------------------

    async def kehadiran(self, nip: str, tahun: int, bulan: int) -> Kehadiran | None:
        return await self.session.get(Kehadiran, (nip, tahun, bulan))

    async def kehadiran_of_month(self, tahun: int, bulan: int, nip: str | None) -> list[Kehadiran]:
        q = select(Kehadiran).where(Kehadiran.tahun == tahun, Kehadiran.bulan == bulan)
        if nip:
            q = q.where(Kehadiran.nip == nip)
        return list((await self.session.exec(q)).scalars())

    # --- rekap -------------------------------------------------------------------

    async def rekap_rows(self, period_id: str, tahun: int, bulan: int, perangkat_daerah: str | None,
                         instansi: str | None) -> list:
        """(evaluation, pegawai snapshot, live capaian, kehadiran or None) of a monthly period, by unit and NIP."""
        q = (select(Evaluation, EvaluationPlan.pegawai, _live_capaian().label("cap"), Kehadiran)
             .join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id)
             .outerjoin(Kehadiran, and_(Kehadiran.nip == Evaluation.nip, Kehadiran.tahun == tahun,
                                        Kehadiran.bulan == bulan))
             .where(Evaluation.period_id == period_id))
        if perangkat_daerah:
            q = q.where(Evaluation.unit_kerja == perangkat_daerah)
        if instansi:
            q = q.where(EvaluationPlan.instansi == instansi)
        return list((await self.session.exec(q.order_by(Evaluation.unit_kerja, Evaluation.nip))).all())

    async def year_of(self, nip: str, tahun: int) -> list:
        """(evaluation, live capaian) of every evaluation of ``nip`` in ``tahun``."""
        cap = _live_capaian().label("cap")
        return list((await self.session.exec(
            select(Evaluation, cap).where(Evaluation.nip == nip, Evaluation.tahun == tahun)
            .order_by(Evaluation.skp_id, Evaluation.period_id))).all())

    async def annual_results(self, tahun: int, instansi: str | None) -> list:
        """(unit kerja, predikat, live capaian) of the annual evaluations of a year."""
        q = select(Evaluation.unit_kerja, Evaluation.predikat, _live_capaian().label("cap")).where(
            Evaluation.tahun == tahun, Evaluation.kind == "annual")
        if instansi:
            q = q.join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id).where(EvaluationPlan.instansi == instansi)
        return list((await self.session.exec(q)).all())

    async def capaian_organisasi(self, instansi: str, tahun: int) -> dict[str, CapaianOrganisasiRecord]:
        """The organisation capaian ``instansi`` recorded for ``tahun``, by unit."""
        return {r.unit_kerja: r for r in (await self.session.exec(
            select(CapaianOrganisasiRecord).where(CapaianOrganisasiRecord.instansi == instansi,
                                                  CapaianOrganisasiRecord.tahun == tahun))).scalars()}

    async def capaian_organisasi_of(self, instansi: str, unit_kerja: str, tahun: int) -> CapaianOrganisasiRecord | None:
        return await self.session.get(CapaianOrganisasiRecord, (instansi, unit_kerja, tahun))

    # --- Plt/Plh who rate for a pejabat penilai ------------------------------------------

    async def acting_for(self, delegate_nip: str, day: dt.date) -> set[tuple[str, str]]:
        """The (penilai NIP, instansi of the record) ``delegate_nip`` rates for on ``day`` (assignments in force,
        not revoked)."""
        return {(penilai, instansi) for penilai, instansi in (await self.session.exec(select(
            PenugasanPenilai.penilai_nip, PenugasanPenilai.instansi).where(
            PenugasanPenilai.delegate_nip == delegate_nip, PenugasanPenilai.mulai <= day,
            PenugasanPenilai.selesai >= day, PenugasanPenilai.revoked_at.is_(None)))).all()}

    async def penugasan(self, penugasan_id: uuid.UUID) -> PenugasanPenilai | None:
        return await self.session.get(PenugasanPenilai, penugasan_id)

    async def penugasan_of_instansi(self, instansi: str) -> list[PenugasanPenilai]:
        return list((await self.session.exec(select(PenugasanPenilai).where(PenugasanPenilai.instansi == instansi)
                                             .order_by(PenugasanPenilai.mulai))).scalars().all())
