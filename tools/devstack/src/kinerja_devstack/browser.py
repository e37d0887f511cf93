"""Browser tests of the portal: Chromium from Debian's packages, driven by Playwright.

- :func:`ensure_chromium` installs Debian's ``chromium`` package when the
  machine lacks it (``apt-get``, as root; about 40 s once), so a fresh machine
  runs the browser tests with nothing done by hand. Playwright's own browser
  download is not used: Playwright drives the system Chromium through
  ``executable_path``.
- :func:`check_accessibility` runs axe-core (bundled by the
  ``axe-playwright-python`` package) on the open page and fails on any
  violation of impact ``serious`` or ``critical``.
- :func:`screenshot` saves a full-page PNG under ``docs/portal/`` (the pictures
  docs/portal.md shows are made by the tests).
- :func:`sign_in` uses the development sign-in (pick a person; admin box).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
#: where the screenshots go (docs/portal.md links them)
SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "portal"


def ensure_chromium() -> str:
    """The path of a Chromium binary, installing Debian's package if there is none."""
    for path in (os.environ.get("KINERJA_CHROMIUM"), *CANDIDATES, shutil.which("chromium")):
        if path and Path(path).exists():
            return path
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError("Chromium is missing and there is no apt-get to install it: "
                           "install Chromium and set KINERJA_CHROMIUM to its path")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]
    if os.geteuid() != 0:
        cmd = ["sudo", "-n", *cmd]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:  # a stale package index: refresh it once and try again
        subprocess.run([*cmd[:-4], "update", "-q"] if cmd[0] == "sudo" else [apt, "update", "-q"], env=env,
                       capture_output=True, text=True)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"installing Chromium failed ({' '.join(cmd)}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    for path in CANDIDATES:
        if Path(path).exists():
            return path
    raise RuntimeError("apt-get installed chromium but no binary was found in " + ", ".join(CANDIDATES))


def check_accessibility(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Fail (AssertionError) on any axe-core violation of the given impacts on the open page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in impacts]
    if bad:
        lines = []
        for v in bad:
            targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
            lines.append(f"{v['impact']} {v['id']}: {v['help']} at {targets}")
        raise AssertionError(f"accessibility violations on {page.url}:\n" + "\n".join(lines))


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as docs/portal/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, base_url: str, nip: str, *, admin: bool = False, next_url: str = "/") -> None:
    """Sign in through the development sign-in page and land on ``next_url``."""
    from urllib.parse import quote

    page.goto(f"{base_url}/masuk?next={quote(next_url, safe='')}")
    page.select_option("#f-nip", nip)
    if admin:
        page.check("#f-admin")
    page.click("form[action='/masuk/dev'] button[type=submit]")
    page.wait_for_load_state("load")
