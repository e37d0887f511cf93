"""Concurrent writers on one person: the compare-and-set on the version lets
exactly one win each round; the losers are retried on the new riwayat, so no
change is lost and every version has one audit row and one event."""

from __future__ import annotations

import asyncio

from kinerja_devstack.samples import PEGAWAI_NIP

SUBJECT = "kinerja.directory.person_changed"


async def test_concurrent_mutasi_are_serialised_not_lost(harness):
    async with harness() as h:
        await h.seed()
        days = [f"2026-0{m}-01" for m in range(2, 7)]  # five mutasi on five dates, sent at once
        results = await asyncio.gather(*(h.put(PEGAWAI_NIP, headers=h.who.admin, jabatan=f"Jabatan {d}",
                                               berlaku_mulai=d) for d in days))
        ok = [r for r in results if r.status_code == 200]
        assert all(r.status_code in (200, 409) for r in results), [r.text for r in results]
        assert len(ok) >= 1 and all(r.json()["status"] == "updated" for r in ok)
        versions = sorted(r.json()["version"] for r in ok)
        assert versions == list(range(2, 2 + len(ok)))  # one version each, none shared
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.admin)
        body = r.json()
        assert body["version"] == 1 + len(ok)
        riwayat = body["riwayat"]
        assert len(riwayat) == 1 + len(ok)  # every accepted mutasi is in the riwayat
        for a, b in zip(riwayat, riwayat[1:], strict=False):  # contiguous, no overlap
            assert a["berlaku_sampai"] is not None and a["berlaku_sampai"] < b["berlaku_mulai"]
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/history", headers=h.who.admin)
        assert [v["version"] for v in r.json()["versions"]] == list(range(1, 2 + len(ok)))
        events = [e for e in await h.events(SUBJECT) if e["data"]["person_id"] == PEGAWAI_NIP]
        assert sorted(e["data"]["version"] for e in events) == list(range(1, 2 + len(ok)))


async def test_concurrent_creation_of_one_person_is_one_person(harness):
    async with harness() as h:
        await h.seed()
        nip = "199503152025212050"
        results = await asyncio.gather(*(h.put(nip, headers=h.who.portal, email=f"v{i}@example.go.id")
                                         for i in range(4)))
        assert all(r.status_code in (200, 201, 409) for r in results), [r.text for r in results]
        assert sum(r.status_code == 201 for r in results) == 1
        r = await h.client.get(f"/api/v1/people/{nip}/history", headers=h.who.portal)
        assert r.json()["versions"][0]["perubahan"] == "baru"
        assert [v["perubahan"] for v in r.json()["versions"][1:]] == ["koreksi"] * (len(r.json()["versions"]) - 1)


async def test_two_bulks_on_the_same_people_at_once_lose_nothing(harness):
    from kinerja_devstack.samples import nip

    async with harness() as h:
        await h.seed()
        ids = [nip(i, born="19990101", appointed="202521") for i in range(150)]

        def items(jabatan: str, mulai: str) -> list[dict]:
            return [{"person_id": p, "nama": f"Orang {p[-3:]}", "jabatan": jabatan, "berlaku_mulai": mulai} for p in ids]

        a, b = await asyncio.gather(
            h.client.post("/api/v1/people/bulk", headers=h.who.portal, json={"items": items("Staf A", "2026-01-01")}),
            h.client.post("/api/v1/people/bulk", headers=h.who.admin, json={"items": items("Staf B", "2026-02-01")}))
        assert a.status_code == b.status_code == 200, (a.text, b.text)
        for one, other in zip(a.json()["results"], b.json()["results"], strict=True):
            assert {one["status"], other["status"]} <= {"created", "updated"}, (one, other)
            assert sorted([one["version"], other["version"]]) == [1, 2]  # each written once, in some order
        r = await h.client.get(f"/api/v1/people/{ids[0]}", headers=h.who.portal)
        assert [x["jabatan"] for x in r.json()["riwayat"]] == ["Staf A", "Staf B"]
