"""Who may read and act on evaluations (service_layer/access.py: pure checks)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from kinerja_contracts.values import Role
from kinerja_evaluation.service_layer import access
from kinerja_evaluation.service_layer.access import ListScope
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

DKI = "Pemerintah Provinsi DKI Jakarta"
PEGAWAI, PENILAI, ATASAN = "199503152025212001", "197806102005011002", "197001011995031003"
PLAN = SimpleNamespace(nip=PEGAWAI, penilai_nip=PENILAI, instansi=DKI)
EV = SimpleNamespace(id="ev-1", nip=PEGAWAI, penilai_nip=PENILAI, atasan_nip=ATASAN)


def who(sub: str, role: str, instansi: str | None = None) -> Principal:
    return Principal(sub=sub, role=Role(role), instansi=instansi)


def test_a_pegawai_lists_only_their_own_whatever_nip_they_ask_for():
    assert access.evaluation_list_scope(who(PEGAWAI, "pegawai"), "pegawai", "199001012015011001") == (
        ListScope(nip=PEGAWAI), None)
    assert access.evaluation_list_scope(who(PENILAI, "atasan"), "penilai", PEGAWAI) == (
        ListScope(penilai_nip=PENILAI), PEGAWAI)
    assert access.evaluation_list_scope(who("a", "admin", DKI), "pegawai", PEGAWAI) == (ListScope(instansi=DKI), PEGAWAI)
    with pytest.raises(ProblemError) as exc:  # an admin without instansi never lists everything
        access.evaluation_list_scope(who("a", "admin"), "pegawai", None)
    assert (exc.value.status, exc.value.code) == (403, "instansi-scope-missing")


def test_keberatan_lists():
    assert access.keberatan_list_scope(who(ATASAN, "atasan")) == ListScope(atasan_or_pegawai=ATASAN)
    assert access.keberatan_list_scope(who("a", "admin", DKI)) == ListScope(instansi=DKI)
    with pytest.raises(ProblemError):
        access.keberatan_list_scope(who("a", "admin"))


@pytest.mark.parametrize("principal", [who(PEGAWAI, "pegawai"), who(PENILAI, "atasan"), who(ATASAN, "atasan"),
                                       who("a", "admin", DKI)])
def test_parties_read_an_evaluation(principal):
    access.ensure_can_read_evaluation(principal, EV, PLAN)


@pytest.mark.parametrize("principal", [who("199001012015011001", "pegawai"), who("a", "admin")])
def test_others_do_not(principal):
    """Nor an admin without instansi: no admin is deployment-wide (issue 14 item 5)."""
    with pytest.raises(ProblemError) as exc:
        access.ensure_can_read_evaluation(principal, EV, PLAN)
    assert exc.value.status == 403
    with pytest.raises(ProblemError):
        access.ensure_can_read_plan(principal, PLAN, "skp-1")


def test_only_the_atasan_of_record_with_an_atasan_token_decides_a_keberatan():
    """A portal (or admin) token whose sub is the atasan's NIP is not the atasan."""
    access.ensure_atasan_of_keberatan(who(ATASAN, "atasan"), ATASAN)
    for principal in (who(ATASAN, "portal", DKI), who(ATASAN, "admin", DKI), who(ATASAN, "pegawai"),
                      who(PENILAI, "atasan")):
        with pytest.raises(ProblemError) as exc:
            access.ensure_atasan_of_keberatan(principal, ATASAN)
        assert exc.value.status == 403


def test_another_instansis_admin_is_told_what_an_unknown_evaluation_answers():
    with pytest.raises(ProblemError) as exc:
        access.ensure_can_read_evaluation(who("a", "admin", "Jawa Barat"), EV, PLAN)
    assert (exc.value.status, exc.value.code) == (404, "evaluation-not-found")
    assert exc.value.detail == access.evaluation_not_found(EV.id).detail


def test_only_the_operator_extends_a_period():
    access.ensure_operator(who("ops", "operator"))
    for principal in (who("a", "admin", DKI), who("a", "admin"), who(PEGAWAI, "pegawai")):
        with pytest.raises(ProblemError):
            access.ensure_operator(principal)


def test_foreign_nips_are_those_known_only_elsewhere():
    rows = [("1", DKI), ("2", "Jawa Barat"), ("3", "Jawa Barat"), ("3", DKI)]
    assert access.foreign(rows, DKI) == {"2"}  # "3" moved to DKI (a plan there too); "4" has no plan at all
    assert access.foreign(rows, None) == set()


PLT = "198203042006041004"


def test_a_plt_rates_reads_and_lists_only_for_the_penilai_they_act_for_today():
    plt = who(PLT, "atasan")
    acting = {(PENILAI, DKI)}
    assert access.may_rate(who(PENILAI, "atasan"), EV) and not access.may_rate(plt, EV)
    assert access.may_rate(plt, EV, acting, DKI)
    access.ensure_penilai(plt, EV, acting, DKI)
    access.ensure_can_read_evaluation(plt, EV, PLAN, acting)
    for other in ((), {("196901011990011001", DKI)}):  # no assignment in force, or one for another penilai
        with pytest.raises(ProblemError) as exc:
            access.ensure_penilai(plt, EV, other, DKI)
        assert exc.value.status == 403
        with pytest.raises(ProblemError):
            access.ensure_can_read_evaluation(plt, EV, PLAN, other)
    assert access.evaluation_list_scope(plt, "penilai", None, acting) == (
        ListScope(penilai_nip=PLT, acting_for=frozenset(acting)), None)
    assert access.evaluation_list_scope(plt, "pegawai", None, acting) == (ListScope(nip=PLT), None)


def test_a_plt_recorded_by_another_instansi_gives_nothing_here():
    """An admin of Jawa Barat records a Plt for a DKI penilai: not a way into DKI's evaluations."""
    plt = who(PLT, "atasan")
    foreign = {(PENILAI, "Jawa Barat")}
    assert not access.may_rate(plt, EV, foreign, DKI)
    assert not access.may_rate(plt, EV, {(PENILAI, DKI)}, None)  # a plan without instansi: no Plt applies
    with pytest.raises(ProblemError) as exc:
        access.ensure_penilai(plt, EV, foreign, DKI)
    assert exc.value.status == 403
    with pytest.raises(ProblemError):
        access.ensure_can_read_evaluation(plt, EV, PLAN, foreign)


def test_nobody_rates_their_own_evaluation_as_plt():
    """The pegawai named Plh of their own penilai still may not rate themselves."""
    pegawai = who(PEGAWAI, "pegawai")
    assert not access.may_rate(pegawai, EV, {(PENILAI, DKI)}, DKI)
    with pytest.raises(ProblemError):
        access.ensure_penilai(pegawai, EV, {(PENILAI, DKI)}, DKI)


def test_recording_a_plt_or_reassigning_needs_an_admin_of_an_instansi():
    assert access.penilai_admin_instansi(who("a", "admin", DKI)) == DKI
    for principal, status in ((who("a", "admin"), 403), (who(PENILAI, "atasan"), 403)):
        with pytest.raises(ProblemError) as exc:
            access.penilai_admin_instansi(principal)
        assert exc.value.status == status


def test_another_instansis_admin_is_told_what_an_unknown_plan_answers():
    """Issue 16: GET /plans/{skp_id} answered another instansi's admin 403 (an existence oracle)."""
    with pytest.raises(ProblemError) as exc:
        access.ensure_can_read_plan(who("a", "admin", "Jawa Barat"), PLAN, "skp-1")
    assert (exc.value.status, exc.value.code) == (404, "plan-not-found")
    assert exc.value.detail == access.plan_not_found("skp-1").detail
    access.ensure_can_read_plan(who("a", "admin", DKI), PLAN, "skp-1")
    with pytest.raises(ProblemError) as exc:  # no admin is deployment-wide (issue 14 item 5)
        access.ensure_can_read_plan(who("a", "admin"), PLAN, "skp-1")
    assert (exc.value.status, exc.value.code) == (403, "instansi-scope-missing")
    with pytest.raises(ProblemError) as exc:  # a pegawai's token carries no instansi: not a party is 403
        access.ensure_can_read_plan(who("199001012015011001", "pegawai"), PLAN, "skp-1")
    assert exc.value.status == 403


def test_scope_and_hiding_are_two_steps():
    """admin_scope refuses an admin token without instansi (403) and names an
    admin's instansi (None for anyone else); hide_outside_scope answers a record
    outside that scope as unknown (404) and hides nothing without a scope."""
    assert access.admin_scope(who("a", "admin", DKI)) == DKI
    assert access.admin_scope(who(PEGAWAI, "pegawai")) is None
    with pytest.raises(ProblemError) as exc:
        access.admin_scope(who("a", "admin"))
    assert (exc.value.status, exc.value.code) == (403, "instansi-scope-missing")
    missing = access.evaluation_not_found("ev-1")
    access.hide_outside_scope(DKI, DKI, missing)
    access.hide_outside_scope(None, "Jawa Barat", missing)
    for instansi in ("Jawa Barat", None):
        with pytest.raises(ProblemError) as exc:
            access.hide_outside_scope(DKI, instansi, missing)
        assert exc.value is missing
