"""The README's "Try it" commands, run as written against a running system
(only the ports are moved to free ones)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stack_env():
    return {"KINERJA_SKP_ENFORCE_DEADLINES": "true"}  # the README works with deadlines on


def test_readme_try_it_works(stack, tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"Try it.*?```bash\n(.*?)```", readme, re.S).group(1)
    for service, default in (("skp", 8001), ("approval", 8002), ("evaluation", 8003), ("notification", 8004)):
        block = block.replace(f"localhost:{default}", f"localhost:{stack.ports[service]}")
    block = block.replace("/tmp/", f"{tmp_path}/")
    script = "set -euo pipefail\n" + block
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert '"status":"Approved"' in result.stdout, result.stdout  # the atasan's approve answer
    import json
    import time

    skp_id = json.loads((tmp_path / "skp.json").read_text())["id"]
    token = subprocess.run(["uv", "run", "kinerja-token", "--sub", "199503152025212001", "--role", "pegawai"],
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        doc = httpx.get(f"{stack.url('skp')}/api/v1/skp/{skp_id}", headers={"Authorization": f"Bearer {token}"}).json()
        if doc["status"] == "Approved":
            break
        time.sleep(0.3)
    assert doc["status"] == "Approved"
    time.sleep(2)
    subjects = [m["subject"] for m in httpx.get(stack.mail_url + "/api/messages").json()]
    assert any("menunggu persetujuan" in s for s in subjects) and any("disetujui" in s for s in subjects), subjects
