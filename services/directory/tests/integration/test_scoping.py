"""Instansi scoping: writers need an instansi claim; another instansi's
person answers exactly like an unknown one; pegawai and atasan read only
themselves and who appraises them."""

from __future__ import annotations

import pytest
from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP

UNKNOWN = "199001012015011777"


def _same_but_id(a: dict, b: dict, a_id: str, b_id: str) -> bool:
    strip = {"correlation_id"}
    a = {k: (v.replace(a_id, "ID") if isinstance(v, str) else v) for k, v in a.items() if k not in strip}
    b = {k: (v.replace(b_id, "ID") if isinstance(v, str) else v) for k, v in b.items() if k not in strip}
    return a == b


@pytest.mark.parametrize("caller", ["admin_unscoped", "portal_unscoped"])
async def test_a_writer_token_without_instansi_is_refused(harness, caller):
    async with harness() as h:
        await h.seed()
        headers = getattr(h.who, caller)
        for r in (await h.put(PEGAWAI_NIP, headers=headers),
                  await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}", headers=headers),
                  await h.client.get("/api/v1/people", headers=headers),
                  await h.client.get("/api/v1/units", headers=headers),
                  await h.client.post("/api/v1/people/bulk", headers=headers, json={"items": [{"nip": PEGAWAI_NIP}]})):
            assert r.status_code == 403 and r.json()["code"] == "instansi-scope-missing", r.text


async def test_another_instansis_person_answers_like_an_unknown_one(harness):
    async with harness() as h:
        await h.seed()
        for path in ("", "/penilai", "/history"):
            theirs = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}{path}", headers=h.who.admin_bdg)
            unknown = await h.client.get(f"/api/v1/people/{UNKNOWN}{path}", headers=h.who.admin_bdg)
            assert theirs.status_code == unknown.status_code == 404, theirs.text
            assert _same_but_id(theirs.json(), unknown.json(), PEGAWAI_NIP, UNKNOWN)
            assert "Siti" not in theirs.text
        # a write to it is refused with the same answer, and changes nothing
        r = await h.put(PEGAWAI_NIP, headers=h.who.portal_bdg, instansi=None, nama="Dibajak")
        assert r.status_code == 404 and r.json()["code"] == "person-not-found"
        r = await h.client.post("/api/v1/people/bulk", headers=h.who.portal_bdg, json={"items": [
            {"nip": PEGAWAI_NIP, "nama": "Dibajak", "berlaku_mulai": "2026-01-01"}]})
        assert r.json()["results"][0]["status"] == "invalid" and r.json()["results"][0]["code"] == "person-not-found"
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.admin)
        assert r.json()["version"] == 1 and r.json()["record"]["nama"] == "Siti Rahmawati"
        # and the list of the other instansi does not show it
        r = await h.client.get("/api/v1/people", headers=h.who.admin_bdg, params={"q": "siti"})
        assert r.status_code == 200 and r.json()["total"] == 0


async def test_pegawai_and_atasan_read_themselves_and_who_appraises_them(harness):
    async with harness() as h:
        await h.seed()
        get = h.client.get
        # the pegawai: own entry, own history and penilai, and the entries of their penilai and the boss
        for path in (PEGAWAI_NIP, f"{PEGAWAI_NIP}/history", f"{PEGAWAI_NIP}/penilai", PENILAI_NIP,
                     ATASAN_PEJABAT_PENILAI_NIP):
            assert (await get(f"/api/v1/people/{path}", headers=h.who.pegawai)).status_code == 200, path
        # not the penilai's history or chain, nor anyone else
        for path in (f"{PENILAI_NIP}/history", f"{PENILAI_NIP}/penilai", UNKNOWN):
            r = await get(f"/api/v1/people/{path}", headers=h.who.pegawai)
            assert r.status_code == 404 and r.json()["code"] == "person-not-found", path
        # the penilai reads their own boss, not their subordinate's entry (that is the admin's)
        assert (await get(f"/api/v1/people/{ATASAN_PEJABAT_PENILAI_NIP}", headers=h.who.penilai)).status_code == 200
        assert (await get(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.penilai)).status_code == 404
        # a stranger sees nobody; pegawai and atasan neither write nor list
        assert (await get(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.stranger)).status_code == 404
        assert (await h.put(PEGAWAI_NIP, headers=h.who.pegawai)).status_code == 403
        assert (await get("/api/v1/people", headers=h.who.penilai)).status_code == 403
        assert (await get("/api/v1/people", headers={})).status_code == 401
