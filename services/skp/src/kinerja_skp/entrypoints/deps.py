"""Shared dependencies of the skp HTTP API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from kinerja_platform.runtime import Runtime, get_runtime
from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal, require_roles
from kinerja_platform.web.errors import ProblemError

from ..service_layer.policy import Policy

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Writer = Annotated[Principal, Depends(require_roles(Role.pegawai, Role.atasan, Role.admin, Role.portal))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
Intake = Annotated[Principal, Depends(require_roles(Role.portal, Role.admin))]


async def get_policy(rt: RuntimeDep) -> Policy:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool
    policy = rt.extras.get("policy")
    if policy is None:
        policy = rt.extras["policy"] = Policy.from_settings(rt.settings)
    return policy


PolicyDep = Annotated[Policy, Depends(get_policy)]


def version_from(if_match: str | None, body_version: int | None) -> int:
    """The version the caller read: ``If-Match: "3"`` or a ``version`` field."""
    if if_match:
        try:
            return int(if_match.strip().removeprefix("W/").strip('"'))
        except ValueError as exc:
            raise ProblemError(400, "bad-if-match", f"If-Match harus berisi versi SKP, mis. \"3\" (If-Match must carry the "
                               f"SKP version; got {if_match!r}).") from exc
    if body_version is not None:
        return body_version
    raise ProblemError(428, "version-required", "Kirim versi SKP lewat header If-Match atau isian `version` "
                       "(send the version you read as If-Match or `version`).")
