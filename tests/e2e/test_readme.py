"""The README tour, pasted into a shell as written, against ``make run``.

The blocks marked ``<!-- tour: terminal 1 -->`` and ``<!-- tour: terminal 2 -->``
in README.md are the tour. The terminal-1 block must be ``make run``: it is
started as the README says (in the repository folder; only the ports, moved
to free ones through the launcher's settings, and the var folder differ).
The terminal-2 blocks are written, in order, into one bash script that runs
them command by command, as a paste would, with a marker after each command
carrying its exit code and the time; every command must exit 0 and its
answer must pass the check written for it below. A command without a check
(or a check without its command) fails the test, so the tour and this test
change together.

The timings (``make run`` until "Kinerja is up", each step) are printed:
``pytest tests/e2e/test_readme.py -s`` shows them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from kinerja_devstack.natsserver import free_port
from kinerja_devstack.procs import DEFAULT_PORTS, SERVICES
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
MAIL_HTTP_DEFAULT = 8025


def tour_blocks(readme: str) -> list[tuple[int, str]]:
    """(terminal, text) of every block marked as part of the tour, in order."""
    return [(int(t), body) for t, body in
            re.findall(r"<!-- tour: terminal (\d) -->\n```bash\n(.*?)```", readme, re.S)]


def commands(block: str) -> list[str]:
    """The block's commands as a paste runs them: continuation lines joined,
    blank lines and whole-line comments left out."""
    out, current = [], ""
    for line in block.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line + "\n"
        if not line.endswith("\\"):
            out.append(current.rstrip("\n"))
            current = ""
    assert not current, f"a command ends in a continuation: {current!r}"
    return out


@dataclass
class Step:
    command: str
    code: int
    output: str
    seconds: float


@dataclass
class Tour:
    tmp: Path
    state: dict = field(default_factory=dict)


def answer(output: str) -> tuple[dict, int]:
    """A curl answer of the tour: the JSON body, then ``HTTP <code>`` on its own line."""
    body, status = output.rstrip("\n").rsplit("\n", 1)
    m = re.fullmatch(r"HTTP (\d{3})( after [\d.]+ s)?", status)
    assert m, f"no 'HTTP <code>' line: {output!r}"
    return json.loads(body), int(m.group(1))


def check_token(step: Step, tour: Tour) -> None:
    assert step.output == ""  # the token goes into the variable; the next calls prove it is good


def check_sample(step: Step, tour: Tour) -> None:
    draft = json.loads((tour.tmp / "draft.json").read_text())
    # the tour's people are the sample directory's (make run seeds them; skp and approval check them)
    assert draft["pegawai"]["nip"] == PEGAWAI_NIP and draft["penilai"]["nip"] == PENILAI_NIP


def check_create(step: Step, tour: Tour) -> None:
    assert step.output.strip() == "HTTP 201", step.output
    doc = json.loads((tour.tmp / "skp.json").read_text())
    assert doc["status"] == "Draft" and doc["version"] == 1
    tour.state["id"] = doc["id"]


def check_id(step: Step, tour: Tour) -> None:
    assert step.output.strip() == f"SKP {tour.state['id']}"
    uuid.UUID(tour.state["id"])


def check_submit(step: Step, tour: Tour) -> None:
    doc, status = answer(step.output)
    assert status == 200 and doc["id"] == tour.state["id"] and doc["status"] == "Pending", step.output


def check_silent_wait(step: Step, tour: Tour) -> None:
    assert step.output == "", step.output  # what it waits for is checked by the next command


def check_inbox(step: Step, tour: Tour) -> None:
    doc, status = answer(step.output)
    assert status == 200, step.output
    assert doc["count"] == 1 and [i["skp_id"] for i in doc["items"]] == [tour.state["id"]], step.output
    [item] = doc["items"]
    assert item["status"] == "Pending" and item["pegawai"]["nip"] == PEGAWAI_NIP and item["penilai"]["nip"] == PENILAI_NIP


def check_background_poll(step: Step, tour: Tour) -> None:
    # a job started before the approve, so that it has something to wait for; its answer is read after `wait`
    assert step.command.rstrip().endswith("&") and step.output == "", step


def check_approve(step: Step, tour: Tour) -> None:
    doc, status = answer(step.output)
    assert status == 200 and doc["skp_id"] == tour.state["id"] and doc["status"] == "Approved", step.output


def check_long_poll(step: Step, tour: Tour) -> None:
    doc, status = answer(step.output)
    assert status == 200 and doc["id"] == tour.state["id"] and doc["status"] == "Approved", step.output
    waited = float(re.search(r"after ([\d.]+) s", step.output).group(1))
    assert waited < 25, f"the long poll ran out ({waited} s) instead of answering the approval"
    tour.state["long_poll_waited"] = waited


def check_document(step: Step, tour: Tour) -> None:
    doc, status = answer(step.output)
    assert status == 200 and doc["status"] == "Approved", step.output
    assert doc["persetujuan"]["penilai"]["nip"] == PENILAI_NIP, doc["persetujuan"]


def check_mails(step: Step, tour: Tour) -> None:
    lines = step.output.splitlines()
    assert any("budi.santoso@example.go.id" in x and "menunggu persetujuan" in x for x in lines), lines
    assert any("siti.rahma@example.go.id" in x and "disetujui" in x for x in lines), lines


#: (a piece of the command, its check), in the tour's order
CHECKS: list[tuple[str, Callable[[Step, Tour], None]]] = [
    ("PEGAWAI=$(uv run kinerja-token", check_token),
    ("ATASAN=$(uv run kinerja-token", check_token),
    ("uv run kinerja-sample-skp >", check_sample),
    ("-X POST localhost:{skp}/api/v1/skp -H", check_create),
    ("ID=$(python3", check_id),
    ("/api/v1/skp/$ID/submit", check_submit),
    ("do curl -s localhost:{approval}/api/v1/inbox", check_silent_wait),
    ("curl -s localhost:{approval}/api/v1/inbox", check_inbox),
    ("status?while_status=Pending", check_background_poll),
    ("/api/v1/approvals/$ID/approve", check_approve),
    ("wait; cat", check_long_poll),
    ("curl -s localhost:{skp}/api/v1/skp/$ID -H", check_document),
    ("do curl -s \"127.0.0.1:{mail}/api/messages", check_silent_wait),
    ("curl -s 127.0.0.1:{mail}/api/messages |", check_mails),
]

MARK = "@@tour-step"


def script(cmds: list[str]) -> str:
    """The commands as a paste into bash runs them, each followed by a marker
    with its exit code and the time it ended."""
    parts = [f'printf "{MARK} start %s\\n" "$(date +%s.%N)"']
    for i, cmd in enumerate(cmds):
        parts.append(cmd)
        parts.append(f'__rc=$?; printf "\\n{MARK} {i} %s %s\\n" "$__rc" "$(date +%s.%N)"')
    return "exec 2>&1\n" + "\n".join(parts) + "\n"


def steps_of(cmds: list[str], out: str) -> list[Step]:
    pieces = re.split(rf"\n?{MARK} (start|\d+) (?:(\d+) )?([\d.]+)\n", out)
    # pieces: [before, "start", None, t0, out0, "0", rc0, t1, out1, "1", rc1, t2, ...]
    before, rest = pieces[0], pieces[1:]
    assert before == "" and rest[0] == "start", out
    t_prev = float(rest[2])
    steps = []
    for k in range(len(cmds)):
        output, idx, rc, t = rest[3 + 4 * k], rest[4 + 4 * k], rest[5 + 4 * k], rest[6 + 4 * k]
        assert int(idx) == k
        steps.append(Step(cmds[k], int(rc), output, float(t) - t_prev))
        t_prev = float(t)
    return steps


def waits_when_nothing_comes(loops: list[str], *, mail_url: str) -> list[float]:
    """Run each waiting loop of the tour alone, with nothing coming: an SKP id
    no inbox holds, the mail sink emptied. Returns how long each ran (they run
    at once)."""
    from kinerja_platform.settings import CommonSettings
    from kinerja_platform.tokens import mint_token

    assert httpx.delete(f"{mail_url}/api/messages").status_code == 200
    s = CommonSettings()
    atasan = mint_token(PENILAI_NIP, "atasan", secret=s.jwt_secret, audience=s.jwt_audience, issuer=s.jwt_issuer)
    t0 = time.monotonic()
    procs = [subprocess.Popen(["bash", "-c", loop], env={**os.environ, "ATASAN": atasan, "ID": str(uuid.uuid4())},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for loop in loops]
    took = []
    for p in procs:
        out, _ = p.communicate(timeout=60)
        assert p.returncode == 0 and out == "", out
        took.append(time.monotonic() - t0)
    return took


class MakeRun:
    """The terminal-1 block (``make run``) in the background, its output collected."""

    def __init__(self, block: str, env: dict[str, str]):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(["bash", "-c", block], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(self.proc.stdout.readline, "")), daemon=True).start()

    def output(self) -> str:
        return "".join(self.lines)

    def wait_up(self, timeout: float = 240) -> float:
        deadline = time.monotonic() + timeout
        while "Kinerja is up after" not in self.output():
            assert self.proc.poll() is None, f"make run exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"make run not up after {timeout} s:\n{self.output()}"
            time.sleep(0.1)
        return time.monotonic() - self.started

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # as Ctrl-C would: the launcher stops everything
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def test_readme_tour_pasted_into_bash_against_make_run(tmp_path):
    readme = (ROOT / "README.md").read_text()
    blocks = tour_blocks(readme)
    assert [t for t, _ in blocks][:1] == [1] and all(t == 2 for t, _ in blocks[1:]), blocks
    assert commands(blocks[0][1]) == ["make run"]

    ports = {s: free_port() for s in SERVICES}
    mail = free_port()
    env = {**os.environ, **{f"KINERJA_{s.upper()}_PORT": str(p) for s, p in ports.items()},
           "KINERJA_NOTIFICATION_SMTP_PORT": str(free_port()), "KINERJA_DEV_MAIL_HTTP_PORT": str(mail),
           "KINERJA_DEV_NATS_PORT": str(free_port()), "KINERJA_DEV_VAR": str(tmp_path / "var"),
           "KINERJA_PORTAL_PORT": str(free_port())}
    env.pop("NATS_URL", None)

    def moved(text: str) -> str:
        for s in SERVICES:
            text = text.replace(f"localhost:{DEFAULT_PORTS[s]}", f"localhost:{ports[s]}")
        text = text.replace(f"127.0.0.1:{MAIL_HTTP_DEFAULT}", f"127.0.0.1:{mail}")
        return text.replace("/tmp/", f"{tmp_path}/")

    cmds = [moved(c) for _, block in blocks[1:] for c in commands(block)]
    assert not [c for c in cmds if re.search(r"(localhost|127\.0\.0\.1):80\d\d\b", c)], "a port the test does not move"
    wanted = [(piece.format(skp=ports["skp"], approval=ports["approval"], mail=mail), check) for piece, check in CHECKS]
    matched = []
    for cmd in cmds:
        # the first check (in order) whose piece is in the command
        hits = [k for k, (piece, _) in enumerate(wanted) if piece in cmd and k not in matched]
        assert hits, f"no check for the tour command {cmd!r}: add one to CHECKS"
        matched.append(hits[0])
    assert matched == list(range(len(wanted))), f"tour commands and CHECKS disagree: {matched}"

    run = MakeRun(blocks[0][1], env)
    try:
        up = run.wait_up()
        said = float(re.search(r"Kinerja is up after ([\d.]+)s", run.output()).group(1))
        (tmp_path / "tour.sh").write_text(script(cmds))
        tour_env = {**os.environ}
        tour_env.pop("NATS_URL", None)
        t0 = time.monotonic()
        result = subprocess.run(["bash", str(tmp_path / "tour.sh")], cwd=ROOT, env=tour_env, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=240)
        total = time.monotonic() - t0
        steps = steps_of(cmds, result.stdout)
        tour = Tour(tmp_path)
        print(f"\nmake run: up {up:.1f} s after the command ({said:.1f} s by its own count)")
        for step, (_, check) in zip(steps, (wanted[k] for k in matched), strict=True):
            print(f"{step.seconds:6.2f} s  {step.command.splitlines()[0][:100]}")
            assert step.code == 0, f"{step.command!r} exited {step.code}:\n{step.output}"
            check(step, tour)
        print(f"tour: {total:.1f} s in all; the long poll waited {tour.state['long_poll_waited']} s")
        # the waiting loops wait: with nothing to wait for, each polls its 10 s
        loops = [c for c in cmds if c.startswith("for i in")]
        assert len(loops) == 2, loops
        assert waits_when_nothing_comes(loops, mail_url=f"http://127.0.0.1:{mail}") >= [9.0, 9.0]
    finally:
        run.stop()
    assert "Stopped." in run.output(), run.output()
