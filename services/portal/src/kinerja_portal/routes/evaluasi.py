"""Pages of the evaluasi area (see docs/portal.md): my evaluations and my
staff's, one evaluation (realisasi, penilaian, keberatan), a period (e-mail
link), a keberatan for the atasan pejabat penilai (e-mail link), and the
notification preferences (the e-mails' preference link).

Every action goes to the evaluation or notification service with the
person's own token; a record the service refuses them answers the same 404
page as an unknown one (no probing of other people's evaluation ids).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from kinerja_contracts.values import Role

from ..domain import evaluasi as ev_rules
from ..pages import flash, render
from ..services import ApiError, Services
from ..viewer import SignedIn, Viewer

router = APIRouter()

#: the BerAKHLAK core values (umpan balik perilaku per value)
BERAKHLAK = ("Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal", "Adaptif", "Kolaboratif")
DETAIL_MAX = 60  # names and capaian so far: one detail call per row shown, at most this many


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _not_found(request: Request, what: str = "Evaluasi") -> Any:
    return render(request, "galat.html", 404, title=f"{what} tidak ditemukan", nav="evaluasi",
                  message=f"{what} yang Anda buka tidak ada, atau bukan milik Anda maupun bawahan Anda.")


def _ctx_common() -> dict[str, Any]:
    return {"periode_label": ev_rules.periode_label, "capaian_label": ev_rules.capaian_label,
            "status_ev": ev_rules.STATUS_LABEL, "kind_label": ev_rules.KIND_LABEL,
            "keberatan_status": ev_rules.KEBERATAN_STATUS, "RATINGS": ev_rules.RATINGS,
            "PREDIKAT": ev_rules.PREDIKAT, "target_label": ev_rules.target_label, "angka": ev_rules.angka_text}


# ---------------------------------------------------------------- the lists

@router.get("/evaluasi")
async def daftar(request: Request, viewer: SignedIn, peran: str = "pegawai", periode: str = "", status: str = "",
                 predikat: str = ""):
    services = _services(request)
    penilai = peran == "penilai"
    role = Role.atasan if penilai else Role.pegawai
    params: dict[str, Any] = {"peran": "penilai" if penilai else "pegawai", "limit": 1000}
    all_rows = await services.as_(viewer, role, "evaluation", "GET", "/api/v1/evaluations", params=params)
    periods = ev_rules.sort_periods(r["period_id"] for r in all_rows)
    rows = [r for r in all_rows if not periode or r["period_id"] == periode]
    rows = ev_rules.sort_rows(ev_rules.filter_rows(rows, status=status, predikat=predikat))
    details = await _details(services, viewer, role, rows[:DETAIL_MAX])
    keberatan: list[dict[str, Any]] = []
    if penilai:  # keberatan waiting for my decision as atasan pejabat penilai
        try:
            keberatan = [k for k in await services.as_(viewer, Role.atasan, "evaluation", "GET", "/api/v1/keberatan",
                                                         params={"status": "diajukan"})
                         if k["atasan_nip"] == viewer.nip]
        except ApiError:
            keberatan = []
    title = "Evaluasi bawahan saya" if penilai else "Evaluasi kinerja saya"
    return render(request, "evaluasi/daftar.html", title=title, nav="evaluasi", rows=rows, total=len(all_rows),
                  penilai=penilai, periods=periods, filters={"periode": periode, "status": status, "predikat": predikat},
                  details=details, keberatan=keberatan, BELUM=ev_rules.BELUM, **_ctx_common())


async def _details(services: Services, viewer: Viewer, role: Role, rows: list[Any]) -> dict[str, dict[str, Any]]:
    """The evaluations shown, in full: the list carries only NIPs and the capaian fixed at the close;
    the page shows names and the capaian so far."""
    async def one(eid: str) -> tuple[str, dict[str, Any]] | None:
        try:
            e = await services.as_(viewer, role, "evaluation", "GET", f"/api/v1/evaluations/{quote(eid, safe='')}")
        except ApiError:
            return None
        return eid, e
    found = await asyncio.gather(*(one(r["id"]) for r in rows))
    return dict(x for x in found if x)


# ---------------------------------------------------------------- one period (e-mail link)

@router.get("/evaluasi/periode/{period_id:path}")
async def periode(request: Request, viewer: SignedIn, period_id: str):
    services = _services(request)
    periods = await services.as_(viewer, Role.pegawai, "evaluation", "GET", "/api/v1/periods")
    period = next((p for p in periods if p["period_id"] == period_id), None)
    if period is None:
        return _not_found(request, "Periode")
    mine = await services.as_(viewer, Role.pegawai, "evaluation", "GET", "/api/v1/evaluations",
                              params={"period_id": period_id, "peran": "pegawai"})
    staff: list[Any] = []
    try:
        staff = await services.as_(viewer, Role.atasan, "evaluation", "GET", "/api/v1/evaluations",
                                   params={"period_id": period_id, "peran": "penilai"})
    except ApiError:
        staff = []
    return render(request, "evaluasi/periode.html", title=f"Periode {ev_rules.periode_label(period_id)}",
                  nav="evaluasi", period=period, mine=mine, staff=staff,
                  staff_url="/evaluasi?" + urlencode({"peran": "penilai", "periode": period_id}), **_ctx_common())


# ---------------------------------------------------------------- one evaluation

async def _read(request: Request, viewer: Viewer, evaluation_id: str) -> dict[str, Any] | None:
    try:
        ev: dict[str, Any] = await _services(request).as_(viewer, Role.pegawai, "evaluation", "GET",
                                                          f"/api/v1/evaluations/{quote(evaluation_id, safe='')}")
    except ApiError as exc:
        if exc.status in (403, 404, 422):
            return None
        raise
    return ev


def _detail(request: Request, viewer: Viewer, ev: dict[str, Any], *, status_code: int = 200,
            realisasi: dict[str, str] | None = None, realisasi_errors: dict[str, list[str]] | None = None,
            penilaian: dict[str, str] | None = None, penilaian_errors: dict[str, list[str]] | None = None,
            alasan: str = "", keberatan_errors: dict[str, list[str]] | None = None) -> Any:
    is_pegawai = ev["nip"] == viewer.nip
    atasan = ev.get("atasan_pejabat_penilai") or {}
    is_atasan = not is_pegawai and atasan.get("nip") == viewer.nip and ev.get("penilai_nip") != viewer.nip
    is_penilai = not is_pegawai and not is_atasan
    can_enter = is_pegawai and ev["status"] == "open" and ev["kind"] != "annual"
    can_rate = is_penilai and not ev.get("keberatan")
    return render(
        request, "evaluasi/detail.html", status_code, title=f"Evaluasi {ev_rules.periode_label(ev['period_id'])}",
        nav="evaluasi", ev=ev, groups=ev_rules.rhk_groups(ev["hasil_kerja"]), is_pegawai=is_pegawai,
        is_penilai=is_penilai, is_atasan=is_atasan, can_enter=can_enter, can_rate=can_rate,
        can_object=is_pegawai and ev_rules.keberatan_possible(ev),
        realisasi=realisasi if realisasi is not None else ev_rules.realisasi_values(ev["hasil_kerja"]),
        realisasi_was=ev_rules.realisasi_values(ev["hasil_kerja"]),
        realisasi_errors=realisasi_errors or {},
        penilaian=penilaian if penilaian is not None else ev_rules.penilaian_values(ev, BERAKHLAK),
        penilaian_errors=penilaian_errors or {}, alasan=alasan, keberatan_errors=keberatan_errors or {},
        BERAKHLAK=BERAKHLAK, **_ctx_common())


def _here(evaluation_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/evaluasi/{quote(evaluation_id, safe='')}{anchor}", status_code=303)


@router.get("/evaluasi/{evaluation_id}")
async def detail(request: Request, viewer: SignedIn, evaluation_id: str):
    ev = await _read(request, viewer, evaluation_id)
    if ev is None:
        return _not_found(request)
    return _detail(request, viewer, ev)


def _version(form: Any) -> int:
    try:
        return max(1, int(str(form.get("version") or "1")))
    except ValueError:
        return 1


@router.post("/evaluasi/{evaluation_id}/realisasi")
async def simpan_realisasi(request: Request, viewer: SignedIn, evaluation_id: str):
    form = {k: str(v) for k, v in (await request.form()).items()}
    ev = await _read(request, viewer, evaluation_id)
    if ev is None:
        return _not_found(request)
    items, errors = ev_rules.realisasi_items(form, ev["hasil_kerja"])
    if errors:
        return _detail(request, viewer, ev, status_code=422, realisasi=form, realisasi_errors=errors)
    try:
        await _services(request).as_(viewer, Role.pegawai, "evaluation", "PUT",
                                     f"/api/v1/evaluations/{quote(evaluation_id, safe='')}/realisasi",
                                     json={"version": _version(form), "items": items})
    except ApiError as exc:
        if exc.status in (403, 404):
            return _not_found(request)
        errors = ev_rules.realisasi_api_errors(exc.field_errors, items)
        if not errors or exc.status == 409:
            errors.setdefault("_form", []).append(_message(exc))
        typed = form
        if exc.code == "stale-version":  # show the newer version with this person's changes on top
            ev = await _read(request, viewer, evaluation_id) or ev
            typed = ev_rules.realisasi_merge(form, ev_rules.realisasi_values(ev["hasil_kerja"]))
        return _detail(request, viewer, ev, status_code=exc.status if exc.status in (409, 422) else 502,
                       realisasi=typed, realisasi_errors=errors)
    flash(request, "Realisasi tersimpan; capaian dihitung ulang.", "sukses")
    return _here(evaluation_id, "#realisasi")


@router.post("/evaluasi/{evaluation_id}/penilaian")
async def simpan_penilaian(request: Request, viewer: SignedIn, evaluation_id: str):
    form = {k: str(v) for k, v in (await request.form()).items()}
    ev = await _read(request, viewer, evaluation_id)
    if ev is None:
        return _not_found(request)
    rhk_ids = [g["rhk_id"] for g in ev_rules.rhk_groups(ev["hasil_kerja"])]
    body, errors = ev_rules.penilaian_body(form, _version(form), rhk_ids, BERAKHLAK)
    if errors:
        return _detail(request, viewer, ev, status_code=422, penilaian=form, penilaian_errors=errors)
    try:
        await _services(request).as_(viewer, Role.atasan, "evaluation", "POST",
                                     f"/api/v1/evaluations/{quote(evaluation_id, safe='')}/penilaian", json=body)
    except ApiError as exc:
        if exc.status == 404:
            return _not_found(request)
        errors = ev_rules.penilaian_api_errors(exc.field_errors, BERAKHLAK)
        if not errors or exc.status in (403, 409):
            errors.setdefault("_form", []).append(_message(exc))
        return _detail(request, viewer, ev, status_code=exc.status if exc.status in (403, 409, 422) else 502,
                       penilaian=form, penilaian_errors=errors)
    flash(request, "Penilaian tersimpan." + (" Predikat kinerja sudah ditetapkan." if "rating_hasil_kerja" in body else ""),
          "sukses")
    return _here(evaluation_id, "#penilaian")


@router.post("/evaluasi/{evaluation_id}/keberatan")
async def ajukan_keberatan(request: Request, viewer: SignedIn, evaluation_id: str):
    form = {k: str(v) for k, v in (await request.form()).items()}
    ev = await _read(request, viewer, evaluation_id)
    if ev is None:
        return _not_found(request)
    alasan, errors = ev_rules.keberatan_form(form)
    if errors:
        return _detail(request, viewer, ev, status_code=422, alasan=alasan, keberatan_errors=errors)
    try:
        await _services(request).as_(viewer, Role.pegawai, "evaluation", "POST",
                                     f"/api/v1/evaluations/{quote(evaluation_id, safe='')}/keberatan",
                                     json={"alasan": alasan})
    except ApiError as exc:
        if exc.status == 404:
            return _not_found(request)
        errors = {"alasan": [_message(exc)]}
        return _detail(request, viewer, ev, status_code=exc.status if exc.status in (403, 409, 422) else 502,
                       alasan=alasan, keberatan_errors=errors)
    flash(request, "Keberatan diajukan; atasan pejabat penilai akan memutuskannya.", "sukses")
    return _here(evaluation_id, "#keberatan")


def _message(exc: ApiError) -> str:
    if exc.code == "stale-version":
        return "Evaluasi ini baru saja berubah (disimpan di tempat lain). Isian Anda tetap di bawah; periksa lalu simpan lagi."
    return ev_rules.id_message(exc.message)


# ---------------------------------------------------------------- keberatan (atasan pejabat penilai)

async def _keberatan(request: Request, viewer: Viewer, keberatan_id: str) -> dict[str, Any] | None:
    try:
        rows = await _services(request).as_(viewer, Role.atasan, "evaluation", "GET", "/api/v1/keberatan")
    except ApiError as exc:
        if exc.status in (403, 404):
            return None
        raise
    found: dict[str, Any] | None = next((k for k in rows if k["id"] == keberatan_id), None)
    return found


async def _keberatan_page(request: Request, viewer: Viewer, k: dict[str, Any], *, status_code: int = 200,
                          values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None) -> Any:
    ev = await _read(request, viewer, k["evaluation_id"])
    return render(request, "evaluasi/keberatan.html", status_code, title="Keberatan atas hasil evaluasi",
                  nav="evaluasi", k=k, ev=ev, values=values or {}, errors=errors or {},
                  can_decide=k["status"] == "diajukan" and k["atasan_nip"] == viewer.nip, **_ctx_common())


@router.get("/keberatan/{keberatan_id}")
async def keberatan(request: Request, viewer: SignedIn, keberatan_id: str):
    k = await _keberatan(request, viewer, keberatan_id)
    if k is None:
        return _not_found(request, "Keberatan")
    return await _keberatan_page(request, viewer, k)


@router.post("/keberatan/{keberatan_id}")
async def putuskan(request: Request, viewer: SignedIn, keberatan_id: str):
    form = {k: str(v) for k, v in (await request.form()).items()}
    k = await _keberatan(request, viewer, keberatan_id)
    if k is None:
        return _not_found(request, "Keberatan")
    body, errors = ev_rules.keputusan_body(form)
    if errors:
        return await _keberatan_page(request, viewer, k, status_code=422, values=form, errors=errors)
    try:
        await _services(request).as_(viewer, Role.atasan, "evaluation", "POST",
                                     f"/api/v1/keberatan/{quote(keberatan_id, safe='')}/keputusan", json=body)
    except ApiError as exc:
        if exc.status == 404:
            return _not_found(request, "Keberatan")
        errors = ev_rules.keputusan_api_errors(exc.field_errors)
        if not errors or exc.status in (403, 409):
            errors.setdefault("_form", []).append(_message(exc))
        return await _keberatan_page(request, viewer, k, status_code=exc.status if exc.status in (403, 409, 422) else 502,
                                     values=form, errors=errors)
    flash(request, "Keputusan keberatan tersimpan; keputusan ini final.", "sukses")
    return RedirectResponse(f"/keberatan/{quote(keberatan_id, safe='')}", status_code=303)


# ---------------------------------------------------------------- notification preferences

def _prefs_path(viewer: Viewer) -> str:
    return f"/api/v1/recipients/{quote(viewer.nip, safe='')}/preferences"


@router.get("/preferensi")
async def preferensi(request: Request, viewer: SignedIn):
    prefs = await _services(request).as_(viewer, Role.pegawai, "notification", "GET", _prefs_path(viewer))
    return render(request, "evaluasi/preferensi.html", title="Preferensi pemberitahuan", nav="preferensi",
                  prefs=prefs, values=ev_rules.preferensi_values(prefs), errors={})


@router.post("/preferensi")
async def simpan_preferensi(request: Request, viewer: SignedIn):
    form = {k: str(v) for k, v in (await request.form()).items()}
    services = _services(request)
    body, errors = ev_rules.preferensi_body(form, _version(form))
    if not errors:
        try:
            await services.as_(viewer, Role.pegawai, "notification", "PUT", _prefs_path(viewer), json=body)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = {"_form": [_message(exc)]}
            for path, messages in exc.field_errors.items():
                errors.setdefault(path if path in ("digest", "locale") else "_form", []).extend(messages)
        else:
            flash(request, "Preferensi pemberitahuan tersimpan.", "sukses")
            return RedirectResponse("/preferensi", status_code=303)
    prefs = await services.as_(viewer, Role.pegawai, "notification", "GET", _prefs_path(viewer))
    return render(request, "evaluasi/preferensi.html", 422 if errors else 200, title="Preferensi pemberitahuan",
                  nav="preferensi", prefs=prefs, values={**ev_rules.preferensi_values(prefs), **form}, errors=errors)
