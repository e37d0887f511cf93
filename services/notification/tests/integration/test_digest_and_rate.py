"""Digest for a busy penilai; individual mails for the pegawai; the rate limit."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.values import Pegawai
from kinerja_devstack.testing import running
from kinerja_notification.domain import examples as ex
from kinerja_notification.main import create_app

from .conftest import CAST, directory_db, make_settings, wait_for

PENILAI = ex.penilai()


def _pegawai(i: int) -> Pegawai:
    return ex.person(f"1995031520252121{i:02d}", f"Pegawai Nomor {i}", f"pegawai{i}@example.go.id", "Pengelola")


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now


async def test_penilai_with_digest_gets_one_summary_per_interval(new_database, nats_server, smtp_sink, bus, tokens):
    clock = Clock()
    people = [*CAST, *(_pegawai(i) for i in range(6))]
    settings = make_settings(await directory_db(new_database("notification"), people), nats_server.url, smtp_sink,
                             digest_interval_seconds=3600)
    app = create_app(settings, clock=clock)
    me = tokens(PENILAI.nip, "atasan")
    async with running(app) as client:
        # a first mail to a pegawai goes out one by one
        await bus.publish(ex.samples(pg=_pegawai(0))["approval.approved"])
        await wait_for(lambda: smtp_sink.to("pegawai0@example.go.id"))
        prefs = (await client.get(f"/api/v1/recipients/{PENILAI.nip}/preferences", headers=me)).json()
        assert prefs["digest"] is None and prefs["digest_effective"] is False
        r = await client.put(f"/api/v1/recipients/{PENILAI.nip}/preferences", headers=me,
                             json={"digest": True, "version": prefs["version"]})
        assert r.status_code == 200 and r.json()["digest_effective"] is True

        skps = [uuid.uuid4() for _ in range(4)]
        for i, skp in enumerate(skps, start=1):
            await bus.publish(ex.samples(pg=_pegawai(i), skp_id=skp)["approval.requested"])
        # one of them is returned before the summary: it leaves the digest, and the
        # pegawai's mail about it goes at once, on its own
        returned = ex.samples(pg=_pegawai(4), skp_id=skps[3])["approval.returned"]
        await bus.publish(returned)
        await wait_for(lambda: smtp_sink.to("pegawai4@example.go.id"))
        digest = app.state.runtime.container.digest

        async def items_settled():
            from kinerja_notification.adapters.tables import DigestItem
            from sqlmodel import select

            async with app.state.runtime.uow() as s:
                rows = (await s.exec(select(DigestItem))).all()
            return len(rows) == 4 and sorted(r.status for r in rows) == ["pending"] * 3 + ["resolved"]

        from kinerja_devstack.testing import eventually

        await eventually(items_settled)
        assert smtp_sink.to(PENILAI.email) == []  # no mail per SKP

        assert await digest.run_due(clock.now) == 0  # the window has not ended yet
        later = clock.now + dt.timedelta(hours=1)
        assert await digest.run_due(later) == 1
        assert await digest.run_due(later + dt.timedelta(minutes=5)) == 0  # one per window, however often it runs
        await wait_for(lambda: smtp_sink.to(PENILAI.email))
        [summary] = smtp_sink.to(PENILAI.email)
        m = summary.parsed
        assert "3 SKP menunggu persetujuan Anda" in str(m["Subject"])
        text = m.get_body(preferencelist=("plain",)).get_content()
        assert all(f"Pegawai Nomor {i}" in text for i in (1, 2, 3)) and "Pegawai Nomor 4" not in text, text
        assert "https://kinerja.example.go.id/preferensi" in text  # where to turn the summary off
        assert m["Message-ID"].strip().startswith(f"<digest.{PENILAI.nip}.")

        # a new SKP in the next window goes into the next summary, with its own Message-ID
        await bus.publish(ex.samples(pg=_pegawai(5), skp_id=uuid.uuid4())["approval.requested"])
        await eventually(lambda: _count_pending(app))
        assert await digest.run_due(later + dt.timedelta(hours=1)) == 1
        await wait_for(lambda: len(smtp_sink.to(PENILAI.email)) == 2)
        ids = {x.parsed["Message-ID"].strip() for x in smtp_sink.to(PENILAI.email)}
        assert len(ids) == 2


async def _count_pending(app) -> bool:
    from kinerja_notification.adapters.tables import DigestItem
    from sqlmodel import select

    async with app.state.runtime.uow() as s:
        return bool((await s.exec(select(DigestItem).where(DigestItem.status == "pending"))).all())


async def test_without_digest_each_skp_is_its_own_mail(app, bus, smtp_sink):
    async with running(app):
        for i in (1, 2):
            await bus.publish(ex.samples(pg=_pegawai(i), skp_id=uuid.uuid4())["approval.requested"])
        await wait_for(lambda: len(smtp_sink.to(PENILAI.email)) == 2)


async def test_rate_limit_spaces_the_mails(new_database, nats_server, smtp_sink, bus):
    people = [_pegawai(i) for i in range(8)]
    settings = make_settings(await directory_db(new_database("notification"), [*CAST, *people]), nats_server.url,
                             smtp_sink, rate_limit_per_second=5, rate_limit_burst=1)
    app = create_app(settings)
    opened = ex.samples()["evaluation.period_opened"].model_copy(update={"recipients": people})
    async with running(app):
        t0 = time.time()
        await bus.publish(opened)
        await wait_for(lambda: len(smtp_sink.messages) == 8, timeout=20)
    arrivals = sorted(m.received_at for m in smtp_sink.messages)
    # 8 mails at 5 per second with no burst: at least 7 gaps of 0.2 s
    assert arrivals[-1] - arrivals[0] >= 1.3, arrivals
    assert arrivals[0] >= t0


async def test_a_persons_own_mail_overtakes_bulk_mail(new_database, nats_server, smtp_sink, bus):
    urgent = ex.pegawai(email="urgent@example.go.id", nip="199503152025212099")
    people = [*CAST, *(_pegawai(i) for i in range(20)), urgent]
    settings = make_settings(await directory_db(new_database("notification"), people), nats_server.url, smtp_sink,
                             rate_limit_per_second=10, rate_limit_burst=1)
    app = create_app(settings)
    opened = ex.samples()["evaluation.period_opened"].model_copy(update={"recipients": [_pegawai(i) for i in range(20)]})
    async with running(app):
        await bus.publish(opened)
        await wait_for(lambda: len(smtp_sink.messages) >= 1)
        await bus.publish(ex.samples(pg=urgent)["approval.returned"])
        await wait_for(lambda: len(smtp_sink.messages) == 21, timeout=20)
    order = [m.rcpt_tos[0] for m in smtp_sink.messages]
    # the returned SKP's mail did not wait behind the 20 announcements
    assert order.index("urgent@example.go.id") < 10, order


async def test_settling_keeps_the_latest_transition_and_resolves_older_items(app):
    from kinerja_notification.adapters.repository import NotificationRepository
    from kinerja_notification.adapters.tables import DigestItem, SkpSettlement
    from sqlmodel import select

    skp, other = uuid.uuid4(), uuid.uuid4()

    def item(i: int, skp_id: uuid.UUID, sequence: int | None) -> DigestItem:
        return DigestItem(event_id=uuid.uuid4(), recipient_nip=PENILAI.nip, skp_id=skp_id, pegawai_nip=f"{i:018d}",
                          pegawai_nama=f"Pegawai {i}", sequence=sequence)

    async with running(app):
        uow = app.state.runtime.uow
        async with uow() as s:
            for i, (skp_id, sequence) in enumerate([(skp, 1), (skp, None), (skp, 5), (skp, 7), (other, 1)]):
                s.add(item(i, skp_id, sequence))
        async with uow() as s:
            await NotificationRepository(s).settle(skp, 6)
        async with uow() as s:
            await NotificationRepository(s).settle(skp, 4)  # an older transition, handled late: the record stays 6
        async with uow() as s:
            [settled] = (await s.exec(select(SkpSettlement))).all()
            items = {i.pegawai_nama: i.status for i in (await s.exec(select(DigestItem))).all()}
        assert (settled.skp_id, settled.sequence) == (skp, 6)
        assert items == {"Pegawai 0": "resolved", "Pegawai 1": "resolved", "Pegawai 2": "resolved",
                         "Pegawai 3": "pending", "Pegawai 4": "pending"}
