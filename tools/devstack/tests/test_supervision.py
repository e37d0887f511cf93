"""Supervision in ``make run``: the backoff, and a round of ``Stack.supervise``
on real (tiny) child processes."""

from __future__ import annotations

import sys
import time

from kinerja_devstack.procs import Backoff, Child, Stack


def test_backoff_doubles_to_its_cap_and_starts_again_after_a_healthy_run():
    b = Backoff(first=1, cap=8, healthy_after=60)
    assert [b.delay(ran_for=0.5) for _ in range(5)] == [1, 2, 4, 8, 8]
    assert b.delay(ran_for=120) == 1  # it had run well: a fresh start
    assert b.delay(ran_for=1) == 2
    assert b.restarts == 7


def test_a_crashed_child_is_restarted_after_its_backoff_and_the_others_go_on(tmp_path):
    stack = Stack(var_dir=tmp_path)
    crash = Child("crashy", [sys.executable, "-c", "raise SystemExit(3)"], {}, tmp_path / "crashy.log",
                  backoff=Backoff(first=0.2, cap=1))
    steady = Child("steady", [sys.executable, "-c", "import time; time.sleep(60)"], {}, None)
    stack.children.update(crashy=crash, steady=steady)
    crash.start()
    steady.start()
    steady_pid = steady.proc.pid
    try:
        crash.proc.wait(10)
        said = stack.supervise()
        assert len(said) == 1 and said[0].startswith("crashy exited (code 3)") and "restarting in" in said[0]
        assert stack.supervise() == []  # not yet: the backoff runs
        first_pid = crash.proc.pid
        time.sleep(0.3)
        said = stack.supervise()
        assert said == [f"crashy restarted (pid {crash.proc.pid})"] and crash.proc.pid != first_pid
        crash.proc.wait(10)
        said = stack.supervise()
        assert "restart 2" in said[0]  # counted, and the delay doubled
        assert crash.restart_at - time.monotonic() > 0.2
        assert steady.alive() and steady.proc.pid == steady_pid
        assert (tmp_path / "crashy.log").read_text().count("--- crashy started by kinerja-dev") == 2
    finally:
        stack.stop()
        for c in (crash, steady):
            c.stop()
