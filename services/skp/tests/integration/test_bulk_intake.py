"""Bulk intake from portals: per-item answers, and a retried call changes nothing."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from kinerja_devstack.samples import DKI, pppk_skp
from kinerja_devstack.testing import assert_documented, running
from sqlalchemy import text

from .conftest import INSTANSI


def drafts(n: int) -> list[dict]:
    out = []
    for i in range(n):
        born = dt.date(1990, 1, 1) + dt.timedelta(days=i // 900)
        nip_ = f"{born:%Y%m%d}202521{1 + i % 2}{i % 900:03d}"
        out.append(pppk_skp(pegawai_nip=nip_, pegawai_nama=f"Pegawai PPPK {i}", pegawai_email=f"p{i}@example.go.id"))
    return out


async def counts(app) -> tuple[int, int]:
    async with app.state.engine.connect() as conn:
        docs = (await conn.execute(text("SELECT count(*) FROM skp_document"))).scalar_one()
        versions = (await conn.execute(text("SELECT count(*) FROM skp_version"))).scalar_one()
    return docs, versions


async def test_bulk_upsert_created_updated_unchanged_invalid(app, directory, tokens, settings):
    settings.bulk_chunk_size = 128  # several chunks
    portal = tokens("portal-bkd-dki", "portal", instansi=INSTANSI)
    items = drafts(300)
    async with running(app) as client:
        await directory(*drafts(301))
        r = await client.post("/api/v1/skp/bulk", json={"items": items}, headers=portal)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["summary"]["created"] == 300 and len(body["items"]) == 300
        assert [i["index"] for i in body["items"]] == list(range(300))
        assert all(i["status"] == "created" and i["version"] == 1 and i["issues"] == 0 for i in body["items"])
        assert await counts(app) == (300, 300)

        # the retry changes nothing
        again = (await client.post("/api/v1/skp/bulk", json={"items": items}, headers=portal)).json()
        assert again["summary"]["unchanged"] == 300
        assert [i["skp_id"] for i in again["items"]] == [i["skp_id"] for i in body["items"]]
        assert await counts(app) == (300, 300)

        # a mix: 5 changed, 1 schema error, 1 impossible NI PPPK, 1 other instansi, 1 duplicate, 1 new
        mixed = [dict(d) for d in items[:20]]
        for k in range(5):
            mixed[k] = {**items[k], "tempat": "Jakarta"}
        mixed[5] = {**items[5], "jenis_pegawai": "Honorer"}
        bad_nip = pppk_skp(pegawai_nip="199502302025212001")
        other = pppk_skp(pegawai_nip="198001012025211001")
        other["pegawai"]["instansi"] = "Pemerintah Provinsi Jawa Barat"
        await directory(other)  # a pegawai of Jawa Barat in the directory
        other["pegawai"]["instansi"] = INSTANSI  # what the portal claims is not what counts
        new = drafts(301)[300]
        new["hasil_kerja"][0]["iki"][0]["target"] = None
        mixed += [bad_nip, other, {**items[0], "tempat": "Bekasi"}, new]
        r = await client.post("/api/v1/skp/bulk", json={"items": mixed}, headers=portal)
        res = r.json()
        assert res["summary"] == {"created": 1, "updated": 5, "unchanged": 14, "invalid": 4, "locked": 0, "conflict": 0}
        statuses = [i["status"] for i in res["items"]]
        assert statuses[:5] == ["updated"] * 5 and res["items"][0]["version"] == 2
        assert res["items"][5]["errors"][0]["path"] == "items[5].jenis_pegawai"
        assert res["items"][20]["errors"][0]["path"] == "items[20].pegawai.nip"
        assert res["items"][21]["errors"][0]["type"] == "pegawai-not-in-directory"
        assert res["items"][21]["errors"][0]["path"] == "items[21].pegawai.nip"
        assert res["items"][22]["errors"][0]["type"] == "duplicate-item"
        assert res["items"][23]["status"] == "created" and res["items"][23]["issues"] == 1
        assert await counts(app) == (301, 306)

        # the updated draft is a new version readable by its pegawai
        first = res["items"][0]
        mine = tokens(items[0]["pegawai"]["nip"], "pegawai")
        doc = (await client.get(f"/api/v1/skp/{first['skp_id']}", headers=mine)).json()
        assert doc["version"] == 2 and doc["content"]["tempat"] == "Jakarta"

        # a submitted SKP is locked against the portal
        app.state.runtime.container.policy.today = lambda: dt.date(2025, 9, 5)  # before the sample's deadline
        r = await client.post(f"/api/v1/skp/{first['skp_id']}/submit", json={"version": 2}, headers=mine)
        assert r.status_code == 200, r.text
        res = (await client.post("/api/v1/skp/bulk", json={"items": [{**items[0], "tempat": "Depok"}]}, headers=portal)).json()
        assert res["items"][0]["status"] == "locked" and res["items"][0]["errors"][0]["type"] == "skp-locked"


async def test_bulk_refuses_too_many_and_pegawai(app, directory, tokens, settings):
    settings.bulk_max_items = 10
    async with running(app) as client:
        await directory(*drafts(3))
        r = await client.post("/api/v1/skp/bulk", json={"items": drafts(11)}, headers=tokens("p", "portal", instansi=DKI))
        assert r.status_code == 413 and r.json()["code"] == "bulk-too-many"
        r = await client.post("/api/v1/skp/bulk", json={"items": drafts(1)}, headers=tokens(drafts(1)[0]["pegawai"]["nip"], "pegawai"))
        assert r.status_code == 403
        r = await client.post("/api/v1/skp/bulk", json={"items": ["bukan SKP", drafts(1)[0]]}, headers=tokens("p", "portal", instansi=DKI))
        assert [i["status"] for i in r.json()["items"]] == ["invalid", "created"]
        assert_documented(app, "POST", "/api/v1/skp/bulk", 200, r.json())  # an invalid item's errors too
        assert r.json()["items"][0]["errors"][0]["path"] == "items[0]"
        # gzip-compressed bodies; broken or empty bodies are refused with a problem
        packed = gzip.compress(json.dumps({"items": drafts(3)}).encode())
        r = await client.post("/api/v1/skp/bulk", content=packed,
                              headers={**tokens("p", "portal", instansi=DKI), "Content-Encoding": "gzip", "Content-Type": "application/json"})
        assert [i["status"] for i in r.json()["items"]] == ["unchanged", "created", "created"]
        r = await client.post("/api/v1/skp/bulk", content=b"{bukan json", headers=tokens("p", "portal", instansi=DKI))
        assert r.status_code == 400 and r.json()["code"] == "bad-json"
        r = await client.post("/api/v1/skp/bulk", json={"items": []}, headers=tokens("p", "portal", instansi=DKI))
        assert r.status_code == 422 and r.json()["errors"][0]["path"] == "body.items"


async def test_concurrent_bulk_calls_create_each_draft_once(app, directory, tokens):
    import asyncio

    portal = tokens("portal-bkd-dki", "portal", instansi=INSTANSI)
    items = drafts(60)
    async with running(app) as client:
        await directory(*items)
        first, second = await asyncio.gather(*(client.post("/api/v1/skp/bulk", json={"items": items}, headers=portal)
                                               for _ in range(2)))
        answers = list(zip(first.json()["items"], second.json()["items"], strict=True))
        for a, b in answers:
            assert sorted([a["status"], b["status"]]) in (["created", "unchanged"], ["conflict", "created"]), (a, b)
        assert await counts(app) == (60, 60)  # no duplicate, no orphan version
        again = (await client.post("/api/v1/skp/bulk", json={"items": items}, headers=portal)).json()
        assert again["summary"]["unchanged"] == 60


async def test_bulk_of_one_instansi_never_overwrites_another_instansis_draft(app, directory, tokens):
    """Issue 14: bulk intake by instansi X's portal or admin overwrote instansi Y's draft
    (the single PUT refused the same). The pegawai's instansi is the directory's, and
    the stored draft's instansi is checked too."""
    jabar = "Pemerintah Provinsi Jawa Barat"
    theirs = drafts(1)[0]
    for who in ("pegawai", "penilai", "atasan_pejabat_penilai"):
        theirs[who]["instansi"] = jabar
    async with running(app) as client:
        await directory(theirs)
        r = await client.post("/api/v1/skp/bulk", json={"items": [theirs]}, headers=tokens("portal-jabar", "portal", instansi=jabar))
        assert r.json()["items"][0]["status"] == "created", r.text
        skp_id = r.json()["items"][0]["skp_id"]
        forged = {**drafts(1)[0], "tempat": "ditimpa"}  # same NIP and periode, claimed to be of DKI
        for caller in (tokens("portal-dki", "portal", instansi=INSTANSI), tokens("admin-dki", "admin", instansi=INSTANSI)):
            item = (await client.post("/api/v1/skp/bulk", json={"items": [forged]}, headers=caller)).json()["items"][0]
            assert item["status"] == "invalid" and item["errors"][0]["type"] == "pegawai-not-in-directory", item
        # even after the directory moves the person to DKI, the draft stored for Jawa Barat stays theirs
        moved = drafts(1)[0]
        await directory(moved)
        item = (await client.post("/api/v1/skp/bulk", json={"items": [forged]},
                                  headers=tokens("portal-dki", "portal", instansi=INSTANSI))).json()["items"][0]
        assert item["status"] == "invalid", item
        doc = (await client.get(f"/api/v1/skp/{skp_id}", headers=tokens("admin-jabar", "admin", instansi=jabar))).json()
        assert doc["version"] == 1 and doc["content"].get("tempat") is None
