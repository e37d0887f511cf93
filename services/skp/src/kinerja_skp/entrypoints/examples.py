"""OpenAPI examples (Bahasa Indonesia), built from the PPPK Paruh Waktu SKP
of the DKI Jakarta 2026 socialisation."""

from __future__ import annotations

import copy

_UNIT = "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"
_INSTANSI = "Pemerintah Provinsi DKI Jakarta"

SKP_PPPK: dict = {
    "periode": {"mulai": "2026-01-01", "selesai": "2026-12-31"},
    "jenis_pegawai": "PPPK_PARUH_WAKTU",
    "jenis_jabatan": "pelaksana",
    "pendekatan": "kuantitatif",
    "tanggal_sk": "2026-01-02",
    "tempat": "Jakarta",
    "pegawai": {"nip": "199503152025212001", "nama": "Siti Rahmawati", "email": "siti.rahma@example.go.id",
                "nrk": None, "pangkat_golongan": "IX", "jabatan": "Pengelola Umum Operasional",
                "unit_kerja": _UNIT, "instansi": _INSTANSI},
    "penilai": {"nip": "197806102005011002", "nama": "Budi Santoso, S.Pd., M.M.", "email": "budi.santoso@example.go.id",
                "pangkat_golongan": "Pembina IV/a", "jabatan": "Kepala Seksi Sarana dan Prasarana",
                "unit_kerja": _UNIT, "instansi": _INSTANSI},
    "atasan_pejabat_penilai": {"nip": "197001011995031003", "nama": "Dra. Hj. Ratna Dewi, M.Si.",
                       "email": "ratna.dewi@example.go.id", "pangkat_golongan": "Pembina Utama Muda IV/c",
                       "jabatan": "Kepala Suku Dinas Pendidikan Wilayah I", "unit_kerja": _UNIT, "instansi": _INSTANSI},
    "hasil_kerja": [
        {"id": "rhk-1", "jenis": "Utama",
         "uraian": "Terlaksananya persiapan pelaksanaan dengan memeriksa alat dan bahan pengelolaan umum operasional "
                   "sesuai dengan ketentuan yang berlaku",
         "rhk_intervensi_uraian": "Terkelolanya sarana dan prasarana sekolah secara tertib",
         "iki": [{"id": "iki-1", "aspek": "Kuantitas",
                  "indikator": "Laporan pemeriksaan alat dan bahan pengelolaan umum operasional sesuai dengan ketentuan "
                               "yang berlaku",
                  "target": {"jenis": "angka", "nilai": "12", "satuan": "Laporan"},
                  "target_bulanan": ["1"] * 12}]},
        {"id": "rhk-2", "jenis": "Utama", "uraian": "Terlaksananya layanan operasional dan pengelolaan layanan",
         "rhk_intervensi_uraian": "Terkelolanya sarana dan prasarana sekolah secara tertib",
         "iki": [{"id": "iki-2", "aspek": "Kuantitas",
                  "indikator": "Persentase pelaksanaan layanan operasional dan pengelolaan layanan",
                  "target": {"jenis": "angka", "nilai": "100", "satuan": "%"}}]},
        {"id": "rhk-3", "jenis": "Utama",
         "uraian": "Tertibnya pelaporan dan penanganan kerusakan alat serta bahan layanan secara tertib sesuai "
                   "ketentuan yang berlaku",
         "rhk_intervensi_uraian": "Terkelolanya sarana dan prasarana sekolah secara tertib",
         "iki": [{"id": "iki-3", "aspek": "Kuantitas",
                  "indikator": "Laporan kerusakan alat dan bahan layanan serta penanganannya sesuai ketentuan yang berlaku",
                  "target": {"jenis": "angka", "nilai": "12", "satuan": "Laporan"}}]},
    ],
    "perilaku_kerja": [{"nilai": "Berorientasi Pelayanan", "ekspektasi_khusus": "Melayani warga sekolah dengan ramah"}],
    "lampiran": {"dukungan_sumber_daya": ["Alat dan bahan pengelolaan umum operasional"],
                 "skema_pertanggungjawaban": ["Laporan bulanan kepada Kepala Seksi"],
                 "konsekuensi": ["Apabila memenuhi ekspektasi, kontrak dapat diperpanjang",
                                 "Apabila tidak memenuhi ekspektasi, kontrak tidak diperpanjang"]},
}


def skp_example() -> dict:
    return copy.deepcopy(SKP_PPPK)


def skp_tanpa_utama() -> dict:
    bad = skp_example()
    for r in bad["hasil_kerja"]:
        r["jenis"] = "Tambahan"
    bad["hasil_kerja"][0]["iki"][0]["target"] = None
    return bad


CONTENT_EXAMPLES = {
    "pppk_paruh_waktu": {
        "summary": "SKP PPPK Paruh Waktu DKI Jakarta 2026 (Pengelola Umum Operasional)",
        "value": SKP_PPPK,
    },
}
VALIDATE_EXAMPLES = {
    **CONTENT_EXAMPLES,
    "tanpa_rhk_utama": {"summary": "SKP tanpa RHK Utama dan tanpa target (tidak valid)", "value": skp_tanpa_utama()},
}
