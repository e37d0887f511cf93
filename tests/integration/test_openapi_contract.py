"""Each service's OpenAPI document is a contract: every error answer is
problem+json with the Problem schema and an example of its own status, the
bearer scheme names JWT, and Swagger UI / ReDoc are served with their assets
by the service itself (no CDN)."""

from __future__ import annotations

import importlib
import re

import httpx
import pytest
from kinerja_platform.web.errors import PROBLEM_MEDIA_TYPE

SERVICES = ("skp", "approval", "evaluation", "notification", "directory")


@pytest.fixture(scope="module", params=SERVICES)
def app(request):
    return importlib.import_module(f"kinerja_{request.param}.main").create_app()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield f"{method.upper()} {path}", op


def test_every_error_answer_is_a_problem_with_its_own_example(app):
    doc = app.openapi()
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code", "correlation_id"} <= set(problem["required"])
    assert problem["properties"]["errors"]["anyOf"][0]["items"] == {"$ref": "#/components/schemas/FieldError"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    seen = set()
    for name, op in operations(doc):
        for code, response in op["responses"].items():
            if int(code) < 400 or name == "GET /readyz":  # readiness answers its own shape (below)
                continue
            assert list(response["content"]) == [PROBLEM_MEDIA_TYPE], (name, code)
            body = response["content"][PROBLEM_MEDIA_TYPE]
            assert body["schema"] == {"$ref": "#/components/schemas/Problem"}, (name, code)
            assert body["example"]["status"] == int(code), (name, code)
            assert body["example"]["type"].endswith("/" + body["example"]["code"])
            seen.add(int(code))
    assert {400, 401, 403, 404, 409, 422} <= seen
    examples = {code: r["content"][PROBLEM_MEDIA_TYPE]["example"]["code"]
                for name, op in operations(doc) for code, r in op["responses"].items()
                if int(code) >= 400 and name != "GET /readyz"}
    assert len(set(examples.values())) == len(examples)  # not one example for all
    assert examples["422"] == "validation-error" and examples["401"] != "validation-error"


def test_bearer_scheme_says_jwt(app):
    schemes = app.openapi()["components"]["securitySchemes"]
    assert [s["bearerFormat"] for s in schemes.values() if s.get("scheme") == "bearer"] == ["JWT"]


async def test_swagger_ui_and_redoc_load_only_from_the_service(app):
    transport = httpx.ASGITransport(app=app)  # no lifespan needed: docs touch no database
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for page in ("/docs", "/redoc"):
            r = await client.get(page)
            assert r.status_code == 200
            urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", r.text) + re.findall(r"url: '([^']+)'", r.text)
            assert urls, page
            for url in urls:
                assert not url.startswith(("http:", "https:", "//")), f"{page} loads {url} from elsewhere"
                if url.startswith("/docs-assets/"):
                    asset = await client.get(url)
                    assert asset.status_code == 200 and len(asset.content) > 1000, url
        assert "swagger-ui-bundle.js" in (await client.get("/docs")).text
        assert "redoc.standalone.js" in (await client.get("/redoc")).text
        assert (await client.get("/openapi.json")).json()["components"]["securitySchemes"]


def _untyped(node) -> bool:
    """An object schema that says nothing of its keys: no ``properties``, and
    ``additionalProperties`` absent or ``true`` (``dict[str, Any]``). An object
    with properties may allow more (the Problem's RFC 9457 extension members);
    a map with typed values (``dict[str, int]``) is typed."""
    return isinstance(node, dict) and "properties" not in node and (
        node.get("additionalProperties") is True
        or (node.get("type") == "object" and "additionalProperties" not in node))


def untyped_parts(doc, node, where: str, seen: set[str] | None = None) -> list[str]:
    """Every untyped object in ``node``, followed through ``$ref``s,
    properties, items, map values and alternatives; each named by its path."""
    seen = set() if seen is None else seen
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen.add(name)
        return untyped_parts(doc, doc["components"]["schemas"][name], name, seen)
    found = [where or "(the answer)"] if _untyped(node) else []
    for key, sub in node.get("properties", {}).items():
        found += untyped_parts(doc, sub, f"{where}.{key}", seen)
    for key in ("items", "additionalProperties"):
        found += untyped_parts(doc, node.get(key), f"{where}[{key}]", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for alt in node.get(key, []):
            found += untyped_parts(doc, alt, where, seen)
    return found


def test_no_answer_holds_an_untyped_object(app):
    """Issue 18 item 5: typed answers everywhere. Every JSON answer of every
    operation (errors included) has a schema, and no part of it is an object
    that says nothing of its keys (``dict[str, Any]``). The one exception is
    ``/asyncapi.json``, a document of its own standard (AsyncAPI 3.0, checked
    against that schema by the platform's tests)."""
    doc = app.openapi()
    bad = {}
    for name, op in operations(doc):
        for code, response in op["responses"].items():
            for media, body in response.get("content", {}).items():
                if not media.endswith("json") or name == "GET /asyncapi.json":
                    continue
                schema = body.get("schema")
                assert schema, f"{name} {code} {media}: no schema"
                found = untyped_parts(doc, schema, "")
                if found:
                    bad[f"{name} {code}"] = found
    assert bad == {}


def test_the_untyped_check_finds_a_dict_of_anything():
    """The check above would catch what it looks for: a ``dict[str, Any]``
    deep in an answer, behind a $ref, in a list, in an alternative."""
    doc = {"components": {"schemas": {
        "Out": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}},
        "Row": {"type": "object", "properties": {"content": {"anyOf": [
            {"type": "object", "additionalProperties": True}, {"type": "null"}]}, "n": {"type": "integer"}}},
    }}}
    assert untyped_parts(doc, {"$ref": "#/components/schemas/Out"}, "") == ["Row.content"]
    assert untyped_parts(doc, {"type": "object"}, "") == ["(the answer)"]
    assert untyped_parts(doc, {"type": "object", "additionalProperties": {"type": "integer"}}, "") == []


def test_the_answers_the_issue_named_are_typed():
    """The cascade tree, the plan's rencana and the evaluation's hasil_kerja
    were ``additionalProperties: true``; now each names its fields."""
    skp = importlib.import_module("kinerja_skp.main").create_app().openapi()
    evaluation = importlib.import_module("kinerja_evaluation.main").create_app().openapi()
    ref = skp["paths"]["/api/v1/skp/{skp_id}/cascade"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ref == {"$ref": "#/components/schemas/CascadeOut"}
    node = skp["components"]["schemas"]["CascadeNode"]
    assert node["properties"]["intervensi"]["items"] == {"$ref": "#/components/schemas/CascadeNode"}
    schemas = evaluation["components"]["schemas"]
    assert schemas["PlanOut"]["properties"]["rencana"]["items"] == {"$ref": "#/components/schemas/PlanIki"}
    assert schemas["EvaluationOut"]["properties"]["hasil_kerja"]["items"] == {"$ref": "#/components/schemas/HasilKerjaLine"}
    for name in ("CascadeOut", "CascadeNode", "CascadePegawai"):
        assert not any(_untyped(v) for v in skp["components"]["schemas"][name]["properties"].values()), name
    ev = schemas["EvaluationOut"]["properties"]
    assert ev["umpan_balik"] == {"$ref": "#/components/schemas/UmpanBalik"}
    assert ev["keberatan"]["anyOf"][0] == {"$ref": "#/components/schemas/KeberatanOut"}
    assert ev["pegawai"] == {"$ref": "#/components/schemas/Pegawai"}
    for name in ("PlanIki", "HasilKerjaLine", "TargetPeriode"):
        assert not any(_untyped(v) for v in schemas[name]["properties"].values()), name


def test_health_answers_are_typed_and_readyz_503_keeps_its_own_shape(app):
    doc = app.openapi()
    ok = doc["paths"]["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Health"}
    ready = doc["paths"]["/readyz"]["get"]["responses"]
    for code in ("200", "503"):
        assert ready[code]["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}


def test_file_answers_are_binary_and_findings_typed():
    skp = importlib.import_module("kinerja_skp.main").create_app().openapi()
    pdf = skp["paths"]["/api/v1/skp/{skp_id}/pdf"]["get"]["responses"]["200"]["content"]
    assert pdf == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    out = skp["components"]["schemas"]["ValidationOut"]["properties"]
    assert out["errors"]["items"] == out["warnings"]["items"] == {"$ref": "#/components/schemas/FindingOut"}
