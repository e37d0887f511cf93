"""SKP documents over HTTP: CRUD with versions, list, access, submit, diff, cascade."""

from __future__ import annotations

import json

from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import assert_documented, running
from sqlalchemy import text

from .conftest import INSTANSI, NEXT_YEAR


async def test_create_returns_findings_and_read_shows_deadline(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        draft = pppk_skp(**NEXT_YEAR)
        draft["hasil_kerja"][0]["iki"][0]["target"] = None
        r = await client.post("/api/v1/skp", json=draft, headers=me)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "Draft" and body["terkunci"] is False
        assert [e["path"] for e in body["validation"]["errors"]] == ["hasil_kerja[0].iki[0].target"]
        r = await client.get(f"/api/v1/skp/{body['id']}", headers=me)
        assert r.json()["deadline"] == "2027-01-31"
        assert r.json()["content"]["perilaku_kerja"][6]["nilai"] == "Kolaboratif"
        # the same pegawai and period twice
        r = await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)
        assert r.status_code == 409 and r.json()["skp_id"] == body["id"]


async def test_update_needs_a_current_version_and_delete_a_draft(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        r = await client.put(url, json={"content": pppk_skp()}, headers=me)
        assert r.status_code == 428 and r.json()["code"] == "version-required"
        changed = {**pppk_skp(), "tempat": "Jakarta"}
        r = await client.put(url, json={"version": 1, "content": changed}, headers=me)
        assert r.status_code == 200 and r.json()["version"] == 2
        # same content again: no new version
        r = await client.put(url, json={"content": changed}, headers={**me, "If-Match": '"2"'})
        assert r.json()["version"] == 2
        r = await client.delete(url, headers={**me, "If-Match": '"1"'})
        assert r.status_code == 409 and r.json()["code"] == "stale-version"
        r = await client.delete(url, params={"version": 2}, headers=me)
        assert r.status_code == 204
        assert (await client.get(url, headers=me)).status_code == 404


async def test_list_filters_and_pagination(app, directory, tokens):
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    jabar = "Pemerintah Provinsi Jawa Barat"
    async with running(app) as client:
        await directory()
        for n in range(5):
            data = pppk_skp(pegawai_nip=nip(n, born="19920101", appointed="202521", sex=2), pegawai_nama=f"Pegawai {n}")
            if n % 2:  # the unit kerja is the directory's
                data["pegawai"]["unit_kerja"] = "Kelurahan Cipinang"
            await directory(data)
            assert (await client.post("/api/v1/skp", json=data, headers=admin)).status_code == 201
        other = pppk_skp(pegawai_nip=nip(9), penilai_nip=nip(8), pegawai_nama="Dari Jawa Barat")
        for who in ("pegawai", "penilai", "atasan_pejabat_penilai"):
            other[who]["instansi"] = jabar
        other["atasan_pejabat_penilai"]["nip"] = nip(7)
        await directory(other)
        r = await client.post("/api/v1/skp", json=other, headers=admin)
        assert r.status_code == 422 and r.json()["code"] == "pegawai-not-in-directory"  # outside the admin's instansi
        r = await client.post("/api/v1/skp", json=other, headers=tokens("portal-jabar", "portal", instansi=jabar))
        assert r.status_code == 201

        page = (await client.get("/api/v1/skp", params={"limit": 2, "tahun": 2025}, headers=admin)).json()
        assert page["total"] == 5 and len(page["items"]) == 2
        page2 = (await client.get("/api/v1/skp", params={"limit": 2, "offset": 4}, headers=admin)).json()
        assert len(page2["items"]) == 1
        names = {i["nama"] for i in page["items"]} | {i["nama"] for i in page2["items"]}
        assert "Dari Jawa Barat" not in names
        unit = (await client.get("/api/v1/skp", params={"unit_kerja": "Kelurahan Cipinang"}, headers=admin)).json()
        assert unit["total"] == 2
        assert (await client.get("/api/v1/skp", params={"status": "Pending"}, headers=admin)).json()["total"] == 0
        assert (await client.get("/api/v1/skp", params={"penilai_nip": PENILAI_NIP}, headers=admin)).json()["total"] == 5
        assert (await client.get("/api/v1/skp", params={"tahun": 2026}, headers=admin)).json()["total"] == 0
        # the penilai (atasan) sees the SKPs they appraise; a pegawai only their own
        assert (await client.get("/api/v1/skp", headers=tokens(PENILAI_NIP, "atasan"))).json()["total"] == 5
        assert (await client.get("/api/v1/skp", headers=tokens(nip(8), "atasan"))).json()["total"] == 1
        mine = (await client.get("/api/v1/skp", headers=tokens(nip(1, born="19920101", appointed="202521", sex=2), "pegawai"))).json()
        assert mine["total"] == 1 and mine["items"][0]["nama"] == "Pegawai 1"
        # an admin token without instansi has no scope
        r = await client.get("/api/v1/skp", headers=tokens("admin-x", "admin"))
        assert r.status_code == 403 and r.json()["code"] == "instansi-scope-missing"


async def test_access_rules(app, directory, tokens):
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=tokens(PEGAWAI_NIP, "pegawai"))).json()
        url = f"/api/v1/skp/{skp['id']}"
        assert (await client.get(url, headers=tokens(PENILAI_NIP, "atasan"))).status_code == 200
        r = await client.put(url, json={"version": 1, "content": pppk_skp()}, headers=tokens(PENILAI_NIP, "atasan"))
        assert r.status_code == 403  # the penilai reads, never edits
        assert (await client.get(url, headers=tokens(ATASAN_PEJABAT_PENILAI_NIP, "atasan"))).status_code == 403
        assert (await client.get(url, headers=tokens("a", "admin", instansi=INSTANSI))).status_code == 200
        assert (await client.get(url, headers=tokens("a", "admin", instansi="Pemerintah Kota Bandung"))).status_code == 403
        r = await client.post("/api/v1/skp", json=pppk_skp(pegawai_nip=nip(5)), headers=tokens(PEGAWAI_NIP, "pegawai"))
        assert r.status_code == 403  # nobody drafts someone else's SKP as pegawai
        r = await client.post("/api/v1/skp/bulk", json={"items": [pppk_skp()]}, headers=tokens(PEGAWAI_NIP, "pegawai"))
        assert r.status_code == 403


async def test_submit_validates_writes_the_event_and_locks(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        bad = pppk_skp(**NEXT_YEAR)
        for r in bad["hasil_kerja"]:
            r["jenis"] = "Tambahan"
        skp = (await client.post("/api/v1/skp", json=bad, headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        r = await client.post(f"{url}/submit", json={"version": 1}, headers=me)
        assert r.status_code == 422 and r.json()["code"] == "skp-invalid"
        assert {e["rule"] for e in r.json()["errors"]} == {"rhk-utama-required"}

        r = await client.put(url, json={"version": 1, "content": pppk_skp(**NEXT_YEAR)}, headers=me)
        assert r.status_code == 200
        # answers are built from the values the UPDATE wrote (no refresh): they must match what is stored
        stored = (await client.get(url, headers=me)).json()
        assert {k: v for k, v in r.json().items() if k != "validation"} == {k: v for k, v in stored.items() if k != "validation"}
        assert stored["version"] == 2
        r = await client.post(f"{url}/submit", headers={**me, "If-Match": '"1"'})
        assert r.status_code == 409 and r.json()["code"] == "stale-version"
        r = await client.post(f"{url}/submit", headers={**me, "If-Match": '"2"'})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Pending" and r.json()["terkunci"] is True
        assert r.json() == (await client.get(url, headers=me)).json()

        r = await client.put(url, json={"version": 2, "content": pppk_skp(**NEXT_YEAR)}, headers=me)
        assert r.status_code == 409 and r.json()["code"] == "skp-locked"
        assert "Pending" in r.json()["detail"]
        r = await client.post(f"{url}/submit", headers={**me, "If-Match": '"2"'})
        assert r.status_code == 409
        r = await client.delete(url, headers={**me, "If-Match": '"2"'})
        assert r.status_code == 409

        async with app.state.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT subject, payload FROM outbox"))).all()
        assert [row.subject for row in rows] == ["kinerja.skp.submitted"]
        env = json.loads(bytes(rows[0].payload))
        assert env["data"]["version"] == 2
        assert env["data"]["content_hash"] == r.json().get("content_hash", env["data"]["content_hash"])
        assert env["data"]["snapshot"]["hasil_kerja"][0]["id"] == "rhk-1"
        assert env["actor"]["sub"] == PEGAWAI_NIP


async def test_versions_and_field_diff(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        v2 = pppk_skp()
        v2["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
        v2["hasil_kerja"].pop(2)
        await client.put(url, json={"version": 1, "content": v2}, headers=me)
        versions = (await client.get(f"{url}/versions", headers=me)).json()
        assert [v["version"] for v in versions] == [1, 2]
        assert versions[0]["content_hash"] != versions[1]["content_hash"]
        one = (await client.get(f"{url}/versions/1", headers=me)).json()
        assert_documented(app, "GET", "/api/v1/skp/{skp_id}/versions/{version}", 200, one)
        assert list(one) == ["version", "content_hash", "created_by", "created_at", "content"]
        assert_documented(app, "GET", "/api/v1/skp/{skp_id}", 200, (await client.get(url, headers=me)).json())
        assert one["content"]["hasil_kerja"][0]["iki"][0]["target"]["nilai"] == "4"
        d = (await client.get(f"{url}/diff", params={"dari": 1, "ke": 2}, headers=me)).json()
        assert_documented(app, "GET", "/api/v1/skp/{skp_id}/diff", 200, d)
        assert list(d) == ["dari", "ke", "changes"] and d["dari"] == 1 and d["ke"] == 2
        assert [(c["path"], c["kind"]) for c in d["changes"]] == [
            ("hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai", "changed"), ("hasil_kerja[id=rhk-3]", "removed")]
        assert d["changes"][0] == {"path": "hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai", "kind": "changed",
                                   "before": "4", "after": "12"}
        assert d["changes"][1]["before"]["id"] == "rhk-3" and d["changes"][1]["after"] is None
        assert (await client.get(f"{url}/diff", params={"dari": 1, "ke": 9}, headers=me)).status_code == 404


async def test_validate_without_saving(app, directory, tokens):
    async with running(app) as client:
        await directory()
        bad = pppk_skp(penilai_nip=PEGAWAI_NIP)
        r = await client.post("/api/v1/skp/validate", json=bad, headers=tokens(PEGAWAI_NIP, "pegawai"))
        assert r.status_code == 200
        assert r.json()["valid"] is False
        assert {"path": "penilai.nip", "rule": "penilai-differs"}.items() <= r.json()["errors"][0].items()
        page = (await client.get("/api/v1/skp", headers=tokens(PEGAWAI_NIP, "pegawai"))).json()
        assert page["total"] == 0


async def test_cascade_tree_across_levels(app, directory, tokens):
    kepala = ATASAN_PEJABAT_PENILAI_NIP
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        top = pppk_skp(pegawai_nip=kepala, penilai_nip=nip(7, born="19650101", appointed="199001"), pegawai_nama="Kepala Sudin")
        top["jenis_pegawai"], top["atasan_pejabat_penilai"] = "PNS", None
        top["hasil_kerja"][0]["id"] = "k-1"
        mid = pppk_skp(pegawai_nip=PENILAI_NIP, penilai_nip=kepala, pegawai_nama="Kepala Seksi")
        mid["jenis_pegawai"], mid["atasan_pejabat_penilai"] = "PNS", None
        await directory(mid, top)  # Kepala Seksi under the Kepala Sudin, under nip(7)
        r = await client.post("/api/v1/skp", json=top, headers=admin)
        assert r.status_code == 201, r.text
        top_id = r.json()["id"]
        mid["hasil_kerja"][0]["rhk_intervensi_id"] = "k-1"
        mid["hasil_kerja"][0]["id"] = "s-1"
        r = await client.post("/api/v1/skp", json=mid, headers=admin)
        assert r.json()["validation"]["valid"] is True
        low = pppk_skp()
        low["hasil_kerja"][0]["rhk_intervensi_id"] = "s-1"
        low["hasil_kerja"][1]["rhk_intervensi_id"] = "tidak-ada"
        r = await client.post("/api/v1/skp", json=low, headers=admin)
        assert [e["path"] for e in r.json()["validation"]["errors"]] == ["hasil_kerja[1].rhk_intervensi_id"]
        tree = (await client.get(f"/api/v1/skp/{top_id}/cascade", headers=admin)).json()
        k1 = next(n for n in tree["rhk"] if n["rhk_id"] == "k-1")
        assert [n["pegawai"]["nama"] for n in k1["intervensi"]] == ["Kepala Seksi"]
        s1 = k1["intervensi"][0]
        assert [(n["pegawai"]["nip"], n["rhk_id"]) for n in s1["intervensi"]] == [(PEGAWAI_NIP, "rhk-1")]
        assert all(not n["intervensi"] for n in tree["rhk"] if n["rhk_id"] != "k-1")


async def test_openapi_has_indonesian_summaries_and_examples(app, directory):
    async with running(app) as client:
        await directory()
        spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/api/v1/skp"]["post"]
    assert post["summary"].startswith("Buat draft SKP")
    assert "pppk_paruh_waktu" in post["requestBody"]["content"]["application/json"]["examples"]
    assert "/api/v1/skp/bulk" in spec["paths"] and "/api/v1/skp/{skp_id}/diff" in spec["paths"]
    bulk = spec["paths"]["/api/v1/skp/bulk"]["post"]["requestBody"]["content"]["application/json"]
    assert bulk["schema"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/SkpDraft"}
    assert "satu_draft" in bulk["examples"]


async def test_concurrent_writes_on_one_version_lose_no_update(app, directory, tokens):
    """Two editors send version 1 at the same time: the database lets one win, the other gets 409."""
    import asyncio

    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        a, b = {**pppk_skp(), "tempat": "Jakarta"}, {**pppk_skp(), "tempat": "Bekasi"}
        results = await asyncio.gather(*(client.put(url, json={"version": 1, "content": c}, headers=me) for c in (a, b)))
        assert sorted(r.status_code for r in results) == [200, 409]
        winner = next(r for r in results if r.status_code == 200).json()
        current = (await client.get(url, headers=me)).json()
        assert current["version"] == 2 and current["content"]["tempat"] == winner["content"]["tempat"]
        assert [v["version"] for v in (await client.get(f"{url}/versions", headers=me)).json()] == [1, 2]


async def test_tenfold_warning_against_last_years_skp(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        await client.post("/api/v1/skp", json=pppk_skp(mulai="2026-01-01", selesai="2026-12-31"), headers=me)
        typo = pppk_skp(**NEXT_YEAR)
        typo["hasil_kerja"][1]["iki"][0]["target"]["nilai"] = "10"  # was 100 %
        r = await client.post("/api/v1/skp", json=typo, headers=me)
        body = r.json()["validation"]
        assert body["valid"] is True
        assert [(w["rule"], w["path"]) for w in body["warnings"] if w["rule"] == "target-tenfold"] == [
            ("target-tenfold", "hasil_kerja[1].iki[0].target")]


async def test_referensi_perilaku_kerja_lists_the_seven_values(app):
    async with running(app) as client:
        r = await client.get("/api/v1/skp/referensi/perilaku-kerja")
    assert r.status_code == 200
    assert_documented(app, "GET", "/api/v1/skp/referensi/perilaku-kerja", 200, r.json())
    assert [x["nilai"] for x in r.json()][:2] == ["Berorientasi Pelayanan", "Akuntabel"] and len(r.json()) == 7
    assert all(list(x) == ["nilai", "panduan"] and x["panduan"] for x in r.json())
