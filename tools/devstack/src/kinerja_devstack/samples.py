"""Sample SKP documents for tests, benchmarks and docs.

Built from the PPPK Paruh Waktu example of the DKI Jakarta 2026 socialisation
(../shared/reference/sosialisasi-skp-pppk-paruh-waktu-dki-2026.txt): a
"Pengelola Umum Operasional" (golongan IX) appraised by a Kepala Seksi
(Pembina IV/a), period 1 September - 31 December 2025.
"""

from __future__ import annotations

import copy

BERAKHLAK = ["Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal", "Adaptif", "Kolaboratif"]

PEGAWAI_NIP = "199503152025212001"  # born 1995-03-15, appointed 2025-21?, female
PENILAI_NIP = "197806102005011002"  # born 1978-06-10, appointed 2005-01, male
ATASAN_PEJABAT_PENILAI_NIP = "197001011995031003"


def nip(n: int, *, born: str = "19900101", appointed: str = "201501", sex: int = 1) -> str:
    """A structurally valid NIP: birth date, appointment month, sex digit, 3-digit sequence."""
    return f"{born}{appointed}{sex}{n % 1000:03d}"


def person(nip_: str, nama: str, *, email: str | None = None, jabatan: str = "Pengelola Umum Operasional",
           pangkat: str = "IX", unit: str = "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur") -> dict:
    return {
        "nip": nip_,
        "nama": nama,
        "email": email,
        "pangkat_golongan": pangkat,
        "jabatan": jabatan,
        "unit_kerja": unit,
        "instansi": "Pemerintah Provinsi DKI Jakarta",
    }


def pppk_skp(
    pegawai_nip: str = PEGAWAI_NIP,
    penilai_nip: str = PENILAI_NIP,
    *,
    pegawai_email: str | None = "siti.rahma@example.go.id",
    penilai_email: str | None = "budi.santoso@example.go.id",
    pegawai_nama: str = "Siti Rahmawati",
    penilai_nama: str = "Budi Santoso, S.Pd., M.M.",
    mulai: str = "2025-09-01",
    selesai: str = "2025-12-31",
) -> dict:
    """The PPPK Paruh Waktu SKP of the DKI sample, as the API takes it."""
    return copy.deepcopy(
        {
            "periode": {"mulai": mulai, "selesai": selesai},
            "jenis_pegawai": "PPPK_PARUH_WAKTU",
            "jenis_jabatan": "pelaksana",
            "pendekatan": "kuantitatif",
            "pegawai": person(pegawai_nip, pegawai_nama, email=pegawai_email),
            "penilai": person(penilai_nip, penilai_nama, email=penilai_email, jabatan="Kepala Seksi Sarana dan Prasarana",
                              pangkat="Pembina IV/a"),
            "atasan_pejabat_penilai": person(ATASAN_PEJABAT_PENILAI_NIP, "Dra. Hj. Ratna Dewi, M.Si.", email="ratna.dewi@example.go.id",
                                     jabatan="Kepala Suku Dinas Pendidikan Wilayah I", pangkat="Pembina Utama Muda IV/c"),
            "hasil_kerja": [
                {
                    "id": "rhk-1",
                    "jenis": "Utama",
                    "uraian": "Terlaksananya persiapan pelaksanaan dengan memeriksa alat dan bahan pengelolaan umum "
                    "operasional sesuai dengan ketentuan yang berlaku",
                    "rhk_intervensi_uraian": "Terkelolanya sarana dan prasarana sekolah secara tertib",
                    "iki": [
                        {
                            "id": "iki-1",
                            "aspek": "Kuantitas",
                            "indikator": "Laporan pemeriksaan alat dan bahan pengelolaan umum operasional sesuai dengan "
                            "ketentuan yang berlaku",
                            "target": {"jenis": "angka", "nilai": "4", "satuan": "Laporan"},
                            "target_bulanan": [None, None, None, None, None, None, None, None, "1", "1", "1", "1"],
                        }
                    ],
                },
                {
                    "id": "rhk-2",
                    "jenis": "Utama",
                    "uraian": "Terlaksananya layanan operasional dan pengelolaan layanan",
                    "iki": [
                        {
                            "id": "iki-2",
                            "aspek": "Kuantitas",
                            "indikator": "Persentase pelaksanaan layanan operasional dan pengelolaan layanan",
                            "target": {"jenis": "angka", "nilai": "100", "satuan": "%"},
                        }
                    ],
                },
                {
                    "id": "rhk-3",
                    "jenis": "Utama",
                    "uraian": "Tertibnya pelaporan dan penanganan kerusakan alat serta bahan layanan secara tertib sesuai "
                    "ketentuan yang berlaku",
                    "iki": [
                        {
                            "id": "iki-3",
                            "aspek": "Kuantitas",
                            "indikator": "Laporan kerusakan alat dan bahan layanan serta penanganannya sesuai ketentuan "
                            "yang berlaku",
                            "target": {"jenis": "angka", "nilai": "4", "satuan": "Laporan"},
                        }
                    ],
                },
            ],
            "perilaku_kerja": [{"nilai": v, "ekspektasi_khusus": None} for v in BERAKHLAK],
            "lampiran": {
                "dukungan_sumber_daya": ["Alat dan bahan pengelolaan umum operasional"],
                "skema_pertanggungjawaban": ["Laporan bulanan kepada Kepala Seksi"],
                "konsekuensi": ["Sesuai ketentuan yang berlaku"],
            },
        }
    )


def sample_cli(argv: list[str] | None = None) -> None:
    """``kinerja-sample-skp``: print the sample SKP as JSON, ready to POST.

    By default its period is next year (1 January - 31 December), whose
    submission deadline (31 January) has not passed, so it can be submitted
    on a fresh system; ``--dki`` prints the original DKI 2025 sample.
    """
    import argparse
    import json

    from kinerja_contracts.calendar import today_jakarta

    p = argparse.ArgumentParser(description=sample_cli.__doc__.splitlines()[0])
    p.add_argument("--year", type=int, default=today_jakarta().year + 1)
    p.add_argument("--pegawai", default=PEGAWAI_NIP, help="NIP / NI PPPK of the pegawai")
    p.add_argument("--penilai", default=PENILAI_NIP, help="NIP of the pejabat penilai")
    p.add_argument("--dki", action="store_true", help="the DKI sample as published (period Sep-Dec 2025)")
    a = p.parse_args(argv)
    if a.dki:
        doc = pppk_skp(a.pegawai, a.penilai)
    else:
        doc = pppk_skp(a.pegawai, a.penilai, mulai=f"{a.year}-01-01", selesai=f"{a.year}-12-31")
    print(json.dumps(doc, indent=2, ensure_ascii=False))


# --- the sample directory (seeded by ``make run``; docs/examples/directory-pegawai.csv holds the same people) ---

DKI = "Pemerintah Provinsi DKI Jakarta"
SAMPLE_UNIT_ID = "sudin-pend-jt-1"
SAMPLE_UNIT = {"nama": "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"}


def directory_people() -> list[dict]:
    """The README tour's people as the directory holds them (items of POST /api/v1/people/bulk):
    the pegawai, her pejabat penilai and his superior (the atasan pejabat penilai)."""
    common = {"unit_id": SAMPLE_UNIT_ID, "instansi": DKI, "aktif": True}
    return [
        {"person_id": ATASAN_PEJABAT_PENILAI_NIP, "nip": ATASAN_PEJABAT_PENILAI_NIP, "nama": "Dra. Hj. Ratna Dewi, M.Si.",
         "jenis_asn": "PNS", "pangkat_golongan": "Pembina Utama Muda IV/c",
         "jabatan": "Kepala Suku Dinas Pendidikan Wilayah I", "jenis_jabatan": "administrasi",
         "email": "ratna.dewi@example.go.id", "atasan_id": None, "berlaku_mulai": "2020-01-01", **common},
        {"person_id": PENILAI_NIP, "nip": PENILAI_NIP, "nama": "Budi Santoso, S.Pd., M.M.", "jenis_asn": "PNS",
         "pangkat_golongan": "Pembina IV/a", "jabatan": "Kepala Seksi Sarana dan Prasarana",
         "jenis_jabatan": "administrasi", "email": "budi.santoso@example.go.id",
         "atasan_id": ATASAN_PEJABAT_PENILAI_NIP, "berlaku_mulai": "2020-01-01", **common},
        {"person_id": PEGAWAI_NIP, "nip": PEGAWAI_NIP, "nama": "Siti Rahmawati", "jenis_asn": "PPPK_PARUH_WAKTU",
         "pangkat_golongan": "IX", "jabatan": "Pengelola Umum Operasional", "jenis_jabatan": "administrasi",
         "email": "siti.rahma@example.go.id", "atasan_id": PENILAI_NIP, "berlaku_mulai": "2025-09-01", **common},
    ]


def directory_record_of(person_: dict, atasan: str | None, *, berlaku_mulai: str = "2020-01-01",
                        aktif: bool = True, unit_id: str | None = None) -> dict:
    """A person as the directory publishes them (a ``DirectoryRecord``, what
    :func:`kinerja_devstack.testing.seed_projection` writes into a service's projection),
    from a Pegawai-like block of a sample SKP (:func:`person`) and the NIP of their
    direct superior. Through the directory's API send
    :func:`kinerja_devstack.directory_seed.person_item` instead (it names units by id)."""
    return {
        "person_id": person_["nip"], "nip": person_["nip"], "nama": person_["nama"],
        "email": person_.get("email"), "pangkat_golongan": person_.get("pangkat_golongan"),
        "jabatan": person_.get("jabatan"), "unit_id": unit_id, "unit_kerja": person_.get("unit_kerja"),
        "instansi": person_.get("instansi") or DKI, "aktif": aktif, "atasan_id": atasan, "berlaku_mulai": berlaku_mulai,
    }


def directory_records_of_skp(skp: dict, *, berlaku_mulai: str = "2020-01-01") -> list[dict]:
    """The chain a sample SKP names, as the directory should hold it: the pegawai under the
    penilai, the penilai under the atasan pejabat penilai (when the SKP names one), the
    latter at the top. Seed these and the SKP's people are the directory's."""
    atasan = skp.get("atasan_pejabat_penilai")
    out = [directory_record_of(skp["pegawai"], skp["penilai"]["nip"], berlaku_mulai=berlaku_mulai),
           directory_record_of(skp["penilai"], atasan["nip"] if atasan else None, berlaku_mulai=berlaku_mulai)]
    if atasan:
        out.append(directory_record_of(atasan, None, berlaku_mulai=berlaku_mulai))
    return out


async def seed_directory(client, headers: dict[str, str]) -> str:
    """Write the sample directory into an empty directory service through its
    API (``client``: an ``httpx.AsyncClient`` on it; ``headers``: a portal
    token of :data:`DKI`); leave one that holds people alone (what someone
    changed stays). Says what it did."""
    r = await client.get("/api/v1/people", params={"limit": 1}, headers=headers)
    r.raise_for_status()
    if r.json()["total"]:
        return f"holds {r.json()['total']} people of {DKI}; not seeded"
    (await client.put(f"/api/v1/units/{SAMPLE_UNIT_ID}", json=SAMPLE_UNIT, headers=headers)).raise_for_status()
    r = await client.post("/api/v1/people/bulk", json={"items": directory_people()}, headers=headers)
    r.raise_for_status()
    return f"seeded {r.json()['summary'].get('created', 0)} people of {DKI}"
