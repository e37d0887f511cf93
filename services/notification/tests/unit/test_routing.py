"""Who gets which e-mail (pure)."""

from __future__ import annotations

from kinerja_contracts.events import SkpSubmitted
from kinerja_notification.domain import examples as ex
from kinerja_notification.domain.routing import route, settles_skp


def kinds_to(sample: str) -> list[tuple[str, str]]:
    return [(o.kind, o.to.nip) for o in route(ex.samples()[sample])]


def test_requests_go_to_the_penilai_and_may_be_digested():
    [out] = route(ex.samples()["approval.requested"])
    assert out.to.nip == ex.penilai().nip and out.digestible


def test_returns_and_approvals_go_to_the_pegawai_one_by_one():
    for sample in ("approval.returned", "approval.approved"):
        [out] = route(ex.samples()[sample])
        assert out.to.nip == ex.pegawai().nip and not out.digestible


def test_reassignment_tells_the_new_and_the_previous_penilai():
    assert kinds_to("approval.reassigned_new") == [
        ("approval.reassigned_new", ex.penilai_baru().nip),
        ("approval.reassigned_previous", ex.penilai().nip),
    ]


def test_reassignment_to_the_same_person_is_one_mail():
    payload = ex.samples(pn_new=ex.penilai())["approval.reassigned_new"]
    assert [o.kind for o in route(payload)] == ["approval.reassigned_new"]


def test_reminder_levels():
    assert kinds_to("approval.reminder") == [("approval.reminder", ex.penilai().nip)]
    assert kinds_to("approval.escalation") == [("approval.escalation", ex.atasan().nip)]
    assert route(ex.samples()["approval.reminder"])[0].digestible
    assert not route(ex.samples()["approval.escalation"])[0].digestible


def test_period_events_fan_out_without_duplicates():
    opened = ex.samples()["evaluation.period_opened"]
    opened = opened.model_copy(update={"recipients": [ex.pegawai(), ex.penilai(), ex.pegawai()]})
    assert [o.to.nip for o in route(opened)] == [ex.pegawai().nip, ex.penilai().nip]
    closed = ex.samples()["evaluation.period_closed_missing"].model_copy(update={"missing": []})
    assert route(closed) == []


def test_keberatan_goes_to_the_atasan_then_back_to_the_pegawai():
    assert kinds_to("evaluation.keberatan_filed") == [("evaluation.keberatan_filed", ex.atasan().nip)]
    assert kinds_to("evaluation.keberatan_decided") == [("evaluation.keberatan_decided", ex.pegawai().nip)]


def test_evaluation_reassignment_tells_the_new_and_the_previous_penilai():
    assert kinds_to("evaluation.penilai_reassigned_new") == [
        ("evaluation.penilai_reassigned_new", ex.penilai_baru().nip),
        ("evaluation.penilai_reassigned_previous", ex.penilai().nip),
    ]
    from kinerja_notification.domain.messages import render

    out = route(ex.samples()["evaluation.penilai_reassigned_new"])[0]
    r = render(out.kind, "id", **out.ctx, link="x")
    assert "2 evaluasi yang belum dinilai" in r.text and ex.pegawai().nama in r.subject


def test_submitted_sends_nothing():
    p = SkpSubmitted(skp_id=ex.SKP_ID, version=1, content_hash="x", periode=ex.PERIODE, jenis_pegawai="PPPK",
                     pegawai=ex.pegawai(), penilai=ex.penilai(), atasan_pejabat_penilai=ex.atasan())
    assert route(p) == []


def test_decisions_settle_the_skp():
    assert settles_skp(ex.samples()["approval.approved"]) == (ex.SKP_ID, 4)
    assert settles_skp(ex.samples()["approval.requested"]) is None


def test_the_mail_table_is_the_one_source_of_kinds_routes_and_consumers():
    """Every e-mail an event causes is a kind its own row declares, every kind
    of the table is caused by some sample, and the consumers are the table's
    events: no second table can drift from it."""
    from kinerja_notification.domain.routing import KINDS, MAIL_TABLE
    from types import SimpleNamespace

    from kinerja_notification.entrypoints.consumers import bind

    declared = {row.event: {k.key for k in row.kinds} for row in MAIL_TABLE}
    caused: set[str] = set()
    for payload in ex.samples().values():
        kinds = {o.kind for o in route(payload)}
        assert kinds <= declared[type(payload)], type(payload).__name__
        caused |= kinds
    assert caused | {"approval.digest"} == set(KINDS)  # the digest is sent by the digest job, not by an event
    consumers = bind(SimpleNamespace(mail=None))  # type: ignore[arg-type]  # only the table is looked at
    assert {r.spec.filter_subject for r in consumers.registrations} == {row.event.subject for row in MAIL_TABLE} | {
        "kinerja.directory.person_changed"}  # the directory projection: where addresses come from
