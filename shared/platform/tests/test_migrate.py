"""``kinerja-migrate``: the one-shot migration command of a release."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from kinerja_platform.migrate import main, migrate


def test_migrate_brings_a_fresh_database_to_head(tmp_path, monkeypatch):
    db = tmp_path / "skp.db"
    monkeypatch.setenv("KINERJA_SKP_DATABASE_URL", f"sqlite:///{db}")
    assert migrate("kinerja_skp") == f"sqlite:///{db}"
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master where type='table'")}
    assert {"alembic_version", "outbox", "skp_document"} <= tables
    migrate("kinerja_skp")  # a second run (the next release without changes) is a no-op


def test_the_command_takes_the_short_name_and_refuses_an_unknown_one(tmp_path):
    db = tmp_path / "approval.db"
    env = {**os.environ, "KINERJA_APPROVAL_DATABASE_URL": f"sqlite:///{db}"}
    done = subprocess.run([sys.executable, "-m", "kinerja_platform.migrate", "approval"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert db.exists()
    with pytest.raises(SystemExit) as exc:
        main(["kinerja_nosuch"])
    assert exc.value.code == 2
