"""Dependencies shared by the routers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from kinerja_platform.db import UnitOfWork
from kinerja_platform.web.auth import Principal, require_roles

from ..bootstrap import Container
from ..service_layer import access
from ..settings import Settings

# The roles each kind of endpoint admits come from service_layer/access.py
# (the one place for authorisation); the use cases check the case.
Atasan = Annotated[Principal, Depends(require_roles(*access.DECIDERS))]
Admin = Annotated[Principal, Depends(require_roles(*access.ADMINS))]


async def get_container(request: Request) -> Container:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool
    return request.app.state.runtime.container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_uow(c: ContainerDep) -> UnitOfWork:
    return c.uow


async def get_now(c: ContainerDep) -> dt.datetime:
    """The current time from the service's clock (injectable in tests)."""
    return c.clock()


async def get_settings(c: ContainerDep) -> Settings:
    return c.settings


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
#: the time of the request, from the container's clock
NowDep = Annotated[dt.datetime, Depends(get_now)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
