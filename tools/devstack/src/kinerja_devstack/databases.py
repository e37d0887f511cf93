"""Fresh databases for a test run: PostgreSQL when a URL is given, else SQLite.

``KINERJA_TEST_DATABASE_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``)
selects PostgreSQL: every call of :meth:`TestDatabases.new` creates a new
database ``kt_<run>_<name>`` on that server, and :meth:`cleanup` drops them.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

ENV = "KINERJA_TEST_DATABASE_URL"


class TestDatabases:
    __test__ = False  # not a pytest test class

    def __init__(self, base_url: str | None = None):
        self.base_url = base_url if base_url is not None else os.environ.get(ENV) or None
        self.run_id = uuid.uuid4().hex[:8]
        # a counter, not random digits: four random hex digits collided within one run
        # (DuplicateDatabaseError after a few hundred databases of one name)
        self._seq = itertools.count(1)
        self.created: list[str] = []
        self.tmpdir = Path(tempfile.mkdtemp(prefix="kinerja-db-"))

    @property
    def backend(self) -> str:
        return "postgresql" if self.base_url else "sqlite"

    def new(self, name: str) -> str:
        safe = "".join(c if c.isalnum() else "_" for c in name.lower())[:30]
        if not self.base_url:
            path = self.tmpdir / f"{safe}_{next(self._seq)}.db"
            return f"sqlite:///{path}"
        dbname = f"kt_{self.run_id}_{safe}_{next(self._seq)}"
        asyncio.run(self._admin(f'CREATE DATABASE "{dbname}"')) if not _in_loop() else _run_in_thread(self._admin(f'CREATE DATABASE "{dbname}"'))
        self.created.append(dbname)
        return make_url(self.base_url).set(database=dbname).render_as_string(hide_password=False)

    async def _admin(self, sql: str) -> None:
        import asyncpg

        u = make_url(self.base_url)
        conn = await asyncpg.connect(
            host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
            password=u.password, database=u.database or "postgres",
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def cleanup(self) -> None:
        for dbname in self.created:
            sql = f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'
            try:
                asyncio.run(self._admin(sql)) if not _in_loop() else _run_in_thread(self._admin(sql))
            except Exception:
                pass
        self.created.clear()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def _in_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


def _run_in_thread(coro) -> None:
    import threading

    err: list[BaseException] = []

    def target():
        try:
            asyncio.run(coro)
        except BaseException as e:  # pragma: no cover
            err.append(e)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if err:
        raise err[0]
