"""Attendance by API and CSV, the monthly rekap (JSON and XLSX), the annual
result with the PPPK Paruh Waktu extension, organisation achievement."""

from __future__ import annotations

import datetime as dt
import io

from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import assert_documented, eventually, running
from openpyxl import load_workbook

from .conftest import approved, at, publish

SEP = "2025-09/PPPK_PARUH_WAKTU/monthly"
DKI = "Pemerintah Provinsi DKI Jakarta"
UNIT = "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"
OTHER = nip(7, born="19970202", appointed="202521", sex=2)


async def two_pegawai_in_september(app, client, tokens):
    await publish(app, approved())
    await publish(app, approved(pppk_skp(pegawai_nip=OTHER, pegawai_nama="Dewi Lestari", pegawai_email=None)))
    sched = app.state.runtime.container.scheduler

    async def both():
        spans = await sched.spans()
        async with app.state.runtime.uow() as s:
            from kinerja_evaluation.adapters.tables import EvaluationPlan
            from sqlalchemy import func, select
            return spans and (await s.exec(select(func.count()).select_from(EvaluationPlan))).one()[0] == 2

    await eventually(both)
    await sched.run_once()
    me = tokens(PEGAWAI_NIP, "pegawai")
    eid = (await client.get("/api/v1/evaluations", params={"period_id": SEP}, headers=me)).json()[0]["id"]
    body = {"version": 1, "items": [{"iki_id": "iki-1", "nilai": 1}, {"iki_id": "iki-2", "nilai": 80},
                                    {"iki_id": "iki-3", "nilai": 1}]}
    r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=body, headers=me)
    assert r.status_code == 200, r.text
    return eid


async def test_attendance_by_api_and_csv_and_monthly_rekap(app, tokens):
    admin = tokens("198001012005011001", "admin", instansi=DKI)
    async with running(app) as client:
        await two_pegawai_in_september(app, client, tokens)
        r = await client.put("/api/v1/kehadiran/2025/9", json={"items": [
            {"nip": PEGAWAI_NIP, "hari_kerja_efektif": 21, "izin": 1, "alpa": 0, "keterangan": "izin 12 Sep"}]},
            headers=admin)
        assert r.status_code == 200 and r.json()["disimpan"] == 1
        r = await client.put("/api/v1/kehadiran/2025/9", json={"items": [{"nip": PEGAWAI_NIP, "hari_kerja_efektif": 2,
                                                                           "izin": 3}]}, headers=admin)
        assert r.status_code == 422
        r = await client.put("/api/v1/kehadiran/2025/9", json={"items": [{"nip": PEGAWAI_NIP, "hari_kerja_efektif": 2}]},
                             headers=tokens(PEGAWAI_NIP, "pegawai"))
        assert r.status_code == 403
        bad_csv = f"nip;hari_kerja_efektif;izin;cuti_sakit;cuti_melahirkan;alpa\n{OTHER};21;0;2;0;1\n123;x;0;0;0;0\n"
        r = await client.post("/api/v1/kehadiran/2025/9/csv", files={"file": ("h.csv", bad_csv.encode())}, headers=admin)
        assert r.status_code == 422 and {e["path"].split(".")[0] for e in r.json()["errors"]} == {"line 3"}
        good_csv = f"nip,hari_kerja_efektif,izin,cuti_sakit,cuti_melahirkan,alpa\n{OTHER},21,0,2,0,1\n"
        r = await client.post("/api/v1/kehadiran/2025/9/csv", files={"file": ("h.csv", good_csv.encode())}, headers=admin)
        assert r.status_code == 200 and r.json()["disimpan"] == 1

        r = await client.get("/api/v1/rekap/bulanan/2025/9", headers=admin)
        assert r.status_code == 200, r.text
        rekap = r.json()
        assert rekap["nama_bulan"] == "September" and [g["perangkat_daerah"] for g in rekap["perangkat_daerah"]] == [UNIT]
        rows = {p["nip"]: p for p in rekap["perangkat_daerah"][0]["pegawai"]}
        assert rows[PEGAWAI_NIP]["capaian_hasil_kerja"] == 93.33 and rows[PEGAWAI_NIP]["izin"] == 1
        assert rows[OTHER]["capaian_hasil_kerja"] == 0 and rows[OTHER]["cuti_sakit"] == 2 and rows[OTHER]["alpa"] == 1
        assert (await client.get("/api/v1/rekap/bulanan/2025/9", headers=tokens(PENILAI_NIP, "atasan"))).status_code == 403

        r = await client.get("/api/v1/rekap/bulanan/2025/9", params={"format": "xlsx"}, headers=admin)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
        ws = load_workbook(io.BytesIO(r.content)).active
        assert ws["A1"].value.startswith("Rekapitulasi Penilaian Kinerja dan Kehadiran Bulan September Tahun 2025")
        assert [ws.cell(4, c).value for c in range(1, 9)] == ["No", "Nama", "NRK", "NIPPPK", "Jabatan", "Lokasi Kerja",
                                                             "Capaian Hasil Kerja", "Jumlah Hari Kerja Efektif"]
        assert ws["I4"].value == "Ketidakhadiran" and [ws.cell(5, c).value for c in range(9, 13)] == [
            "Izin", "Cuti Sakit", "Cuti Melahirkan", "Alpa"]
        assert {ws.cell(r_, 4).value for r_ in (6, 7)} == {PEGAWAI_NIP, OTHER}


async def test_annual_result_extension_and_organisation_warning(app, tokens, clock):
    admin, penilai = tokens("198001012005011001", "admin", instansi=DKI), tokens(PENILAI_NIP, "atasan")
    async with running(app) as client:
        await two_pegawai_in_september(app, client, tokens)
        for day in (dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 6)):
            clock.set(at(day))  # Oct..Dec open on time and pass with nothing entered; everything closes
            await app.state.runtime.container.scheduler.run_once()
        res = (await client.get(f"/api/v1/hasil-tahunan/{PEGAWAI_NIP}/2025", headers=tokens(PEGAWAI_NIP, "pegawai"))).json()
        assert len(res) == 1 and res[0]["status"] == "closed"
        assert [p["capaian_hasil_kerja"] for p in res[0]["periode"]] == [93.33, 0, 0, 0]
        assert res[0]["rata_rata_capaian"] == 23.33
        rec = res[0]["rekomendasi_perpanjangan"]
        assert rec["rekomendasi"] == "belum dapat ditentukan" and len(rec["alasan"]) == 2  # no annual rating yet
        annual = {e["nip"]: e for e in (await client.get("/api/v1/evaluations", params={
            "period_id": "2025/PPPK_PARUH_WAKTU/annual", "peran": "penilai"}, headers=penilai)).json()}
        ev = (await client.get(f"/api/v1/evaluations/{annual[PEGAWAI_NIP]['id']}", headers=penilai)).json()
        assert ev["capaian_hasil_kerja"] == 23.33 and ev["saran_rating_hasil_kerja"] == "Dibawah Ekspektasi"
        for n in (PEGAWAI_NIP, OTHER):
            r = await client.post(f"/api/v1/evaluations/{annual[n]['id']}/penilaian", json={
                "version": annual[n]["version"], "rating_hasil_kerja": "Diatas Ekspektasi",
                "rating_perilaku": "Diatas Ekspektasi"}, headers=penilai)
            assert r.status_code == 200 and r.json()["predikat"] == "Sangat Baik"
        res = (await client.get(f"/api/v1/hasil-tahunan/{PEGAWAI_NIP}/2025", headers=penilai)).json()
        assert res[0]["predikat"] == "Sangat Baik" and res[0]["rating_perilaku"] == "Diatas Ekspektasi"
        # the advice follows the penilai's annual ratings (DKI 2026); no capaian number unless configured
        assert res[0]["rekomendasi_perpanjangan"]["rekomendasi"] == "diperpanjang"
        assert_documented(app, "GET", "/api/v1/hasil-tahunan/{nip}/{tahun}", 200, res)

        r = await client.put("/api/v1/organisasi/capaian/2025", json={"unit_kerja": UNIT, "capaian": "Baik"}, headers=admin)
        assert r.status_code == 200
        assert r.json() == {"unit_kerja": UNIT, "tahun": 2025, "capaian": "Baik"}
        units = (await client.get("/api/v1/organisasi/capaian/2025", headers=admin)).json()
        assert_documented(app, "GET", "/api/v1/organisasi/capaian/{tahun}", 200, units)
        assert list(units[0]) == ["unit_kerja", "tahun", "capaian_organisasi", "jumlah_pegawai",
                                  "rata_rata_capaian_pegawai", "distribusi_predikat", "peringatan"]
        assert units[0]["distribusi_predikat"]["Sangat Baik"] == 2 and units[0]["jumlah_pegawai"] == 2
        assert units[0]["peringatan"] and "Sangat Baik" in units[0]["peringatan"][0]
        warn = (await client.get("/api/v1/organisasi/capaian/2025", params={"hanya_peringatan": True}, headers=admin)).json()
        assert [u["unit_kerja"] for u in warn] == [UNIT]
        r = await client.put("/api/v1/organisasi/capaian/2025", json={"unit_kerja": UNIT, "capaian": "Istimewa"}, headers=admin)
        warn = (await client.get("/api/v1/organisasi/capaian/2025", params={"hanya_peringatan": True}, headers=admin)).json()
        assert warn and "melebihi panduan 50%" in warn[0]["peringatan"][0]  # 100 % Sangat Baik > 50 %

        # an admin of another instansi with a unit of the same name neither sees nor rewrites DKI's (issue 14)
        bandung = tokens("198001012005011009", "admin", instansi="Pemerintah Kota Bandung")
        assert (await client.get("/api/v1/organisasi/capaian/2025", headers=bandung)).json() == []
        r = await client.put("/api/v1/organisasi/capaian/2025", json={"unit_kerja": UNIT, "capaian": "Kurang"},
                             headers=bandung)
        assert r.status_code == 200
        [theirs] = (await client.get("/api/v1/organisasi/capaian/2025", headers=bandung)).json()
        assert (theirs["capaian_organisasi"], theirs["jumlah_pegawai"]) == ("Kurang", 0)
        [ours] = (await client.get("/api/v1/organisasi/capaian/2025", headers=admin)).json()
        assert (ours["capaian_organisasi"], ours["jumlah_pegawai"]) == ("Istimewa", 2)
        # the evaluation's document shows its own instansi's value
        r = await client.get(f"/api/v1/evaluations/{annual[PEGAWAI_NIP]['id']}/dokumen", params={"format": "xlsx"},
                             headers=penilai)
        assert r.status_code == 200, r.text
        cells = {str(c.value) for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row if c.value}
        assert "Istimewa" in cells and "Kurang" not in cells
