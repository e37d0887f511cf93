"""Dependencies shared by the routers: the container and what the routes
take from it. Who may do what is decided in service_layer/access.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from kinerja_platform.db import UnitOfWork
from kinerja_platform.web.auth import Principal, require_roles

from ..bootstrap import Container
from ..service_layer import access

Admin = Annotated[Principal, Depends(require_roles(*access.ADMINS))]


async def get_container(request: Request) -> Container:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool
    return request.app.state.runtime.container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_uow(c: ContainerDep) -> UnitOfWork:
    return c.uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
