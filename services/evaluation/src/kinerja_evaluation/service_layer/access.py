"""Who may do what in the evaluation service: its one place for
authorisation. Pure functions of the principal and the rows (the use cases
read the rows and call these); the repository turns a :class:`ListScope`
into its WHERE clause.

- a plan or an evaluation is read by its pegawai, its penilai (and, for an
  evaluation, the atasan pejabat penilai), or an admin of its instansi;
  another instansi's admin is told an evaluation (and its documents) does
  not exist; an admin token without instansi never gets here (the one
  scoping rule, kinerja_platform.web.auth) and is refused here too;
- only the pegawai enters realisasi and files a keberatan; only the pejabat
  penilai rates, or a Plt/Plh recorded for them on that day by an admin of
  the evaluation's instansi (who also reads and lists what they rate; a
  record of another instansi gives nothing, and nobody rates their own
  evaluation); only the atasan pejabat penilai of record decides a
  keberatan, with an atasan token (a portal token whose ``sub`` is that
  NIP is not that person);
- admins (of their instansi) keep attendance, read rekap and set the
  organisation's capaian of their instansi's units; only the deployment's
  operator (role ``operator``, audited) extends a period, because a period
  serves every instansi; an admin records Plt/Plh and reassigns the penilai
  of their instansi's SKPs;
- an annual result is read by the pegawai, a penilai of theirs, or an admin
  of their instansi.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from kinerja_contracts.values import Actor, Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError


class PlanRow(Protocol):
    nip: str
    penilai_nip: str
    instansi: str | None


class EvaluationRow(Protocol):
    id: str
    nip: str
    penilai_nip: str
    atasan_nip: str | None


def forbid(detail: str = "Anda tidak berhak atas data ini (you may not access this).") -> ProblemError:
    return ProblemError(403, "forbidden", detail)


def evaluation_not_found(evaluation_id: str) -> ProblemError:
    """An unknown evaluation; also what an admin of another instansi is told (no probing across instansi)."""
    return ProblemError(404, "evaluation-not-found", f"Evaluasi {evaluation_id} tidak ditemukan (evaluation not found).")


def plan_not_found(skp_id) -> ProblemError:
    """An unknown plan; also what an admin of another instansi is told."""
    return ProblemError(404, "plan-not-found", f"Belum ada rencana evaluasi untuk SKP {skp_id} (no plan yet).")


def hasil_tahunan_not_found(nip: str, tahun: int) -> ProblemError:
    """No annual result of ``nip`` in ``tahun``; also what an admin of another instansi is told."""
    return ProblemError(404, "hasil-tahunan-not-found", f"Tidak ada hasil evaluasi {nip} tahun {tahun} "
                        f"(no evaluation of this pegawai in this year).")


def hide_outside_scope(scope: str | None, instansi: str | None, not_found: ProblemError) -> None:
    """Hiding, not refusing: with a ``scope`` (an admin's instansi, from
    :func:`admin_scope`), a record of another ``instansi`` is answered as an
    unknown one (``not_found``, a 404), so nobody probes across instansi;
    without one (not an admin) nothing is hidden here."""
    if scope is not None and scope != instansi:
        raise not_found


def actor(principal: Principal) -> Actor:
    return Actor(sub=principal.sub, role=str(principal.role))


def admin_instansi(principal: Principal) -> str:
    """The instansi an admin's rights stop at (the token's claim); never all of them."""
    if principal.role != Role.admin or not principal.instansi:
        raise ProblemError(403, "instansi-scope-missing", "Token admin tanpa klaim instansi tidak berhak "
                           "(an admin token needs an `instansi` claim).")
    return principal.instansi


def admin_scope(principal: Principal) -> str | None:
    """The scope: an admin's instansi (an admin token without one is refused,
    403 :func:`admin_instansi`); None for anyone else (their rows are chosen
    by relation)."""
    return admin_instansi(principal) if principal.role == Role.admin else None


def require_admin(principal: Principal) -> None:
    if principal.role != Role.admin:
        raise ProblemError(403, "forbidden-role", f"Hanya admin kepegawaian (only an admin; role '{principal.role}').")


def ensure_operator(principal: Principal) -> None:
    """Extending a period: the deployment's operator (the route asks for
    OperatorPrincipal, which audits the request; this is the use case's own check)."""
    if principal.role != Role.operator:
        raise forbid("Periode berlaku untuk semua instansi; hanya operator deployment yang dapat memperpanjang "
                     "(only the deployment's operator may extend a period).")


def penilai_admin_instansi(principal: Principal) -> str:
    """Recording a Plt/Plh, reassigning a penilai: an admin, within their instansi."""
    require_admin(principal)
    return admin_instansi(principal)


#: a Plt/Plh assignment in force: (the penilai NIP acted for, the instansi of the admin who recorded it)
Acting = tuple[str, str]


def may_rate(principal: Principal, ev: EvaluationRow, acting_for: Collection[Acting] = (),
             instansi: str | None = None) -> bool:
    """The evaluation's pejabat penilai, or their Plt/Plh on the day
    (``acting_for``: the penilai the principal acts for then, each with the
    instansi whose admin recorded it) when the evaluation is of that
    instansi (``instansi``: its plan's). An admin's record gives no
    authority over another instansi's evaluations, and a Plt/Plh never
    rates their own."""
    if principal.sub == ev.penilai_nip:
        return True
    return principal.sub != ev.nip and instansi is not None and (ev.penilai_nip, instansi) in acting_for


def ensure_can_read_plan(principal: Principal, plan: PlanRow, skp_id) -> None:
    """Its pegawai, its penilai, or an admin of its instansi; an admin of
    another instansi is answered as for an unknown plan (404)."""
    if principal.role == Role.admin:
        hide_outside_scope(admin_scope(principal), plan.instansi, plan_not_found(skp_id))
    elif principal.sub not in (plan.nip, plan.penilai_nip):
        raise ProblemError(403, "forbidden", "Anda tidak terkait dengan SKP ini (you are not party to this SKP).")


def ensure_can_read_evaluation(principal: Principal, ev: EvaluationRow, plan: PlanRow,
                               acting_for: Collection[Acting] = ()) -> None:
    """Its parties, a Plt/Plh who may rate it (``acting_for`` as in
    :func:`may_rate`), or an admin of its instansi; an admin of another
    instansi is answered as for an unknown evaluation (404)."""
    if principal.role == Role.admin:
        if admin_instansi(principal) == plan.instansi:
            return
        raise evaluation_not_found(ev.id)
    elif principal.sub in (ev.nip, ev.penilai_nip, ev.atasan_nip) or may_rate(principal, ev, acting_for, plan.instansi):
        return
    raise forbid()


def ensure_pegawai(principal: Principal, ev: EvaluationRow, detail: str) -> None:
    """Entering realisasi, filing a keberatan: the pegawai evaluated."""
    if principal.sub != ev.nip:
        raise forbid(detail)


def ensure_penilai(principal: Principal, ev: EvaluationRow, acting_for: Collection[Acting] = (),
                   instansi: str | None = None) -> None:
    """Rating: the pejabat penilai, or a Plt/Plh recorded for them on the day
    in the evaluation's instansi (as in :func:`may_rate`)."""
    if not may_rate(principal, ev, acting_for, instansi):
        raise forbid("Hanya pejabat penilai, atau Plt/Plh yang tercatat untuk tanggal ini, yang menilai "
                     "(only the pejabat penilai or a recorded Plt/Plh rates).")


def ensure_atasan_of_keberatan(principal: Principal, atasan_nip: str) -> None:
    """Deciding a keberatan: the atasan pejabat penilai of record, in person,
    with an atasan token (a portal or admin token with that NIP as ``sub`` is
    not that person)."""
    if principal.role != Role.atasan or principal.sub != atasan_nip:
        raise forbid("Hanya atasan pejabat penilai yang memutuskan keberatan (only the atasan pejabat penilai decides).")


@dataclass(frozen=True)
class ListScope:
    """What a list may show: evaluations of ``nip``, or appraised by
    ``penilai_nip`` (or by one of the penilai in ``acting_for``, for whom a
    Plt/Plh rates, in the instansi paired with it, not their own), or keberatan where ``atasan_or_pegawai`` is either party,
    or rows of ``instansi`` (an admin's; never all of them)."""

    nip: str | None = None
    penilai_nip: str | None = None
    acting_for: frozenset[Acting] = frozenset()
    atasan_or_pegawai: str | None = None
    instansi: str | None = None


def evaluation_list_scope(principal: Principal, peran: str, nip: str | None,
                          acting_for: Collection[Acting] = ()) -> tuple[ListScope, str | None]:
    """The scope of a list of evaluations, and the NIP filter that still applies
    (a pegawai sees only their own: their ``nip`` filter is ignored). A
    penilai's list holds their own and those of the penilai they act for
    (``acting_for``: Plt/Plh in force today)."""
    if principal.role == Role.admin:
        return ListScope(instansi=admin_instansi(principal)), nip
    if peran == "penilai":
        return ListScope(penilai_nip=principal.sub, acting_for=frozenset(acting_for)), nip
    return ListScope(nip=principal.sub), None


def keberatan_list_scope(principal: Principal) -> ListScope:
    """The keberatan a person is party to (as atasan or pegawai); an admin's
    of their instansi."""
    if principal.role != Role.admin:
        return ListScope(atasan_or_pegawai=principal.sub)
    return ListScope(instansi=admin_instansi(principal))


def kehadiran_nip(principal: Principal, nip: str | None) -> str | None:
    """Whose attendance a reader sees: anyone but an admin only their own."""
    return nip if principal.role == Role.admin else principal.sub


def ensure_own_instansi(foreign: set[str]) -> None:
    """An admin changes the attendance of their instansi's pegawai only (``foreign``: the others named)."""
    if foreign:
        raise forbid(f"Pegawai instansi lain tidak dapat diubah (these pegawai belong to another agency): "
                     f"{', '.join(sorted(foreign)[:10])}.")


def needs_penilai_check(principal: Principal, nip: str) -> bool:
    """Reading an annual result of someone else: allowed to an admin, or to one of their penilai."""
    return principal.role != Role.admin and principal.sub != nip


def foreign(rows: list[tuple[str, str | None]], instansi: str | None) -> set[str]:
    """The NIPs known (from their plans' ``rows`` of (nip, instansi)) only in
    other instansi than ``instansi`` (None: an unscoped admin, nothing is
    foreign). A NIP without any plan is not foreign: attendance may arrive
    before the SKP is approved."""
    if instansi is None:
        return set()
    mine = {n for n, i in rows if i == instansi}
    return {n for n, i in rows if i != instansi} - mine
