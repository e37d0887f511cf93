"""Hostile input never makes a 5xx (issue 15): a property-based fuzz suite.

For every operation of each service's own OpenAPI, Schemathesis draws a
request that fits the schema; Hypothesis then puts one hostile value into it:
into a field of the JSON body (any depth), a query parameter, a path
parameter, or as the whole body. The hostile values:

- extreme numbers: ``1E+5000``, a 5,000-digit integer, ``-1e-5000`` (sent as
  raw JSON literals), 2^63, 2^64, 1e308, the smallest subnormal, -0.0, and
  any integer up to 10^40 or finite float;
- dates at and past every edge: the window's first and last day and the day
  beyond each, year 1, 9999 and 10000, 29 February of leap and common years,
  month 13, and any date Hypothesis draws;
- text: every control character (C0, DEL, C1) and lone surrogate inside a
  name, formula starters (``=HYPERLINK``, ``=cmd|``), a 200,000-character
  string, and text from every Unicode category;
- structure: JSON nested 5,000 deep, an object with 20,000 keys, a list
  where an object belongs, null.

Every answer must be below 500, and every 4xx the documented problem
document. Deterministic (derandomized, no example database) and bounded:
``EXAMPLES`` per operation (under two minutes for the four services on two
cores); raise it for a deeper local hunt.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from kinerja_contracts.values import TANGGAL_MAX, TANGGAL_MIN
from schemathesis import GenerationMode

from .conftest import SERVICES
from .test_bad_input import ROLES, _real_path_parameters, _request, check_answer

EXAMPLES = 8  # hostile requests per operation

# --- strategies ---------------------------------------------------------------------------------------------------

#: JSON number literals json.dumps cannot write: sent raw in place of their marker string
RAW = {"__raw_1e5000__": "1E+5000", "__raw_5000_digits__": "9" * 5000, "__raw_tiny__": "-1e-5000",
       "__raw_deep__": "[" * 5000 + "]" * 5000}

extreme_numbers = st.one_of(
    st.sampled_from([k for k in RAW if k != "__raw_deep__"]),
    st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, 1e308, -1e308, 5e-324, -0.0, 0, 1]),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
)

_EDGE_DATES = [TANGGAL_MIN, TANGGAL_MIN - dt.timedelta(days=1), TANGGAL_MAX, TANGGAL_MAX + dt.timedelta(days=1),
               dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 2, 29)]
edge_dates = st.one_of(
    st.sampled_from([d.isoformat() for d in _EDGE_DATES]),
    st.sampled_from(["10000-01-01", "-0001-01-01", "2025-02-29", "2025-13-01", "2025-00-10", "0000-00-00",
                     "9999-12-31T23:59:59+14:00", "2025-09-01T00:00:00"]),
    st.dates().map(dt.date.isoformat),
    st.datetimes(timezones=st.just(dt.UTC)).map(dt.datetime.isoformat),
)

CONTROL = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))] + ["\ud800", "\udfff"]
FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(1)"]
CATEGORIES = sorted({unicodedata.category(chr(c)) for c in range(0x110000)})
hostile_text = st.one_of(
    st.sampled_from(CONTROL).map(lambda c: f"Siti{c}Rahmawati"),
    st.sampled_from(FORMULAS),
    st.just("x" * 200_000),
    st.sampled_from(CATEGORIES).flatmap(lambda cat: st.text(st.characters(categories=[cat]), min_size=1, max_size=8)),
    st.text(max_size=30),
)


structures = st.one_of(
    st.just("__raw_deep__"),  # JSON nested 5,000 deep
    st.just({f"k{i}": i for i in range(20_000)}),
    st.just([{"nip": "199503152025212001"}] * 3),
    st.none(),
)

hostile_values = st.one_of(extreme_numbers, edge_dates, hostile_text, structures)
where = st.sampled_from(["body", "body", "query", "path", "whole-body"])

# --- mutations ----------------------------------------------------------------------------------------------------


def _leaves(value, path=()):
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path


def _put(body, path, value):
    if not path:
        return value
    node = body
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return body


def _as_param(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)[:5000]


def mutate(case, pick: int, value, place: str) -> None:
    """Put ``value`` into one place of ``case`` (in place)."""
    body = getattr(case, "body", None)
    if place == "path" and case.path_parameters:
        name = sorted(case.path_parameters)[pick % len(case.path_parameters)]
        case.path_parameters[name] = _as_param(value)
    elif place == "query" and case.query:
        name = sorted(case.query)[pick % len(case.query)]
        case.query[name] = _as_param(value)
    elif place == "whole-body" and isinstance(body, (dict, list)):
        case.body = value
    elif isinstance(body, (dict, list)):
        leaves = list(_leaves(body))
        case.body = _put(body, leaves[pick % len(leaves)], value)
    elif case.query:
        name = sorted(case.query)[pick % len(case.query)]
        case.query[name] = _as_param(value)


def _collect(strategy) -> list:
    cases: list = []

    @given(strategy)
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def collect(drawn):
        cases.append(drawn)

    try:
        collect()
    except Unsatisfiable:
        pass
    return cases


def _raw_json(req: dict) -> dict:
    """Write the raw number literals in place of their markers."""
    content = req.get("content")
    if isinstance(content, bytes):
        for marker, literal in RAW.items():
            content = content.replace(json.dumps(marker).encode(), literal.encode())
        req["content"] = content
    return req


@pytest.mark.parametrize("service", SERVICES)
async def test_hostile_values_never_break_a_service(system, service):
    app, client = system.apps[service], system.clients[service]
    schema = schemathesis.openapi.from_dict(app.openapi())
    sent = 0
    for result in schema.get_all_operations():
        op = result.ok()
        real = _real_path_parameters(system, op)
        base = op.as_strategy(generation_mode=GenerationMode.POSITIVE, **({"path_parameters": real} if real else {}))
        drawn = _collect(st.tuples(base, st.integers(min_value=0, max_value=10**6), hostile_values, where))
        for i, (case, pick, value, place) in enumerate(drawn):
            mutate(case, pick, value, place)
            role = ROLES[(i + 1) % len(ROLES)]
            try:
                req = _request(case, system.headers(role))
            except (UnicodeEncodeError, ValueError, TypeError, RecursionError, httpx.InvalidURL):
                continue  # a request no client can even write (e.g. a lone surrogate in a URL)
            if req is None:
                continue
            req = _raw_json(req)
            try:
                r = await client.request(req.pop("method"), req.pop("url"), **req)
            except (UnicodeEncodeError, httpx.InvalidURL):
                continue
            check_answer(r, f"{service} {op.method.upper()} {op.path} as {role}, {place}={str(value)[:200]!r}")
            sent += 1
    assert sent >= 40, f"only {sent} hostile requests reached {service}"
