"""Mutasi: the SKP of the new position ends the old one the day before it
starts; each is evaluated for its part; the year combines them by time."""

from __future__ import annotations

import datetime as dt

from kinerja_devstack.samples import PEGAWAI_NIP, pppk_skp
from kinerja_devstack.testing import assert_documented, eventually, running

from .conftest import approved, at, publish


async def test_new_position_ends_the_old_skp(app, tokens, clock):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        old = approved()
        await publish(app, old)
        s = app.state.runtime.container.scheduler
        await eventually(lambda: s.spans())
        await s.run_once()
        clock.set(at(dt.date(2025, 10, 1)))
        await s.run_once()
        baru = pppk_skp()
        baru["periode"] = {"mulai": "2025-11-01", "selesai": "2025-12-31"}
        baru["pegawai"]["jabatan"] = "Pengadministrasi Perkantoran"
        new = approved(baru)
        await publish(app, new)

        async def ended():
            r = await client.get(f"/api/v1/plans/{old.skp_id}", headers=me)
            return r.json()["periode"]["selesai"] == "2025-10-31" and r.json()

        plan = await eventually(ended)
        iki1 = next(x for x in plan["rencana"] if x["iki_id"] == "iki-1")
        assert iki1["target_bulanan"][8:] == [1, 1, None, None]  # its months keep their targets
        assert iki1["target_triwulan"][3] == 1 and iki1["tahunan"]["nilai"] == 2  # its part of the count
        clock.set(at(dt.date(2025, 11, 1)))
        await s.run_once()
        nov = (await client.get("/api/v1/evaluations", params={"period_id": "2025-11/PPPK_PARUH_WAKTU/monthly"},
                                headers=me)).json()
        assert len(nov) == 1  # only the new SKP is evaluated in November
        ev = (await client.get(f"/api/v1/evaluations/{nov[0]['id']}", headers=me)).json()
        assert ev["skp_id"] == str(new.skp_id)
        res = (await client.get(f"/api/v1/hasil-tahunan/{PEGAWAI_NIP}/2025", headers=me)).json()
        assert_documented(app, "GET", "/api/v1/hasil-tahunan/{nip}/{tahun}", 200, res)  # bagian, capaian_gabungan_tahun
        assert all("capaian_gabungan_tahun" in r for r in res)
        assert {str(r["skp_id"]) for r in res} == {str(old.skp_id), str(new.skp_id)}
        parts = {str(r["skp_id"]): r["bagian"] for r in res}
        assert parts[str(old.skp_id)]["hari"] == 61 and parts[str(new.skp_id)]["hari"] == 61
        assert parts[str(old.skp_id)]["diakhiri_oleh_skp"] == str(new.skp_id)
        assert all("capaian_gabungan_tahun" in r for r in res)
