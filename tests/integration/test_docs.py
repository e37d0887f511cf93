"""The examples in the docs stay true."""

from __future__ import annotations

import json
from pathlib import Path

from kinerja_devstack.procs import SERVICES
from kinerja_devstack.samples import pppk_skp

ROOT = Path(__file__).resolve().parents[2]


def test_readme_example_skp_is_the_tested_sample():
    assert json.loads((ROOT / "docs" / "examples" / "skp-pppk.json").read_text()) == pppk_skp()


def test_readme_links_point_to_files_that_exist():
    readme = (ROOT / "README.md").read_text()
    import re

    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), f"README links to missing {link}"


def test_every_launcher_setting_is_in_the_readme():
    """Whatever environment variable ``make run``'s launcher reads is in the
    README's launcher table."""
    import re

    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Launcher settings", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    src = ""
    for name in ("run.py", "procs.py"):
        src += (ROOT / "tools" / "devstack" / "src" / "kinerja_devstack" / name).read_text()
    read = set(re.findall(r"""(?:environ|env)(?:\.get\(|\[|\.setdefault\()\s*f?["']([A-Z_{}.()a-z]+)["']""", src))
    read |= set(re.findall(r"""["'](KINERJA_DEV_[A-Z_]+)["']\s+in\s+os\.environ""", src))
    names = set()
    for var in read:
        if "{" in var:  # KINERJA_{s.upper()}_PORT: one per service
            names |= {re.sub(r"\{[^}]*\}", s.upper(), var) for s in SERVICES}
        else:
            names.add(var)
    assert names >= {"KINERJA_DEV_VAR", "KINERJA_DEV_NATS_PORT", "KINERJA_DEV_MAIL_HTTP_PORT", "NATS_URL",
                     "KINERJA_DIRECTORY_PORT", "KINERJA_ALLOW_DEV_JWT_SECRET"}
    missing = sorted(n for n in names if f"`{n}`" not in table)
    assert missing == [], f"launcher settings missing from README: {missing}"


def test_kinerja_token_runs_from_another_folder_as_the_readme_says(tmp_path):
    """The README: outside the repository folder, ``uv run --project <repo>
    kinerja-token ...`` (a plain ``uv run`` there finds no project)."""
    import shutil
    import subprocess

    import jwt

    uv = shutil.which("uv")
    assert uv, "uv is not on PATH (make installs it)"
    readme = (ROOT / "README.md").read_text()
    assert "uv run --project /path/to/kinerja kinerja-token" in readme
    r = subprocess.run([uv, "run", "--project", str(ROOT), "kinerja-token", "--sub", "199503152025212001",
                        "--role", "pegawai"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    claims = jwt.decode(r.stdout.strip(), options={"verify_signature": False})
    assert claims["sub"] == "199503152025212001" and claims["role"] == "pegawai"


def test_every_portal_setting_is_in_docs_portal():
    """docs/portal.md's settings table names every ``KINERJA_PORTAL_*`` setting of the portal."""
    from kinerja_portal.settings import Settings

    doc = (ROOT / "docs" / "portal.md").read_text()
    table = doc.split("## Settings", 1)[1].split("\n## ", 1)[0]
    missing = sorted(f"KINERJA_PORTAL_{name.upper()}" for name in Settings.model_fields
                     if name != "common" and f"`KINERJA_PORTAL_{name.upper()}`" not in table)
    assert missing == [], f"portal settings missing from docs/portal.md: {missing}"


def test_docs_portal_links_and_screenshots_exist():
    import re

    doc = (ROOT / "docs" / "portal.md").read_text()
    links = re.findall(r"\]\(([^)#]+)\)", doc)
    assert "portal/masuk.png" in links
    for link in links:
        if not link.startswith("http"):
            assert (ROOT / "docs" / link).exists(), f"docs/portal.md links to missing {link}"
