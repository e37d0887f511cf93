"""The XLSX and gzip limits hold in memory (issue 15): a 55 KB zip bomb of a
million cells and a 16 KB gzip body that inflates to 16 MB, each sent to the
skp service, are refused (413) while the process's peak RSS grows by less
than ``MAX_GROWTH_MB``. Before, the workbook took 58 s and +309 MB that were
never released, and the gzip body +306 MB.

The service runs in a child process of its own (real SQLite, real
nats-server), so that the peak (``ru_maxrss``) is the service's alone."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

MAX_GROWTH_MB = 40

CHILD = textwrap.dedent('''
    import asyncio, json, os, resource, sys, tempfile, time
    from kinerja_devstack.natsserver import NatsServer
    from kinerja_devstack.samples import pppk_skp
    from kinerja_devstack.testing import running
    from kinerja_platform.settings import CommonSettings
    from kinerja_platform.web.auth import mint_token
    from kinerja_skp.main import create_app
    from kinerja_skp.settings import Settings

    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def main():
        nats = NatsServer().start()
        folder = tempfile.mkdtemp()
        common = CommonSettings(nats_url=nats.url, max_body_bytes=1024 * 1024)
        app = create_app(Settings(database_url=f"sqlite:///{folder}/skp.db", common=common))
        token = mint_token("portal-dki", "portal", secret=common.jwt_secret, instansi="Pemerintah Provinsi DKI Jakarta")
        h = {"Authorization": "Bearer " + token}
        # made by the parent: building them here would raise the peak before it is measured
        bomb, gz = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
        out = {"xlsx_bytes": len(bomb), "gzip_bytes": len(gz)}
        try:
            async with running(app) as client:
                # warm up: the same routes with small, valid input
                r = await client.post("/api/v1/skp/bulk", json={"items": [pppk_skp()]}, headers=h)
                assert r.status_code == 200, r.text
                tpl = (await client.get("/api/v1/skp/imports/template.xlsx", headers=h)).content
                r = await client.post("/api/v1/skp/xlsx", files={"file": ("t.xlsx", tpl, XLSX)}, headers=h)
                base = peak_mb()
                for name, call in (
                    ("xlsx", lambda: client.post("/api/v1/skp/xlsx", files={"file": ("b.xlsx", bomb, XLSX)}, headers=h)),
                    ("import", lambda: client.post("/api/v1/skp/imports", files={"file": ("b.xlsx", bomb, XLSX)},
                                                   headers=h)),
                    ("gzip", lambda: client.post("/api/v1/skp/bulk", content=gz, headers={
                        **h, "Content-Encoding": "gzip", "Content-Type": "application/json"})),
                ):
                    t0 = time.monotonic()
                    r = await call()
                    out[name] = {"status": r.status_code, "code": r.json().get("code"),
                                 "seconds": round(time.monotonic() - t0, 2)}
                out["growth_mb"] = round(peak_mb() - base, 1)
                out["base_mb"] = round(base, 1)
        finally:
            nats.cleanup()
        print("RESULT " + json.dumps(out))

    asyncio.run(main())
''')


def test_xlsx_and_gzip_limits_hold_in_memory(tmp_path):
    from kinerja_devstack.hostile import gzip_bomb, xlsx_bomb

    (tmp_path / "bomb.xlsx").write_bytes(xlsx_bomb())
    # 8 MB inflated: over the 1 MB body limit, under the old cap of 10 x the limit
    (tmp_path / "bomb.gz").write_bytes(gzip_bomb(8 * 1024 * 1024))
    p = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "bomb.xlsx"), str(tmp_path / "bomb.gz")],
                       capture_output=True, text=True, timeout=240)
    line = next((x for x in p.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, p.stdout[-2000:] + p.stderr[-3000:]
    out = json.loads(line.removeprefix("RESULT "))
    print(out)
    assert out["xlsx_bytes"] < 100_000 and out["gzip_bytes"] < 20_000
    for name, code in (("xlsx", "xlsx-too-large"), ("import", "xlsx-too-large"), ("gzip", "payload-too-large")):
        assert out[name]["status"] == 413 and out[name]["code"] == code, out
        assert out[name]["seconds"] < 5, out
    assert out["growth_mb"] < MAX_GROWTH_MB, out
