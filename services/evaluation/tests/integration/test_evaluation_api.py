"""Realisasi and capaian, penilaian and predikat, keberatan, over HTTP with a
real database and nats-server."""

from __future__ import annotations

import datetime as dt

from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP
from kinerja_devstack.testing import eventually, running

from .conftest import approved, at, outbox, publish

SEP = "2025-09/PPPK_PARUH_WAKTU/monthly"


async def open_september(app, client, tokens):
    await publish(app, approved())
    sched = app.state.runtime.container.scheduler
    await eventually(lambda: sched.spans())
    await sched.run_once()
    me = tokens(PEGAWAI_NIP, "pegawai")
    items = (await client.get("/api/v1/evaluations", params={"period_id": SEP}, headers=me)).json()
    assert len(items) == 1
    return items[0]["id"]


async def test_realisasi_capaian_and_rating_to_predikat(app, tokens, clock):
    me, penilai = tokens(PEGAWAI_NIP, "pegawai"), tokens(PENILAI_NIP, "atasan")
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        ev = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
        assert ev["status"] == "open" and ev["version"] == 1 and ev["capaian_hasil_kerja"] == 0
        targets = {x["iki_id"]: x["target"] for x in ev["hasil_kerja"]}
        hib = "higher_is_better"
        assert targets == {"iki-1": {"nilai": 1, "minimum": None, "maksimum": None, "polaritas": hib},
                           "iki-2": {"nilai": 100, "minimum": None, "maksimum": None, "polaritas": hib},
                           "iki-3": {"nilai": 1, "minimum": None, "maksimum": None, "polaritas": hib}}
        body = {"version": 1, "items": [
            {"iki_id": "iki-1", "nilai": 1, "bukti_dukung": "https://drive.example.go.id/sep-1.pdf", "catatan": "lengkap"},
            {"iki_id": "iki-2", "nilai": 90, "bukti_dukung": "https://drive.example.go.id/sep-2.pdf"},
            {"iki_id": "iki-3", "nilai": 3, "bukti_dukung": "https://drive.example.go.id/sep-3.pdf"}]}
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=body, headers=me)
        assert r.status_code == 200, r.text
        ev = r.json()
        caps = {x["iki_id"]: x["capaian"] for x in ev["hasil_kerja"]}
        assert caps == {"iki-1": 100.0, "iki-2": 90.0, "iki-3": 120.0}  # 300 % capped at 120
        assert ev["capaian_hasil_kerja"] == 103.33 and ev["version"] == 2
        assert ev["saran_rating_hasil_kerja"] == "Sesuai Ekspektasi"
        # stale version, wrong person, bad input
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=body, headers=me)
        assert r.status_code == 409 and r.json()["code"] == "stale-version"
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json={**body, "version": 2}, headers=penilai)
        assert r.status_code == 403
        bad = {"version": 2, "items": [{"iki_id": "iki-9", "nilai": 1}, {"iki_id": "iki-1"},
                                       {"iki_id": "iki-2", "nilai": 1, "bukti_dukung": "not a url"}]}
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=bad, headers=me)
        assert r.status_code == 422 and "body.items[2].bukti_dukung" in {e["path"] for e in r.json()["errors"]}
        bad["items"] = bad["items"][:2]
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=bad, headers=me)
        assert r.status_code == 422
        assert {e["path"] for e in r.json()["errors"]} == {"body.items[0].iki_id", "body.items[1].nilai"}

        # the pejabat penilai: umpan balik and ratings -> predikat
        pen = {"version": 2, "umpan_balik_rhk": {"rhk-1": "Laporan tepat waktu"},
               "umpan_balik_perilaku": {"Akuntabel": "Tertib administrasi"},
               "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Diatas Ekspektasi"}
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=me)
        assert r.status_code == 403
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian",
                              json={**pen, "umpan_balik_rhk": {"rhk-x": "?"}, "rating_perilaku": None}, headers=penilai)
        assert r.status_code == 422 and len(r.json()["errors"]) == 2
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=penilai)
        assert r.status_code == 200, r.text
        ev = r.json()
        assert ev["predikat"] == "Baik" and ev["umpan_balik"]["rhk"] == {"rhk-1": "Laporan tepat waktu"}
        assert ev["keberatan_deadline"] == "2025-09-15"
        fin = await outbox(app, "evaluation.finalized")
        assert fin[-1]["data"]["predikat"] == "Baik" and fin[-1]["data"]["capaian"] == 103.33


async def test_keberatan_within_14_days_decided_once_by_atasan_pejabat_penilai(app, tokens, clock):
    me, penilai, atasan = (tokens(PEGAWAI_NIP, "pegawai"), tokens(PENILAI_NIP, "atasan"),
                           tokens(ATASAN_PEJABAT_PENILAI_NIP, "atasan"))
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        r = await client.post(f"/api/v1/evaluations/{eid}/keberatan", json={"alasan": "Belum ada hasil tetapi keberatan"},
                              headers=me)
        assert r.status_code == 409 and r.json()["code"] == "no-result-yet"
        pen = {"version": 1, "rating_hasil_kerja": "Dibawah Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"}
        ev = (await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=penilai)).json()
        assert ev["predikat"] == "Butuh Perbaikan"
        alasan = {"alasan": "Realisasi September sudah dikirim lewat bukti dukung tetapi tidak diperhitungkan."}
        r = await client.post(f"/api/v1/evaluations/{eid}/keberatan", json=alasan, headers=penilai)
        assert r.status_code == 403
        r = await client.post(f"/api/v1/evaluations/{eid}/keberatan", json=alasan, headers=me)
        assert r.status_code == 201, r.text
        k = r.json()
        assert k["status"] == "diajukan" and k["atasan_nip"] == ATASAN_PEJABAT_PENILAI_NIP
        r = await client.post(f"/api/v1/evaluations/{eid}/keberatan", json=alasan, headers=me)
        assert r.status_code == 409 and r.json()["code"] == "keberatan-exists"
        # the penilai can no longer change the result
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json={**pen, "version": 3}, headers=penilai)
        assert r.status_code == 409 and r.json()["code"] == "keberatan-exists"
        inbox = (await client.get("/api/v1/keberatan", params={"status": "diajukan"}, headers=atasan)).json()
        assert [x["id"] for x in inbox] == [k["id"]]
        url = f"/api/v1/keberatan/{k['id']}/keputusan"
        assert (await client.post(url, json={"decision": "upheld", "predikat": "Baik"}, headers=penilai)).status_code == 403
        # a portal (or admin) token whose sub is the atasan's NIP is not the atasan: it decides nothing (issue 14)
        for role in ("portal", "admin"):
            forged = tokens(ATASAN_PEJABAT_PENILAI_NIP, role, instansi="Pemerintah Provinsi DKI Jakarta")
            r = await client.post(url, json={"decision": "rejected"}, headers=forged)
            assert r.status_code == 403, r.text
        r = await client.post(url, json={"decision": "upheld"}, headers=atasan)
        assert r.status_code == 422 and r.json()["code"] == "ratings-required"
        # a predikat that contradicts the ratings (Sesuai / Sesuai is Baik, not Sangat Baik) is refused
        up = {"decision": "upheld", "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"}
        r = await client.post(url, json={**up, "predikat": "Sangat Baik"}, headers=atasan)
        assert r.status_code == 422 and r.json()["code"] == "predikat-contradicts-ratings"
        # an upheld objection never lowers the result (Butuh Perbaikan -> Sangat Kurang)
        r = await client.post(url, json={"decision": "upheld", "rating_hasil_kerja": "Dibawah Ekspektasi",
                                         "rating_perilaku": "Dibawah Ekspektasi"}, headers=atasan)
        assert r.status_code == 422 and r.json()["code"] == "keberatan-lowers-result"
        r = await client.post(url, json={**up, "note": "Bukti diterima"}, headers=atasan)
        assert r.status_code == 200 and r.json()["status"] == "diterima" and r.json()["predikat_after"] == "Baik"
        r = await client.post(url, json={"decision": "rejected"}, headers=atasan)
        assert r.status_code == 409 and r.json()["code"] == "keberatan-final"
        ev = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
        assert ev["predikat"] == "Baik" and ev["keberatan"]["status"] == "diterima"
        assert (ev["rating_hasil_kerja"], ev["rating_perilaku"]) == ("Sesuai Ekspektasi", "Sesuai Ekspektasi")
        filed, decided = await outbox(app, "keberatan_filed"), await outbox(app, "keberatan_decided")
        assert filed[0]["data"]["atasan_pejabat_penilai"]["nip"] == ATASAN_PEJABAT_PENILAI_NIP
        assert decided[0]["data"]["decision"] == "upheld" and decided[0]["data"]["predikat_before"] == "Butuh Perbaikan"


async def test_keberatan_after_14_days_is_refused(app, tokens, clock):
    me, penilai = tokens(PEGAWAI_NIP, "pegawai"), tokens(PENILAI_NIP, "atasan")
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        pen = {"version": 1, "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"}
        assert (await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=penilai)).status_code == 200
        clock.set(at(dt.date(2025, 9, 16)))
        r = await client.post(f"/api/v1/evaluations/{eid}/keberatan", json={"alasan": "Terlambat tetapi tetap keberatan"},
                              headers=me)
        assert r.status_code == 409 and r.json()["code"] == "keberatan-too-late"
        # and the penilai can no longer re-rate: the result is final
        ev = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json={**pen, "version": ev["version"],
                              "rating_hasil_kerja": "Dibawah Ekspektasi"}, headers=penilai)
        assert r.status_code == 409 and r.json()["code"] == "result-final"


async def test_closed_period_refuses_realisasi(app, tokens, clock):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        clock.set(at(dt.date(2025, 10, 6)))
        await app.state.runtime.container.scheduler.run_once()
        ev = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
        assert ev["status"] == "closed" and ev["capaian_hasil_kerja"] == 0
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi",
                             json={"version": ev["version"], "items": [{"iki_id": "iki-1", "nilai": 1}]}, headers=me)
        assert r.status_code == 409 and r.json()["code"] == "period-closed"
