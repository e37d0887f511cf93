"""Database plumbing shared by the services: engines, sessions, migrations.

SQLite (one file per service under ``var/``) is the embedded default;
PostgreSQL is production. URLs may be given without a driver
(``postgresql://``, ``sqlite:///``): the async driver is filled in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def async_url(url: str) -> str:
    """Normalise a database URL to its async driver."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        u = u.set(drivername="postgresql+asyncpg")
    elif u.drivername == "sqlite":
        u = u.set(drivername="sqlite+aiosqlite")
    return u.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 20, max_overflow: int = 0, pre_ping: bool = False,
                  echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite runs in WAL mode with a busy timeout.

    On PostgreSQL the pool keeps up to ``pool_size`` connections open and
    opens no more by default: SQLAlchemy's ``QueuePool`` closes an overflow
    connection as soon as it is returned while the pool is full, so under a
    load that hovers around the pool's size every overflow checkout paid for
    a new PostgreSQL backend, asyncpg's connection setup and its prepared
    statements again (about a tenth of skp's and approval's CPU at
    concurrency 64; docs/performance.md, seventh round). A transaction that
    finds every connection busy waits for one (``pool_timeout``, 30 s).

    ``pre_ping`` is off by default: with asyncpg SQLAlchemy's ping is BEGIN,
    a query and ROLLBACK on every checkout, about a tenth of a service's CPU
    under load (bench/flow.py). Without it a connection broken by a database
    restart raises once, SQLAlchemy sees the disconnect and renews the pool.
    """
    url = async_url(url)
    if is_sqlite(url):
        db = make_url(url).database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - driver callback
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=pre_ping)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


#: key in a session's ``info`` of the callback to run after a commit that wrote outbox rows
OUTBOX_WAKE = "kinerja.outbox_wake"


class UnitOfWork:
    """One database transaction: ``async with uow() as session: ...``.

    Commits on success, rolls back on error. Outbox rows added to the session
    commit with the state change; after a commit that wrote outbox rows,
    ``on_outbox_commit`` runs (the runtime sets it to its relay's ``wake``:
    the relay publishes at once instead of at its next poll).
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *,
                 on_outbox_commit: Callable[[], None] | None = None):
        self._sessions = sessions
        self.on_outbox_commit = on_outbox_commit

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            if self.on_outbox_commit is not None:
                session.sync_session.info[OUTBOX_WAKE] = self.on_outbox_commit
            yield session


def dialect_of(session) -> str:
    """"postgresql" or "sqlite": the database behind a session."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


async def execute(session, stmt, params: dict | list[dict]):
    """Run a statement with bound parameters on a SQLModel session (``exec``
    takes them by keyword) or a plain ``AsyncSession`` (positionally)."""
    return await session.exec(stmt, params=params) if hasattr(session, "exec") else await session.execute(stmt, params)


def run_migrations(url: str, migrations_dir: Path) -> None:
    """Apply every Alembic migration of a service (``upgrade head``).

    Synchronous on purpose: called once at start, before the app serves, or
    from a thread (``asyncio.to_thread``).
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    command.upgrade(cfg, "head")


# --- after-commit callbacks -------------------------------------------------

from sqlalchemy.orm import Session as _SyncSession  # noqa: E402


def after_commit(session, callback) -> None:
    """Run ``callback()`` once, after ``session``'s transaction commits (not on
    rollback). Used to wake the outbox relay and the mail worker at once."""
    sync = getattr(session, "sync_session", session)
    callbacks = sync.info.setdefault("after_commit_callbacks", [])
    if callback not in callbacks:
        callbacks.append(callback)


@event.listens_for(_SyncSession, "after_commit")
def _run_after_commit(session) -> None:  # pragma: no cover - exercised by relay and mail tests
    for cb in session.info.pop("after_commit_callbacks", []):
        try:
            cb()
        except Exception:
            pass


@event.listens_for(_SyncSession, "after_rollback")
def _drop_after_commit(session) -> None:  # pragma: no cover
    session.info.pop("after_commit_callbacks", None)
