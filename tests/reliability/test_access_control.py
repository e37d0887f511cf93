"""Access control, endpoint x caller x ownership, over the real apps with data
seeded through the APIs and events (see conftest.py for the cast).

Callers: pegawai (P), atasan (A, the pejabat penilai of P), boss (the atasan
pejabat penilai of P), admin (of DKI), admin_other (of Bandung), portal (of
DKI), operator (the deployment's operator: the set-aside rows and period
extensions only), admin_unscoped and portal_unscoped (tokens without
instansi: refused by every service), none (no token). Targets are relative to the caller: ``own`` (mine, or
of my instansi for an admin or a portal), ``subordinate`` (someone I
appraise), ``other`` (someone else's, or of another instansi).

Expected rights come from docs/reliability.md (section 3) and docs/<service>.md:
a pegawai touches only their own data; only the SKP's pejabat penilai
decides on it; an admin's rights stop at their instansi; no token -> 401.

Allowed: a single resource answers 2xx (or, for a write sent with a stale
version on purpose, a 4xx other than 401/403: the call got past the access
check and changed nothing); a list shows the target's row. Denied: 403 or
404 (or, for an SKP draft naming a pegawai the caller may not write for,
422 ``pegawai-not-in-directory``, the answer for an unknown pegawai), or a
list that does not show the target's row (no IDOR). No row may
ever answer 5xx.

Every route of every app must have a row: a new endpoint without one fails
:func:`test_every_route_has_a_row`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from .conftest import (
    BANDUNG,
    DELEGATE,
    DKI,
    P,
    P2,
    SERVICES,
    TOPBOSS,
    XA,
    A,
    A2,
    BOSS,
    X,
    directory_record,
    make_apps,
    skp_of,
    walk_routes,
)

CALLERS: dict[str, dict[str, str]] = {
    "pegawai": {"own": P, "other": P2},
    "atasan": {"own": A, "subordinate": P, "other": P2},
    "boss": {"subordinate": P, "other": X},
    "admin": {"own": P, "other": X},
    "admin_other": {"own": X, "other": P},
    "portal": {"own": P, "other": X},
    "operator": {"own": P},
    "admin_unscoped": {"own": P, "other": X},
    "portal_unscoped": {"own": P, "other": X},
    "none": {"own": P},
}
PENILAI = {P: A, P2: A2, X: XA, A: BOSS}
#: callers the one scoping rule (kinerja_platform.web.auth) refuses before any endpoint's own check, with its code:
#: admin/portal tokens without instansi everywhere, the operator everywhere but its own endpoints
SCOPE_REFUSED = {"admin_unscoped": "instansi-scope-missing", "portal_unscoped": "instansi-scope-missing",
                 "operator": "operator-not-allowed"}
STALE = 99  # a version no seeded resource has: an allowed write is refused with 409 and changes nothing

Build = Callable[..., Awaitable[tuple[str, str, dict] | None]]


@dataclass
class Row:
    """One endpoint: who may call it, how to call it for a target, how to judge."""

    service: str
    method: str
    path: str
    allow: set[str]  # "caller:target", "*" (any token) or "public" (no token needed)
    build: Build
    kind: str = "item"  # "item" or "list"
    marker: Callable | None = None  # list rows: text that shows the target's data (default: the target's NIP)
    needs: str | None = None  # a Person attribute the target must have (else the row does not apply)
    judge: Callable | None = None  # custom: response -> True when the call got through

    def allowed(self, caller: str, target: str) -> bool:
        if "public" in self.allow:
            return True
        if caller == "none":
            return False
        if f"{caller}:{target}" in self.allow:
            return True
        return "*" in self.allow and caller not in SCOPE_REFUSED  # any token that passes the scoping rule


def simple(path_fn, **kw):
    async def build(sys, person, method):
        return path_fn(person), kw

    return build


READ_SKP = {"pegawai:own", "atasan:own", "atasan:subordinate", "admin:own", "admin_other:own", "portal:own"}
WRITE_SKP = {"pegawai:own", "atasan:own", "admin:own", "admin_other:own", "portal:own"}
ADMIN_OWN = {"admin:own", "admin_other:own"}
ANY_ADMIN = {"admin:own", "admin:other", "admin_other:own", "admin_other:other"}
CASE_READ = {"pegawai:own", "atasan:own", "atasan:subordinate", "admin:own", "admin_other:own"}
EVAL_READ = {"pegawai:own", "atasan:subordinate", "boss:subordinate", "admin:own", "admin_other:own"}
MINE = {"pegawai:own", "atasan:own", "admin:own", "admin_other:own"}
DIRECTORY_WRITE = {"admin:own", "admin_other:own", "portal:own"}
DIRECTORY_READ = {"pegawai:own", "atasan:own", "admin:own", "admin_other:own", "portal:own"}
ANY_WRITER = {*ANY_ADMIN, "portal:own", "portal:other"}


def instansi_of(nip: str) -> str:
    return BANDUNG if nip == X else DKI


async def _new_extension(sys, person, method):
    admin = "admin" if instansi_of(person.nip) == DKI else "admin_other"
    r = await sys.clients["skp"].post("/api/v1/deadline-extensions", headers=sys.headers(admin), json={
        "tahun": 2026, "sampai": "2026-02-20", "nip": person.nip})
    assert r.status_code == 201, r.text
    return f"/api/v1/deadline-extensions/{r.json()['id']}", {}


async def _new_penugasan(sys, person, method):
    admin = "admin" if instansi_of(person.nip) == DKI else "admin_other"
    r = await sys.clients["approval"].post("/api/v1/penugasan", headers=sys.headers(admin), json={
        "delegate_nip": DELEGATE, "penilai_nip": PENILAI[person.nip], "jenis": "Plt", "mulai": "2031-01-01",
        "selesai": "2031-01-31"})
    assert r.status_code == 201, r.text
    return f"/api/v1/penugasan/{r.json()['id']}", {}


async def _new_penugasan_penilai(sys, person, method):
    admin = "admin" if instansi_of(person.nip) == DKI else "admin_other"
    r = await sys.clients["evaluation"].post("/api/v1/penugasan-penilai", headers=sys.headers(admin), json={
        "delegate_nip": DELEGATE, "penilai_nip": PENILAI[person.nip], "jenis": "Plt", "mulai": "2031-01-01",
        "selesai": "2031-01-31"})
    assert r.status_code == 201, r.text
    return f"/api/v1/penugasan-penilai/{r.json()['id']}", {}


async def _late_draft(sys, person):
    """A Draft SKP of 2024 (its deadline long passed) of the target, made once."""
    if "late_draft" not in person.extra:
        role = "atasan" if person.nip == A else "pegawai"
        body = skp_of(person.nip, PENILAI[person.nip], instansi=instansi_of(person.nip), mulai="2024-01-01",
                      selesai="2024-12-31", **({"atasan": TOPBOSS} if person.nip == A else {}))
        r = await sys.clients["skp"].post("/api/v1/skp", headers=sys.tokens(person.nip, role), json=body)
        assert r.status_code == 201, r.text
        person.extra["late_draft"] = r.json()["id"]
    return "/api/v1/deadlines/terlambat", {"params": {"tahun": 2024}}


def _unsubscribe_token(nip: str) -> str:
    """The link the notification service puts in its mails (the apps run with the default secret)."""
    from kinerja_notification.service_layer import unsubscribe
    from kinerja_notification.settings import Settings

    return unsubscribe.token(nip, Settings.model_fields["unsubscribe_secret"].default)


def _csv(person):
    text = f"nip,hari_kerja_efektif,izin,cuti_sakit,cuti_melahirkan,alpa\n{person.nip},21,0,0,0,0\n"
    return {"files": {"file": ("kehadiran.csv", text.encode(), "text/csv")}}


def _bulk_through(r) -> bool:
    s = r.json()["summary"]
    return sum(s.get(k, 0) for k in ("created", "updated", "unchanged", "locked", "conflict")) > 0


def _batch_through(r) -> bool:
    return r.json()["results"][0]["status"] not in (401, 403, 404)


def _directory_body(nip: str) -> dict:
    record = directory_record(nip, PENILAI.get(nip))
    record.pop("person_id")
    return record


def _directory_bulk(r) -> bool:
    return r.json()["results"][0]["status"] in ("created", "updated", "unchanged")


def _directory_csv(person):
    """The target's record as seeded: an allowed import answers the row ``unchanged``."""
    b = _directory_body(person.nip)
    text = (f"nip,nama,jenis_asn,atasan_id,email,berlaku_mulai\n"
            f"{person.nip},{b['nama']},{b['jenis_asn']},{b['atasan_id'] or ''},{b['email']},{b['berlaku_mulai']}\n")
    return {"files": {"file": ("pegawai.csv", text.encode(), "text/csv")}}


async def _directory_job(sys, person):
    admin = "admin" if instansi_of(person.nip) == DKI else "admin_other"
    r = await sys.clients["directory"].post("/api/v1/imports", headers=sys.headers(admin), **_directory_csv(person))
    assert r.status_code == 202, r.text
    return f"/api/v1/imports/{r.json()['id']}", {}


def _evt(person):
    return person.extra["event_id"]


ROWS: list[Row] = [
    # --- ops: public ---------------------------------------------------------------------------------------------------
    *[Row(svc, "GET", p, {"public"}, simple(lambda _, p=p: p)) for svc in SERVICES
      for p in ("/healthz", "/readyz", "/metrics", "/asyncapi.json", "/asyncapi", "/docs", "/docs/oauth2-redirect",
                "/redoc")],
    # what the background scans set aside spans every instansi: the deployment's operator only (audited)
    *[Row(svc, "GET", "/api/v1/admin/set-aside", {"operator:own"}, simple(lambda _: "/api/v1/admin/set-aside"))
      for svc in SERVICES],
    # --- skp -----------------------------------------------------------------------------------------------------------
    Row("skp", "POST", "/api/v1/skp", WRITE_SKP, lambda sys, p, m: _ret(
        "/api/v1/skp", json=skp_of(p.nip, PENILAI[p.nip], instansi=instansi_of(p.nip), mulai="2027-01-01",
                                   selesai="2027-12-31"))),
    Row("skp", "GET", "/api/v1/skp", READ_SKP, simple(lambda p: "/api/v1/skp", params={"nip": "{nip}", "limit": 500}),
        kind="list", marker=lambda p: p.pending_skp),
    Row("skp", "POST", "/api/v1/skp/validate", {"*"}, lambda sys, p, m: _ret("/api/v1/skp/validate", json=skp_of(p.nip, PENILAI[p.nip]))),
    Row("skp", "GET", "/api/v1/skp/referensi/perilaku-kerja", {"public"}, simple(lambda p: "/api/v1/skp/referensi/perilaku-kerja")),
    Row("skp", "GET", "/api/v1/skp/{skp_id}", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}")),
    Row("skp", "PUT", "/api/v1/skp/{skp_id}", WRITE_SKP, lambda sys, p, m: _ret(
        f"/api/v1/skp/{p.pending_skp}", json={"version": STALE, "content": skp_of(p.nip, PENILAI[p.nip],
                                                                                 instansi=instansi_of(p.nip))})),
    Row("skp", "DELETE", "/api/v1/skp/{skp_id}", WRITE_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}",
                                                                   params={"version": STALE})),
    Row("skp", "POST", "/api/v1/skp/{skp_id}/validate", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/validate")),
    Row("skp", "POST", "/api/v1/skp/{skp_id}/submit", WRITE_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/submit",
                                                                        json={"version": STALE})),
    # who an SKP names comes from the directory: anyone else's chain answers like an unknown person
    Row("skp", "GET", "/api/v1/skp/rantai-penilai", WRITE_SKP,
        simple(lambda p: "/api/v1/skp/rantai-penilai", params={"nip": "{nip}"})),
    # another penilai than the directory's: an admin of the pegawai's instansi only (a Pending SKP: 409, nothing changes)
    Row("skp", "PUT", "/api/v1/skp/{skp_id}/penilai", ADMIN_OWN, lambda sys, p, m: _ret(
        f"/api/v1/skp/{p.pending_skp}/penilai",
        json={"version": STALE, "nip": PENILAI[p.nip], "alasan": "Atasan langsung cuti besar"})),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/status", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/status")),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/versions", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/versions")),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/versions/{version}", READ_SKP,
        simple(lambda p: f"/api/v1/skp/{p.pending_skp}/versions/1")),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/diff", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/diff",
                                                                    params={"dari": 1})),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/cascade", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/cascade")),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/deadline", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/deadline")),
    Row("skp", "POST", "/api/v1/skp/bulk", {"admin:own", "admin_other:own", "portal:own"}, lambda sys, p, m: _ret(
        "/api/v1/skp/bulk", json={"items": [skp_of(p.nip, PENILAI[p.nip], instansi=instansi_of(p.nip),
                                                   mulai="2028-01-01", selesai="2028-12-31")]}), judge=_bulk_through),
    Row("skp", "POST", "/api/v1/deadline-extensions", ANY_ADMIN, simple(
        lambda p: "/api/v1/deadline-extensions", json={"tahun": 2026, "sampai": "2026-02-10", "nip": "{nip}"})),
    Row("skp", "GET", "/api/v1/deadline-extensions", ADMIN_OWN, simple(lambda p: "/api/v1/deadline-extensions",
                                                                       params={"tahun": 2026}),
        kind="list", marker=lambda p: p.extra["extension"], needs="extension"),
    Row("skp", "DELETE", "/api/v1/deadline-extensions/{ext_id}", ADMIN_OWN, _new_extension, needs="extension"),
    # the late SKPs of the admin's own instansi: a Draft of a year whose deadline has passed
    Row("skp", "GET", "/api/v1/deadlines/terlambat", ADMIN_OWN, lambda sys, p, m: _late_draft(sys, p),
        kind="list", marker=lambda p: p.extra["late_draft"]),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/xlsx", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.pending_skp}/xlsx")),
    Row("skp", "GET", "/api/v1/skp/{skp_id}/pdf", READ_SKP, simple(lambda p: f"/api/v1/skp/{p.approved_skp}/pdf"),
        needs="approved_skp"),
    Row("skp", "POST", "/api/v1/skp/xlsx", WRITE_SKP, lambda sys, p, m: _upload(sys, p, "/api/v1/skp/xlsx")),
    Row("skp", "GET", "/api/v1/skp/imports/template.xlsx", {"public"}, simple(lambda p: "/api/v1/skp/imports/template.xlsx")),
    # a bulk import is for portals and admins; each row is then checked like a write (instansi)
    Row("skp", "POST", "/api/v1/skp/imports", {"admin:own", "admin:other", "admin_other:own", "admin_other:other",
                                               "portal:own", "portal:other"},
        lambda sys, p, m: _upload(sys, p, "/api/v1/skp/imports")),
    Row("skp", "GET", "/api/v1/skp/imports/{job_id}", ADMIN_OWN, lambda sys, p, m: _import_job(sys, p)),
    # --- approval ------------------------------------------------------------------------------------------------------
    Row("approval", "GET", "/api/v1/inbox", {"atasan:subordinate"}, simple(lambda p: "/api/v1/inbox"),
        kind="list", marker=lambda p: p.pending_skp),
    Row("approval", "GET", "/api/v1/inbox/{skp_id}", {"atasan:subordinate"}, simple(lambda p: f"/api/v1/inbox/{p.pending_skp}")),
    Row("approval", "GET", "/api/v1/approvals", ADMIN_OWN, simple(lambda p: "/api/v1/approvals",
                                                                  params={"pegawai_nip": "{nip}", "limit": 500}),
        kind="list", marker=lambda p: p.pending_skp),
    Row("approval", "POST", "/api/v1/approvals/batch-approve", {"atasan:subordinate"}, simple(
        lambda p: "/api/v1/approvals/batch-approve", json={"items": [{"skp_id": "{pending}", "version": STALE}]}),
        judge=_batch_through),
    Row("approval", "POST", "/api/v1/approvals/{skp_id}/approve", {"atasan:subordinate"},
        simple(lambda p: f"/api/v1/approvals/{p.pending_skp}/approve", json={"version": STALE})),
    Row("approval", "POST", "/api/v1/approvals/{skp_id}/return", {"atasan:subordinate"},
        simple(lambda p: f"/api/v1/approvals/{p.pending_skp}/return",
               json={"version": STALE, "catatan_perbaikan": "Target IKI rhk-1 belum sesuai dengan rencana."})),
    Row("approval", "POST", "/api/v1/approvals/{skp_id}/reassign", ADMIN_OWN, lambda sys, p, m: _ret(
        f"/api/v1/approvals/{p.pending_skp}/reassign",
        json={"version": STALE, "penilai": skp_of(p.nip, PENILAI[p.nip], instansi=instansi_of(p.nip))["penilai"]})),
    Row("approval", "GET", "/api/v1/approvals/{skp_id}", CASE_READ, simple(lambda p: f"/api/v1/approvals/{p.pending_skp}")),
    Row("approval", "GET", "/api/v1/approvals/{skp_id}/history", CASE_READ,
        simple(lambda p: f"/api/v1/approvals/{p.pending_skp}/history")),
    # recorded in the admin's own instansi: it gives authority over that instansi's SKPs only
    Row("approval", "POST", "/api/v1/penugasan", ANY_ADMIN, lambda sys, p, m: _ret("/api/v1/penugasan", json={
        "delegate_nip": DELEGATE, "penilai_nip": PENILAI[p.nip], "jenis": "Plh", "mulai": "2032-01-01",
        "selesai": "2032-01-31"}), needs="penugasan"),
    Row("approval", "GET", "/api/v1/penugasan", ADMIN_OWN, simple(lambda p: "/api/v1/penugasan"),
        kind="list", marker=lambda p: p.extra["penugasan"], needs="penugasan"),
    Row("approval", "DELETE", "/api/v1/penugasan/{penugasan_id}", ADMIN_OWN, _new_penugasan, needs="penugasan"),
    # --- evaluation ----------------------------------------------------------------------------------------------------
    Row("evaluation", "GET", "/api/v1/plans/{skp_id}", {"pegawai:own", "atasan:subordinate", "admin:own", "admin_other:own"},
        simple(lambda p: f"/api/v1/plans/{p.approved_skp}"), needs="approved_skp"),
    Row("evaluation", "GET", "/api/v1/evaluations", {"pegawai:own", "atasan:subordinate", "admin:own", "admin_other:own"},
        lambda sys, p, m: _ret("/api/v1/evaluations", params={"nip": p.nip, "peran": "penilai" if m in ("atasan", "boss")
                                                              else "pegawai"}),
        kind="list", marker=lambda p: p.evaluation, needs="evaluation"),
    Row("evaluation", "GET", "/api/v1/evaluations/{evaluation_id}", EVAL_READ,
        simple(lambda p: f"/api/v1/evaluations/{p.evaluation}"), needs="evaluation"),
    Row("evaluation", "PUT", "/api/v1/evaluations/{evaluation_id}/realisasi", {"pegawai:own"},
        simple(lambda p: f"/api/v1/evaluations/{p.evaluation}/realisasi",
               json={"version": STALE, "items": [{"iki_id": "iki-1", "nilai": 1}]}), needs="evaluation"),
    Row("evaluation", "POST", "/api/v1/evaluations/{evaluation_id}/penilaian", {"atasan:subordinate"},
        simple(lambda p: f"/api/v1/evaluations/{p.evaluation}/penilaian", json={"version": STALE}), needs="evaluation"),
    Row("evaluation", "POST", "/api/v1/evaluations/{evaluation_id}/keberatan", {"pegawai:own"},
        simple(lambda p: f"/api/v1/evaluations/{p.evaluation}/keberatan",
               json={"alasan": "Keberatan kedua atas hasil yang sama."}), needs="keberatan"),
    Row("evaluation", "GET", "/api/v1/keberatan", {"pegawai:own", "boss:subordinate", "admin:own", "admin_other:own"},
        simple(lambda p: "/api/v1/keberatan"), kind="list", marker=lambda p: p.keberatan, needs="keberatan"),
    Row("evaluation", "POST", "/api/v1/keberatan/{keberatan_id}/keputusan", {"boss:subordinate"},
        # upheld without a predikat: refused with 422 after the access check, so nothing is decided
        simple(lambda p: f"/api/v1/keberatan/{p.keberatan}/keputusan", json={"decision": "upheld"}), needs="keberatan"),
    Row("evaluation", "GET", "/api/v1/periods", {"*"}, simple(lambda p: "/api/v1/periods")),
    # a period serves every instansi: only the deployment's operator moves its deadline (here to an earlier day:
    # refused with 422 after the access check, so nothing moves)
    Row("evaluation", "POST", "/api/v1/periods/perpanjangan", {"operator:own"}, simple(
        lambda p: "/api/v1/periods/perpanjangan", json={"period_id": "2025-09/PPPK_PARUH_WAKTU/monthly",
                                                         "deadline": "2025-09-02"})),
    Row("evaluation", "PUT", "/api/v1/kehadiran/{tahun}/{bulan}", ADMIN_OWN, simple(
        lambda p: "/api/v1/kehadiran/2025/10", json={"items": [{"nip": "{nip}", "hari_kerja_efektif": 22}]}),
        needs="evaluation"),
    Row("evaluation", "POST", "/api/v1/kehadiran/{tahun}/{bulan}/csv", ADMIN_OWN,
        lambda sys, p, m: _ret("/api/v1/kehadiran/2025/11/csv", **_csv(p)), needs="evaluation"),
    Row("evaluation", "GET", "/api/v1/kehadiran/{tahun}/{bulan}", {"pegawai:own", "admin:own", "admin_other:own"},
        simple(lambda p: "/api/v1/kehadiran/2025/9", params={"nip": "{nip}"}), kind="list", needs="extension"),
    Row("evaluation", "GET", "/api/v1/rekap/bulanan/{tahun}/{bulan}", ADMIN_OWN,
        simple(lambda p: "/api/v1/rekap/bulanan/2025/9", params={"jenis_pegawai": "PPPK_PARUH_WAKTU"}), kind="list",
        needs="evaluation"),
    Row("evaluation", "GET", "/api/v1/hasil-tahunan/{nip}/{tahun}",
        {"pegawai:own", "atasan:subordinate", "admin:own", "admin_other:own"},
        simple(lambda p: f"/api/v1/hasil-tahunan/{p.nip}/2025"), needs="evaluation"),
    Row("evaluation", "PUT", "/api/v1/organisasi/capaian/{tahun}", ANY_ADMIN, simple(
        lambda p: "/api/v1/organisasi/capaian/2025", json={"unit_kerja": "Unit Uji Akses", "capaian": "Baik"})),
    Row("evaluation", "GET", "/api/v1/organisasi/capaian/{tahun}", ANY_ADMIN,
        simple(lambda p: "/api/v1/organisasi/capaian/2025")),
    # documents are read like the evaluation itself
    Row("evaluation", "GET", "/api/v1/evaluations/{evaluation_id}/dokumen", EVAL_READ,
        simple(lambda p: f"/api/v1/evaluations/{p.evaluation}/dokumen"), needs="evaluation"),
    Row("evaluation", "GET", "/api/v1/evaluations/{evaluation_id}/lembar-bulanan", EVAL_READ,
        simple(lambda p: f"/api/v1/evaluations/{p.evaluation}/lembar-bulanan"), needs="evaluation"),
    # an admin reassigns the penilai of their instansi's plans (here: to the same penilai, so nothing moves)
    Row("evaluation", "POST", "/api/v1/plans/{skp_id}/penilai", ADMIN_OWN, lambda sys, p, m: _ret(
        f"/api/v1/plans/{p.approved_skp}/penilai",
        json={"penilai": skp_of(p.nip, PENILAI[p.nip], instansi=instansi_of(p.nip))["penilai"]}), needs="approved_skp"),
    # Plt/Plh who rate: recorded in the admin's own instansi, they rate that instansi's evaluations only
    Row("evaluation", "POST", "/api/v1/penugasan-penilai", ANY_ADMIN, lambda sys, p, m: _ret(
        "/api/v1/penugasan-penilai", json={"delegate_nip": DELEGATE, "penilai_nip": PENILAI[p.nip], "jenis": "Plh",
                                           "mulai": "2032-01-01", "selesai": "2032-01-31"}), needs="penugasan"),
    Row("evaluation", "GET", "/api/v1/penugasan-penilai", ADMIN_OWN, simple(lambda p: "/api/v1/penugasan-penilai"),
        kind="list", marker=lambda p: p.extra["penugasan_penilai"], needs="penugasan"),
    Row("evaluation", "DELETE", "/api/v1/penugasan-penilai/{penugasan_id}", ADMIN_OWN, _new_penugasan_penilai,
        needs="penugasan"),
    # --- directory -----------------------------------------------------------------------------------------------------
    # a write that repeats the person's record: allowed answers 200 unchanged, another instansi's person 404
    Row("directory", "PUT", "/api/v1/people/{person_id}", DIRECTORY_WRITE, lambda sys, p, m: _ret(
        f"/api/v1/people/{p.nip}", json=_directory_body(p.nip))),
    # a person without NIP is created in the caller's own instansi, whoever the target
    Row("directory", "POST", "/api/v1/people", ANY_WRITER, simple(lambda p: "/api/v1/people", json={
        "nama": "Kepala Daerah", "jabatan": "Gubernur", "berlaku_mulai": "2020-01-01"})),
    Row("directory", "POST", "/api/v1/people/bulk", DIRECTORY_WRITE, lambda sys, p, m: _ret(
        "/api/v1/people/bulk", json={"items": [{"person_id": p.nip, **_directory_body(p.nip)}]}), judge=_directory_bulk),
    Row("directory", "GET", "/api/v1/people", DIRECTORY_WRITE, simple(lambda p: "/api/v1/people", params={"limit": 500}),
        kind="list"),
    Row("directory", "GET", "/api/v1/people/{person_id}", DIRECTORY_READ, simple(lambda p: f"/api/v1/people/{p.nip}")),
    Row("directory", "GET", "/api/v1/people/{person_id}/penilai", DIRECTORY_READ,
        simple(lambda p: f"/api/v1/people/{p.nip}/penilai")),
    Row("directory", "GET", "/api/v1/people/{person_id}/history", DIRECTORY_READ,
        simple(lambda p: f"/api/v1/people/{p.nip}/history")),
    Row("directory", "PUT", "/api/v1/units/{unit_id}", ANY_WRITER,
        simple(lambda p: "/api/v1/units/unit-uji-akses", json={"nama": "Unit Uji Akses"})),
    Row("directory", "GET", "/api/v1/units", ANY_WRITER, simple(lambda p: "/api/v1/units")),
    # an import is for portals and admins; each row is then checked like a write (instansi)
    Row("directory", "POST", "/api/v1/imports", ANY_WRITER, lambda sys, p, m: _ret("/api/v1/imports", **_directory_csv(p))),
    Row("directory", "GET", "/api/v1/imports/{job_id}", DIRECTORY_WRITE, lambda sys, p, m: _directory_job(sys, p)),
    # --- notification --------------------------------------------------------------------------------------------------
    Row("notification", "GET", "/api/v1/deliveries", ADMIN_OWN,
        simple(lambda p: "/api/v1/deliveries", params={"recipient_nip": "{nip}", "limit": 500}), kind="list"),
    Row("notification", "GET", "/api/v1/recipients/{nip}/deliveries", MINE,
        simple(lambda p: f"/api/v1/recipients/{p.nip}/deliveries")),
    Row("notification", "GET", "/api/v1/events/{event_id}/deliveries", ADMIN_OWN,
        simple(lambda p: f"/api/v1/events/{_evt(p)}/deliveries"), kind="list"),
    Row("notification", "GET", "/api/v1/deliveries/{event_id}/{nip}", MINE,
        simple(lambda p: f"/api/v1/deliveries/{_evt(p)}/{p.nip}")),
    Row("notification", "POST", "/api/v1/deliveries/{event_id}/{nip}/resend", ADMIN_OWN,
        simple(lambda p: f"/api/v1/deliveries/{_evt(p)}/{p.nip}/resend", json={"version": STALE})),
    Row("notification", "GET", "/api/v1/recipients", ADMIN_OWN, simple(lambda p: "/api/v1/recipients", params={"limit": 500}),
        kind="list"),
    Row("notification", "GET", "/api/v1/recipients/{nip}", MINE, simple(lambda p: f"/api/v1/recipients/{p.nip}")),
    Row("notification", "GET", "/api/v1/recipients/{nip}/preferences", MINE,
        simple(lambda p: f"/api/v1/recipients/{p.nip}/preferences")),
    Row("notification", "PUT", "/api/v1/recipients/{nip}/preferences", MINE,
        simple(lambda p: f"/api/v1/recipients/{p.nip}/preferences", json={"digest": True, "version": STALE})),
    # the signed link is the authorisation, no bearer: a real link answers anyone (GET changes nothing) ...
    Row("notification", "GET", "/api/v1/unsubscribe/{token}", {"public"},
        simple(lambda p: f"/api/v1/unsubscribe/{_unsubscribe_token(p.nip)}")),
    # ... a forged one answers 404 to anyone, like an unknown link (a real POST: services/notification tests)
    Row("notification", "POST", "/api/v1/unsubscribe/{token}", {"public"},
        simple(lambda p: f"/api/v1/unsubscribe/{p.nip}.{'0' * 32}")),
]


async def _xlsx_of(sys, person) -> bytes:
    owner = sys.tokens(person.nip, "atasan" if person.nip == A else "pegawai")
    r = await sys.clients["skp"].get(f"/api/v1/skp/{person.pending_skp}/xlsx", headers=owner)
    assert r.status_code == 200, r.text
    return r.content


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _upload(sys, person, path):
    return path, {"files": {"file": ("skp.xlsx", await _xlsx_of(sys, person), XLSX)}}


async def _import_job(sys, person):
    admin = "admin" if instansi_of(person.nip) == DKI else "admin_other"
    r = await sys.clients["skp"].post("/api/v1/skp/imports", headers=sys.headers(admin),
                                      files={"file": ("skp.xlsx", await _xlsx_of(sys, person), XLSX)})
    assert r.status_code == 202, r.text
    return f"/api/v1/skp/imports/{r.json()['id']}", {}


async def _ret(path, **kw):
    return path, kw


def _fill(obj, person):
    """Replace "{nip}" / "{pending}" placeholders in a request."""
    if isinstance(obj, str):
        return {"{nip}": person.nip, "{pending}": person.pending_skp}.get(obj, obj)
    if isinstance(obj, dict):
        return {k: _fill(v, person) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_fill(v, person) for v in obj]
    return obj


# which targets have which seeded data (static, so that every generated row applies)
HAS = {
    "approved_skp": {P, P2, X}, "evaluation": {P, P2, X}, "keberatan": {P, P2, X},
    "extension": {P, X}, "penugasan": {P, X},
}


def _cases():
    for row in ROWS:
        for caller, targets in CALLERS.items():
            for target, nip in targets.items():
                if row.needs and nip not in HAS[row.needs]:
                    continue
                if caller == "none" and target != "own":
                    continue
                yield pytest.param(row, caller, target, id=f"{row.service}:{row.method} {row.path}:{caller}:{target}")


@pytest.mark.parametrize(("row", "caller", "target"), list(_cases()))
async def test_access(system, row: Row, caller: str, target: str):
    person = system.people[CALLERS[caller][target]]
    path, kw = await row.build(system, person, caller)
    kw = _fill(dict(kw), person)
    client = system.clients[row.service]
    r = await client.request(row.method, path, headers=system.headers(caller), **kw)
    what = f"{row.method} {path} as {caller} on {target} ({person.nip}) -> {r.status_code} {r.text[:300]}"
    assert r.status_code < 500, what
    if row.allowed(caller, target):
        assert r.status_code not in (401, 403), what
        if row.judge:
            assert r.status_code < 300 and row.judge(r), what
        elif row.kind == "list":
            marker = row.marker(person) if row.marker else person.nip
            assert r.status_code == 200 and str(marker) in r.text, what
        elif row.method == "GET":
            assert r.status_code == 200, what
        return
    if caller == "none":
        assert r.status_code == 401, what
        assert r.headers["content-type"].startswith("application/problem+json"), what
        return
    if caller in SCOPE_REFUSED:  # refused as such: 403 problem+json with the rule's code, on every service
        operator_door = {"operator:own"} & row.allow  # an operator's endpoint refuses everyone else with its own code
        assert r.status_code == 403, what
        assert r.headers["content-type"].startswith("application/problem+json"), what
        assert r.json()["code"] == ("operator-only" if operator_door else SCOPE_REFUSED[caller]), what
        return
    if row.judge and r.status_code < 300:
        assert not row.judge(r), what
    elif row.kind == "list" and r.status_code == 200:
        marker = row.marker(person) if row.marker else person.nip
        assert str(marker) not in r.text, what
    else:
        # a draft naming a pegawai of another instansi is answered as one naming an unknown
        # pegawai: 422 pegawai-not-in-directory (docs/skp.md), the same body either way
        unknown_pegawai = r.status_code == 422 and r.json().get("code") == "pegawai-not-in-directory"
        assert r.status_code in (403, 404) or unknown_pegawai, what


async def test_another_instansis_admin_cannot_tell_a_record_from_an_unknown_one(system):
    """The evaluation service's admin endpoints on a record of another instansi answer like on an unknown one."""
    ev, me = system.clients["evaluation"], system.people[P]
    bdg = system.headers("admin_other")
    penilai = {"penilai": skp_of(P, A)["penilai"]}
    r = await ev.post("/api/v1/penugasan-penilai", headers=system.headers("admin"), json={
        "delegate_nip": DELEGATE, "penilai_nip": A, "jenis": "Plt", "mulai": "2033-01-01", "selesai": "2033-01-31"})
    assert r.status_code == 201, r.text
    penugasan = r.json()["id"]
    unknown_eval, unknown_skp, unknown_pen = "00000000-0000-5000-8000-000000000000", str(uuid.uuid4()), str(uuid.uuid4())
    unknown_nip = "199912312025211999"
    for method, mine, unknown, kw in [
        ("GET", f"/api/v1/plans/{me.approved_skp}", f"/api/v1/plans/{unknown_skp}", {}),
        ("GET", f"/api/v1/hasil-tahunan/{me.nip}/2025", f"/api/v1/hasil-tahunan/{unknown_nip}/2025", {}),
        ("PUT", f"/api/v1/evaluations/{me.evaluation}/realisasi", f"/api/v1/evaluations/{unknown_eval}/realisasi",
         {"json": {"version": 1, "items": [{"iki_id": "iki-1", "nilai": 1}]}}),
        ("POST", f"/api/v1/evaluations/{me.evaluation}/penilaian", f"/api/v1/evaluations/{unknown_eval}/penilaian",
         {"json": {"version": 1}}),
        ("POST", f"/api/v1/evaluations/{me.evaluation}/keberatan", f"/api/v1/evaluations/{unknown_eval}/keberatan",
         {"json": {"alasan": "Realisasi sudah lengkap dengan bukti dukung."}}),
        ("POST", f"/api/v1/keberatan/{me.keberatan}/keputusan", f"/api/v1/keberatan/{uuid.uuid4()}/keputusan",
         {"json": {"decision": "rejected"}}),
        ("GET", f"/api/v1/evaluations/{me.evaluation}", f"/api/v1/evaluations/{unknown_eval}", {}),
        ("GET", f"/api/v1/evaluations/{me.evaluation}/dokumen", f"/api/v1/evaluations/{unknown_eval}/dokumen", {}),
        ("GET", f"/api/v1/evaluations/{me.evaluation}/lembar-bulanan",
         f"/api/v1/evaluations/{unknown_eval}/lembar-bulanan", {}),
        ("POST", f"/api/v1/plans/{me.approved_skp}/penilai", f"/api/v1/plans/{unknown_skp}/penilai", {"json": penilai}),
        ("DELETE", f"/api/v1/penugasan-penilai/{penugasan}", f"/api/v1/penugasan-penilai/{unknown_pen}", {}),
    ]:
        theirs = await ev.request(method, mine, headers=bdg, **kw)
        nothing = await ev.request(method, unknown, headers=bdg, **kw)
        assert (theirs.status_code, theirs.json()["code"]) == (nothing.status_code, nothing.json()["code"]) and \
            theirs.status_code == 404, f"{method} {mine}: {theirs.text[:200]} / {nothing.text[:200]}"
    r = await ev.get("/api/v1/penugasan-penilai", headers=system.headers("admin"))
    assert [p["revoked_at"] for p in r.json() if p["id"] == penugasan] == [None], r.text  # it was not revoked


async def test_metrics_name_no_person_and_no_record(system):
    """/metrics needs no token, so it must not expose anything personal: after
    the seeding (SKPs created, submitted, approved, evaluated, mailed) no
    service's metrics hold a NIP, an SKP id or an e-mail address; requests
    are counted by route template."""
    ids = {p.nip for p in system.people.values()}
    ids |= {getattr(p, k) for p in system.people.values()
            for k in ("pending_skp", "approved_skp", "draft_skp", "evaluation", "keberatan") if getattr(p, k)}
    for svc, client in system.clients.items():
        r = await client.get("/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain"), svc
        leaked = [i for i in ids if str(i) in r.text]
        assert not leaked and "@" not in r.text, (svc, leaked)
    text = (await system.clients["skp"].get("/metrics")).text
    assert 'route="/api/v1/skp/{skp_id}/submit"' in text


def test_every_route_has_a_row(test_databases):
    """A new endpoint without a row here fails: access is decided, never assumed."""
    apps = make_apps(test_databases, "nats://127.0.0.1:1", 1, None)
    routes = {(svc, m, p) for svc, app in apps.items() for m, p, _ in walk_routes(app)}
    table = {(r.service, r.method, r.path) for r in ROWS}
    assert routes - table == set(), "endpoints without an access-control row:\n" + "\n".join(map(str, sorted(routes - table)))
    assert table - routes == set(), "rows for endpoints that no longer exist"


# --- tokens: a bad signature, a wrong audience, past expiry, an unknown role -> 401 --------------------------------------

def _bad_tokens(tokens) -> dict[str, str]:
    import datetime as dt

    import jwt

    good = dict(sub=P, role="pegawai")
    now = dt.datetime.now(dt.UTC)
    return {
        "bad-signature": tokens.raw(**good)[:-4] + ("AAAA" if not tokens.raw(**good).endswith("AAAA") else "BBBB"),
        "other-secret": jwt.encode({**good, "aud": "kinerja", "exp": now + dt.timedelta(hours=1)}, "not-the-secret-" * 3,
                                   algorithm="HS256"),
        "wrong-audience": jwt.encode({**good, "aud": "another-app", "exp": now + dt.timedelta(hours=1)}, tokens.secret,
                                     algorithm="HS256"),
        "expired": tokens.raw(P, "pegawai", ttl=-dt.timedelta(minutes=5)),
        "unknown-role": jwt.encode({"sub": P, "role": "superuser", "aud": "kinerja", "exp": now + dt.timedelta(hours=1)},
                                   tokens.secret, algorithm="HS256"),
        "alg-none": jwt.encode({**good, "aud": "kinerja", "exp": now + dt.timedelta(hours=1)}, None, algorithm="none"),
        "not-a-jwt": "abc.def.ghi",
    }


# a sample of every service: the pegawai's own data, where a good token answers 200
SAMPLE = [
    ("skp", lambda p: f"/api/v1/skp/{p.pending_skp}"),
    ("skp", lambda p: "/api/v1/skp"),
    ("approval", lambda p: f"/api/v1/approvals/{p.pending_skp}"),
    ("approval", lambda p: f"/api/v1/approvals/{p.pending_skp}/history"),
    ("evaluation", lambda p: f"/api/v1/evaluations/{p.evaluation}"),
    ("evaluation", lambda p: f"/api/v1/plans/{p.approved_skp}"),
    ("notification", lambda p: f"/api/v1/recipients/{p.nip}"),
    ("notification", lambda p: f"/api/v1/recipients/{p.nip}/deliveries"),
    ("directory", lambda p: f"/api/v1/people/{p.nip}"),
]


@pytest.mark.parametrize("kind", ["bad-signature", "other-secret", "wrong-audience", "expired", "unknown-role", "alg-none",
                                  "not-a-jwt"])
async def test_bad_tokens_are_refused_by_every_service(system, tokens, kind):
    token = _bad_tokens(tokens)[kind]
    me = system.people[P]
    for svc, path_of in SAMPLE:
        client, path = system.clients[svc], path_of(me)
        good = await client.get(path, headers=tokens(P, "pegawai"))
        assert good.status_code == 200, f"{svc} {path}: {good.text[:200]}"
        r = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, f"{svc} {path} with {kind}: {r.status_code} {r.text[:200]}"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] in ("invalid-token", "token-expired"), r.text
        assert P not in r.text
