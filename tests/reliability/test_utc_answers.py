"""Every instant in an API answer carries its time zone.

SQLite (the development database) hands stored UTC instants back without a
zone; an answer that printed them as they came ("2026-11-26T02:02:33") would
be read as local time by a client in Jakarta, seven hours off. Response
models therefore use ``kinerja_contracts.values.UtcDatetime``; this test
walks every route's response model of every service and fails on a bare
``datetime`` field, and checks the type itself.
"""

from __future__ import annotations

import datetime as dt
import typing

from kinerja_contracts.values import UtcDatetime, as_utc
from kinerja_devstack.testing import ManualClock
from pydantic import BaseModel, TypeAdapter

from .conftest import make_apps, walk_routes


class SqliteFiles:
    """Database URLs for make_apps: SQLite files never opened (the apps are not started)."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path

    def new(self, name: str) -> str:
        return f"sqlite:///{self.tmp_path / name}.db"


def _utc(metadata) -> bool:
    return any(getattr(m, "func", None) is as_utc for m in metadata)


def _bare_datetimes(t, where: str, seen: set, metadata=()) -> list[str]:
    """Where inside type ``t`` (a response model, a list of them, a field's
    type) a datetime is typed without UtcDatetime."""
    if typing.get_origin(t) is typing.Annotated:
        base, *meta = typing.get_args(t)
        return _bare_datetimes(base, where, seen, (*metadata, *meta))
    if t is dt.datetime:
        return [] if _utc(metadata) else [where]
    if isinstance(t, type) and issubclass(t, BaseModel):
        if t in seen:
            return []
        seen.add(t)
        return [found for name, f in t.model_fields.items()
                for found in _bare_datetimes(f.annotation, f"{where} {t.__name__}.{name}", seen, tuple(f.metadata))]
    return [found for arg in typing.get_args(t) for found in _bare_datetimes(arg, where, seen, metadata)]


def test_no_answer_has_a_bare_datetime_field(tmp_path):
    apps = make_apps(SqliteFiles(tmp_path), "nats://127.0.0.1:1", 0, ManualClock(dt.datetime(2026, 1, 1)))
    bare = [found for service, app in apps.items() for method, path, route in walk_routes(app)
            for found in _bare_datetimes(route.response_model, f"{service} {method} {path} ->", set())]
    assert bare == [], "answer fields typed as a bare datetime (use kinerja_contracts.values.UtcDatetime):\n" + "\n".join(bare)


def test_utc_datetime_gives_a_naive_instant_its_zone_and_keeps_an_aware_one():
    adapter = TypeAdapter(UtcDatetime)
    naive = dt.datetime(2026, 11, 26, 2, 2, 33)
    assert adapter.dump_json(adapter.validate_python(naive)) == b'"2026-11-26T02:02:33Z"'
    jakarta = dt.datetime(2026, 11, 26, 9, 2, 33, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert adapter.validate_python(jakarta) == jakarta and adapter.validate_python(jakarta).utcoffset() == dt.timedelta(hours=7)
