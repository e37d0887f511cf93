"""Routing by the directory (issue 14 item 3; docs/approval.md "Routing"):
each submission goes to the pejabat penilai the directory names for the
pegawai, never to the one the SKP names; only an atasan active in the SKP's
instansi decides; a case the directory cannot route waits for its admin;
a Pending case follows a change of superior unless an admin reassigned it.

Each abuse below succeeded on main before this change."""

from __future__ import annotations

import datetime as dt

from kinerja_contracts.calendar import today_jakarta
from kinerja_platform.directory_view import apply_person_changed
from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import eventually

from .conftest import DKI, NEW_PENILAI, OTHER_ATASAN, PLT, record

BDG = "Pemerintah Kota Bandung"
XA = nip(302, born="19810505", appointed="200701")  # an atasan of Bandung
NOTE = "Lengkapi rencana aksi triwulan IV."


def approve(h, skp, headers, version: int = 1):
    return h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": version}, headers=headers)


def return_(h, skp, headers, version: int = 1):
    return h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": version, "catatan_perbaikan": NOTE},
                         headers=headers)


async def inbox_ids(h, headers) -> list[str]:
    r = await h.client.get("/api/v1/inbox", headers=headers)
    assert r.status_code == 200, r.text
    return [i["skp_id"] for i in r.json()["items"]]


async def test_a_friend_named_as_penilai_in_the_skp_does_not_decide(harness, who):
    """The pegawai names a colleague (active, same instansi) as penilai: the
    SKP still goes to the superior of record, and the friend's approval is refused."""
    async with harness() as h:
        skp = await h.submit(in_directory=False, content=pppk_skp(penilai_nip=OTHER_ATASAN, penilai_email="friend@evil.example"))
        r = await h.client.get(f"/api/v1/approvals/{skp}", headers=who.admin)
        case = r.json()
        assert case["penilai"]["nip"] == PENILAI_NIP and case["routed_by"] == "directory"
        assert case["penilai"]["email"] == f"{PENILAI_NIP}@example.go.id"  # from the directory
        assert case["atasan_pejabat_penilai"]["nip"] == ATASAN_PEJABAT_PENILAI_NIP
        assert await inbox_ids(h, who.other) == []
        for decide in (approve, return_):
            r = await decide(h, skp, who.other)
            assert r.status_code == 403 and r.json()["code"] == "not-your-decision", r.text
        (req,) = await h.events("approval.requested", skp)
        assert req["data"]["penilai"]["nip"] == PENILAI_NIP
        assert req["data"]["penilai"]["email"] == f"{PENILAI_NIP}@example.go.id"
        assert await inbox_ids(h, who.penilai) == [str(skp)]
        assert (await approve(h, skp, who.penilai)).status_code == 200
        (ok,) = await h.events("approval.approved", skp)
        assert ok["data"]["decided_by"] == PENILAI_NIP


async def test_a_person_of_another_instansi_named_as_penilai_does_not_decide(harness, who, tokens):
    async with harness() as h:
        await h.directory(record(XA, None, instansi=BDG), follow=False)
        skp = await h.submit(in_directory=False, content=pppk_skp(penilai_nip=XA))
        for headers in (tokens(XA, "atasan"), tokens(XA, "atasan", instansi=BDG)):
            assert await inbox_ids(h, headers) == []
            r = await approve(h, skp, headers)
            assert r.status_code == 403, r.text
        # nor when the directory's own record names a superior of another instansi: unrouted
        pegawai = nip(41)
        await h.directory(record(pegawai, XA), follow=False)
        held = await h.submit(in_directory=False, content=pppk_skp(pegawai_nip=pegawai, penilai_nip=XA))
        case = (await h.client.get(f"/api/v1/approvals/{held}", headers=who.admin)).json()
        assert case["penilai"] is None and case["unrouted_reason"] == "superior-not-valid"
        assert (await approve(h, held, tokens(XA, "atasan"))).status_code == 403


async def test_only_an_atasan_token_of_the_instansi_decides(harness, who, tokens):
    """A portal token, or an atasan token of another instansi, whose sub is the
    penilai's NIP, neither approves nor returns."""
    async with harness() as h:
        skp = await h.submit()
        for headers in (tokens(PENILAI_NIP, "portal", instansi=DKI), tokens(PENILAI_NIP, "atasan", instansi=BDG),
                        tokens(PENILAI_NIP, "pegawai"), tokens(PENILAI_NIP, "admin", instansi=DKI)):
            for decide in (approve, return_):
                r = await decide(h, skp, headers)
                assert r.status_code == 403, r.text
            r = await h.client.post("/api/v1/approvals/batch-approve", json={"items": [{"skp_id": str(skp), "version": 1}]},
                                    headers=headers)
            assert r.status_code == 403 or r.json()["results"][0]["status"] == 403, r.text
        assert [t["action"] for t in await h.history(skp, who.admin)] == ["submit"]
        assert (await approve(h, skp, tokens(PENILAI_NIP, "atasan", instansi=DKI))).status_code == 200


async def test_a_penilai_who_has_left_does_not_decide_nor_does_their_plt(harness, who):
    async with harness() as h:
        skp = await h.submit()
        today = today_jakarta(h.clock())
        r = await h.client.post("/api/v1/penugasan", headers=who.admin, json={
            "delegate_nip": PLT, "penilai_nip": PENILAI_NIP, "jenis": "Plt", "mulai": today.isoformat(),
            "selesai": (today + dt.timedelta(days=30)).isoformat()})
        assert r.status_code == 201, r.text
        # the penilai leaves today; the pegawai's record still names them (nobody valid to move to)
        assert await h.directory(record(PENILAI_NIP, ATASAN_PEJABAT_PENILAI_NIP),
                                 record(PENILAI_NIP, ATASAN_PEJABAT_PENILAI_NIP, aktif=False, mulai=today)) == 0
        r = await approve(h, skp, who.penilai)
        assert r.status_code == 403 and r.json()["code"] == "not-your-decision"
        # the Plt still acts for the penilai of record, while the Plt is active
        r = await return_(h, skp, who.plt)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Revisi"
        # a Plt who has left does not decide either
        skp2 = await h.submit(in_directory=False, content=pppk_skp(pegawai_nip=nip(42)))
        assert (await h.client.get(f"/api/v1/approvals/{skp2}", headers=who.admin)).json()["penilai"] is None
        # the superior of record at the periode's end has left since: still unrouted, for that reason
        await h.directory(record(nip(42), PENILAI_NIP))
        case = (await h.client.get(f"/api/v1/approvals/{skp2}", headers=who.admin)).json()
        assert case["penilai"] is None and case["unrouted_reason"] == "penilai-not-active"
        await h.directory(record(PLT, ATASAN_PEJABAT_PENILAI_NIP),
                          record(PLT, ATASAN_PEJABAT_PENILAI_NIP, aktif=False, mulai=today))
        r = await h.client.post(f"/api/v1/approvals/{skp2}/reassign", json={"version": 1, "penilai_nip": PLT},
                                headers=who.admin)
        assert r.status_code == 422 and r.json()["code"] == "penilai-not-in-directory"


async def test_an_unknown_pegawai_is_held_unrouted_for_the_admin_who_routes_it(harness, who):
    async with harness() as h:
        stranger = nip(43)
        skp = await h.submit(in_directory=False, content=pppk_skp(pegawai_nip=stranger))  # names PENILAI_NIP
        # nobody is asked: no inbox, no mail, no decision
        assert (await h.events("approval.requested", skp)) == []
        assert await inbox_ids(h, who.penilai) == []
        assert (await approve(h, skp, who.penilai)).status_code == 403
        # the admin of the instansi sees it, with the reason; another instansi's admin does not
        r = await h.client.get("/api/v1/approvals", params={"unrouted": "true"}, headers=who.admin)
        assert r.status_code == 200 and [i["skp_id"] for i in r.json()["items"]] == [str(skp)]
        item = r.json()["items"][0]
        assert item["status"] == "Pending" and item["penilai"] is None and item["routed_by"] is None
        assert item["unrouted_reason"] == "pegawai-not-in-directory"
        r = await h.client.get("/api/v1/approvals", params={"unrouted": "false"}, headers=who.admin)
        assert str(skp) not in [i["skp_id"] for i in r.json()["items"]]
        assert (await h.client.get("/api/v1/approvals", headers=who.admin_elsewhere)).json()["count"] == 0
        (row,) = await h.history(skp, who.admin)
        assert row["penilai_nip"] is None and row["note"] == "unrouted: pegawai-not-in-directory"
        # the admin routes it to a person of the directory; the identity comes from there
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json={"version": 1, "penilai_nip": NEW_PENILAI,
                                                                            "reason": "Belum ada di SIASN."},
                                headers=who.admin)
        assert r.status_code == 200, r.text
        assert r.json()["penilai"]["nip"] == NEW_PENILAI and r.json()["routed_by"] == "admin"
        assert r.json()["unrouted_reason"] is None
        (req,) = await h.events("approval.requested", skp)
        assert req["data"]["penilai"]["nip"] == NEW_PENILAI and req["data"]["sequence"] == 2
        assert await h.events("approval.reassigned", skp) == []
        assert await inbox_ids(h, who.new_penilai) == [str(skp)]
        assert (await approve(h, skp, who.new_penilai)).status_code == 200


async def test_the_reassigned_penilai_must_be_active_in_the_instansi(harness, who):
    async with harness() as h:
        skp = await h.submit()
        await h.directory(record(XA, None, instansi=BDG), follow=False)
        await h.directory(record(nip(44), None, aktif=False), follow=False)
        answers = []
        for someone in (nip(45), XA, nip(44)):  # unknown, of another instansi, left
            r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json={"version": 1, "penilai_nip": someone},
                                    headers=who.admin)
            assert r.status_code == 422, r.text
            answers.append((r.json()["code"], r.json()["errors"]))
        assert len(set(map(str, answers))) == 1  # another instansi's person answers like an unknown one
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json={"version": 1}, headers=who.admin)
        assert r.status_code == 422
        assert await h.events("approval.reassigned", skp) == []


async def test_a_later_directory_event_routes_an_unrouted_case(harness, who):
    async with harness() as h:
        pegawai, boss = nip(46), nip(47, born="19790101", appointed="200401")
        await h.directory(record(pegawai, None), follow=False)  # no superior yet
        skp = await h.submit(in_directory=False, content=pppk_skp(pegawai_nip=pegawai))
        case = (await h.client.get(f"/api/v1/approvals/{skp}", headers=who.admin)).json()
        assert case["unrouted_reason"] == "no-superior"
        # the pegawai's record now names a superior the directory has not sent yet: still unrouted
        assert await h.directory(record(pegawai, boss)) == 0
        case = (await h.client.get(f"/api/v1/approvals/{skp}", headers=who.admin)).json()
        assert case["penilai"] is None and case["unrouted_reason"] == "superior-not-valid"
        # the superior arrives: the case is routed to them (found through the subordinate's record)
        assert await h.directory(record(boss, ATASAN_PEJABAT_PENILAI_NIP)) == 1
        case = (await h.client.get(f"/api/v1/approvals/{skp}", headers=who.admin)).json()
        assert case["penilai"]["nip"] == boss and case["routed_by"] == "directory" and case["unrouted_reason"] is None
        (req,) = await h.events("approval.requested", skp)
        assert req["data"]["penilai"]["nip"] == boss and req["actor"]["sub"] == "directory"
        rows = await h.history(skp, who.admin)
        assert [(t["action"], t["actor"], t["penilai_nip"]) for t in rows] == [
            ("submit", pegawai, None), ("reassign", "directory", boss)]
        assert rows[1]["note"].startswith("directory: unrouted -> " + boss)


async def test_a_pending_case_follows_a_change_of_superior_through_the_bus(harness, who, nats_server):
    import nats

    async with harness() as h:
        today = today_jakarta(h.clock())
        # a periode that holds today: the routing date is today
        skp = await h.submit(content=pppk_skp(mulai=f"{today.year}-01-01", selesai=f"{today.year}-12-31"))
        env = h.person_changed(record(PEGAWAI_NIP, PENILAI_NIP, mulai=today - dt.timedelta(days=400)),
                               record(PEGAWAI_NIP, NEW_PENILAI, mulai=today))
        nc = await nats.connect(nats_server.url)
        try:
            await nc.jetstream().publish(env.data.subject, env.model_dump_json().encode(),
                                         headers={"Nats-Msg-Id": str(env.event_id)})
        finally:
            await nc.close()

        async def moved():
            return await inbox_ids(h, who.new_penilai) == [str(skp)]

        await eventually(moved, timeout=20)
        assert await inbox_ids(h, who.penilai) == []
        (ev,) = await h.events("approval.reassigned", skp)
        assert ev["data"]["reason"] == "directory" and ev["data"]["previous_penilai"]["nip"] == PENILAI_NIP
        assert ev["data"]["penilai"]["nip"] == NEW_PENILAI and ev["actor"]["sub"] == "directory"
        rows = await h.history(skp, who.admin)
        assert [(t["action"], t["actor"], t["actor_role"], t["penilai_nip"]) for t in rows] == [
            ("submit", PEGAWAI_NIP, "pegawai", PENILAI_NIP), ("reassign", "directory", "directory", NEW_PENILAI)]
        assert rows[1]["note"].startswith(f"directory: {PENILAI_NIP} -> {NEW_PENILAI}")
        assert (await approve(h, skp, who.penilai)).status_code == 403
        assert (await approve(h, skp, who.new_penilai)).status_code == 200
        # the same event again changes nothing; nor does a correction naming the same superior
        async with h.rt.uow() as session:
            assert not await apply_person_changed(session, env.data)
        assert await h.directory(record(PEGAWAI_NIP, NEW_PENILAI)) == 0
        assert len(await h.events("approval.reassigned", skp)) == 1


async def test_an_admin_reassignment_holds_against_directory_changes(harness, who):
    async with harness() as h:
        skp = await h.submit()
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json={"version": 1, "penilai_nip": OTHER_ATASAN},
                                headers=who.admin)
        assert r.status_code == 200, r.text
        assert await h.directory(record(PEGAWAI_NIP, NEW_PENILAI)) == 0
        case = (await h.client.get(f"/api/v1/approvals/{skp}", headers=who.admin)).json()
        assert case["penilai"]["nip"] == OTHER_ATASAN and case["routed_by"] == "admin"
        assert [e["data"]["reason"] for e in await h.events("approval.reassigned", skp)] == [None]
        # ... across a return and resubmission too, while the admin's penilai is active
        assert (await return_(h, skp, who.other)).status_code == 200
        assert await h.deliver(h.submission(skp, 2, resubmission=True))
        assert await inbox_ids(h, who.other) == [str(skp)]
        # once they leave, the next resubmission goes to the directory's penilai again
        assert (await return_(h, skp, who.other, version=2)).status_code == 200
        await h.directory(record(OTHER_ATASAN, None, aktif=False))
        assert await h.deliver(h.submission(skp, 3, resubmission=True))
        case = (await h.client.get(f"/api/v1/approvals/{skp}", headers=who.admin)).json()
        assert case["penilai"]["nip"] == NEW_PENILAI and case["routed_by"] == "directory"


async def test_a_resubmission_goes_to_the_superior_of_record_then(harness, who):
    async with harness() as h:
        skp = await h.submit()
        assert (await return_(h, skp, who.penilai)).status_code == 200
        # the superior changes while the SKP is in Revisi: nothing Pending moves
        assert await h.directory(record(PEGAWAI_NIP, NEW_PENILAI)) == 0
        assert await h.deliver(h.submission(skp, 2, resubmission=True))
        assert await inbox_ids(h, who.new_penilai) == [str(skp)]
        req = [e for e in await h.events("approval.requested", skp) if e["data"]["resubmission"]]
        assert [e["data"]["penilai"]["nip"] for e in req] == [NEW_PENILAI]


async def test_the_routing_date_is_the_submission_day_clamped_into_the_periode(harness, who):
    """An SKP for next year goes to whoever the directory says appraises the
    pegawai when the periode starts (a mutasi recorded ahead)."""
    async with harness() as h:
        today = today_jakarta(h.clock())
        start = dt.date(today.year + 1, 1, 1)
        pegawai = nip(48)
        await h.directory(record(pegawai, PENILAI_NIP), record(pegawai, NEW_PENILAI, mulai=start), follow=False)
        this_year = await h.submit(in_directory=False, content=pppk_skp(
            pegawai_nip=pegawai, mulai=f"{today.year}-01-01", selesai=f"{today.year}-12-31"))
        next_year = await h.submit(in_directory=False, content=pppk_skp(
            pegawai_nip=pegawai, mulai=start.isoformat(), selesai=f"{start.year}-12-31"))
        assert await inbox_ids(h, who.penilai) == [str(this_year)]
        assert await inbox_ids(h, who.new_penilai) == [str(next_year)]


async def test_one_directory_change_moves_every_pending_case_it_routes(harness, who):
    async with harness() as h:
        team = [nip(50 + i) for i in range(3)]
        skps = [await h.submit(content=pppk_skp(pegawai_nip=p)) for p in team]
        other = await h.submit(content=pppk_skp(pegawai_nip=nip(60), penilai_nip=OTHER_ATASAN))
        # the whole team moves to a new superior, one event each
        assert [await h.directory(record(p, NEW_PENILAI)) for p in team] == [1, 1, 1]
        assert sorted(await inbox_ids(h, who.new_penilai)) == sorted(map(str, skps))
        assert await inbox_ids(h, who.other) == [str(other)]
        assert await inbox_ids(h, who.penilai) == []
