"""Pages of the pegawai area (see docs/portal.md): my SKPs, the draft form (autosaved,
restored after a new sign-in), the SKP with its status updating by itself, files,
and the version history with its diff.

Every call goes to the skp service with the signed-in person's own ``pegawai``
token: the service decides what they may see and change. Someone else's SKP
answers the portal's 404 page (the service's 403 is not passed on: it would say
the SKP exists); the penilai opening the e-mail link ``/skp/{id}`` of an SKP
they appraise is sent to its approval page.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from kinerja_contracts.values import JenisPegawai, Role
from starlette.datastructures import UploadFile

from ..domain import pegawai as form
from ..pages import JAKARTA, flash, render
from ..services import ApiError, Services
from ..viewer import SignedIn, Viewer, current

router = APIRouter()

SKP = "/api/v1/skp"
#: how long the status long poll waits at the skp service (its maximum is 30 s; the portal's client timeout is longer)
STATUS_WAIT_SECONDS = 25.0


class NotFound(Exception):
    """Answered with the portal's 404 page."""


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _not_found(request: Request) -> Response:
    return render(request, "galat.html", 404, title="Tidak ditemukan", message="SKP yang Anda buka tidak ada.")


async def _skp(request: Request, viewer: Viewer, skp_id: uuid.UUID) -> dict[str, Any] | Response:
    """The person's own SKP; for the penilai a 303 to its approval page; otherwise the 404 page."""
    services = _services(request)
    try:
        doc: dict[str, Any] = await services.as_(viewer, Role.pegawai, "skp", "GET", f"{SKP}/{skp_id}")
    except ApiError as exc:
        if exc.status not in (403, 404):
            raise
        try:  # the penilai (or a Plt/Plh) opening the link in the e-mail: their page is the approval
            await services.as_(viewer, Role.atasan, "skp", "GET", f"{SKP}/{skp_id}")
        except ApiError as again:
            if again.status not in (403, 404):
                raise
            return _not_found(request)
        return RedirectResponse(f"/persetujuan/{skp_id}", status_code=303)
    if (doc.get("content") or {}).get("pegawai", {}).get("nip") != viewer.nip:
        return RedirectResponse(f"/persetujuan/{skp_id}", status_code=303)
    return doc


def _now_hhmm() -> str:
    return f"{dt.datetime.now(JAKARTA):%H.%M}"


def _findings(report: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(str(f.get("path", "")), form.pesan(str(f.get("message", "")))) for f in (report or {}).get("errors") or []]


def _warnings(report: dict[str, Any] | None) -> list[dict[str, str]]:
    return [{"path": form.path_label(str(f.get("path", ""))), "message": form.pesan(str(f.get("message", "")))}
            for f in (report or {}).get("warnings") or []]


def _api_errors(exc: ApiError) -> list[tuple[str, str]]:
    pairs = [(p, form.pesan(m)) for p, ms in exc.field_errors.items() for m in ms]
    return pairs or [("", form.pesan(exc.message))]


# --- my SKPs ------------------------------------------------------------------------


@router.get("/skp")
async def daftar(request: Request, viewer: SignedIn):
    page = await _services(request).as_(viewer, Role.pegawai, "skp", "GET", SKP,
                                        params={"nip": viewer.nip, "limit": 100})
    items = sorted(page.get("items") or [], key=lambda s: (s.get("periode_mulai") or "", s.get("updated_at") or ""),
                   reverse=True)
    return render(request, "pegawai/daftar.html", title="SKP Saya", nav="skp", items=items, total=page.get("total", 0))


@router.get("/skp/templat.xlsx")
async def templat(request: Request, viewer: SignedIn):
    r = await _services(request).as_(viewer, Role.pegawai, "skp", "GET", f"{SKP}/imports/template.xlsx", raw=True)
    return Response(r.content, media_type=r.headers.get("content-type"),
                    headers={"Content-Disposition": r.headers.get("content-disposition", 'attachment; filename="templat.xlsx"')})


@router.post("/skp/unggah")
async def unggah(request: Request, viewer: SignedIn):
    """Upload a workbook in the official layout: a new period creates a draft; from an SKP's
    page (``id_skp`` and ``version``) it updates that draft."""
    data = await request.form()
    upload = data.get("berkas")
    back = "/skp"
    skp_id = str(data.get("id_skp") or "")
    headers = {}
    if skp_id:
        try:
            back = f"/skp/{uuid.UUID(skp_id)}"
        except ValueError:
            return _not_found(request)
        headers["If-Match"] = f'"{data.get("version") or ""}"'
    if not isinstance(upload, UploadFile) or not upload.filename:
        flash(request, "Pilih berkas XLSX yang akan diunggah.", "galat")
        return RedirectResponse(back, status_code=303)
    content = await upload.read()
    try:
        doc = await _services(request).as_(
            viewer, Role.pegawai, "skp", "POST", f"{SKP}/xlsx", headers=headers,
            files={"file": (upload.filename, content, upload.content_type or "application/octet-stream")})
    except ApiError as exc:
        if exc.code == "version-required":
            flash(request, "SKP untuk periode dalam berkas ini sudah ada. Buka SKP tersebut, lalu unggah dari halamannya "
                  "agar isinya diperbarui.", "galat")
        else:
            details = "; ".join(f"{p}: {form.pesan(m)}" for p, ms in exc.field_errors.items() for m in ms)
            flash(request, f"Berkas tidak dapat dibaca: {form.pesan(exc.message)}" + (f" ({details})" if details else ""),
                  "galat")
        return RedirectResponse(back, status_code=303)
    n = len((doc.get("validation") or {}).get("errors") or [])
    flash(request, "Berkas diunggah; SKP tersimpan sebagai draf." + (f" {n} isian masih perlu diperbaiki." if n else ""),
          "sukses")
    return RedirectResponse(f"/skp/{doc['id']}", status_code=303)


# --- the draft form -------------------------------------------------------------------


def _form_page(request: Request, view: dict[str, Any], *, skp_id: str | None, version: int | None,
               status: str = "Draft", errors: dict[str, list[str]] | None = None,
               warnings: list[dict[str, str]] | None = None, conflict: str | None = None,
               status_code: int = 200, catatan: str | None = None, diketik: bool = False) -> Response:
    viewer = current(request)
    title = "Ubah SKP" if skp_id else "Buat SKP baru"
    return render(request, "pegawai/form.html", status_code, title=title, nav="skp", v=view, skp_id=skp_id, diketik=diketik,
                  version=version, status=status, errors=errors or {}, warnings=warnings or [], conflict=conflict,
                  catatan=catatan, nip=viewer.nip if viewer else "", bulan=form.BULAN_PENDEK, triwulan=form.TRIWULAN,
                  n_errors=sum(len(m) for m in (errors or {}).values()), label_of=form.path_label, blank_rhk_utama=form.blank_rhk("Utama"),
                  blank_rhk_tambahan=form.blank_rhk("Tambahan"), blank_iki=form.blank_iki(),
                  blank_ra=form.blank_rencana_aksi(), blank_output=form.blank_output())


@router.get("/skp/baru")
async def baru(request: Request, viewer: SignedIn):
    view = form.new_draft(dt.datetime.now(JAKARTA).date())
    if viewer.jenis_asn in {j.value for j in JenisPegawai}:  # the directory's kind of ASN, unless an SKP says otherwise
        view["jenis_pegawai"] = viewer.jenis_asn
    latest = await _services(request).as_(viewer, Role.pegawai, "skp", "GET", SKP,
                                          params={"nip": viewer.nip, "limit": 1})
    for s in latest.get("items") or []:  # the kind of pegawai does not change from one SKP to the next
        view["jenis_pegawai"] = s.get("jenis_pegawai") or view["jenis_pegawai"]
    return _form_page(request, view, skp_id=None, version=None)


@router.get("/skp/{skp_id}/ubah")
async def ubah(request: Request, viewer: SignedIn, skp_id: uuid.UUID, periksa: int = 0):
    doc = await _skp(request, viewer, skp_id)
    if isinstance(doc, Response):
        return doc
    if doc.get("terkunci"):
        flash(request, "SKP ini sedang menunggu persetujuan atau sudah disetujui, sehingga tidak dapat diubah.", "info")
        return RedirectResponse(f"/skp/{skp_id}", status_code=303)
    view = form.view_of(doc["content"])
    errors: dict[str, list[str]] = {}
    warnings: list[dict[str, str]] = []
    if periksa:
        report = await _services(request).as_(viewer, Role.pegawai, "skp", "POST", f"{SKP}/{skp_id}/validate")
        errors = form.errors_beside_fields(_findings(report), form.anchors(view))
        warnings = _warnings(report)
    return _form_page(request, view, skp_id=str(skp_id), version=doc["version"], status=doc["status"], errors=errors,
                      warnings=warnings, catatan=doc.get("catatan_perbaikan"))


async def _save(request: Request, viewer: Viewer, skp_id: uuid.UUID | None, version: int | None,
                content: dict[str, Any]) -> dict[str, Any]:
    services = _services(request)
    if skp_id is None:
        doc: dict[str, Any] = await services.as_(viewer, Role.pegawai, "skp", "POST", SKP, json=content)
        return doc
    doc = await services.as_(viewer, Role.pegawai, "skp", "PUT", f"{SKP}/{skp_id}", json={"content": content},
                             headers={"If-Match": f'"{version or 0}"'})
    return doc


def _version(value: Any) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _conflict_message(exc: ApiError) -> str:
    if exc.code == "stale-version":
        return ("SKP ini sudah diubah di tempat lain (mungkin di tab atau perangkat lain) setelah Anda membukanya. "
                "Isian Anda di bawah tidak hilang. Tekan \u201cSimpan\u201d sekali lagi untuk menimpa versi terbaru "
                "dengan isian ini, atau buka SKP di tab baru untuk membandingkan.")
    if exc.code == "skp-locked":
        return "SKP ini sudah diajukan atau disetujui, sehingga tidak dapat diubah lagi. Isian Anda masih tampil di bawah."
    if exc.code == "skp-exists":
        return ("Anda sudah punya SKP untuk periode ini. Buka SKP tersebut dari daftar SKP Saya; isian Anda masih tampil "
                "di bawah untuk disalin.")
    return form.pesan(exc.message)


async def _post_form(request: Request, viewer: Viewer, skp_id: uuid.UUID | None):
    data = await request.form()
    pairs = [(k, v) for k, v in data.multi_items() if isinstance(v, str)]
    tree = form.form_tree(pairs)
    view = form.view_of(tree)
    version = _version(data.get("version"))
    action = str(data.get("aksi") or "simpan")
    sid = str(skp_id) if skp_id else None
    if action.startswith(("tambah:", "hapus:")):  # rows without JavaScript: nothing is saved, nothing is lost
        form.apply_row_action(view, action)
        return _form_page(request, view, skp_id=sid, version=version, diketik=True)
    content, rows = form.content_and_rows(tree)
    try:
        doc = await _save(request, viewer, skp_id, version, content)
    except ApiError as exc:
        if exc.status == 422:
            errors = form.errors_beside_fields(_api_errors(exc), form.anchors(view), rows)
            return _form_page(request, view, skp_id=sid, version=version, errors=errors, status_code=422, diketik=True)
        if exc.status == 409:
            current_version = exc.problem.get("current_version")
            return _form_page(request, view, skp_id=sid,
                              version=int(current_version) if exc.code == "stale-version" and current_version else version,
                              conflict=_conflict_message(exc), status_code=409, diketik=True)
        raise
    n = len((doc.get("validation") or {}).get("errors") or [])
    if n:
        flash(request, f"Tersimpan pukul {_now_hhmm()}. {n} isian masih perlu diperbaiki sebelum SKP dapat diajukan; "
              "lihat pesan di samping setiap isian.", "info")
        return RedirectResponse(f"/skp/{doc['id']}/ubah?periksa=1", status_code=303)
    flash(request, f"Tersimpan pukul {_now_hhmm()}. SKP lengkap dan siap diajukan.", "sukses")
    return RedirectResponse(f"/skp/{doc['id']}", status_code=303)


@router.post("/skp/baru")
async def simpan_baru(request: Request, viewer: SignedIn):
    return await _post_form(request, viewer, None)


@router.post("/skp/{skp_id}/ubah")
async def simpan(request: Request, viewer: SignedIn, skp_id: uuid.UUID):
    return await _post_form(request, viewer, skp_id)


@router.post("/skp/simpan-otomatis")
async def simpan_otomatis(request: Request):
    """The form's autosave (JSON): creates the draft on its first save, then PUTs it with the version.
    Answers ``{id, version, tersimpan, galat}``; 401 when the session has ended (the page keeps its copy)."""
    viewer = current(request)
    if viewer is None:
        return JSONResponse({"code": "signed-out", "message": "Sesi Anda berakhir. Isian disimpan di perangkat ini; "
                             "masuk lagi untuk menyimpannya."}, status_code=401)
    data = await request.form()
    pairs = [(k, v) for k, v in data.multi_items() if isinstance(v, str)]
    tree = form.form_tree(pairs)
    view = form.view_of(tree)
    content, rows = form.content_and_rows(tree)
    skp_id: uuid.UUID | None = None
    if data.get("id_skp"):
        try:
            skp_id = uuid.UUID(str(data.get("id_skp")))
        except ValueError:
            return JSONResponse({"code": "not-found", "message": "SKP tidak ditemukan."}, status_code=404)
    try:
        doc = await _save(request, viewer, skp_id, _version(data.get("version")), content)
    except ApiError as exc:
        body: dict[str, Any] = {"code": exc.code, "message": _conflict_message(exc) if exc.status == 409
                                else form.pesan(exc.message)}
        if exc.status == 422:
            body["galat"] = form.errors_beside_fields(_api_errors(exc), form.anchors(view), rows)
            body["message"] = "Belum tersimpan: ada isian yang tidak dapat dibaca (lihat pesan di samping isian)."
        if exc.status == 409 and exc.code == "stale-version":
            body["versi_terkini"] = exc.problem.get("current_version")
        status = exc.status if exc.status in (403, 404, 409, 422) else 502
        return JSONResponse(body, status_code=404 if status == 403 else status)
    findings = form.errors_beside_fields(_findings(doc.get("validation")), form.anchors(view), rows)
    return JSONResponse({"id": doc["id"], "version": doc["version"], "tersimpan": _now_hhmm(), "saved_at": time.time(),
                         "temuan": sum(len(m) for m in findings.values()), "url": f"/skp/{doc['id']}/ubah"})


# --- one SKP --------------------------------------------------------------------------


@router.get("/skp/{skp_id}")
async def detail(request: Request, viewer: SignedIn, skp_id: uuid.UUID):
    doc = await _skp(request, viewer, skp_id)
    if isinstance(doc, Response):
        return doc
    view = form.view_of(doc["content"])
    return render(request, "pegawai/detail.html", title="SKP " + _periode_text(doc["content"]), nav="skp", doc=doc,
                  v=view, c=doc["content"], periode=_periode_text(doc["content"]), bulan=form.BULAN_PENDEK,
                  triwulan=form.TRIWULAN)


def _periode_text(content: dict[str, Any]) -> str:
    from ..pages import tanggal

    p = content.get("periode") or {}
    return f"{tanggal(p.get('mulai'))} \u2013 {tanggal(p.get('selesai'))}"


@router.get("/skp/{skp_id}/status")
async def status_json(request: Request, skp_id: uuid.UUID, while_status: str | None = None):
    """The status for the page's script: held while the SKP still has ``while_status`` (the skp
    service's long poll, at most 25 s), then answered."""
    viewer = current(request)
    if viewer is None:
        return JSONResponse({"code": "signed-out", "message": "Sesi Anda berakhir."}, status_code=401)
    params: dict[str, Any] = {}
    if while_status in ("Draft", "Pending", "Revisi", "Approved"):
        params = {"while_status": while_status, "wait": STATUS_WAIT_SECONDS}
    try:
        s = await _services(request).as_(viewer, Role.pegawai, "skp", "GET", f"{SKP}/{skp_id}/status", params=params,
                                         timeout=STATUS_WAIT_SECONDS + 10)
    except ApiError as exc:
        return JSONResponse({"code": exc.code, "message": form.pesan(exc.message)},
                            status_code=404 if exc.status in (403, 404) else exc.status)
    from ..pages import status_label

    return JSONResponse({"status": s["status"], "label": status_label(s["status"]), "version": s["version"],
                         "catatan_perbaikan": s.get("catatan_perbaikan")})


@router.post("/skp/{skp_id}/ajukan")
async def ajukan(request: Request, viewer: SignedIn, skp_id: uuid.UUID):
    data = await request.form()
    try:
        await _services(request).as_(viewer, Role.pegawai, "skp", "POST", f"{SKP}/{skp_id}/submit",
                                     json={"version": _version(data.get("version")) or 0})
    except ApiError as exc:
        if exc.status in (403, 404):
            return _not_found(request)
        if exc.code == "skp-invalid":
            flash(request, "SKP belum dapat diajukan: perbaiki isian yang ditandai, lalu ajukan lagi.", "galat")
            return RedirectResponse(f"/skp/{skp_id}/ubah?periksa=1", status_code=303)
        if exc.code == "stale-version":
            flash(request, "SKP ini berubah sejak halaman dibuka. Periksa isinya di bawah, lalu tekan Ajukan lagi.",
                  "galat")
        else:
            flash(request, f"SKP belum dapat diajukan: {form.pesan(exc.message)}", "galat")
        return RedirectResponse(f"/skp/{skp_id}", status_code=303)
    flash(request, "SKP diajukan dan kini menunggu persetujuan pejabat penilai.", "sukses")
    return RedirectResponse(f"/skp/{skp_id}", status_code=303)


async def _file(request: Request, viewer: Viewer, skp_id: uuid.UUID, kind: str) -> Response:
    doc = await _skp(request, viewer, skp_id)
    if isinstance(doc, Response):
        return doc
    r = await _services(request).as_(viewer, Role.pegawai, "skp", "GET", f"{SKP}/{skp_id}/{kind}", raw=True)
    return Response(r.content, media_type=r.headers.get("content-type"),
                    headers={"Content-Disposition": r.headers.get("content-disposition", f'attachment; filename="skp.{kind}"')})


@router.get("/skp/{skp_id}/xlsx")
async def unduh_xlsx(request: Request, viewer: SignedIn, skp_id: uuid.UUID):
    return await _file(request, viewer, skp_id, "xlsx")


@router.get("/skp/{skp_id}/pdf")
async def unduh_pdf(request: Request, viewer: SignedIn, skp_id: uuid.UUID):
    return await _file(request, viewer, skp_id, "pdf")


# --- versions ---------------------------------------------------------------------------


@router.get("/skp/{skp_id}/versi")
async def versi(request: Request, viewer: SignedIn, skp_id: uuid.UUID, dari: int | None = None, ke: int | None = None):
    doc = await _skp(request, viewer, skp_id)
    if isinstance(doc, Response):
        return doc
    services = _services(request)
    versions = await services.as_(viewer, Role.pegawai, "skp", "GET", f"{SKP}/{skp_id}/versions")
    versions = sorted(versions, key=lambda v: v["version"], reverse=True)
    latest = doc["version"]
    if ke is None or not 1 <= ke <= latest:
        ke = latest
    if dari is None or not 1 <= dari <= latest:
        dari = max(1, ke - 1)
    rows: list[dict[str, str]] = []
    if dari != ke:
        lo, hi = min(dari, ke), max(dari, ke)
        diff = await services.as_(viewer, Role.pegawai, "skp", "GET", f"{SKP}/{skp_id}/diff",
                                  params={"dari": lo, "ke": hi})
        rows = form.diff_rows(diff.get("changes") or [])
        dari, ke = lo, hi
    return render(request, "pegawai/versi.html", title="Riwayat versi SKP", nav="skp", doc=doc, versions=versions,
                  dari=dari, ke=ke, rows=rows, periode=_periode_text(doc["content"]))
