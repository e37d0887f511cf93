"""Bad input never breaks a service.

- Schemathesis generates requests from each service's own OpenAPI, valid
  ones (positive) and ones that break the schema (negative), with random and
  with real (seeded) path parameters, as every role; each is sent in-process
  to the running app (real database, real nats-server). No answer may be 5xx,
  and every 4xx must be the documented problem document
  (``application/problem+json`` with type, title, status, detail, code).
- Bodies larger than ``KINERJA_MAX_BODY_BYTES`` are refused with 413, whether
  they announce their length or stream it.

Deterministic: Hypothesis runs derandomized, without its example database.
"""

from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from .conftest import SERVICES, make_apps, skp_of, P
from kinerja_devstack.natsserver import NatsServer
from kinerja_devstack.testing import running

EXAMPLES = 6  # per operation, per generation mode, per path-parameter variant (x2 x2 = 24 per operation)
ROLES = ("pegawai", "atasan", "admin", "portal", "admin_other", "none")
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def _collect(strategy) -> list:
    cases: list = []

    @given(strategy)
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def collect(case):
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # negative mode for an operation with nothing to break (e.g. GET /healthz)
        pass
    return cases


def _real_path_parameters(system, op) -> dict[str, str] | None:
    me = system.people[P]
    known = {"skp_id": me.pending_skp, "evaluation_id": me.evaluation, "keberatan_id": me.keberatan, "nip": me.nip,
             "event_id": me.extra["event_id"], "tahun": "2025", "bulan": "9", "version": "1",
             "ext_id": me.extra["extension"], "penugasan_id": me.extra["penugasan"]}
    names = [p.name for p in op.path_parameters]
    if not names or any(n not in known for n in names):
        return None
    return {n: known[n] for n in names}


def _request(case, headers: dict[str, str]) -> dict | None:
    kw = case.as_transport_kwargs(base_url="http://testserver")
    kw.pop("cookies", None)
    sent = {k: v for k, v in (kw.pop("headers", None) or {}).items() if k.lower() not in ("authorization", "host")}
    sent.update(headers)
    out = {"method": kw.pop("method"), "url": kw.pop("url"), "headers": sent, "params": kw.pop("params", None)}
    if "json" in kw:
        out["content"] = json.dumps(kw.pop("json")).encode()
        sent.setdefault("Content-Type", "application/json")
    if kw.get("files"):
        out["files"] = [(n, v) for n, v in kw.pop("files")]
        if kw.get("data"):
            out["data"] = kw.pop("data")
    elif kw.get("data") is not None:
        data = kw.pop("data")
        out["content"] = data if isinstance(data, bytes) else str(data).encode()
    try:  # a header httpx cannot even encode is not a request a client can send
        httpx.Request(out["method"], out["url"], headers=sent)
    except (UnicodeEncodeError, ValueError, TypeError):
        return None
    return out


def check_answer(r: httpx.Response, what: str) -> None:
    assert r.status_code < 500, f"{what} -> {r.status_code} {r.text[:500]}"
    if 400 <= r.status_code < 500:
        assert r.headers.get("content-type", "").startswith("application/problem+json"), f"{what} -> {r.status_code} {r.headers}"
        body = r.json()
        assert body.keys() >= PROBLEM_FIELDS, f"{what} -> {r.text[:500]}"
        assert body["status"] == r.status_code, f"{what} -> {r.text[:500]}"


@pytest.mark.parametrize("service", SERVICES)
async def test_generated_requests_never_break_a_service(system, service):
    app, client = system.apps[service], system.clients[service]
    schema = schemathesis.openapi.from_dict(app.openapi())
    sent = 0
    for result in schema.get_all_operations():
        op = result.ok()
        real = _real_path_parameters(system, op)
        strategies = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(op.as_strategy(generation_mode=mode))
            if real:
                strategies.append(op.as_strategy(generation_mode=mode, path_parameters=real))
        for strategy in strategies:
            for i, case in enumerate(_collect(strategy)):
                role = ROLES[i % len(ROLES)]
                req = _request(case, system.headers(role))
                if req is None:
                    continue
                r = await client.request(req.pop("method"), req.pop("url"), **req)
                check_answer(r, f"{service} {op.method.upper()} {op.path} as {role}: {case.as_curl_command()[:600]}")
                sent += 1
    assert sent >= 50, f"only {sent} requests reached {service}"


# --- 413 ------------------------------------------------------------------------------------------------------------

LIMIT = 8192
WRITES = {
    "skp": ("POST", "/api/v1/skp"),
    "approval": ("POST", "/api/v1/approvals/batch-approve"),
    "evaluation": ("PUT", "/api/v1/kehadiran/2025/9"),
    "notification": ("PUT", f"/api/v1/recipients/{P}/preferences"),
    "directory": ("POST", "/api/v1/people/bulk"),
}


async def test_oversized_bodies_are_refused_with_413(test_databases, tokens):
    nats = NatsServer().start()
    try:
        apps = make_apps(test_databases, nats.url, 1, None, max_body_bytes=LIMIT)
        for svc, app in apps.items():
            method, path = WRITES[svc]
            big = json.dumps({"items": [skp_of(P, P)] * 3, "pad": "x" * 2 * LIMIT}).encode()
            small_ok = json.dumps(skp_of(P, P)).encode() if svc == "skp" else b"{}"
            assert len(big) > LIMIT
            async with running(app) as client:
                h = {**tokens("admin-dki", "admin", instansi="Pemerintah Provinsi DKI Jakarta"),
                     "Content-Type": "application/json"}
                # announced length
                r = await client.request(method, path, content=big, headers=h)
                assert r.status_code == 413, f"{svc}: {r.status_code} {r.text[:200]}"
                check_answer(r, svc)
                assert r.json()["code"] == "payload-too-large"

                # streamed (chunked, no Content-Length)
                async def chunks(big=big):
                    for i in range(0, len(big), 512):
                        yield big[i:i + 512]

                r = await client.request(method, path, content=chunks(), headers=h)
                assert r.status_code == 413, f"{svc} streamed: {r.status_code} {r.text[:200]}"
                # a body under the limit is judged on its content, not refused for size
                r = await client.request(method, path, content=small_ok, headers=h)
                assert r.status_code != 413 and r.status_code < 500, f"{svc}: {r.status_code} {r.text[:200]}"
    finally:
        nats.cleanup()


HUGE = (2**70, -(2**70), 2**63)


@pytest.mark.parametrize("service", SERVICES)
async def test_out_of_range_integers_in_every_parameter(system, service):
    """Every integer path or query parameter, set to a number no database
    column holds, is answered with a 4xx problem, never a 500 (an OverflowError
    in the driver)."""
    app, client = system.apps[service], system.clients[service]
    me = system.people[P]
    known = {"skp_id": me.pending_skp, "evaluation_id": me.evaluation, "keberatan_id": me.keberatan, "nip": me.nip,
             "event_id": me.extra["event_id"], "tahun": "2025", "bulan": "9", "version": "1",
             "ext_id": me.extra["extension"], "penugasan_id": me.extra["penugasan"]}
    probed = 0
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            params = op.get("parameters", [])
            ints = [p for p in params if p["in"] in ("path", "query") and _is_int(p.get("schema", {}))]
            for p in ints:
                for value in HUGE:
                    url = path
                    for q in params:
                        if q["in"] == "path":
                            url = url.replace("{" + q["name"] + "}", str(value) if q is p else known[q["name"]])
                    query = {p["name"]: value} if p["in"] == "query" else {}
                    for role in ("pegawai", "admin"):
                        r = await client.request(method.upper(), url, params=query, headers=system.headers(role),
                                                 json={} if method in ("post", "put") else None)
                        check_answer(r, f"{service} {method.upper()} {url} {query} as {role}")
                        probed += 1
    assert probed > 0


def _is_int(schema: dict) -> bool:
    return schema.get("type") == "integer" or any(s.get("type") == "integer" for s in schema.get("anyOf", []))


NUL_PROBES = {
    "skp": [("GET", "/api/v1/skp", {"params": {"unit_kerja": "a\x00b"}}),
            ("POST", "/api/v1/skp", {"json": skp_of(P, "197806102005011002") | {"pendekatan": "kuantitatif"},
                                     "nul_in": "pegawai.nama"})],
    "approval": [("GET", "/api/v1/approvals", {"params": {"unit_kerja": "a\x00b", "penilai_nip": "\x00"}})],
    "evaluation": [("GET", "/api/v1/evaluations", {"params": {"period_id": "2025-09\x00"}})],
    "notification": [("GET", "/api/v1/deliveries", {"params": {"kind": "\x00"}})],
    "directory": [("GET", "/api/v1/people", {"params": {"q": "a\x00b", "unit_id": "\x00"}}),
                  ("POST", "/api/v1/people/bulk", {"json": {"items": [{"person_id": "x\x00y", "nama": "Siti\x00",
                                                                       "berlaku_mulai": "2025-01-01"}]}}),
                  ("PUT", f"/api/v1/people/{P}", {"json": {"nama": "Siti\x00Rahmawati", "berlaku_mulai": "2025-01-01"}})],
}


@pytest.mark.parametrize("service", SERVICES)
async def test_nul_characters_are_a_4xx(system, service):
    """PostgreSQL stores no NUL character: input carrying one is refused as
    bad input (422), never a 500 from the driver (found on PostgreSQL)."""
    client = system.clients[service]
    for method, path, kw in NUL_PROBES[service]:
        kw = dict(kw)
        if "nul_in" in kw:
            body = json.loads(json.dumps(kw.pop("json")))
            section, field = kw.pop("nul_in").split(".")
            body[section][field] = "Siti\x00Rahmawati"
            kw["json"] = body
        for role in ("pegawai", "admin"):
            r = await client.request(method, path, headers=system.headers(role), **kw)
            check_answer(r, f"{service} {method} {path} as {role}")
