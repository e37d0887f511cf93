"""Issue 16 through the skp API: the shared target rule, the sourced rencana
aksi rule and the new warnings, answered by POST /api/v1/skp/validate."""

from __future__ import annotations

from kinerja_devstack.samples import PEGAWAI_NIP, pppk_skp
from kinerja_devstack.testing import running
from kinerja_platform.settings import CommonSettings
from kinerja_skp.main import create_app
from kinerja_skp.settings import Settings

from .conftest import INSTANSI


def _rules(body: dict, kind: str) -> set[tuple[str, str]]:
    return {(f["rule"], f["path"]) for f in body[kind]}


async def test_validate_uses_the_shared_rule_and_the_sourced_rencana_aksi_rule(new_database, nats_server, tokens):
    app = create_app(Settings(database_url=new_database("skp"), rencana_aksi_instansi=[INSTANSI],
                              common=CommonSettings(nats_url=nats_server.url)))
    me = tokens(PEGAWAI_NIP, "pegawai")
    draft = pppk_skp()
    iki = draft["hasil_kerja"][0]["iki"][0]
    iki["target"] = {"jenis": "angka", "nilai": "3", "satuan": "indeks"}  # a level: months are not summed
    iki["target_bulanan"] = [None] * 8 + ["3"] * 4
    waktu = draft["hasil_kerja"][1]["iki"][0]
    waktu["aspek"], waktu["target"], waktu["target_bulanan"] = "Waktu", {"jenis": "angka", "nilai": "2", "satuan": "hari kerja"}, None
    draft["lampiran"]["konsekuensi"] = []
    for r in draft["hasil_kerja"]:
        for x in r["iki"]:  # two rencana aksi of one output each; target in TW IV: one output there
            x["rencana_aksi"] = [{"uraian": "a", "output": [{"uraian": "a1", "triwulan": "III"}]},
                                 {"uraian": "b", "output": [{"uraian": "b1", "triwulan": "IV"}]}]
    async with running(app) as client:
        r = await client.post("/api/v1/skp/validate", json=draft, headers=me)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["valid"], body["errors"]
        assert not [w for w in body["warnings"] if w["rule"].endswith("-sum")]
        assert ("target-arah-waktu-biaya", "hasil_kerja[1].iki[0].polaritas") in _rules(body, "warnings")
        assert ("lampiran-kosong", "lampiran.konsekuensi") in _rules(body, "warnings")
        for r_ in draft["hasil_kerja"]:
            for x in r_["iki"]:
                x["rencana_aksi"] = [{"uraian": "a", "output": [{"uraian": "a1", "triwulan": "III"}]}]
        body = (await client.post("/api/v1/skp/validate", json=draft, headers=me)).json()
        assert ("rencana-aksi-min-output", "hasil_kerja[0].iki[0].rencana_aksi") in _rules(body, "errors")



async def test_a_second_overlapping_skp_is_announced_as_mutasi(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        first = pppk_skp(mulai="2027-01-01", selesai="2027-12-31")
        assert (await client.post("/api/v1/skp", json=first, headers=me)).status_code == 201
        second = pppk_skp(mulai="2027-07-01", selesai="2027-12-31")
        r = await client.post("/api/v1/skp/validate", json=second, headers=me)
        body = r.json()
        assert body["valid"] and ("skp-mutasi", "periode.mulai") in _rules(body, "warnings")
