"""`make run`'s launcher: everything comes up, one SIGINT stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from kinerja_devstack.natsserver import free_port
from kinerja_devstack.procs import SERVICES


def children_of(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.add(int(entry))
    return out


@pytest.mark.e2e
def test_run_starts_all_services_and_one_ctrl_c_stops_them_all(tmp_path):
    ports = {s: free_port() for s in SERVICES}
    env = {**os.environ, **{f"KINERJA_{s.upper()}_PORT": str(p) for s, p in ports.items()},
           "KINERJA_NOTIFICATION_SMTP_PORT": str(free_port()), "KINERJA_DEV_MAIL_HTTP_PORT": str(free_port()),
           "KINERJA_DEV_NATS_PORT": str(free_port())}
    env.pop("NATS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "kinerja_devstack", "--var", str(tmp_path / "var")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        up = set()
        while time.monotonic() < deadline and up != set(SERVICES):
            for s, p in ports.items():
                try:
                    if httpx.get(f"http://127.0.0.1:{p}/healthz", timeout=1).status_code == 200:
                        up.add(s)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        assert up == set(SERVICES)
        kids = children_of(proc.pid)
        assert len(kids) >= 6  # nats, mail, four services
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert "Stopped." in out
        time.sleep(0.5)
        alive = [k for k in kids if os.path.exists(f"/proc/{k}") and "Z" not in Path(f"/proc/{k}/stat").read_text().rsplit(")", 1)[1].split()[0]]
        assert alive == [], f"orphans left: {alive}"
        assert (tmp_path / "var" / "skp.db").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
