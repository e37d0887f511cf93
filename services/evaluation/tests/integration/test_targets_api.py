"""Issue 16 through the API: the shared target rule decides what each period
measures (levels hold, waktu lower-is-better, zero targets, N/A months), and
a period past its deadline takes no input."""

from __future__ import annotations

import datetime as dt

from kinerja_devstack.samples import PEGAWAI_NIP, pppk_skp
from kinerja_devstack.testing import eventually, running

from .conftest import approved, at, publish

SEP = "2025-09/PPPK_PARUH_WAKTU/monthly"
OCT = "2025-10/PPPK_PARUH_WAKTU/monthly"


def skp_with_real_targets() -> dict:
    skp = pppk_skp()
    rhk = skp["hasil_kerja"][0]
    rhk["iki"] = [
        {"id": "arsip", "aspek": "Kuantitas", "indikator": "Dokumen terarsip",
         "target": {"jenis": "angka", "nilai": "100", "satuan": "% dokumen terarsip"}},
        {"id": "hari", "aspek": "Waktu", "indikator": "Penyelesaian input data",
         "target": {"jenis": "angka", "nilai": "2", "satuan": "hari kerja"}},
        {"id": "aduan", "aspek": "Kualitas", "indikator": "Pengaduan", "polaritas": "lower_is_better",
         "target": {"jenis": "angka", "nilai": "0", "satuan": "pengaduan"}},
        {"id": "rapat", "aspek": "Kuantitas", "indikator": "Notulen rapat",
         "target": {"jenis": "angka", "nilai": "3", "satuan": "Notulen"},
         "target_periode": {"bulanan": [None] * 8 + ["N/A", "1", "1", "1"]}},
    ]
    skp["hasil_kerja"] = [rhk]
    return skp


async def test_real_targets_per_period_through_the_api(app, tokens, clock):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await publish(app, approved(skp_with_real_targets()))
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        await sched.run_once()
        (item,) = (await client.get("/api/v1/evaluations", params={"period_id": SEP}, headers=me)).json()
        ev = (await client.get(f"/api/v1/evaluations/{item['id']}", headers=me)).json()
        t = {x["iki_id"]: x["target"] for x in ev["hasil_kerja"]}
        assert t["arsip"]["nilai"] == 100 and t["hari"]["nilai"] == 2 and t["hari"]["polaritas"] == "lower_is_better"
        assert t["aduan"]["nilai"] == 0 and t["rapat"] is None  # N/A in September: not measured
        body = {"version": 1, "items": [{"iki_id": "arsip", "nilai": 30}, {"iki_id": "hari", "nilai": 2},
                                        {"iki_id": "aduan", "nilai": 0}]}
        r = await client.put(f"/api/v1/evaluations/{item['id']}/realisasi", json=body, headers=me)
        assert r.status_code == 200, r.text
        caps = {x["iki_id"]: x["capaian"] for x in r.json()["hasil_kerja"]}
        assert caps == {"arsip": 30.0, "hari": 100.0, "aduan": 100.0, "rapat": None}
        assert r.json()["capaian_hasil_kerja"] == round((30 + 100 + 100) / 3, 2)  # only what September measures
        plan = (await client.get(f"/api/v1/plans/{ev['skp_id']}", headers=me)).json()
        kinds = {x["iki_id"]: (x["sifat_target"], x["sifat_catatan"]) for x in plan["rencana"]}
        assert kinds["arsip"][0] == "tingkat" and kinds["hari"][0] == "waktu" and "diturunkan" in kinds["hari"][1]

        # after the deadline (5 Oct) the period takes no input, even before the scheduler closes it
        clock.set(at(dt.date(2025, 10, 6)))
        r = await client.put(f"/api/v1/evaluations/{item['id']}/realisasi",
                             json={"version": 2, "items": [{"iki_id": "arsip", "nilai": 100}]}, headers=me)
        assert r.status_code == 409 and r.json()["code"] == "period-closed"
        await sched.run_once()
        closed = (await client.get(f"/api/v1/evaluations/{item['id']}", headers=me)).json()
        assert closed["status"] == "closed" and closed["capaian_hasil_kerja"] == round(230 / 3, 2)
        (octo,) = (await client.get("/api/v1/evaluations", params={"period_id": OCT}, headers=me)).json()
        ev = (await client.get(f"/api/v1/evaluations/{octo['id']}", headers=me)).json()
        assert {x["iki_id"]: x["target"]["nilai"] for x in ev["hasil_kerja"] if x["target"]}["rapat"] == 1


async def test_polarity_per_quarter_and_a_stabilize_band_through_the_api(app, tokens, clock):
    """TW II "at least 30 %" (maximize), TW IV "80 - 100 %" (stabilize), TW I and III N/A."""
    me = tokens(PEGAWAI_NIP, "pegawai")
    skp = pppk_skp(mulai="2026-01-01", selesai="2026-12-31")
    skp["jenis_pegawai"] = "PNS"
    rhk = skp["hasil_kerja"][0]
    rhk["iki"] = [{"id": "band", "aspek": "Kualitas", "indikator": "Kesesuaian dokumen",
                   "target": {"jenis": "rentang", "minimum": "80", "maksimum": "100", "satuan": "%"},
                   "target_periode": {"triwulan": ["N/A", "30 (maximize)", "N/A", "80 - 100 (stabilize)"]}}]
    skp["hasil_kerja"] = [rhk]
    clock.set(at(dt.date(2026, 4, 1)))
    async with running(app) as client:
        await publish(app, approved(skp))
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        await sched.run_once()

        async def one(period_id):
            (item,) = (await client.get("/api/v1/evaluations", params={"period_id": period_id}, headers=me)).json()
            return (await client.get(f"/api/v1/evaluations/{item['id']}", headers=me)).json()

        q1 = await one("2026-Q1/PNS/quarterly")
        assert q1["hasil_kerja"][0]["target"] is None  # N/A: not measured
        q2 = await one("2026-Q2/PNS/quarterly")
        assert q2["hasil_kerja"][0]["target"]["polaritas"] == "higher_is_better"
        r = await client.put(f"/api/v1/evaluations/{q2['id']}/realisasi",
                             json={"version": q2["version"], "items": [{"iki_id": "band", "nilai": 45}]}, headers=me)
        assert r.json()["hasil_kerja"][0]["capaian"] == 120.0  # 150 capped: above "at least 30"
        clock.set(at(dt.date(2026, 10, 1)))
        await sched.run_once()
        q4 = await one("2026-Q4/PNS/quarterly")
        assert q4["hasil_kerja"][0]["target"] == {"nilai": None, "minimum": 80.0, "maksimum": 100.0, "polaritas": "range"}
        r = await client.put(f"/api/v1/evaluations/{q4['id']}/realisasi",
                             json={"version": q4["version"], "items": [{"iki_id": "band", "nilai": 110}]}, headers=me)
        assert r.json()["hasil_kerja"][0]["capaian"] == 90.0  # above the band is a shortfall, never "Diatas"
        assert r.json()["saran_rating_hasil_kerja"] != "Diatas Ekspektasi"


async def test_results_outside_the_source_rating_rules_get_no_dibawah_suggestion(app, tokens, clock):
    """Three RHK Utama at 100 / 100 / 70: not Dibawah (most are not below), not Sesuai (a third of
    Utama below is more than a small part): no suggestion, and the reason says so."""
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await publish(app, approved())
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        await sched.run_once()
        (item,) = (await client.get("/api/v1/evaluations", params={"period_id": SEP}, headers=me)).json()
        body = {"version": 1, "items": [{"iki_id": "iki-1", "nilai": 1}, {"iki_id": "iki-2", "nilai": 100},
                                        {"iki_id": "iki-3", "nilai": 0.7}]}
        ev = (await client.put(f"/api/v1/evaluations/{item['id']}/realisasi", json=body, headers=me)).json()
        assert [x["capaian"] for x in ev["hasil_kerja"]] == [100.0, 100.0, 70.0]
        assert ev["saran_rating_hasil_kerja"] is None and "Di luar" in ev["saran_rating_alasan"]
