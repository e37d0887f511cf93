"""Dependencies shared by the routers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from kinerja_platform.db import UnitOfWork
from kinerja_platform.web.auth import Principal, require_roles

from ..bootstrap import Container
from ..service_layer import access

# The roles each kind of endpoint admits come from service_layer/access.py
# (the one place for authorisation); the use cases check the instansi and the person.
Writer = Annotated[Principal, Depends(require_roles(*access.WRITERS))]
Reader = Annotated[Principal, Depends(require_roles(*access.READERS))]


async def get_container(request: Request) -> Container:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool
    return request.app.state.runtime.container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_uow(c: ContainerDep) -> UnitOfWork:
    return c.uow


async def get_now(c: ContainerDep) -> dt.datetime:
    """The current time from the service's clock (injectable in tests)."""
    return c.clock()


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
