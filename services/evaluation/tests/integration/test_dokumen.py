"""The Dokumen Evaluasi Kinerja Pegawai (PDF, XLSX) and the DKI monthly sheet, over HTTP."""

from __future__ import annotations

import io

from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP
from openpyxl import load_workbook

from .test_evaluation_api import open_september, running


async def test_documents_of_one_evaluation(app, tokens, clock):
    me, penilai = tokens(PEGAWAI_NIP, "pegawai"), tokens(PENILAI_NIP, "atasan")
    async with running(app) as client:
        eid = await open_september(app, client, tokens)
        body = {"version": 1, "items": [{"iki_id": "iki-1", "nilai": 1}, {"iki_id": "iki-2", "nilai": 79.995},
                                        {"iki_id": "iki-3", "nilai": 1}]}
        assert (await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=body, headers=me)).status_code == 200
        pen = {"version": 2, "umpan_balik_rhk": {"rhk-1": "Laporan tepat waktu"},
               "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Diatas Ekspektasi"}
        assert (await client.post(f"/api/v1/evaluations/{eid}/penilaian", json=pen, headers=penilai)).status_code == 200

        r = await client.get(f"/api/v1/evaluations/{eid}/dokumen", headers=me)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content[:5] == b"%PDF-"
        assert "September-2025" in r.headers["content-disposition"]
        r = await client.get(f"/api/v1/evaluations/{eid}/dokumen", params={"format": "xlsx"}, headers=me)
        ws = load_workbook(io.BytesIO(r.content)).active
        cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert ws["A1"].value == "DOKUMEN EVALUASI KINERJA PEGAWAI" and ws["A2"].value == "PERIODE: SEPTEMBER 2025"
        for text in ("PEGAWAI YANG DINILAI", "PEJABAT PENILAI KINERJA", "ATASAN PEJABAT PENILAI KINERJA",
                     "CAPAIAN KINERJA ORGANISASI", "PREDIKAT KINERJA PEGAWAI", "CATATAN/REKOMENDASI", "Baik",
                     PEGAWAI_NIP, PENILAI_NIP, ATASAN_PEJABAT_PENILAI_NIP, "rhk-1: Laporan tepat waktu"):
            assert text in cells, text

        r = await client.get(f"/api/v1/evaluations/{eid}/lembar-bulanan", headers=me)
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        assert ws["A1"].value.startswith("Evaluasi Kinerja Bulanan Pegawai - Pegawai Pemerintah dengan Perjanjian Kerja "
                                         "Paruh Waktu - Bulan September 2025")
        head = rows.index(["No", "Indikator Kinerja Individu", "Target Tahunan", "Target Bulan", "Realisasi", "Capaian"])
        assert rows[head + 2][2:] == ["100 %", "100 %", "79,995 %", "80 %"]  # 79.995 of 100 % is capaian 80 (two decimals)
        r = await client.get(f"/api/v1/evaluations/{eid}/lembar-bulanan", params={"format": "pdf"}, headers=me)
        assert r.status_code == 200 and r.content[:5] == b"%PDF-"
        r = await client.get(f"/api/v1/evaluations/{eid}/dokumen", headers=tokens("199001012015011999", "pegawai"))
        assert r.status_code == 403
