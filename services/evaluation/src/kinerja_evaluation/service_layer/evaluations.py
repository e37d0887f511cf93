"""Use cases on one evaluation: read it with its live capaian, enter
realisasi, give umpan balik and ratings, object (keberatan) and decide."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.events import EvaluationFinalized, KeberatanDecided, KeberatanFiled
from kinerja_contracts.skp import NilaiBerakhlak, SkpSnapshot
from kinerja_platform.messaging import add_event
from kinerja_contracts.values import Actor, Pegawai, Role
from kinerja_platform.web.errors import ProblemError

from ..adapters.repository import EvaluationRepository
from ..adapters.tables import Evaluation, EvaluationPeriod, EvaluationPlan, Keberatan, Realisasi
from ..domain.capaian import CapaianError, capaian_hasil_kerja, capaian_iki, rata_rata
from ..domain.periods import Kind
from ..domain.plan import period_target
from ..domain.rating import Predikat, Rating, RhkCapaian, lebih_rendah, predikat, saran_rating_detail
from . import access
from .plans import period_of, plan_lines

BERAKHLAK = tuple(n.value for n in NilaiBerakhlak)


async def load(session, evaluation_id: str, *, for_update: bool = False,
               principal=None) -> tuple[Evaluation, EvaluationPlan, EvaluationPeriod]:
    """An evaluation with its plan and period; 404 when unknown, and also for
    ``principal`` when an admin of another instansi (no probing across instansi)."""
    repo = EvaluationRepository(session)
    ev = await repo.evaluation(evaluation_id, for_update=for_update)
    if ev is None:
        raise access.evaluation_not_found(evaluation_id)
    plan = await repo.plan(ev.skp_id)
    if principal is not None:
        access.hide_outside_scope(access.admin_scope(principal), plan.instansi, access.evaluation_not_found(evaluation_id))
    period = await repo.period(ev.period_id)
    return ev, plan, period


def check_version(ev: Evaluation, version: int) -> None:
    if version != ev.version:
        raise ProblemError(409, "stale-version", f"Evaluasi sudah berubah: versi {ev.version}, bukan {version} "
                           f"(stale version; reload and retry).", current_version=ev.version)


def _rhk_capaian(lines: list[dict]) -> list[RhkCapaian]:
    by_rhk: dict[str, tuple[bool, list[float | None]]] = {}
    for line in lines:
        if line["target"] is None:
            continue
        by_rhk.setdefault(line["rhk_id"], (line["rhk_jenis"] == "Utama", []))[1].append(line["capaian"])
    return [RhkCapaian(rhk_id, utama, capaian_hasil_kerja(vals)) for rhk_id, (utama, vals) in by_rhk.items()]


def _target_dict(t) -> dict | None:
    if t is None:
        return None
    return {"nilai": t.nilai, "minimum": t.minimum, "maksimum": t.maksimum,
            "polaritas": None if t.polaritas is None else str(t.polaritas)}


async def _periodic_lines(session, ev: Evaluation, plan: EvaluationPlan) -> list[dict]:
    repo = EvaluationRepository(session)
    period = period_of(await repo.period(ev.period_id))
    reals = await repo.realisasi_of(ev.id)
    lines = []
    for line in plan_lines(plan):
        t = period_target(line, period)
        r = reals.get(line.iki_id)
        lines.append(dict(
            rhk_id=line.rhk_id, rhk_jenis=line.rhk_jenis, rhk_uraian=line.rhk_uraian, iki_id=line.iki_id,
            indikator=line.indikator, aspek=line.aspek, satuan=line.satuan,
            polaritas=str(t.polaritas) if t is not None and t.polaritas else line.polaritas,
            sifat_target=line.sifat_target, target_tahunan=line.target_tahunan, target_deskripsi=line.target_deskripsi,
            target=_target_dict(t),
            realisasi=None if r is None else r.nilai, uraian_realisasi=None if r is None else r.uraian,
            bukti_dukung=None if r is None else r.bukti_dukung, catatan=None if r is None else r.catatan,
            capaian=None if r is None else r.capaian,
        ))
    return lines


async def _annual_lines(session, ev: Evaluation, plan: EvaluationPlan) -> tuple[list[dict], float | None]:
    repo = EvaluationRepository(session)
    periodic = await repo.periodic_of(ev.skp_id, ev.tahun)
    per_iki: dict[str, list[float | None]] = {}
    caps = []
    for p in periodic:
        lines = await _periodic_lines(session, p, plan)
        caps.append(p.capaian if p.status == "closed" else capaian_hasil_kerja([x["capaian"] for x in lines if x["target"]]))
        for x in lines:
            if x["target"] is not None:
                per_iki.setdefault(x["iki_id"], []).append(x["capaian"] or 0.0)
    period = period_of(await repo.period(ev.period_id))
    out = []
    for line in plan_lines(plan):
        t = period_target(line, period)
        out.append(dict(rhk_id=line.rhk_id, rhk_jenis=line.rhk_jenis, rhk_uraian=line.rhk_uraian, iki_id=line.iki_id,
                        indikator=line.indikator, aspek=line.aspek, satuan=line.satuan,
                        polaritas=str(t.polaritas) if t is not None and t.polaritas else line.polaritas,
                        sifat_target=line.sifat_target,
                        target_tahunan=line.target_tahunan, target_deskripsi=line.target_deskripsi,
                        target=_target_dict(t),
                        realisasi=None, uraian_realisasi=None, bukti_dukung=None, catatan=None,
                        capaian=rata_rata(per_iki.get(line.iki_id, []))))
    return out, rata_rata(caps)


async def view(session, ev: Evaluation, plan: EvaluationPlan, settings) -> dict[str, Any]:
    """The evaluation as the form shows it: per IKI target, realisasi and
    capaian; capaian hasil kerja; the suggested rating; ratings; predikat."""
    if ev.kind == Kind.annual:
        lines, live = await _annual_lines(session, ev, plan)
    else:
        lines = await _periodic_lines(session, ev, plan)
        live = capaian_hasil_kerja([x["capaian"] for x in lines if x["target"] is not None])
    capaian = ev.capaian if ev.status == "closed" else live
    saran_detail = saran_rating_detail(_rhk_capaian(lines), settings.rating_policy)
    saran = saran_detail.rating
    keberatan = await EvaluationRepository(session).keberatan_of(ev.id)
    return dict(
        id=ev.id, period_id=ev.period_id, kind=ev.kind, tahun=ev.tahun, bulan=ev.bulan, skp_id=ev.skp_id, nip=ev.nip,
        pegawai=plan.pegawai, penilai=plan.penilai, atasan_pejabat_penilai=plan.atasan_pejabat_penilai, status=ev.status,
        version=ev.version, penilai_nip=ev.penilai_nip, dinilai_oleh=ev.dinilai_oleh, capaian_hasil_kerja=capaian,
        saran_rating_hasil_kerja=saran, saran_rating_alasan=saran_detail.aturan,
        rating_hasil_kerja=ev.rating_hasil_kerja, rating_perilaku=ev.rating_perilaku, predikat=ev.predikat,
        umpan_balik=ev.umpan_balik or {}, keberatan_deadline=ev.keberatan_deadline, hasil_kerja=lines,
        keberatan=None if keberatan is None else keberatan_view(keberatan),
    )


async def enter_realisasi(session, ev: Evaluation, plan: EvaluationPlan, items: list, settings,
                          today: dt.date | None = None) -> None:
    """Upsert the realisasi of the listed IKI and compute their capaian.

    Refused once the period's deadline (as extended) has passed, even while
    a catch-up has the period open for a moment: input accepted then would
    be lost at the close."""
    if ev.kind == Kind.annual:
        raise ProblemError(409, "annual-has-no-realisasi", "Evaluasi tahunan dihitung dari evaluasi periodik; isi "
                           "realisasi pada periode bulanan/triwulanan (annual results come from the periodic ones).")
    if ev.status != "open":
        raise ProblemError(409, "period-closed", f"Periode {ev.period_id} sudah ditutup (the period is closed).")
    repo = EvaluationRepository(session)
    period = period_of(await repo.period(ev.period_id))
    if today is not None and not period.accepts_input(today):
        raise ProblemError(409, "period-closed", f"Periode {ev.period_id} tidak menerima realisasi pada {today} "
                           f"(batas {period.deadline}) (the period does not accept input on this date).")
    lines = {x.iki_id: x for x in plan_lines(plan)}
    errors = []
    for i, item in enumerate(items):
        line = lines.get(item.iki_id)
        if line is None:
            errors.append({"path": f"body.items[{i}].iki_id", "message": f"IKI {item.iki_id} tidak ada di SKP (unknown IKI)"})
            continue
        t = period_target(line, period)
        if t is not None and item.nilai is None:
            errors.append({"path": f"body.items[{i}].nilai", "message": "realisasi angka wajib untuk IKI ini (a number is required)"})
        if t is None and item.nilai is not None and line.measurable:
            errors.append({"path": f"body.items[{i}].nilai", "message": f"IKI ini tidak bertarget pada periode {ev.period_id} (no target in this period)"})
    if errors:
        raise ProblemError(422, "invalid-realisasi", "Realisasi tidak valid (invalid realisasi): "
                           + "; ".join(f"{e['path']}: {e['message']}" for e in errors), errors=errors)
    now = utcnow()
    for item in items:
        line = lines[item.iki_id]
        t = period_target(line, period)
        cap = None
        if t is not None:
            try:
                cap = capaian_iki(item.nilai, polaritas=t.polaritas or line.polaritas, target=t.nilai,
                                  minimum=t.minimum, maksimum=t.maksimum, policy=settings.capaian_policy)
            except CapaianError as exc:
                raise ProblemError(422, "capaian-not-computable", f"Capaian IKI {item.iki_id} tidak dapat dihitung: {exc}.") from exc
        row = await repo.realisasi(ev.id, item.iki_id)
        values = dict(nilai=item.nilai, uraian=item.uraian, bukti_dukung=str(item.bukti_dukung) if item.bukti_dukung else None,
                      catatan=item.catatan, capaian=cap, updated_at=now)
        if row is None:
            repo.add(Realisasi(evaluation_id=ev.id, iki_id=item.iki_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
    ev.has_input = True
    ev.version += 1
    ev.updated_at = now


async def set_penilaian(session, ev: Evaluation, plan: EvaluationPlan, body, settings, actor: Actor, today: dt.date) -> None:
    """Umpan balik per RHK and per BerAKHLAK value; with both ratings the
    predikat is set and the result is announced (EvaluationFinalized)."""
    if await EvaluationRepository(session).has_keberatan(ev.id):
        raise ProblemError(409, "keberatan-exists", "Hasil evaluasi ini sedang/sudah diajukan keberatan; hanya atasan "
                           "pejabat penilai yang dapat mengubahnya (a keberatan exists; only its decision changes the result).")
    if body.rating_hasil_kerja is not None and ev.keberatan_deadline is not None and today > ev.keberatan_deadline:
        raise ProblemError(409, "result-final", f"Hasil evaluasi sudah final: masa keberatan berakhir "
                           f"{ev.keberatan_deadline} (the result is final after the objection window).",
                           deadline=str(ev.keberatan_deadline))
    rhk_ids = {x.rhk_id for x in plan_lines(plan)}
    snapshot = SkpSnapshot.model_validate(plan.snapshot) if plan.snapshot else None
    perilaku = {p.nilai.value for p in snapshot.perilaku_kerja} if snapshot else set()
    perilaku = perilaku or set(BERAKHLAK)
    errors = [{"path": f"body.umpan_balik_rhk.{k}", "message": "RHK tidak ada di SKP (unknown RHK)"}
              for k in body.umpan_balik_rhk if k not in rhk_ids]
    errors += [{"path": f"body.umpan_balik_perilaku.{k}", "message": "bukan nilai BerAKHLAK (not a BerAKHLAK value)"}
               for k in body.umpan_balik_perilaku if k not in perilaku]
    if (body.rating_hasil_kerja is None) != (body.rating_perilaku is None):
        errors.append({"path": "body.rating_perilaku", "message": "kedua rating diisi bersama (give both ratings together)"})
    if errors:
        raise ProblemError(422, "invalid-penilaian", "Penilaian tidak valid (invalid appraisal): "
                           + "; ".join(f"{e['path']}: {e['message']}" for e in errors), errors=errors)
    ub = dict(ev.umpan_balik or {})
    ub["rhk"] = {**ub.get("rhk", {}), **body.umpan_balik_rhk}
    ub["perilaku"] = {**ub.get("perilaku", {}), **body.umpan_balik_perilaku}
    ev.umpan_balik = ub
    ev.version += 1
    ev.updated_at = utcnow()
    if body.rating_hasil_kerja is None:
        return
    v = await view(session, ev, plan, settings)
    ev.rating_hasil_kerja, ev.rating_perilaku = str(body.rating_hasil_kerja), str(body.rating_perilaku)
    ev.predikat = str(predikat(body.rating_hasil_kerja, body.rating_perilaku))
    ev.dinilai_oleh = actor.sub
    ev.saran_rating = str(v["saran_rating_hasil_kerja"]) if v["saran_rating_hasil_kerja"] else None
    ev.finalized_at = utcnow()
    ev.keberatan_deadline = today + dt.timedelta(days=settings.keberatan_days)
    add_event(session, EvaluationFinalized(
        evaluation_id=ev.id, skp_id=ev.skp_id, period_id=ev.period_id, pegawai=Pegawai.model_validate(plan.pegawai),
        penilai=Pegawai.model_validate(plan.penilai), rating_hasil_kerja=ev.rating_hasil_kerja,
        rating_perilaku=ev.rating_perilaku, predikat=ev.predikat, capaian=v["capaian_hasil_kerja"],
        keberatan_deadline=ev.keberatan_deadline), actor=actor)


def keberatan_view(k: Keberatan) -> dict[str, Any]:
    return dict(id=k.id, evaluation_id=k.evaluation_id, nip=k.nip, atasan_nip=k.atasan_nip, alasan=k.alasan,
                status=k.status, predikat_before=k.predikat_before, predikat_after=k.predikat_after, note=k.note,
                filed_at=k.filed_at, decided_at=k.decided_at, decided_by=k.decided_by)


async def file_keberatan(session, ev: Evaluation, plan: EvaluationPlan, alasan: str, actor: Actor, today: dt.date) -> Keberatan:
    if ev.predikat is None:
        raise ProblemError(409, "no-result-yet", "Belum ada hasil evaluasi (predikat) untuk diajukan keberatan (no result yet).")
    if ev.keberatan_deadline is not None and today > ev.keberatan_deadline:
        raise ProblemError(409, "keberatan-too-late", f"Batas pengajuan keberatan {ev.keberatan_deadline} sudah lewat "
                           f"(the 14-day window has passed).", deadline=str(ev.keberatan_deadline))
    if await EvaluationRepository(session).has_keberatan(ev.id):
        raise ProblemError(409, "keberatan-exists", "Keberatan atas evaluasi ini sudah diajukan (already filed).")
    if not plan.atasan_pejabat_penilai or not plan.atasan_pejabat_penilai.get("nip"):
        raise ProblemError(422, "atasan-pejabat-penilai-unknown", "Atasan pejabat penilai tidak tercatat pada SKP; hubungi admin "
                           "kepegawaian (no atasan pejabat penilai on record).")
    k = Keberatan(id=str(uuid.uuid4()), evaluation_id=ev.id, nip=ev.nip, atasan_nip=plan.atasan_pejabat_penilai["nip"],
                  alasan=alasan, predikat_before=ev.predikat)
    EvaluationRepository(session).add(k)
    ev.version += 1
    add_event(session, KeberatanFiled(keberatan_id=k.id, evaluation_id=ev.id, pegawai=Pegawai.model_validate(plan.pegawai),
                                      atasan_pejabat_penilai=Pegawai.model_validate(plan.atasan_pejabat_penilai), alasan=alasan), actor=actor)
    return k


async def decide_keberatan(session, k: Keberatan, decision: str, rating_hasil_kerja: Rating | None,
                           rating_perilaku: Rating | None, new_predikat: Predikat | None, note: str | None,
                           actor: Actor) -> Keberatan:
    """The atasan pejabat penilai decides, once and finally.

    Upheld: the atasan sets the ratings anew and the predikat follows from
    the matrix (PermenPANRB 6/2022; a stated predikat must agree with it);
    an objection never lowers the result (local choice: the source lets the
    pegawai object, it does not make objecting a risk). Rejected: it stays."""
    if k.status != "diajukan":
        raise ProblemError(409, "keberatan-final", "Keberatan sudah diputuskan; keputusan bersifat final "
                           "(already decided; the decision is final).")
    ev, plan, _ = await load(session, k.evaluation_id, for_update=True)
    after = k.predikat_before
    if decision == "upheld":
        if rating_hasil_kerja is None or rating_perilaku is None:
            raise ProblemError(422, "ratings-required", "Keberatan diterima wajib disertai rating hasil kerja dan rating "
                               "perilaku yang baru; predikat mengikuti matriks (an upheld keberatan sets both ratings).",
                               errors=[{"path": f"body.{f}", "message": "wajib bila decision=upheld"}
                                       for f, v in (("rating_hasil_kerja", rating_hasil_kerja),
                                                    ("rating_perilaku", rating_perilaku)) if v is None])
        after = str(predikat(rating_hasil_kerja, rating_perilaku))
        if new_predikat is not None and str(new_predikat) != after:
            raise ProblemError(422, "predikat-contradicts-ratings", f"Predikat {new_predikat} bertentangan dengan rating "
                               f"{rating_hasil_kerja} / {rating_perilaku} (matriks: {after}) (the predikat must follow "
                               f"the matrix).", errors=[{"path": "body.predikat", "message": f"matriks: {after}"}])
        if lebih_rendah(after, k.predikat_before):
            raise ProblemError(422, "keberatan-lowers-result", f"Keberatan yang diterima tidak dapat menurunkan predikat "
                               f"{k.predikat_before} menjadi {after} (an upheld objection cannot lower the result).",
                               errors=[{"path": "body.rating_hasil_kerja", "message": f"predikat {after} < {k.predikat_before}"}])
        ev.rating_hasil_kerja, ev.rating_perilaku = str(rating_hasil_kerja), str(rating_perilaku)
    k.status = "diterima" if decision == "upheld" else "ditolak"
    k.predikat_after = after
    k.note, k.decided_at, k.decided_by = note, utcnow(), actor.sub
    ev.predikat = k.predikat_after
    ev.version += 1
    add_event(session, KeberatanDecided(keberatan_id=k.id, evaluation_id=ev.id, pegawai=Pegawai.model_validate(plan.pegawai),
                                        decision=decision, predikat_before=k.predikat_before, predikat_after=k.predikat_after,
                                        note=note), actor=actor)
    return k



# --- the API's use cases: read, check who may, act -------------------------------------


async def read_plan(session, skp_id: uuid.UUID, principal) -> EvaluationPlan:
    plan = await EvaluationRepository(session).plan(skp_id)
    if plan is None:
        raise access.plan_not_found(skp_id)
    access.ensure_can_read_plan(principal, plan, skp_id)
    return plan


async def _acting_for(session, principal, today: dt.date) -> frozenset[access.Acting]:
    """The (penilai NIP, instansi) ``principal`` rates for on ``today`` as Plt/Plh (none for an admin)."""
    if principal.role == Role.admin:
        return frozenset()
    return frozenset(await EvaluationRepository(session).acting_for(principal.sub, today))


async def list_evaluations(session, principal, *, period_id: str | None, nip: str | None, peran: str, limit: int,
                           offset: int, today: dt.date) -> list[Evaluation]:
    acting = await _acting_for(session, principal, today) if peran == "penilai" else frozenset()
    scope, nip = access.evaluation_list_scope(principal, peran, nip, acting)
    return await EvaluationRepository(session).evaluations(scope, period_id=period_id, nip=nip, limit=limit,
                                                          offset=offset)


async def read_row(session, evaluation_id: str, principal, today: dt.date) -> tuple[Evaluation, EvaluationPlan]:
    """An evaluation and its plan, when ``principal`` may read it (a Plt/Plh
    of its penilai on ``today`` may)."""
    ev, plan, _ = await load(session, evaluation_id)
    party = principal.sub in (ev.nip, ev.penilai_nip, ev.atasan_nip)
    access.ensure_can_read_evaluation(principal, ev, plan, () if party else await _acting_for(session, principal, today))
    return ev, plan


async def read(session, evaluation_id: str, principal, settings, today: dt.date) -> dict[str, Any]:
    ev, plan = await read_row(session, evaluation_id, principal, today)
    return await view(session, ev, plan, settings)


async def realisasi(session, evaluation_id: str, principal, version: int, items: list, settings,
                    today: dt.date) -> dict[str, Any]:
    """The pegawai enters realisasi (on the version they read), while the period accepts it."""
    ev, plan, _ = await load(session, evaluation_id, for_update=True, principal=principal)
    access.ensure_pegawai(principal, ev, "Hanya pegawai yang dinilai yang mengisi realisasi (only the pegawai enters "
                          "realisasi).")
    check_version(ev, version)
    await enter_realisasi(session, ev, plan, items, settings, today)
    await EvaluationRepository(session).flush()
    return await view(session, ev, plan, settings)


async def penilaian(session, evaluation_id: str, principal, body, settings, today: dt.date) -> dict[str, Any]:
    """The pejabat penilai (or their Plt/Plh on ``today``) gives umpan balik
    and ratings (on the version they read)."""
    ev, plan, _ = await load(session, evaluation_id, for_update=True, principal=principal)
    access.ensure_penilai(principal, ev, () if principal.sub == ev.penilai_nip else
                          await _acting_for(session, principal, today), plan.instansi)
    check_version(ev, body.version)
    await set_penilaian(session, ev, plan, body, settings, access.actor(principal), today)
    await EvaluationRepository(session).flush()
    return await view(session, ev, plan, settings)


async def keberatan(session, evaluation_id: str, principal, alasan: str, today: dt.date) -> dict[str, Any]:
    """The pegawai objects to the result."""
    ev, plan, _ = await load(session, evaluation_id, for_update=True, principal=principal)
    access.ensure_pegawai(principal, ev, "Hanya pegawai yang dinilai yang dapat mengajukan keberatan (only the pegawai "
                          "may object).")
    k = await file_keberatan(session, ev, plan, alasan, access.actor(principal), today)
    await EvaluationRepository(session).flush()
    return keberatan_view(k)


async def list_keberatan(session, principal, status: str | None) -> list[dict[str, Any]]:
    rows = await EvaluationRepository(session).keberatan_list(access.keberatan_list_scope(principal), status)
    return [keberatan_view(k) for k in rows]


async def decide(session, keberatan_id: str, principal, decision: str, rating_hasil_kerja: Rating | None,
                 rating_perilaku: Rating | None, new_predikat: Predikat | None, note: str | None) -> dict[str, Any]:
    """The atasan pejabat penilai decides a keberatan (final)."""
    repo = EvaluationRepository(session)
    k = await repo.keberatan_for_update(keberatan_id)
    not_found = ProblemError(404, "keberatan-not-found", "Keberatan tidak ditemukan (not found).")
    if k is None:
        raise not_found
    scope = access.admin_scope(principal)
    if scope:  # an instansi-scoped admin: answer theirs only
        ev = await repo.evaluation(k.evaluation_id)
        plan = await repo.plan(ev.skp_id) if ev is not None else None
        access.hide_outside_scope(scope, plan.instansi if plan is not None else None, not_found)
    access.ensure_atasan_of_keberatan(principal, k.atasan_nip)
    k = await decide_keberatan(session, k, decision, rating_hasil_kerja, rating_perilaku, new_predikat, note,
                               access.actor(principal))
    await repo.flush()
    return keberatan_view(k)
