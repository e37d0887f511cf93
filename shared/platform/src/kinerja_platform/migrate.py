"""``kinerja-migrate kinerja_skp``: apply a service's migrations once, then exit.

The one-shot form of what a service does at start when its
``KINERJA_<SERVICE>_RUN_MIGRATIONS`` setting is true (the development
default). In production the replicas run with that setting false and a
release runs this command once (the Kubernetes Job in deploy/k8s, the
``*-migrate`` services in docker-compose.yml) before the new replicas start.

The service package is named on the command line; its ``main.MIGRATIONS``
folder and ``settings.Settings`` (the same environment as the service) are
looked up by that name, so the platform imports no service.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from .db import run_migrations
from .logging import get_logger, setup_logging
from .settings import ServiceSettingsBase


def migrate(package: str) -> str:
    """Upgrade the database of ``package`` (e.g. ``kinerja_skp``) to head; return its URL (no password)."""
    main_mod = importlib.import_module(f"{package}.main")
    settings_mod = importlib.import_module(f"{package}.settings")
    settings: ServiceSettingsBase = settings_mod.Settings()
    run_migrations(settings.database_url, Path(main_mod.MIGRATIONS))
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="kinerja-migrate", description=__doc__.splitlines()[0])
    p.add_argument("package", help="service package, e.g. kinerja_skp (or its short name: skp)")
    a = p.parse_args(argv)
    package = a.package if a.package.startswith("kinerja_") else f"kinerja_{a.package}"
    setup_logging("INFO", "auto", service=f"{package.removeprefix('kinerja_')}-migrate")
    log = get_logger(__name__)
    try:
        url = migrate(package)
    except ModuleNotFoundError as exc:
        print(f"kinerja-migrate: no service package {package!r} ({exc})", file=sys.stderr)
        sys.exit(2)
    log.info("migrations applied", package=package, database=url)


if __name__ == "__main__":  # pragma: no cover
    main()
