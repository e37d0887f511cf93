"""Shared dependencies of the evaluation routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from kinerja_platform.runtime import Runtime, get_runtime
from kinerja_contracts.values import Actor, Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..adapters.clock import SystemClock, today

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def clock_of(rt: Runtime):
    return rt.extras.get("clock") or SystemClock()


def today_of(rt: Runtime):
    return today(clock_of(rt))


def actor(principal: Principal) -> Actor:
    return Actor(sub=principal.sub, role=str(principal.role))


def forbid(detail: str = "Anda tidak berhak atas data ini (you may not access this).") -> ProblemError:
    return ProblemError(403, "forbidden", detail)


def admin_scope(principal: Principal) -> str | None:
    """An admin's instansi scope (None: all)."""
    return principal.instansi if principal.role == Role.admin else None


def require_admin(principal: Principal) -> None:
    if principal.role != Role.admin:
        raise ProblemError(403, "forbidden-role", f"Hanya admin kepegawaian (only an admin; role '{principal.role}').")
