"""``make run``: the whole Kinerja system on embedded defaults.

Starts an embedded nats-server with JetStream (unless NATS_URL is set), the
local SMTP sink with its web view, the services on ports 8001-8005 and the
portal (the web application) on 8000,
with SQLite files under var/; seeds a small sample directory (the README
tour's people) into an empty directory service. Prints where everything is.

It supervises: a service (or the SMTP sink, or the embedded nats-server)
that exits is restarted after a backoff (1 s, doubling to 30 s; back to 1 s
after a minute of running), and the exit and the restart are printed; the
others go on. SIGINT (Ctrl-C) and SIGTERM stop everything, also when
``make run`` runs in the background (a background job of a script starts
with SIGINT ignored, so the handlers are installed explicitly).

Settings (environment): see the README's "Launcher settings" table.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from .procs import DEFAULT_PORTS, PORTAL, PORTAL_PORT, SERVICES, Stack


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Run the whole Kinerja system locally")
    p.add_argument("--var", default=os.environ.get("KINERJA_DEV_VAR", "var"),
                   help="folder for databases, logs, mail and NATS data (default: $KINERJA_DEV_VAR or var/)")
    a = p.parse_args(argv)
    var = Path(a.var).resolve()
    env = os.environ
    stack = Stack(
        var_dir=var,
        nats_url=env.get("NATS_URL") or None,
        # ports follow the services' own settings when set
        ports={s: int(env.get(f"KINERJA_{s.upper()}_PORT", DEFAULT_PORTS[s])) for s in SERVICES},
        smtp_port=int(env.get("KINERJA_NOTIFICATION_SMTP_PORT", 1025)),
        mail_http_port=int(env.get("KINERJA_DEV_MAIL_HTTP_PORT", 8025)),
        portal=True,
        portal_port=int(env.get("KINERJA_PORTAL_PORT", PORTAL_PORT)),
    )

    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt

    # both, explicitly: a background job inherits SIGINT ignored, and Python
    # then installs no handler of its own
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print("Kinerja: starting (first start applies database migrations)...", flush=True)
    t0 = time.monotonic()
    try:
        stack.start()
        directory = _seed_directory(stack)
        print(f"\nKinerja is up after {time.monotonic() - t0:.1f}s:\n")
        print(f"  {'portal':<13} {stack.url(PORTAL)}   (open it in a browser; development sign-in: pick a person)")
        for s in SERVICES:
            print(f"  {s:<13} {stack.url(s)}   API docs: {stack.url(s)}/docs (ReDoc: /redoc)")
        print(f"  {'mail (web)':<13} {stack.mail_url}   (SMTP on 127.0.0.1:{stack.smtp_port}; .eml files in {var / 'mail'})")
        print(f"  {'nats':<13} {stack.nats_url}" + (f"   (embedded, JetStream data in {var / 'nats'})" if stack.nats else ""))
        print(f"  logs          {var / 'logs'}/<service>.log")
        print(f"  directory     {directory}")
        print("\nTokens for trying the API: uv run kinerja-token --sub <NIP> --role pegawai|atasan|admin|portal")
        print("A service that exits is restarted. Press Ctrl-C (or send SIGTERM) to stop everything.\n", flush=True)
        while True:
            time.sleep(0.25)
            for line in stack.supervise():
                print(f"[kinerja-dev] {time.strftime('%H:%M:%S')} {line}", flush=True)
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        print(f"Kinerja failed to start: {exc}", file=sys.stderr)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        sys.exit(1)
    # Ctrl-C reaches us more than once (the terminal signals the whole
    # process group, and `uv run` forwards it too): ignore repeats while stopping.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("\nStopping Kinerja...", flush=True)
    stack.stop()
    print("Stopped.")


def _seed_directory(stack: Stack) -> str:
    """The sample directory, written as a portal of its instansi would, and skp has it (never fatal)."""
    import asyncio

    import httpx
    from kinerja_platform.settings import CommonSettings
    from kinerja_platform.web.auth import mint_token

    from .directory_seed import wait_until_known_async
    from .samples import DKI, directory_people, seed_directory

    s = CommonSettings()
    token = mint_token("kinerja-dev-seed", "portal", secret=s.jwt_secret, audience=s.jwt_audience, issuer=s.jwt_issuer,
                       instansi=DKI)

    async def seed() -> str:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=stack.url("directory"), timeout=10.0) as client:
            said = await seed_directory(client, headers)
        async with httpx.AsyncClient(timeout=10.0) as client:  # skp drafts SKPs from its copy of the directory
            await wait_until_known_async(client, stack.url("skp"), headers, [p["person_id"] for p in directory_people()],
                                         timeout=60)
        return said

    try:
        return asyncio.run(seed())
    except Exception as exc:  # the system runs without the sample
        return f"sample not seeded: {exc!r}"


if __name__ == "__main__":  # pragma: no cover
    main()
