"""`make run`'s launcher: everything comes up, one SIGINT stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
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
           "KINERJA_DEV_NATS_PORT": str(free_port()), "KINERJA_PORTAL_PORT": str(free_port())}
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
        # the sample directory: the README tour's pegawai, appraised by its penilai
        from kinerja_platform.settings import CommonSettings
        from kinerja_platform.web.auth import mint_token

        token = mint_token("199503152025212001", "pegawai", secret=CommonSettings().jwt_secret)
        penilai = None
        while time.monotonic() < deadline and penilai is None:
            r = httpx.get(f"http://127.0.0.1:{ports['directory']}/api/v1/people/199503152025212001/penilai",
                          headers={"Authorization": f"Bearer {token}"}, timeout=2)
            penilai = r.json()["penilai_id"] if r.status_code == 200 else time.sleep(0.3)
        assert penilai == "197806102005011002"
        # ... and skp has it: the README tour's SKP gets its people from there
        chain = None
        while time.monotonic() < deadline and chain is None:
            r = httpx.get(f"http://127.0.0.1:{ports['skp']}/api/v1/skp/rantai-penilai",
                          headers={"Authorization": f"Bearer {token}"}, timeout=2)
            chain = r.json() if r.status_code == 200 else time.sleep(0.3)
        assert chain is not None and chain["penilai"]["nip"] == "197806102005011002"
        assert chain["penilai"]["email"] == "budi.santoso@example.go.id"
        kids = children_of(proc.pid)
        assert len(kids) >= 7  # nats, mail, five services
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


# --- supervision and stopping (slow: the whole system starts; e2e group) ----

ROOT = Path(__file__).resolve().parents[3]


def descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        kids = children_of(todo.pop())
        out |= kids
        todo.extend(kids)
    return out


def running_pids(pids) -> list[int]:
    alive = []
    for k in pids:
        try:
            state = Path(f"/proc/{k}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(k)
    return alive


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Launch:
    """The launcher (or ``make run``) as a process on free ports, its output collected."""

    def __init__(self, args: list[str], tmp_path: Path, *, ignore_sigint: bool = False):
        self.ports = {s: free_port() for s in SERVICES}
        env = {**os.environ, **{f"KINERJA_{s.upper()}_PORT": str(p) for s, p in self.ports.items()},
               "KINERJA_NOTIFICATION_SMTP_PORT": str(free_port()), "KINERJA_DEV_MAIL_HTTP_PORT": str(free_port()),
               "KINERJA_DEV_NATS_PORT": str(free_port()), "KINERJA_DEV_VAR": str(tmp_path / "var"),
               "KINERJA_PORTAL_PORT": str(free_port())}
        env.pop("NATS_URL", None)

        def background_job():  # what a shell does to a job started with '&' in a script
            if ignore_sigint:
                signal.signal(signal.SIGINT, signal.SIG_IGN)

        self.proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, start_new_session=True,
                                     preexec_fn=background_job)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(self.proc.stdout.readline, "")), daemon=True).start()

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no {text!r} in:\n{self.output()}"
            time.sleep(0.2)

    def healthy(self, service: str) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.ports[service]}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def service_pid(self, service: str) -> int:
        [pid] = [p for p in running_pids(descendants(self.proc.pid)) if f"-m kinerja_{service}" in cmdline(p)]
        return pid

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@pytest.mark.e2e
def test_a_killed_service_is_restarted_and_the_others_go_on(tmp_path):
    run = Launch([sys.executable, "-m", "kinerja_devstack"], tmp_path)
    try:
        run.wait_for("Kinerja is up")
        approval, skp = run.service_pid("approval"), run.service_pid("skp")
        os.kill(approval, signal.SIGKILL)
        run.wait_for("approval exited (code -9)", timeout=30)
        run.wait_for("approval restarted", timeout=30)
        deadline = time.monotonic() + 120
        while not run.healthy("approval"):
            assert time.monotonic() < deadline, run.output()
            time.sleep(0.3)
        assert run.service_pid("approval") != approval
        assert run.service_pid("skp") == skp and run.healthy("skp")  # never stopped
        assert "Stopping Kinerja" not in run.output()
        kids = descendants(run.proc.pid)
        run.proc.send_signal(signal.SIGTERM)
        assert run.proc.wait(60) == 0
        run.wait_for("Stopped.", timeout=5)
        time.sleep(0.5)
        assert running_pids(kids) == []
    finally:
        run.close()


@pytest.mark.e2e
@pytest.mark.parametrize("how", ["SIGINT to the job", "SIGTERM to make"])
def test_a_background_make_run_stops_everything(tmp_path, how):
    """``make run &`` in a script: the job starts with SIGINT ignored;
    ``kill -INT %1`` signals the job's process group, ``kill <make's pid>``
    make alone (which passes SIGTERM on to what it runs)."""
    run = Launch(["make", "run"], tmp_path, ignore_sigint=True)
    try:
        run.wait_for("Kinerja is up")
        kids = descendants(run.proc.pid)
        assert len(kids) >= 8  # uv, the launcher, nats, mail, four services
        if how == "SIGINT to the job":
            os.killpg(run.proc.pid, signal.SIGINT)
        else:
            run.proc.send_signal(signal.SIGTERM)
        run.proc.wait(60)
        deadline = time.monotonic() + 30
        while running_pids(kids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert running_pids(kids) == [], [cmdline(p) for p in running_pids(kids)]
        assert "Stopped." in run.output()
    finally:
        run.close()
