"""Pages of the admin of an instansi (see docs/portal.md): monitoring, people and units with the
import, the cases and "Alihkan penilai", Plt/Plh, deadlines and periods.

Every page needs :data:`~kinerja_portal.viewer.Admin` (a signed-in admin) and every call goes out
with an ``admin`` token of the viewer's own instansi: the services scope what it sees and may do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from kinerja_contracts.values import Role
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..domain import admin as dom
from ..pages import JAKARTA, flash, render
from ..services import ApiError, Services
from ..viewer import Admin, Viewer

router = APIRouter()

NAV = "admin"
PAGE = 25
#: the skp listing answers at most 500 per page; the monitoring page reads at most this many pages
SKP_PAGE, SKP_MAX_PAGES = 500, 40
DIR_PICK = 500


class AdminSettings(BaseSettings):
    """Settings of the admin pages (environment prefix ``KINERJA_PORTAL_ADMIN_``)."""

    model_config = SettingsConfigDict(env_prefix="KINERJA_PORTAL_ADMIN_", extra="ignore")

    kurva_distribusi: dict[str, dict[str, float]] | None = Field(
        default=None, description="expected share of each predikat per capaian kinerja organisasi, e.g. "
        '{"Baik": {"Sangat Baik": 0.1, "Baik": 0.7, "Butuh Perbaikan": 0.1, "Kurang/Misconduct": 0.05, '
        '"Sangat Kurang": 0.05}}. The regulation (BKN deck, PermenPANRB 6/2022, "KURVA DISTRIBUSI PREDIKAT '
        'KINERJA PEGAWAI") draws the curves without figures: unset, no expected curve is drawn')


def _services(request: Request) -> Services:
    return request.app.state.services


def _kurva(request: Request) -> tuple[dict[str, dict[str, float]], str | None]:
    """The expected curves from the setting (read once), and a problem with it, if any."""
    state = request.app.state
    if not hasattr(state, "admin_kurva"):
        try:
            state.admin_kurva = (dom.parse_kurva(AdminSettings().kurva_distribusi), None)
        except (dom.KurvaInvalid, ValueError) as exc:
            state.admin_kurva = ({}, f"Pengaturan KINERJA_PORTAL_ADMIN_KURVA_DISTRIBUSI tidak sah: {exc}")
    return state.admin_kurva


def _this_year() -> int:
    return dt.datetime.now(JAKARTA).year


async def call(request: Request, viewer: Viewer, service: str, method: str, path: str, **kw: Any) -> Any:
    return await _services(request).as_(viewer, Role.admin, service, method, path, **kw)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _people(request: Request, viewer: Viewer) -> list[dict[str, Any]]:
    """The instansi's active people (for the pickers), by name."""
    page = await call(request, viewer, "directory", "GET", "/api/v1/people",
                      params={"aktif": "true", "limit": DIR_PICK})
    return sorted(page["items"], key=lambda p: str(p.get("nama", "")).casefold())


# --- /admin: monitoring -------------------------------------------------------------------------------


@router.get("/admin")
async def pemantauan(request: Request, viewer: Admin,
                     tahun: Annotated[int | None, Query(ge=1900, le=9999)] = None):
    tahun = tahun or _this_year()
    items: list[dict[str, Any]] = []
    total = 0
    for n in range(SKP_MAX_PAGES):
        page = await call(request, viewer, "skp", "GET", "/api/v1/skp",
                          params={"tahun": tahun, "limit": SKP_PAGE, "offset": n * SKP_PAGE})
        items.extend(page["items"])
        total = page["total"]
        if len(items) >= total or not page["items"]:
            break
    rows = dom.count_by_unit(items)
    truncated = total > len(items)
    units = await call(request, viewer, "evaluation", "GET", f"/api/v1/organisasi/capaian/{tahun}")
    kurva, kurva_problem = _kurva(request)
    charts = []
    for u in units:
        level = u.get("capaian_organisasi")
        expected = kurva.get(level) if level else None
        charts.append({"unit": u, "chart": dom.chart(u.get("distribusi_predikat") or {}, expected),
                       "expected_for": level if expected else None})
    return render(request, "admin/pemantauan.html", nav=NAV, title="Pemantauan kinerja instansi", tahun=tahun,
                  rows=rows, jumlah=dom.totals(rows), statuses=dom.STATUSES, truncated=truncated, total=total,
                  counted=len(items), charts=charts, kurva=kurva, kurva_problem=kurva_problem,
                  predikat=dom.PREDIKAT, levels=dom.CAPAIAN_ORGANISASI, unit_names=[r.unit_kerja for r in rows])


@router.post("/admin/capaian")
async def capaian(request: Request, viewer: Admin):
    """Record the capaian kinerja organisasi of a unit for a year (the expected curve follows it)."""
    form = await _form(request)
    tahun = form.get("tahun", "")
    if not tahun.isdigit():
        flash(request, "Tahun tidak sah.", "galat")
        return _see_other("/admin")
    try:
        await call(request, viewer, "evaluation", "PUT", f"/api/v1/organisasi/capaian/{int(tahun)}",
                   json={"unit_kerja": form.get("unit_kerja", "").strip(), "capaian": form.get("capaian", "")})
    except ApiError as exc:
        if exc.status != 422:
            raise
        flash(request, f"Capaian organisasi tidak tersimpan: {exc.message}", "galat")
        return _see_other(f"/admin?tahun={int(tahun)}")
    flash(request, f"Capaian organisasi {form.get('unit_kerja', '')} tahun {tahun} disimpan.", "sukses")
    return _see_other(f"/admin?tahun={int(tahun)}")


# --- /admin/pegawai, /admin/unit, the import -----------------------------------------------------------


@router.get("/admin/pegawai")
async def pegawai(request: Request, viewer: Admin, q: Annotated[str | None, Query(max_length=100)] = None,
                  unit_id: Annotated[str | None, Query(max_length=64)] = None,
                  offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0):
    params: dict[str, Any] = {"limit": PAGE, "offset": offset}
    if q:
        params["q"] = q
    if unit_id:
        params["unit_id"] = unit_id
    page = await call(request, viewer, "directory", "GET", "/api/v1/people", params=params)
    units = await call(request, viewer, "directory", "GET", "/api/v1/units")
    names = {p["person_id"]: p["nama"] for p in page["items"]}
    return render(request, "admin/pegawai.html", nav=NAV, title="Pegawai", people=page["items"], q=q or "", names=names,
                  unit_id=unit_id or "", units=dom.filter_units(units, None),
                  paging=dom.Paging(page["total"], PAGE, offset), tanggal_data=page["tanggal"])


@router.get("/admin/unit")
async def unit(request: Request, viewer: Admin, q: Annotated[str | None, Query(max_length=100)] = None,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0):
    units = dom.filter_units(await call(request, viewer, "directory", "GET", "/api/v1/units"), q)
    paging = dom.Paging(len(units), PAGE, offset)
    return render(request, "admin/unit.html", nav=NAV, title="Unit kerja", units=units[offset:offset + PAGE],
                  q=q or "", paging=paging)


@router.post("/admin/impor")
async def impor(request: Request, viewer: Admin, berkas: Annotated[UploadFile, File()]):
    data = await berkas.read()
    if not data:
        flash(request, "Pilih berkas CSV atau XLSX yang berisi data pegawai.", "galat")
        return _see_other("/admin/pegawai#impor")
    try:
        job = await call(request, viewer, "directory", "POST", "/api/v1/imports",
                         files={"file": (berkas.filename or "impor.csv", data,
                                         berkas.content_type or "application/octet-stream")})
    except ApiError as exc:
        if exc.status not in (413, 422):
            raise
        flash(request, f"Berkas ditolak: {exc.message}", "galat")
        return _see_other("/admin/pegawai#impor")
    return _see_other(f"/admin/impor/{job['id']}")


@router.get("/admin/impor/{job_id}")
async def impor_job(request: Request, viewer: Admin, job_id: uuid.UUID):
    job = await call(request, viewer, "directory", "GET", f"/api/v1/imports/{job_id}")
    return render(request, "admin/impor.html", nav=NAV, title="Impor pegawai", job=job,
                  percent=dom.import_percent(job), status_label=dom.IMPORT_STATUS, row_label=dom.ROW_STATUS,
                  row_errors=dom.row_errors)


@router.get("/admin/impor/{job_id}/status")
async def impor_status(request: Request, viewer: Admin, job_id: uuid.UUID):
    """The job's progress for the page's script (no report: the page reloads once it is done)."""
    job = await call(request, viewer, "directory", "GET", f"/api/v1/imports/{job_id}")
    return JSONResponse({"status": job["status"], "status_label": dom.IMPORT_STATUS.get(job["status"], job["status"]),
                         "processed": job["processed"], "total": job["total"], "percent": dom.import_percent(job)})


# --- /admin/pengajuan: the cases, "Alihkan penilai" ----------------------------------------------------


@router.get("/admin/pengajuan")
async def pengajuan(request: Request, viewer: Admin,
                    status: Annotated[str | None, Query(pattern="^(Draft|Pending|Revisi|Approved)?$")] = None,
                    unrouted: Annotated[str | None, Query(pattern="^(ya)?$")] = None,
                    nip: Annotated[str | None, Query(max_length=18)] = None,
                    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0):
    params: dict[str, Any] = {"limit": PAGE, "offset": offset}
    if status:
        params["status"] = status
    if unrouted:
        params["unrouted"] = "true"
    if nip:
        params["pegawai_nip"] = nip.strip()
    page = await call(request, viewer, "approval", "GET", "/api/v1/approvals", params=params)
    held = await call(request, viewer, "approval", "GET", "/api/v1/approvals", params={"unrouted": "true", "limit": 1})
    return render(request, "admin/pengajuan.html", nav=NAV, title="Pengajuan SKP instansi", cases=page["items"],
                  paging=dom.Paging(page["count"], PAGE, offset), status=status or "", unrouted=bool(unrouted),
                  nip=nip or "", statuses=dom.STATUSES, unrouted_count=held["count"])


async def _alihkan_page(request: Request, viewer: Viewer, skp_id: uuid.UUID, *, values: dict[str, str] | None = None,
                        errors: dict[str, list[str]] | None = None, status_code: int = 200):
    case = await call(request, viewer, "approval", "GET", f"/api/v1/approvals/{skp_id}")
    people = [p for p in await _people(request, viewer)
              if p.get("nip") and p.get("nip") != (case.get("pegawai") or {}).get("nip")]
    return render(request, "admin/alihkan.html", status_code, nav=NAV, title="Alihkan pejabat penilai", case=case,
                  people=people, values=values or {}, errors=errors or {})


@router.get("/admin/pengajuan/{skp_id}/alihkan")
async def alihkan(request: Request, viewer: Admin, skp_id: uuid.UUID):
    return await _alihkan_page(request, viewer, skp_id)


@router.post("/admin/pengajuan/{skp_id}/alihkan")
async def alihkan_post(request: Request, viewer: Admin, skp_id: uuid.UUID):
    form = await _form(request)
    version = form.get("version", "")
    body, errors = dom.reassign_payload(form, int(version) if version.isdigit() else 0)
    if not version.isdigit():
        errors.setdefault("penilai_nip", []).append("Versi SKP tidak dikenal; muat ulang halaman.")
    if not errors:
        try:
            case = await call(request, viewer, "approval", "POST", f"/api/v1/approvals/{skp_id}/reassign", json=body)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            msgs = [m for ms in exc.field_errors.values() for m in ms] or [exc.message]
            errors["penilai_nip"] = msgs if exc.status == 422 else [
                f"SKP sudah berubah ({exc.message}); periksa lagi dan coba kembali."]
        else:
            penilai = (case.get("penilai") or {}).get("nama") or body["penilai_nip"]
            flash(request, f"SKP {case['pegawai']['nama']} dialihkan ke {penilai}.", "sukses")
            return _see_other("/admin/pengajuan")
    return await _alihkan_page(request, viewer, skp_id, values=form, errors=errors, status_code=422)


# --- /admin/plt: Plt/Plh --------------------------------------------------------------------------------

PLT_LABEL = {"persetujuan": "persetujuan SKP", "penilaian": "penilaian evaluasi"}
PLT_SERVICES = {"persetujuan": ("approval", "/api/v1/penugasan"), "penilaian": ("evaluation", "/api/v1/penugasan-penilai")}


async def _plt_page(request: Request, viewer: Viewer, *, values: dict[str, str] | None = None,
                    errors: dict[str, list[str]] | None = None, status_code: int = 200):
    lists = {k: await call(request, viewer, svc, "GET", path) for k, (svc, path) in PLT_SERVICES.items()}
    people = await _people(request, viewer)
    names = {p["person_id"]: p["nama"] for p in people}
    return render(request, "admin/plt.html", status_code, nav=NAV, title="Plt/Plh pejabat penilai", lists=lists,
                  people=people, names=names, values=values or {"jenis": "Plh", "layanan": "keduanya"},
                  errors=errors or {})


@router.get("/admin/plt")
async def plt(request: Request, viewer: Admin):
    return await _plt_page(request, viewer)


@router.post("/admin/plt")
async def plt_post(request: Request, viewer: Admin):
    form = await _form(request)
    body, errors = dom.penugasan_payload(form)
    layanan = form.get("layanan", "keduanya")
    targets = list(PLT_SERVICES) if layanan == "keduanya" else [layanan] if layanan in PLT_SERVICES else []
    if not targets:
        errors.setdefault("layanan", []).append("Pilih untuk apa penugasan ini berlaku.")
    if errors:
        return await _plt_page(request, viewer, values=form, errors=errors, status_code=422)
    done = []
    for k in targets:
        svc, path = PLT_SERVICES[k]
        try:
            await call(request, viewer, svc, "POST", path, json=body)
        except ApiError as exc:
            if exc.status not in (404, 409, 422):
                raise
            for f, msgs in exc.field_errors.items():
                errors.setdefault(f if f in body else "delegate_nip", []).extend(msgs)
            if not exc.field_errors:
                errors.setdefault("delegate_nip", []).append(exc.message)
            if done:
                errors.setdefault("layanan", []).append(f"Sudah tercatat untuk {' dan '.join(PLT_LABEL[k] for k in done)}.")
            return await _plt_page(request, viewer, values=form, errors=errors, status_code=422)
        done.append(k)
    flash(request, f"{body['jenis']} dicatat untuk {' dan '.join(PLT_LABEL[k] for k in done)}.", "sukses")
    return _see_other("/admin/plt")


@router.post("/admin/plt/{layanan}/{penugasan_id}/cabut")
async def plt_cabut(request: Request, viewer: Admin, layanan: str, penugasan_id: uuid.UUID):
    if layanan not in PLT_SERVICES:
        return render(request, "galat.html", 404, title="Tidak ditemukan", message="Alamat yang Anda buka tidak ada.")
    svc, path = PLT_SERVICES[layanan]
    await call(request, viewer, svc, "DELETE", f"{path}/{penugasan_id}")
    flash(request, "Penugasan dicabut (catatannya tetap disimpan).", "sukses")
    return _see_other("/admin/plt")


# --- /admin/tenggat: deadlines, extensions, the late list, periods ---------------------------------------


async def _tenggat_page(request: Request, viewer: Viewer, tahun: int, *, values: dict[str, str] | None = None,
                        errors: dict[str, list[str]] | None = None, status_code: int = 200):
    extensions = await call(request, viewer, "skp", "GET", "/api/v1/deadline-extensions", params={"tahun": tahun})
    late = await call(request, viewer, "skp", "GET", "/api/v1/deadlines/terlambat", params={"tahun": tahun})
    periods = await call(request, viewer, "evaluation", "GET", "/api/v1/periods")
    periods = sorted(periods, key=lambda p: (p["status"] != "open", p["mulai"]), reverse=False)
    return render(request, "admin/tenggat.html", status_code, nav=NAV, title="Tenggat dan periode", tahun=tahun,
                  extensions=extensions, late=late, periods=periods, values=values or {"tahun": str(tahun)},
                  errors=errors or {})


@router.get("/admin/tenggat")
async def tenggat(request: Request, viewer: Admin, tahun: Annotated[int | None, Query(ge=1900, le=9999)] = None):
    return await _tenggat_page(request, viewer, tahun or _this_year())


@router.post("/admin/tenggat/perpanjangan")
async def perpanjangan(request: Request, viewer: Admin):
    form = await _form(request)
    body, errors = dom.extension_payload(form)
    tahun = body["tahun"] or _this_year()
    if not errors:
        try:
            await call(request, viewer, "skp", "POST", "/api/v1/deadline-extensions", json=body)
        except ApiError as exc:
            if exc.status not in (404, 409, 422):
                raise
            for f, msgs in exc.field_errors.items():
                errors.setdefault(f if f in body else "sampai", []).extend(msgs)
            if not exc.field_errors:
                errors.setdefault("sampai", []).append(exc.message)
    if errors:
        return await _tenggat_page(request, viewer, tahun, values=form, errors=errors, status_code=422)
    flash(request, f"Perpanjangan sampai {body['sampai']} dibuka.", "sukses")
    return _see_other(f"/admin/tenggat?tahun={tahun}")


@router.post("/admin/tenggat/perpanjangan/{ext_id}/cabut")
async def perpanjangan_cabut(request: Request, viewer: Admin, ext_id: uuid.UUID,
                             tahun: Annotated[int, Form(ge=1900, le=9999)]):
    await call(request, viewer, "skp", "DELETE", f"/api/v1/deadline-extensions/{ext_id}")
    flash(request, "Perpanjangan dicabut.", "sukses")
    return _see_other(f"/admin/tenggat?tahun={tahun}")
