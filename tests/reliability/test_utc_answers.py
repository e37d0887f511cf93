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
import types
import typing

from kinerja_approval.main import create_app as approval_app
from kinerja_approval.settings import Settings as ApprovalSettings
from kinerja_contracts.values import UtcDatetime, as_utc
from kinerja_evaluation.main import create_app as evaluation_app
from kinerja_evaluation.settings import Settings as EvaluationSettings
from kinerja_notification.main import create_app as notification_app
from kinerja_notification.settings import Settings as NotificationSettings
from kinerja_skp.main import create_app as skp_app
from kinerja_skp.settings import Settings as SkpSettings
from pydantic import BaseModel, TypeAdapter

from .conftest import walk_routes


def _apps(tmp_path) -> dict:
    db = lambda name: f"sqlite:///{tmp_path / name}.db"  # noqa: E731 - never opened: the apps are not started
    return {
        "skp": skp_app(SkpSettings(database_url=db("skp"))),
        "approval": approval_app(ApprovalSettings(database_url=db("approval"))),
        "evaluation": evaluation_app(EvaluationSettings(database_url=db("evaluation"))),
        "notification": notification_app(NotificationSettings(database_url=db("notification"))),
    }


def _bare_datetimes(model: type[BaseModel], seen: set, where: str) -> list[str]:
    """Fields of ``model`` (and of the models inside it) typed as a plain datetime."""
    if model in seen:
        return []
    seen.add(model)
    found = []
    for name, info in model.model_fields.items():
        here = f"{where}.{name}"
        stack = [info.annotation]
        while stack:
            t = stack.pop()
            if t is dt.datetime:
                if not any(getattr(m, "func", None) is as_utc for m in info.metadata):
                    found.append(here)
            elif isinstance(t, type) and issubclass(t, BaseModel):
                found += _bare_datetimes(t, seen, f"{here}:{t.__name__}")
            elif typing.get_origin(t) is typing.Annotated:
                args = typing.get_args(t)
                if args[0] is dt.datetime and any(getattr(m, "func", None) is as_utc for m in args[1:]):
                    continue
                stack.append(args[0])
            else:
                stack.extend(a for a in typing.get_args(t) if a is not type(None) and a is not Ellipsis)
    return found


def test_no_answer_has_a_bare_datetime_field(tmp_path):
    bare = []
    for service, app in _apps(tmp_path).items():
        for method, path, route in walk_routes(app):
            models = []
            if route.response_model is not None:
                stack = [route.response_model]
                while stack:
                    t = stack.pop()
                    if isinstance(t, type) and issubclass(t, BaseModel):
                        models.append(t)
                    elif isinstance(t, types.GenericAlias | types.UnionType) or typing.get_origin(t) is not None:
                        stack.extend(typing.get_args(t))
            for m in models:
                bare += _bare_datetimes(m, set(), f"{service} {method} {path} -> {m.__name__}")
    assert bare == [], "answer fields typed as a bare datetime (use kinerja_contracts.values.UtcDatetime):\n" + "\n".join(bare)


def test_utc_datetime_gives_a_naive_instant_its_zone_and_keeps_an_aware_one():
    adapter = TypeAdapter(UtcDatetime)
    naive = dt.datetime(2026, 11, 26, 2, 2, 33)
    assert adapter.dump_json(adapter.validate_python(naive)) == b'"2026-11-26T02:02:33Z"'
    jakarta = dt.datetime(2026, 11, 26, 9, 2, 33, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert adapter.validate_python(jakarta) == jakarta and adapter.validate_python(jakarta).utcoffset() == dt.timedelta(hours=7)
