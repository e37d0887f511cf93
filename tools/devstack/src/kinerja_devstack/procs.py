"""Start and stop the whole Kinerja system as child processes.

Used by ``make run`` (:mod:`.run`) and by the end-to-end tests. Each child
runs in its own session and is told to die with its parent (PR_SET_PDEATHSIG),
so no orphan is left even when the launcher itself is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .natsserver import NatsCluster, NatsServer, _die_with_parent, free_port, port_free, wait_port

SERVICES = ("skp", "approval", "evaluation", "notification", "directory")
DEFAULT_PORTS = {"skp": 8001, "approval": 8002, "evaluation": 8003, "notification": 8004, "directory": 8005}
#: the web application (no database, no NATS: it acts through the services' APIs)
PORTAL = "portal"
PORTAL_PORT = 8000


@dataclass
class Backoff:
    """When to restart a crashed child: ``first`` seconds after its first
    crash, doubling up to ``cap``; a child that had run ``healthy_after``
    seconds before it crashed starts again from ``first``."""

    first: float = 1.0
    cap: float = 30.0
    healthy_after: float = 60.0
    restarts: int = 0
    _next: float = 0.0

    def delay(self, ran_for: float) -> float:
        if ran_for >= self.healthy_after:
            self._next = 0.0
        self._next = self.first if self._next == 0.0 else min(self._next * 2, self.cap)
        self.restarts += 1
        return self._next


@dataclass
class Child:
    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: Backoff = field(default_factory=Backoff)
    #: monotonic time of the planned restart after a crash (None: running or not planned)
    restart_at: float | None = None

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.restart_at = None
        if self.log_path:
            with open(self.log_path, "ab") as f:  # where each run begins, in the child's own log
                f.write(f"--- {self.name} started by kinerja-dev at {time.strftime('%Y-%m-%dT%H:%M:%S%z')} ---\n".encode())
        # the log file lives as long as the process, not a with-block
        out = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.args,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        assert self.proc
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def instance_name(service: str, replica: int = 0) -> str:
    """The name of one replica of ``service``: ``skp`` for the first, ``skp-2``, ``skp-3``... for the others."""
    return service if replica == 0 else f"{service}-{replica + 1}"


@dataclass
class Stack:
    """The whole system: nats (optional), SMTP sink, the services.

    ``replicas`` processes of every service (default 1), each on its own
    port and sharing the service's database and durable consumers: replica 0
    listens on ``ports[service]``, the others on ``replica_ports[service]``.
    ``nats`` is the embedded server, or a :class:`NatsCluster` the caller
    started (then the services get every node's URL and create their
    streams with the cluster's replica count).
    """

    var_dir: Path
    nats_url: str | None = None
    database_urls: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    smtp_port: int = 1025
    mail_http_port: int = 8025
    extra_env: dict[str, str] = field(default_factory=dict)
    log_to_files: bool = True
    #: False when the caller runs its own SMTP server on ``smtp_port`` (bench/flow.py)
    mail_sink: bool = True
    nats: NatsServer | NatsCluster | None = None
    children: dict[str, Child] = field(default_factory=dict)
    replicas: int = 1
    #: ports of replicas 2..N of each service (``replicas - 1`` each)
    replica_ports: dict[str, list[int]] = field(default_factory=dict)
    #: start the portal too (make run, the browser tests); e-mail links then point at it
    portal: bool = False
    portal_port: int = PORTAL_PORT

    @classmethod
    def on_free_ports(cls, var_dir: Path, *, replicas: int = 1, **kw) -> Stack:
        return cls(
            var_dir=var_dir,
            ports={s: free_port() for s in SERVICES},
            smtp_port=free_port(),
            mail_http_port=free_port(),
            replicas=replicas,
            replica_ports={s: [free_port() for _ in range(replicas - 1)] for s in SERVICES},
            portal_port=free_port(),
            **kw,
        )

    def port(self, service: str, replica: int = 0) -> int:
        if service == PORTAL:
            return self.portal_port
        if replica == 0:
            return self.ports[service]
        try:
            return self.replica_ports[service][replica - 1]
        except (KeyError, IndexError):
            raise ValueError(f"{service} has no replica {replica + 1} (replicas: {self.replicas})") from None

    def url(self, service: str, replica: int = 0) -> str:
        return f"http://127.0.0.1:{self.port(service, replica)}"

    def urls(self, service: str) -> list[str]:
        """The base URL of every replica of ``service``."""
        return [self.url(service, r) for r in range(self.replicas)]

    def instances(self, services: tuple[str, ...] = SERVICES) -> list[tuple[str, int]]:
        """(service, replica) of every service process (the portal has one)."""
        return [(s, r) for s in services for r in range(1 if s == PORTAL else self.replicas)]

    @property
    def mail_url(self) -> str:
        return f"http://127.0.0.1:{self.mail_http_port}"

    def service_env(self, service: str, replica: int = 0) -> dict[str, str]:
        prefix = f"KINERJA_{service.upper()}_"
        env = dict(os.environ)
        env.update(
            {
                "NATS_URL": self.nats_url or "",
                prefix + "PORT": str(self.port(service, replica)),
                prefix + "HOST": "127.0.0.1",
                prefix + "DATABASE_URL": self.database_urls.get(service, f"sqlite:///{self.var_dir / (service + '.db')}"),
                "KINERJA_NOTIFICATION_SMTP_HOST": "127.0.0.1",
                "KINERJA_NOTIFICATION_SMTP_PORT": str(self.smtp_port),
                "KINERJA_PUBLIC_BASE_URL": env.get("KINERJA_PUBLIC_BASE_URL",
                                                   self.url(PORTAL) if self.portal else self.url("skp")),
                "PYTHONUNBUFFERED": "1",
            }
        )
        # the development stack (make run, tests, chaos, bench) may use the public development JWT secret
        env.setdefault("KINERJA_ALLOW_DEV_JWT_SECRET", "true")
        if self.nats is not None:
            env.update(self.nats.credentials(service))
        if isinstance(self.nats, NatsCluster):
            env["KINERJA_NATS_STREAM_REPLICAS"] = str(self.nats.stream_replicas)
        if replica > 0:  # the first replica applies the migrations (Stack.start)
            env[prefix + "RUN_MIGRATIONS"] = "false"
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 120.0) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        logs = self.var_dir / "logs"
        logs.mkdir(exist_ok=True)
        if not self.nats_url:
            # the embedded server requires credentials like deploy/nats: each service its own user
            embedded = NatsServer(
                store_dir=str(self.var_dir / "nats"),
                log_file=str(logs / "nats.log") if self.log_to_files else None,
                auth=True,
            )
            if "KINERJA_DEV_NATS_PORT" in os.environ:
                embedded.port = int(os.environ["KINERJA_DEV_NATS_PORT"])
            elif self.ports.get("skp") == DEFAULT_PORTS["skp"] and port_free(4222):
                embedded.port = 4222  # the usual port, when nothing else holds it
            embedded.start()
            self.nats, self.nats_url = embedded, embedded.url
        sink = Child(
            "mail",
            [sys.executable, "-m", "kinerja_devstack.smtp_sink", "--smtp-port", str(self.smtp_port),
             "--http-port", str(self.mail_http_port), "--dir", str(self.var_dir / "mail")],
            dict(os.environ),
            logs / "mail.log" if self.log_to_files else None,
        )
        if self.mail_sink:
            self.children["mail"] = sink
            sink.start()
        for service in SERVICES:
            self.start_service(service)
        if self.replicas > 1:
            # the first replica of each service applies its migrations (replicas
            # migrating one fresh database at once would race); the others start
            # once it is ready, with RUN_MIGRATIONS=false like a release's replicas
            self.wait_healthy(timeout, replicas=(0,))
            for service, replica in self.instances():
                if replica:
                    self.start_service(service, replica)
        wait_port("127.0.0.1", self.smtp_port, timeout)
        self.wait_healthy(timeout)
        if self.portal:
            self.start_portal()
            self.wait_healthy(timeout, services=(PORTAL,), path="/healthz")

    def portal_env(self) -> dict[str, str]:
        """The portal's settings: where each service is, the development sign-in on."""
        env = dict(os.environ)
        env.update({f"KINERJA_PORTAL_{s.upper()}_URL": self.url(s) for s in SERVICES})
        env.update({
            "KINERJA_PORTAL_HOST": "127.0.0.1",
            "KINERJA_PORTAL_PORT": str(self.portal_port),
            "KINERJA_PORTAL_PUBLIC_URL": self.url(PORTAL),
            "PYTHONUNBUFFERED": "1",
        })
        env.setdefault("KINERJA_PORTAL_DEV_SIGN_IN", "true")
        env.setdefault("KINERJA_ALLOW_DEV_JWT_SECRET", "true")
        env.update(self.extra_env)
        return env

    def start_portal(self) -> None:
        child = Child(PORTAL, [sys.executable, "-m", "kinerja_portal"], self.portal_env(),
                      (self.var_dir / "logs" / "portal.log") if self.log_to_files else None)
        self.children[PORTAL] = child
        child.start()

    def start_service(self, service: str, replica: int = 0) -> None:
        name = instance_name(service, replica)
        child = Child(
            name,
            [sys.executable, "-m", f"kinerja_{service}"],
            self.service_env(service, replica),
            (self.var_dir / "logs" / f"{name}.log") if self.log_to_files else None,
        )
        self.children[name] = child
        child.start()

    def child(self, service: str, replica: int = 0) -> Child:
        return self.children[instance_name(service, replica)]

    def wait_healthy(self, timeout: float = 120.0, services: tuple[str, ...] = SERVICES, path: str = "/readyz",
                     replicas: tuple[int, ...] | None = None) -> None:
        """Wait until every replica (or those numbered in ``replicas``, 0 the
        first) of ``services`` answers ``path`` with 200."""
        deadline = time.monotonic() + timeout
        pending = {(s, r) for s, r in self.instances(services) if replicas is None or r in replicas}
        while pending and time.monotonic() < deadline:
            for s, r in sorted(pending):
                child = self.children.get(instance_name(s, r))
                if child and child.proc and child.proc.poll() is not None:
                    raise RuntimeError(f"service {child.name} exited with {child.proc.returncode}; see {child.log_path}")
                try:
                    if httpx.get(self.url(s, r) + path, timeout=1.0).status_code == 200:
                        pending.discard((s, r))
                except httpx.HTTPError:
                    pass
            if pending:
                time.sleep(0.2)
        if pending:
            raise TimeoutError(f"not ready after {timeout}s: {sorted(instance_name(s, r) for s, r in pending)}")

    def supervise(self, now: float | None = None) -> list[str]:
        """One round of supervision (``make run`` calls it every few tenths of
        a second): a child that exited is restarted after its backoff, the
        others go on; the embedded nats-server likewise. Returns what
        happened, one line each, for the launcher to print."""
        now = time.monotonic() if now is None else now
        said: list[str] = []
        for name, child in list(self.children.items()):
            if child.alive():
                continue
            if child.restart_at is None:
                code = child.proc.returncode if child.proc else None
                delay = child.backoff.delay(now - child.started_at)
                child.restart_at = now + delay
                said.append(f"{name} exited (code {code}) after {now - child.started_at:.1f}s; "
                            f"restarting in {delay:.0f}s (restart {child.backoff.restarts}); log: {child.log_path}")
            elif now >= child.restart_at:
                child.start()
                said.append(f"{name} restarted (pid {child.proc.pid})")
        for node in self.nats.nodes if self.nats is not None else []:
            if node.proc is not None and node.proc.poll() is not None:
                code = node.proc.returncode
                node.start()
                said.append(f"nats-server on port {node.port} exited (code {code}); restarted on the same port and store")
        return said

    def stop(self) -> None:
        """SIGTERM every child at once, wait for all (SIGKILL after 10 s), then NATS."""
        children = [c for c in self.children.values() if c.alive()]
        for child in children:
            try:
                os.killpg(child.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for child in children:
            child.stop()  # waits; escalates to SIGKILL
        if self.nats:
            self.nats.stop()
