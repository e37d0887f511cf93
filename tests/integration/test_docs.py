"""The examples in the docs stay true."""

from __future__ import annotations

import json
from pathlib import Path

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
    read = set(re.findall(r"""(?:environ|env)(?:\.get\(|\[)\s*f?["']([A-Z_{}.()a-z]+)["']""", src))
    read |= set(re.findall(r"""["'](KINERJA_DEV_[A-Z_]+)["']\s+in\s+os\.environ""", src))
    names = set()
    for var in read:
        if "{" in var:  # KINERJA_{s.upper()}_PORT: one per service
            names |= {re.sub(r"\{[^}]*\}", s.upper(), var) for s in ("skp", "approval", "evaluation", "notification")}
        else:
            names.add(var)
    assert names >= {"KINERJA_DEV_VAR", "KINERJA_DEV_NATS_PORT", "KINERJA_DEV_MAIL_HTTP_PORT", "NATS_URL"}
    missing = sorted(n for n in names if f"`{n}`" not in table)
    assert missing == [], f"launcher settings missing from README: {missing}"
