"""``kinerja-migration SERVICE -m "message"``: autogenerate an Alembic revision.

Builds a throw-away SQLite database at the service's current head, compares
it with the service's models and writes the new revision into
``services/SERVICE/src/kinerja_SERVICE/migrations/versions/``. Review it
before committing.
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    from alembic import command
    from alembic.config import Config
    from kinerja_platform.db import async_url

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("service", choices=["skp", "approval", "evaluation", "notification"])
    p.add_argument("-m", "--message", required=True)
    a = p.parse_args(argv)
    main_mod = importlib.import_module(f"kinerja_{a.service}.main")
    migrations = Path(main_mod.MIGRATIONS)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Config()
        cfg.set_main_option("script_location", str(migrations))
        cfg.set_main_option("sqlalchemy.url", async_url(f"sqlite:///{tmp}/gen.db"))
        command.upgrade(cfg, "head")
        command.revision(cfg, message=a.message, autogenerate=True)


if __name__ == "__main__":  # pragma: no cover
    main()
