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
