"""Pages of the atasan area (see docs/portal.md): ``/persetujuan``.

- ``GET /persetujuan``: the inbox (``GET /api/v1/inbox`` of the approval
  service), its counts, oldest first, search by name or NIP (in the portal,
  over every waiting SKP: the API has no such filter) and the filters the API
  has (unit kerja, jenis pegawai, periode); check several and approve them at
  once.
- ``POST /persetujuan/setujui-terpilih``: ``POST /api/v1/approvals/batch-approve``;
  answers the page of results (one per item). It carries an
  ``Idempotency-Key`` made when the inbox was shown, so sending the form again
  (reload) shows the same results and decides nothing twice.
- ``GET /persetujuan/{skp_id}``: ``GET /api/v1/inbox/{skp_id}``: the document,
  what changed since the last return, and the two decisions.
- ``POST /persetujuan/{skp_id}/setujui`` and ``.../kembalikan``: one exact version.

Every call carries an ``atasan`` token of the signed-in person: the approval
service decides who may see and decide (the penilai, or a Plt/Plh in force).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from kinerja_contracts.values import Role

from ..domain import atasan as rules
from ..pages import flash, render
from ..services import ApiError, Services
from ..viewer import SignedIn, Viewer

router = APIRouter()

PER_HALAMAN = 50
#: the inbox is read whole for the search (the API pages by 500); an atasan has tens of staff, an acting
#: head of a large unit some hundreds
INBOX_PAGE = 500
INBOX_MAX = 2000

CATATAN_MIN = 10
CATATAN_WAJIB = (f"Catatan perbaikan wajib diisi, paling sedikit {CATATAN_MIN} karakter: tuliskan apa yang harus "
                 "diperbaiki pegawai.")


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _inbox_all(services: Services, viewer: Viewer, params: dict[str, str]) -> tuple[dict[str, Any], list[dict]]:
    """Every waiting SKP matching the API's filters (pages of 500, at most ``INBOX_MAX``)."""
    first: dict[str, Any] = await services.as_(viewer, Role.atasan, "approval", "GET", "/api/v1/inbox",
                                               params={**params, "limit": INBOX_PAGE, "offset": 0})
    items = list(first.get("items") or [])
    total = int(first.get("count") or 0)
    while len(items) < min(total, INBOX_MAX):
        page = await services.as_(viewer, Role.atasan, "approval", "GET", "/api/v1/inbox",
                                  params={**params, "limit": INBOX_PAGE, "offset": len(items)})
        more = page.get("items") or []
        if not more:
            break
        items.extend(more)
    return first, items


def _filters(request: Request) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """The inbox's query: (what the form shows, the API's filters, errors by field)."""
    q = request.query_params
    shown = {k: (q.get(k) or "").strip() for k in ("q", "unit_kerja", "jenis_pegawai", "periode_dari", "periode_sampai")}
    api: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if shown["unit_kerja"]:
        api["unit_kerja"] = shown["unit_kerja"]
    if shown["jenis_pegawai"]:
        if shown["jenis_pegawai"] in rules.JENIS_PEGAWAI:
            api["jenis_pegawai"] = shown["jenis_pegawai"]
        else:
            errors["jenis_pegawai"] = ["Pilih jenis pegawai dari daftar."]
    for name in ("periode_dari", "periode_sampai"):
        if shown[name]:
            try:
                api[name] = dt.date.fromisoformat(shown[name]).isoformat()
            except ValueError:
                errors[name] = ["Tanggal tidak dikenali; gunakan format tanggal (mis. 2026-01-31)."]
    return shown, api, errors


@router.get("/persetujuan")
async def inbox(request: Request, viewer: SignedIn):
    services = _services(request)
    shown, api, errors = _filters(request)
    try:
        nomor = int(request.query_params.get("halaman") or 1)
    except ValueError:
        nomor = 1
    if api:  # the unit kerja choices come from everything waiting, the rows from the filtered inbox
        (whole, all_items), (answer, items) = await asyncio.gather(
            _inbox_all(services, viewer, {}), _inbox_all(services, viewer, api))
    else:
        answer, items = await _inbox_all(services, viewer, {})
        whole, all_items = answer, items
    found = [i for i in items if rules.cocok(i, shown["q"])]
    rows, nomor, pages = rules.halaman(found, nomor, PER_HALAMAN)
    now = dt.datetime.now(dt.UTC)
    units = sorted({str(i.get("unit_kerja")) for i in all_items if i.get("unit_kerja")} | (
        {shown["unit_kerja"]} if shown["unit_kerja"] else set()))
    filtered = bool(api or shown["q"])
    return render(request, "atasan/inbox.html", title="Persetujuan SKP", nav="persetujuan",
                  ringkasan=rules.ringkasan(whole, all_items, now), rows=rows, found=len(found), filtered=filtered,
                  shown=shown, errors=errors, units=units, jenis_pegawai=rules.JENIS_PEGAWAI, now=now,
                  lama=rules.lama_menunggu, hari=rules.hari_menunggu, halaman=nomor, pages=pages,
                  truncated=int(answer.get("count") or 0) > len(items), kunci=str(uuid.uuid4()),
                  batch_max=rules.BATCH_MAX)


@router.post("/persetujuan/setujui-terpilih")
async def approve_selected(request: Request, viewer: SignedIn):
    form = await request.form()
    items, bad = rules.pilihan([str(v) for v in form.getlist("pilih")])
    if not items:
        flash(request, "Belum ada SKP yang dipilih: centang SKP yang akan disetujui, lalu tekan \u201cSetujui "
                       "terpilih\u201d.", "galat")
        return RedirectResponse("/persetujuan", status_code=303)
    if len(items) > rules.BATCH_MAX:
        flash(request, f"Paling banyak {rules.BATCH_MAX} SKP sekaligus; pilih lebih sedikit.", "galat")
        return RedirectResponse("/persetujuan", status_code=303)
    key = str(form.get("kunci") or "")
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        key = str(uuid.uuid4())
    services = _services(request)
    answer = await services.as_(viewer, Role.atasan, "approval", "POST", "/api/v1/approvals/batch-approve",
                                json={"items": items}, headers={"Idempotency-Key": f"portal-batch-{key}"})
    unnamed = [str(r.get("skp_id")) for r in answer.get("results") or [] if not r.get("case")]
    found = await asyncio.gather(*(_case_or_none(services, viewer, sid) for sid in unnamed))
    hasil = rules.hasil_massal(answer, items, {sid: case for sid, case in zip(unnamed, found, strict=True) if case})
    return render(request, "atasan/hasil.html", title="Hasil persetujuan", nav="persetujuan", hasil=hasil,
                  approved=sum(1 for h in hasil if h.disetujui), refused=sum(1 for h in hasil if not h.disetujui),
                  ignored=len(bad))


async def _case_or_none(services: Services, viewer: Viewer, skp_id: str) -> dict[str, Any] | None:
    """The approval case of a refused item, to name its pegawai (None when this person may not read it)."""
    try:
        return await services.as_(viewer, Role.atasan, "approval", "GET", f"/api/v1/approvals/{skp_id}")  # type: ignore[no-any-return]
    except ApiError:
        return None


def _skp_id(value: str) -> uuid.UUID:
    """The SKP id of a URL; anything else is a page that does not exist."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise HTTPException(404) from None


async def _detail(request: Request, viewer: Viewer, skp_id: uuid.UUID) -> dict[str, Any]:
    return await _services(request).as_(viewer, Role.atasan, "approval", "GET", f"/api/v1/inbox/{skp_id}")  # type: ignore[no-any-return]


def _render_detail(request: Request, d: dict[str, Any], *, status_code: int = 200, catatan: str = "",
                   errors: dict[str, list[str]] | None = None, basi: dict[str, Any] | None = None):
    snapshot = d.get("snapshot") or {}
    case = d.get("case") or {}
    pegawai = case.get("pegawai") or snapshot.get("pegawai") or {}
    return render(request, "atasan/detail.html", status_code, title=f"SKP {pegawai.get('nama', '')}",
                  nav="persetujuan", d=d, case=case, doc=snapshot, pegawai=pegawai,
                  perubahan=rules.perubahan(d.get("diff"), snapshot), rhk_groups=rules.rhk_per_jenis(snapshot),
                  target=rules.teks_target, per_periode=rules.target_per_periode,
                  jenis_pegawai=rules.JENIS_PEGAWAI, lama=rules.lama_menunggu(case.get("pending_since"),
                                                                               dt.datetime.now(dt.UTC)),
                  catatan=catatan, errors=errors or {}, basi=basi, catatan_min=CATATAN_MIN)


@router.get("/persetujuan/{skp}")
async def detail(request: Request, viewer: SignedIn, skp: str):
    skp_id = _skp_id(skp)
    return _render_detail(request, await _detail(request, viewer, skp_id))


def _version(form: Any) -> tuple[int, str | None]:
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        version = 0
    content_hash = str(form.get("content_hash") or "") or None
    return version, content_hash


async def _stale(request: Request, viewer: Viewer, skp_id: uuid.UUID, exc: ApiError, seen: int, catatan: str = ""):
    """409 stale-version: the pegawai changed the SKP; show the version now waiting, say so plainly."""
    d = await _detail(request, viewer, skp_id)
    now = exc.problem.get("current_version") or (d.get("case") or {}).get("version")
    return _render_detail(request, d, status_code=409, catatan=catatan, basi={"dilihat": seen, "sekarang": now})


#: the SKP is no longer waiting for a decision (decided meanwhile, in another tab or by the Plt/Plh)
GONE = ("transition-refused", "decision-conflict")


def _gone(request: Request) -> RedirectResponse:
    flash(request, "SKP ini sudah tidak menunggu keputusan Anda: baru saja disetujui atau dikembalikan (di tab lain "
                   "atau oleh Plt/Plh). Keputusan Anda tidak disimpan.", "galat")
    return RedirectResponse("/persetujuan", status_code=303)


def _name(case: dict[str, Any]) -> str:
    return str((case.get("pegawai") or {}).get("nama") or "pegawai")


@router.post("/persetujuan/{skp}/setujui")
async def approve(request: Request, viewer: SignedIn, skp: str):
    skp_id = _skp_id(skp)
    form = await request.form()
    version, content_hash = _version(form)
    body: dict[str, Any] = {"version": version}
    if content_hash:
        body["content_hash"] = content_hash
    try:
        case = await _services(request).as_(viewer, Role.atasan, "approval", "POST",
                                             f"/api/v1/approvals/{skp_id}/approve", json=body)
    except ApiError as exc:
        if exc.code == "stale-version":
            return await _stale(request, viewer, skp_id, exc, version)
        if exc.code in GONE:
            return _gone(request)
        raise
    flash(request, f"SKP {_name(case)} versi {case.get('version', version)} disetujui.", "sukses")
    return RedirectResponse("/persetujuan", status_code=303)


@router.post("/persetujuan/{skp}/kembalikan")
async def send_back(request: Request, viewer: SignedIn, skp: str):
    skp_id = _skp_id(skp)
    form = await request.form()
    version, content_hash = _version(form)
    catatan = str(form.get("catatan_perbaikan") or "")
    body: dict[str, Any] = {"version": version, "catatan_perbaikan": catatan}
    if content_hash:
        body["content_hash"] = content_hash
    try:
        case = await _services(request).as_(viewer, Role.atasan, "approval", "POST",
                                             f"/api/v1/approvals/{skp_id}/return", json=body)
    except ApiError as exc:
        if exc.code == "stale-version":
            return await _stale(request, viewer, skp_id, exc, version, catatan)
        if exc.code in GONE:
            return _gone(request)
        if exc.status == 422 and (exc.code == "catatan-perbaikan-required" or "catatan_perbaikan" in exc.field_errors):
            msgs = [CATATAN_WAJIB] if exc.code == "catatan-perbaikan-required" else exc.field_errors["catatan_perbaikan"]
            d = await _detail(request, viewer, skp_id)
            return _render_detail(request, d, status_code=422, catatan=catatan, errors={"catatan_perbaikan": msgs})
        raise
    flash(request, f"SKP {_name(case)} dikembalikan untuk revisi dengan catatan perbaikan.", "sukses")
    return RedirectResponse("/persetujuan", status_code=303)
