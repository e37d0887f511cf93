"""Dependencies shared by the routers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends
from kinerja_platform.runtime import Runtime, get_runtime
from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal, require_roles
from kinerja_contracts.calendar import utcnow


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Atasan = Annotated[Principal, Depends(require_roles(Role.atasan))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]


def now(rt: Runtime) -> dt.datetime:
    """The current time from the service's clock (injectable in tests)."""
    return rt.extras.get("clock", utcnow)()
