"""Hostile input at the skp edge (issue 15): every value outside the bounds
of kinerja_contracts.values is a 422 naming the field, in ``POST /skp``,
``POST /skp/validate`` and per item in ``POST /skp/bulk`` (the other items of
the call still go in). Each case was a 500 (or was stored) before."""

from __future__ import annotations

import copy
import json

import pytest
from kinerja_devstack.samples import PEGAWAI_NIP, pppk_skp
from kinerja_devstack.testing import running

from .conftest import NEXT_YEAR


def _skp() -> dict:
    return pppk_skp() | {"periode": dict(NEXT_YEAR)}


def _set(body: dict, path: str, value) -> dict:
    body = copy.deepcopy(body)
    node = body
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return body


def _json(body) -> bytes:
    """JSON with \\u escapes, so that a lone surrogate can be sent at all."""
    return json.dumps(body, ensure_ascii=True).encode()


HOSTILE = [
    ("hasil_kerja.0.iki.0.target.nilai", "1" * 5000, "target 5,000 digits"),
    ("hasil_kerja.0.iki.0.target.nilai", "1E+5000", "target 1E+5000"),
    ("hasil_kerja.0.iki.0.target.nilai", 1e308, "target 1e308"),
    ("hasil_kerja.0.iki.0.target.nilai", "0." + "0" * 40 + "1", "target 41 decimal places"),
    ("periode.selesai", "9999-12-31", "period in year 9999"),
    ("periode.mulai", "0001-01-01", "period in year 1"),
    ("tanggal_sk", "9999-01-01", "SK date in year 9999"),
    ("pegawai.nama", "Siti\x00Rahmawati", "NUL in a name"),
    ("pegawai.jabatan", "Pranata\x1b[31m Komputer", "ESC in a jabatan"),
    ("hasil_kerja.0.uraian", "Laporan\x7f", "DEL in an RHK"),
    ("hasil_kerja.0.uraian", "Laporan\ud800", "lone surrogate"),
    ("pegawai.nip", "１９９５０３１５２０２５２１２００１", "full-width NIP"),
    ("pegawai.email", "siti@example.go.id\r\nBcc: all@example.go.id", "CRLF in an e-mail"),
    ("pegawai.email", "siti@example.go.id, boss@example.go.id", "an address list"),
    ("hasil_kerja.0.uraian", "x" * 5000, "a 5,000-character text"),
]


@pytest.mark.parametrize(("path", "value", "what"), HOSTILE, ids=[h[2] for h in HOSTILE])
async def test_hostile_values_are_422_naming_the_field(app, directory, tokens, path, value, what):
    me, portal = tokens(PEGAWAI_NIP, "pegawai"), tokens("portal-dki", "portal", instansi="Pemerintah Provinsi DKI Jakarta")
    bad = _set(_skp(), path, value)
    field = path.split(".")[-1]
    async with running(app) as client:
        await directory()
        for url in ("/api/v1/skp", "/api/v1/skp/validate"):
            r = await client.post(url, content=_json(bad), headers={**me, "Content-Type": "application/json"})
            assert r.status_code == 422, f"{what} {url}: {r.status_code} {r.text[:300]}"
            assert r.headers["content-type"].startswith("application/problem+json")
            assert any(field in e["path"] for e in r.json()["errors"]), r.text[:500]
        good = _skp()
        r = await client.post("/api/v1/skp/bulk", content=_json({"items": [bad, good]}),
                              headers={**portal, "Content-Type": "application/json"})
        if "surrogate" in what:  # the bulk parser refuses the whole body as JSON no encoding can hold
            assert r.status_code == 400 and r.json()["code"] == "bad-json", r.text[:300]
            return
        assert r.status_code == 200, f"{what} bulk: {r.status_code} {r.text[:300]}"
        items = r.json()["items"]
        assert items[0]["status"] == "invalid", items[0]
        assert any(field in e["path"] for e in items[0]["errors"]), items[0]
        assert items[1]["status"] == "created", items[1]


async def test_bounded_values_still_go_in(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    body = _set(_set(_skp(), "hasil_kerja.0.iki.0.target.nilai", "999999999999999.123456"), "pegawai.nama",
                "Siti\tRahmawati\nS.Kom.")
    async with running(app) as client:
        await directory()
        r = await client.post("/api/v1/skp", json=body, headers=me)
        assert r.status_code == 201, r.text
        r = await client.get(f"/api/v1/skp/{r.json()['id']}/xlsx", headers=me)
        assert r.status_code == 200


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_a_zip_bomb_workbook_is_refused_before_it_is_read(app, directory, tokens):
    from kinerja_devstack.hostile import xlsx_bomb

    bomb = xlsx_bomb()  # ~55 KB, a million cells
    assert len(bomb) < 100_000
    portal = tokens("portal-dki", "portal", instansi="Pemerintah Provinsi DKI Jakarta")
    async with running(app) as client:
        await directory()
        for url in ("/api/v1/skp/xlsx", "/api/v1/skp/imports"):
            r = await client.post(url, files={"file": ("bomb.xlsx", bomb, XLSX)}, headers=portal)
            assert r.status_code == 413, f"{url}: {r.status_code} {r.text[:300]}"
            assert r.json()["code"] == "xlsx-too-large"
            assert r.headers["content-type"].startswith("application/problem+json")


async def test_an_import_over_the_row_limit_ends_failed_saying_why(new_database, nats_server, tokens):
    from kinerja_devstack.testing import eventually
    from kinerja_platform.settings import CommonSettings
    from kinerja_skp.main import create_app
    from kinerja_skp.settings import Settings

    app = create_app(Settings(database_url=new_database("skp"), xlsx_max_rows=300,
                              common=CommonSettings(nats_url=nats_server.url)))
    import io

    from kinerja_skp.adapters.xlsx_batch import COLUMNS, SHEET
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([label for label, _ in COLUMNS])
    for n in range(1000):
        ws.append([f"1995031520252120{n % 100:02d}", f"Pegawai {n}"])
    buf = io.BytesIO()
    wb.save(buf)
    wide = buf.getvalue()
    portal = tokens("portal-dki", "portal", instansi="Pemerintah Provinsi DKI Jakarta")
    async with running(app) as client:
        r = await client.post("/api/v1/skp/imports", files={"file": ("wide.xlsx", wide, XLSX)}, headers=portal)
        assert r.status_code == 202, r.text

        async def finished():
            j = (await client.get(r.headers["Location"], headers=portal)).json()
            return j["status"] != "running" and j

        job = await eventually(finished, timeout=30)
        assert job["status"] == "failed" and "300 rows" in job["error"], job


async def test_a_gzip_bomb_is_refused_at_the_body_limit(new_database, nats_server, tokens):
    from kinerja_devstack.hostile import gzip_bomb
    from kinerja_platform.settings import CommonSettings
    from kinerja_skp.main import create_app
    from kinerja_skp.settings import Settings

    app = create_app(Settings(database_url=new_database("skp"),
                              common=CommonSettings(nats_url=nats_server.url, max_body_bytes=1024 * 1024)))
    portal = tokens("portal-dki", "portal", instansi="Pemerintah Provinsi DKI Jakarta")
    async with running(app) as client:
        r = await client.post("/api/v1/skp/bulk", content=gzip_bomb(), headers={
            **portal, "Content-Encoding": "gzip", "Content-Type": "application/json"})
        assert r.status_code == 413, r.text[:300]
        assert r.json()["code"] == "payload-too-large"
