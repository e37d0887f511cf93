"""Shared dependencies of the skp HTTP API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from kinerja_platform.db import UnitOfWork
from kinerja_platform.web.auth import Principal, require_roles
from kinerja_platform.web.errors import ProblemError

from ..bootstrap import Container
from ..service_layer import access
from ..service_layer.policy import Policy
from ..settings import Settings

# The roles each kind of endpoint admits come from service_layer/access.py
# (the one place for authorisation); the use cases check the row.
Writer = Annotated[Principal, Depends(require_roles(*access.WRITERS))]
Admin = Annotated[Principal, Depends(require_roles(*access.ADMINS))]
Intake = Annotated[Principal, Depends(require_roles(*access.INTAKE))]


async def get_container(request: Request) -> Container:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool
    return request.app.state.runtime.container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_uow(c: ContainerDep) -> UnitOfWork:
    return c.uow


async def get_policy(c: ContainerDep) -> Policy:
    return c.policy


async def get_settings(c: ContainerDep) -> Settings:
    return c.settings


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
PolicyDep = Annotated[Policy, Depends(get_policy)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


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
