"""The services in-process on one private nats-server and real
databases (SQLite or PostgreSQL), with a cast of people and data seeded
through the APIs and the events between the services.

Cast (all of "Pemerintah Provinsi DKI Jakarta" except X):

- P  (pegawai) appraised by A (atasan); A is appraised by ATASAN_PEJABAT_PENILAI;
- P2 (pegawai) appraised by A2 (another atasan);
- X  (pegawai of "Pemerintah Kota Bandung") appraised by XA.

Each of P, P2 and X has one SKP Pending (submitted, so approval has a case)
and one Approved (so evaluation has a plan and an open September evaluation);
A has a Draft of their own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import pytest
from fastapi.routing import APIRoute
from kinerja_approval.main import create_app as approval_app
from kinerja_approval.settings import Settings as ApprovalSettings
from kinerja_platform.settings import CommonSettings
from kinerja_devstack.natsserver import NatsServer
from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP, nip, pppk_skp
from kinerja_devstack.smtp_sink import SmtpSink
from kinerja_devstack.testing import eventually, running
from kinerja_directory.main import create_app as directory_app
from kinerja_directory.settings import Settings as DirectorySettings
from kinerja_devstack.testing import ManualClock
from kinerja_evaluation.main import create_app as evaluation_app
from kinerja_evaluation.settings import Settings as EvaluationSettings
from kinerja_notification.main import create_app as notification_app
from kinerja_notification.settings import Settings as NotificationSettings
from kinerja_skp.main import create_app as skp_app
from kinerja_skp.settings import Settings as SkpSettings

DKI = "Pemerintah Provinsi DKI Jakarta"
BANDUNG = "Pemerintah Kota Bandung"
P, A, BOSS = PEGAWAI_NIP, PENILAI_NIP, ATASAN_PEJABAT_PENILAI_NIP
P2, A2 = nip(201, born="19920202", appointed="201801"), nip(202, born="19800303", appointed="200601")
X, XA = nip(301, born="19930404", appointed="201901"), nip(302, born="19810505", appointed="200701")
XBOSS = nip(303, born="19710606", appointed="199601")
TOPBOSS = nip(304, born="19650808", appointed="199001")
DELEGATE = nip(401, born="19830707", appointed="200801")
SERVICES = ("skp", "approval", "evaluation", "notification", "directory")
SEPTEMBER = dt.datetime(2025, 9, 1, 1, 0, tzinfo=dt.UTC)  # 08:00 WIB


def walk_routes(app) -> list[tuple[str, str, APIRoute]]:
    """Every (method, path, route) of an app's API, including included routers."""

    def walk(routes, prefix=""):
        for r in routes:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute):
                for m in sorted(r.methods - {"HEAD"}):
                    yield m, prefix + r.path, r

    return list(walk(app.routes))


def skp_of(pegawai: str, penilai: str, *, instansi: str = DKI, atasan: str | None = None, mulai: str = "2025-09-01", selesai: str = "2025-12-31") -> dict:
    skp = pppk_skp(pegawai, penilai, mulai=mulai, selesai=selesai, pegawai_email=f"{pegawai}@example.go.id",
                   penilai_email=f"{penilai}@example.go.id")
    for who in ("pegawai", "penilai", "atasan_pejabat_penilai"):
        skp[who]["instansi"] = instansi
    if atasan or instansi != DKI:
        skp["atasan_pejabat_penilai"]["nip"] = atasan or XBOSS
    return skp


#: the directory of the cast, per portal: (person, direct superior)
DIRECTORY_CAST = (("portal", ((TOPBOSS, None), (BOSS, TOPBOSS), (A, BOSS), (P, A), (A2, BOSS), (P2, A2))),
                  ("portal_other", ((XBOSS, None), (XA, XBOSS), (X, XA))))


def directory_record(nip_: str, atasan: str | None) -> dict:
    """A person of the cast as the directory takes it (POST /people/bulk item)."""
    return {"person_id": nip_, "nama": f"Orang {nip_[-3:]}", "jenis_asn": "PNS", "atasan_id": atasan,
            "email": f"{nip_}@example.go.id", "berlaku_mulai": "2020-01-01"}


@dataclass
class Person:
    nip: str
    pending_skp: str | None = None
    approved_skp: str | None = None
    draft_skp: str | None = None
    evaluation: str | None = None
    keberatan: str | None = None
    extra: dict = field(default_factory=dict)


class System:
    """Running apps (``clients[svc]``), the cast and their seeded ids."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.apps: dict = {}
        self.clients: dict = {}
        self.people: dict[str, Person] = {}
        self.clock = ManualClock(SEPTEMBER)

    def headers(self, caller: str) -> dict[str, str]:
        """Authorization of a caller of the table."""
        t = self.tokens
        return {
            "pegawai": lambda: t(P, "pegawai"),
            "atasan": lambda: t(A, "atasan"),
            "boss": lambda: t(BOSS, "atasan"),
            "admin": lambda: t("admin-dki", "admin", instansi=DKI),
            "admin_other": lambda: t("admin-bdg", "admin", instansi=BANDUNG),
            "portal": lambda: t("portal-dki", "portal", instansi=DKI),
            "portal_other": lambda: t("portal-bdg", "portal", instansi=BANDUNG),
            # the deployment's operator (the one deployment-wide role), and admin/portal tokens without
            # instansi, which every service refuses (docs/security.md)
            "operator": lambda: t("ops-1", "operator"),
            "admin_unscoped": lambda: t("admin-x", "admin"),
            "portal_unscoped": lambda: t("portal-x", "portal"),
            "none": lambda: {},
        }[caller]()

    async def seed_directory(self) -> None:
        """The cast as their portals send it, first: skp takes every SKP's people from the
        directory (through its events), so it must know them before the SKPs are written."""
        for portal, people in DIRECTORY_CAST:
            r = await self.clients["directory"].post("/api/v1/people/bulk", headers=self.headers(portal), json={
                "items": [directory_record(nip_, atasan) for nip_, atasan in people]})
            assert r.status_code == 200 and r.json()["summary"].get("created") == len(people), r.text

        async def projected(portal: str, nip_: str) -> bool:
            r = await self.clients["skp"].get("/api/v1/skp/rantai-penilai", params={"nip": nip_},
                                              headers=self.headers(portal))
            return r.status_code != 404

        for portal, people in DIRECTORY_CAST:
            for nip_, _ in people:
                await eventually(lambda portal=portal, nip_=nip_: projected(portal, nip_), timeout=30)

    async def seed(self) -> None:
        skp, appr = self.clients["skp"], self.clients["approval"]
        await self.seed_directory()
        cast = [(P, A, DKI), (P2, A2, DKI), (X, XA, BANDUNG)]
        for pegawai, penilai, instansi in cast:
            me = self.tokens(pegawai, "pegawai")
            person = self.people[pegawai] = Person(pegawai)
            # Approved: September to December 2025 (the evaluation opens September)
            r = await skp.post("/api/v1/skp", json=skp_of(pegawai, penilai, instansi=instansi), headers=me)
            assert r.status_code == 201, r.text
            person.approved_skp = r.json()["id"]
            r = await skp.post(f"/api/v1/skp/{person.approved_skp}/submit", json={"version": 1}, headers=me)
            assert r.status_code == 200, r.text
            # Pending: 2026
            r = await skp.post("/api/v1/skp", json=skp_of(pegawai, penilai, instansi=instansi, mulai="2026-01-01",
                                                          selesai="2026-12-31"), headers=me)
            assert r.status_code == 201, r.text
            person.pending_skp = r.json()["id"]
            r = await skp.post(f"/api/v1/skp/{person.pending_skp}/submit", json={"version": 1}, headers=me)
            assert r.status_code == 200, r.text
        for pegawai, penilai, _ in cast:
            person = self.people[pegawai]
            boss = self.tokens(penilai, "atasan")

            async def case_pending(sid=person.approved_skp, boss=boss):
                r = await appr.get(f"/api/v1/approvals/{sid}", headers=boss)
                return r.status_code == 200 and r.json()

            case = await eventually(case_pending, timeout=30)
            r = await appr.post(f"/api/v1/approvals/{person.approved_skp}/approve",
                                json={"version": case["version"]}, headers=boss)
            assert r.status_code == 200, r.text
        # A's own SKP (A as pegawai, appraised by BOSS), Pending
        a_tok = self.tokens(A, "atasan")
        r = await skp.post("/api/v1/skp", json=skp_of(A, BOSS, atasan=TOPBOSS), headers=a_tok)
        assert r.status_code == 201, r.text
        self.people[A] = Person(A, pending_skp=r.json()["id"])
        r = await skp.post(f"/api/v1/skp/{self.people[A].pending_skp}/submit", json={"version": 1}, headers=a_tok)
        assert r.status_code == 200, r.text
        # wait for skp (Approved projection), approval (pending cases) and evaluation (plans)
        for pegawai in (P, P2, X, A):
            person = self.people[pegawai]
            me = self.tokens(pegawai, "atasan" if pegawai == A else "pegawai")
            if pegawai == A:
                await eventually(lambda person=person, me=me: appr.get(f"/api/v1/approvals/{person.pending_skp}", headers=me),
                                 timeout=30)
                continue

            async def projected(p=person, me=me):
                a = await skp.get(f"/api/v1/skp/{p.approved_skp}", headers=me)
                b = await appr.get(f"/api/v1/approvals/{p.pending_skp}", headers=me)
                c = await self.clients["evaluation"].get(f"/api/v1/plans/{p.approved_skp}", headers=me)
                return a.json().get("status") == "Approved" and b.status_code == 200 and c.status_code == 200

            await eventually(projected, timeout=30)
        sched = self.apps["evaluation"].state.runtime.container.scheduler
        await sched.run_once()
        for pegawai, *_ in cast:
            r = await self.clients["evaluation"].get("/api/v1/evaluations", headers=self.tokens(pegawai, "pegawai"))
            monthly = [e for e in r.json() if e["kind"] == "monthly"] if r.status_code == 200 else []
            assert len(monthly) == 1, r.text
            self.people[pegawai].evaluation = monthly[0]["id"]
        ev = self.clients["evaluation"]
        for pegawai, penilai, _ in cast:  # each objects to their September result
            eid = self.people[pegawai].evaluation
            r = await ev.post(f"/api/v1/evaluations/{eid}/penilaian", headers=self.tokens(penilai, "atasan"), json={
                "version": 1, "rating_hasil_kerja": "Dibawah Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"})
            assert r.status_code == 200, r.text
            r = await ev.post(f"/api/v1/evaluations/{eid}/keberatan", headers=self.tokens(pegawai, "pegawai"),
                              json={"alasan": "Realisasi September belum diperhitungkan dengan benar."})
            assert r.status_code == 201, r.text
            self.people[pegawai].keberatan = r.json()["id"]
        # admin data of each instansi: attendance, a deadline extension, a Plt
        for admin, pegawai, penilai in (("admin", P, A), ("admin_other", X, XA)):
            h = self.headers(admin)
            r = await ev.put("/api/v1/kehadiran/2025/9", headers=h, json={"items": [
                {"nip": pegawai, "hari_kerja_efektif": 21, "izin": 1}]})
            assert r.status_code == 200, r.text
            r = await skp.post("/api/v1/deadline-extensions", headers=h, json={
                "tahun": 2026, "sampai": "2026-02-14", "nip": pegawai, "alasan": "Gangguan aplikasi"})
            assert r.status_code == 201, r.text
            self.people[pegawai].extra["extension"] = r.json()["id"]
            r = await appr.post("/api/v1/penugasan", headers=h, json={
                "delegate_nip": DELEGATE, "penilai_nip": penilai, "jenis": "Plh", "mulai": "2030-01-01",
                "selesai": "2030-01-31", "nomor_sk": "800/1/2030"})
            assert r.status_code == 201, r.text
            self.people[pegawai].extra["penugasan"] = r.json()["id"]
            r = await ev.post("/api/v1/penugasan-penilai", headers=h, json={
                "delegate_nip": DELEGATE, "penilai_nip": penilai, "jenis": "Plh", "mulai": "2030-01-01",
                "selesai": "2030-01-31", "nomor_sk": "800/2/2030"})
            assert r.status_code == 201, r.text
            self.people[pegawai].extra["penugasan_penilai"] = r.json()["id"]

        # notification: the e-mails follow from the events above, the people (instansi, address) from the directory's
        for pegawai in (P, P2, X, A):
            async def mailed(pegawai=pegawai):
                me = self.tokens(pegawai, "atasan" if pegawai == A else "pegawai")
                known = await self.clients["notification"].get(f"/api/v1/recipients/{pegawai}", headers=me)
                r = await self.clients["notification"].get(f"/api/v1/recipients/{pegawai}/deliveries", headers=me)
                return known.status_code == 200 and known.json()["in_directory"] and r.status_code == 200 \
                    and r.json()["total"] >= 1 and r.json()

            page = await eventually(mailed, timeout=30)
            self.people[pegawai].extra["event_id"] = page["items"][0]["event_id"]


def make_apps(dbs, nats_url: str, smtp_port: int, clock: ManualClock, **common_kw) -> dict:
    common = CommonSettings(nats_url=nats_url, relay_poll_interval=0.2, consumer_ack_wait=5, **common_kw)
    return {
        "skp": skp_app(SkpSettings(database_url=dbs.new("rel_skp"), enforce_deadlines=False, reminder_interval_seconds=0,
                                   common=common)),
        "approval": approval_app(ApprovalSettings(database_url=dbs.new("rel_approval"), escalation_enabled=False,
                                                  common=common)),
        "evaluation": evaluation_app(EvaluationSettings(
            database_url=dbs.new("rel_evaluation"), scheduler_enabled=False,
            scheduler_bucket=f"sched-{uuid.uuid4().hex[:12]}", common=common), clock=clock),
        "notification": notification_app(NotificationSettings(
            database_url=dbs.new("rel_notification"), smtp_port=smtp_port, delivery_poll_interval=0.2,
            rate_limit_per_second=0, digest_tick_seconds=3600, common=common)),
        "directory": directory_app(DirectorySettings(database_url=dbs.new("rel_directory"), common=common)),
    }


@pytest.fixture(scope="module")
async def system(test_databases, tokens):
    """The seeded system, shared by the tests of one module (seeding takes a few seconds)."""
    nats = NatsServer().start()
    sink = SmtpSink().start()
    sysm = System(tokens)
    try:
        async with AsyncExitStack() as stack:
            sysm.apps = make_apps(test_databases, nats.url, sink.port, sysm.clock)
            for name, app in sysm.apps.items():
                sysm.clients[name] = await stack.enter_async_context(running(app))
            await sysm.seed()
            yield sysm
    finally:
        sink.stop()
        nats.cleanup()
