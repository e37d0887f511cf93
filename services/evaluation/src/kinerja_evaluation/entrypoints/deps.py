"""Shared dependencies of the evaluation routers: the container and what the
routes take from it. Who may do what is decided in service_layer/access.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from kinerja_platform.db import UnitOfWork

from ..bootstrap import Container
from ..settings import Settings


async def get_container(request: Request) -> Container:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool
    return request.app.state.runtime.container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_uow(c: ContainerDep) -> UnitOfWork:
    return c.uow


async def get_settings(c: ContainerDep) -> Settings:
    return c.settings


async def get_today(c: ContainerDep) -> dt.date:
    """Today in Asia/Jakarta, from the container's clock (moved by tests and demos)."""
    return c.today()


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TodayDep = Annotated[dt.date, Depends(get_today)]
