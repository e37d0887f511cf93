"""A real OpenID Connect provider for the portal's sign-in tests: panva's
certified ``oidc-provider`` from the npm registry, run by Node.js.

The package is installed once with ``npm ci`` from the lock file beside
``oidc_provider/provider.mjs`` into ``~/.cache/kinerja/oidc-provider/<hash>``
(``KINERJA_OIDC_PROVIDER_CACHE`` moves it), so a fresh machine needs only
Node.js and npm (Node 20.19 or newer) and later runs start at once.

The provider has one static client (authorization code, PKCE required,
``client_secret_basic``) and fixed accounts whose claims (``name``, ``nip``,
``roles``, ``email``) come with the ``profile`` / ``email`` scopes: the ID
token carries only ``sub`` (the library's default), the rest is read from the
userinfo endpoint, as with most agency identity providers. People sign in on
the library's own development login page (login = account id, any password).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .natsserver import _die_with_parent, free_port, wait_http_ok

SOURCE = Path(__file__).resolve().parent / "oidc_provider"
FILES = ("package.json", "package-lock.json", "provider.mjs")


def cache_root() -> Path:
    env = os.environ.get("KINERJA_OIDC_PROVIDER_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "kinerja" / "oidc-provider"


def ensure_installed() -> Path:
    """The directory holding provider.mjs and its node_modules (``npm ci`` on first use)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise RuntimeError("the OIDC sign-in tests need Node.js (20.19 or newer) and npm on PATH")
    lock = (SOURCE / "package-lock.json").read_bytes() + (SOURCE / "package.json").read_bytes()
    home = cache_root() / hashlib.sha256(lock).hexdigest()[:16]
    if not (home / "node_modules" / "oidc-provider" / "package.json").exists():
        home.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="install-", dir=home.parent))
        for name in FILES:
            shutil.copy(SOURCE / name, staging / name)
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=staging,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise RuntimeError(f"npm ci of oidc-provider failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        try:
            staging.rename(home)
        except OSError:  # another run installed it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    shutil.copy(SOURCE / "provider.mjs", home / "provider.mjs")  # the script may change without the lock
    return home


@dataclass
class OidcProvider:
    """oidc-provider as a child process on ``port`` (chosen up front, so the portal's settings can
    name the provider before the portal's own address, the redirect URI, is known)."""

    client_id: str = "kinerja-portal"
    client_secret: str = "kinerja-portal-test-secret-0123456789"
    port: int = field(default_factory=free_port)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_file: Path | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def portal_env(self) -> dict[str, str]:
        """The portal's settings for this provider."""
        return {"KINERJA_PORTAL_OIDC_METADATA_URL": self.metadata_url,
                "KINERJA_PORTAL_OIDC_CLIENT_ID": self.client_id,
                "KINERJA_PORTAL_OIDC_CLIENT_SECRET": self.client_secret}

    def start(self, redirect_uris: list[str], workdir: Path, timeout: float = 30.0) -> OidcProvider:
        home = ensure_installed()
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "oidc-provider.json"
        config.write_text(json.dumps({
            "port": self.port, "issuer": self.issuer, "accounts": self.accounts,
            "client": {"client_id": self.client_id, "client_secret": self.client_secret,
                       "redirect_uris": redirect_uris, "token_endpoint_auth_method": "client_secret_basic"},
        }))
        self.log_file = workdir / "oidc-provider.log"
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(["node", "provider.mjs", str(config)], cwd=home, stdout=log,
                                            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        try:
            wait_http_ok(self.metadata_url, timeout)
        except Exception:
            self.stop()
            raise RuntimeError(f"oidc-provider did not start:\n{self.log_file.read_text()[-3000:]}") from None
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
