"""The contracts package is the wire only: importing all of it loads pydantic
and the standard library, never the service runtime (FastAPI, SQLAlchemy,
FastStream, nats-py, structlog) nor the platform package."""

import subprocess
import sys

RUNTIME = ("fastapi", "sqlalchemy", "sqlmodel", "faststream", "nats", "structlog", "kinerja_platform", "starlette")


def test_contracts_import_pydantic_alone():
    code = (
        "import sys, pkgutil, importlib, kinerja_contracts\n"
        "for m in pkgutil.walk_packages(kinerja_contracts.__path__, 'kinerja_contracts.'):\n"
        "    importlib.import_module(m.name)\n"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({RUNTIME!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
