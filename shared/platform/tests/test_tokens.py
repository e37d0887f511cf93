"""``kinerja-token``: the token it prints, and that it stays light."""

from __future__ import annotations

import subprocess
import sys

import jwt
from kinerja_platform.settings import CommonSettings
from kinerja_platform.tokens import token_cli


def test_token_cli_prints_a_token_the_services_accept(capsys):
    token_cli(["--sub", "199503152025212001", "--role", "pegawai", "--hours", "2"])
    s = CommonSettings()
    claims = jwt.decode(capsys.readouterr().out.strip(), s.jwt_secret, algorithms=["HS256"], audience=s.jwt_audience)
    assert claims["sub"] == "199503152025212001" and claims["role"] == "pegawai"
    assert claims["exp"] - claims["iat"] == 2 * 3600


def test_token_cli_imports_no_web_framework():
    """The README tour calls it twice: importing FastAPI (and SQLAlchemy
    through the web stack) made each call take 1.5-2 s on this machine."""
    code = ("import sys; import kinerja_platform.tokens; "
            "print(sorted(m for m in ('fastapi', 'starlette', 'sqlalchemy', 'faststream') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
