"""Plt/Plh rate for the pejabat penilai during their assignment, and an
admin reassigns the penilai of an SKP's evaluations (issue 16)."""

from __future__ import annotations

import datetime as dt

from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, nip

from .conftest import at, outbox
from .test_evaluation_api import open_september, running

INSTANSI = "Pemerintah Provinsi DKI Jakarta"
PLT = nip(7, born="19790202", appointed="200601")
BARU = nip(8, born="19770303", appointed="200401")


async def test_plt_rates_during_the_assignment_only(app, tokens, clock):
    admin = tokens("198001012005011001", "admin", instansi=INSTANSI)
    plt = tokens(PLT, "atasan")
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        pen = {"version": 1, "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"}
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=plt)
        assert r.status_code == 403
        body = {"delegate_nip": PLT, "penilai_nip": PENILAI_NIP, "jenis": "Plt", "mulai": "2025-09-10", "selesai": "2025-09-20"}
        r = await client.post("/api/v1/penugasan-penilai", json=body, headers=tokens("198001012005011001", "admin"))
        assert r.status_code == 403  # an admin without instansi cannot record one
        r = await client.post("/api/v1/penugasan-penilai", json={**body, "selesai": "2025-09-01"}, headers=admin)
        assert r.status_code == 422
        r = await client.post("/api/v1/penugasan-penilai", json=body, headers=admin)
        assert r.status_code == 201, r.text
        # before the assignment starts: still refused; during it: the Plt sees and rates
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=plt)
        assert r.status_code == 403
        clock.set(at(dt.date(2025, 9, 12)))
        items = (await client.get("/api/v1/evaluations", params={"peran": "penilai"}, headers=plt)).json()
        assert eid in {i["id"] for i in items}
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=plt)
        assert r.status_code == 200, r.text
        assert r.json()["predikat"] == "Baik" and r.json()["dinilai_oleh"] == PLT
        clock.set(at(dt.date(2025, 9, 21)))
        items = (await client.get("/api/v1/evaluations", params={"peran": "penilai"}, headers=plt)).json()
        assert eid not in {i["id"] for i in items}


async def test_a_plt_recorded_by_another_instansi_neither_reads_nor_rates(app, tokens, clock):
    """An admin of another instansi names a Plt (or the pegawai as Plh) for this penilai: no way into the evaluation."""
    other = tokens("198001012005011009", "admin", instansi="Pemerintah Kota Bandung")
    admin = tokens("198001012005011001", "admin", instansi=INSTANSI)
    plt = tokens(PLT, "atasan")
    pegawai = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        clock.set(at(dt.date(2025, 9, 12)))
        pen = {"version": 1, "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"}
        body = {"delegate_nip": PLT, "penilai_nip": PENILAI_NIP, "jenis": "Plt", "mulai": "2025-09-10", "selesai": "2025-09-20"}
        r = await client.post("/api/v1/penugasan-penilai", json=body, headers=other)
        assert r.status_code == 201, r.text  # recorded, but for Bandung's evaluations only
        assert (await client.get(f"/api/v1/evaluations/{eid}", headers=plt)).status_code == 403
        assert (await client.get(f"/api/v1/evaluations/{eid}/dokumen", headers=plt)).status_code == 403
        items = (await client.get("/api/v1/evaluations", params={"peran": "penilai"}, headers=plt)).json()
        assert eid not in {i["id"] for i in items}
        assert (await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=plt)).status_code == 403
        # the pegawai as Plh of their own penilai (even recorded by their own admin) does not rate themselves
        r = await client.post("/api/v1/penugasan-penilai", json={**body, "delegate_nip": PEGAWAI_NIP}, headers=admin)
        assert r.status_code == 201, r.text
        items = (await client.get("/api/v1/evaluations", params={"peran": "penilai"}, headers=pegawai)).json()
        assert eid not in {i["id"] for i in items}
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=pegawai)
        assert r.status_code == 403
        # the same Plt recorded by this instansi's admin: reads and rates
        assert (await client.post("/api/v1/penugasan-penilai", json=body, headers=admin)).status_code == 201
        assert (await client.get(f"/api/v1/evaluations/{eid}", headers=plt)).status_code == 200
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=plt)
        assert r.status_code == 200, r.text


async def test_admin_reassigns_the_penilai_of_unrated_evaluations(app, tokens, clock):
    admin = tokens("198001012005011001", "admin", instansi=INSTANSI)
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        ev = (await client.get(f"/api/v1/evaluations/{eid}", headers=tokens(PEGAWAI_NIP, "pegawai"))).json()
        baru = {"nip": BARU, "nama": "Dewi Lestari, S.E.", "jabatan": "Kepala Seksi Umum", "unit_kerja": "Suku Dinas"}
        r = await client.post(f"/api/v1/plans/{ev['skp_id']}/penilai", json={"penilai": baru},
                              headers=tokens("198001012005011001", "admin", instansi="Instansi Lain"))
        assert r.status_code == 404
        r = await client.post(f"/api/v1/plans/{ev['skp_id']}/penilai", json={"penilai": baru}, headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["evaluasi_dipindah"] >= 1
        (told,) = await outbox(app, "penilai_reassigned")  # the new (and the previous) penilai are mailed
        assert told["data"]["penilai"]["nip"] == BARU and told["data"]["previous_penilai"]["nip"] == PENILAI_NIP
        pen = {"rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Diatas Ekspektasi"}
        ev = (await client.get(f"/api/v1/evaluations/{eid}", headers=tokens(BARU, "atasan"))).json()
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json={**pen, "version": ev["version"]},
                              headers=tokens(PENILAI_NIP, "atasan"))
        assert r.status_code == 403  # the old penilai no longer rates
        r = await client.post(f"/api/v1/evaluations/{eid}/penilaian", json={**pen, "version": ev["version"]},
                              headers=tokens(BARU, "atasan"))
        assert r.status_code == 200 and r.json()["dinilai_oleh"] == BARU
