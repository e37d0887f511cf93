"""Settings of the portal (environment prefix ``KINERJA_PORTAL_``).

The portal has no database of its own: it acts for the signed-in person
through the services' APIs, with a short-lived token it mints for them
(docs/portal.md, "How the portal acts for you").
"""

from __future__ import annotations

from kinerja_platform.settings import CommonSettings
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SESSION_SECRET = "kinerja-dev-portal-session-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINERJA_PORTAL_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = Field(default="http://127.0.0.1:8000", description="the portal's own public base URL "
                            "(OIDC redirect URI, links); https in production")

    skp_url: str = "http://127.0.0.1:8001"
    approval_url: str = "http://127.0.0.1:8002"
    evaluation_url: str = "http://127.0.0.1:8003"
    notification_url: str = "http://127.0.0.1:8004"
    directory_url: str = "http://127.0.0.1:8005"
    api_timeout_seconds: float = Field(default=30.0, gt=0, description="longest wait for one call to a service")

    session_secret: SecretStr = Field(default=SecretStr(DEV_SESSION_SECRET),
                                      description="signs the session and CSRF cookies; set your own in production")
    session_max_age_seconds: int = Field(default=8 * 3600, gt=0, description="a session ends this long after sign-in")
    cookie_secure: bool | None = Field(default=None, description="Secure flag on cookies (default: when public_url "
                                       "is https)")

    token_ttl_seconds: int = Field(default=300, gt=0, le=3600,
                                   description="lifetime of the token the portal mints for each call it makes for you")
    token_signing_key: SecretStr | None = Field(
        default=None, description="key that signs those tokens: the services' HS256 secret (default: "
        "KINERJA_JWT_SECRET) or an RS256 PEM private key when KINERJA_JWT_ALGORITHM=RS256")

    # OpenID Connect (the agency's identity provider)
    oidc_metadata_url: str | None = Field(
        default=None, description="the provider's discovery document "
        "(https://idp.example.go.id/realms/x/.well-known/openid-configuration); unset: no OIDC sign-in")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scope: str = "openid profile email"
    oidc_nip_claim: str = Field(default="nip", description="the ID token / userinfo claim holding the NIP / NI PPPK")
    oidc_roles_claim: str = Field(default="roles", description="claim listing the person's roles (a list or a string)")
    oidc_admin_role: str = Field(default="kinerja-admin",
                                 description="a person whose roles claim holds this is admin of their own instansi")

    # development sign-in (make run): pick a person from the directory
    dev_sign_in: bool = Field(default=False, description="development setting: sign in by picking a person from "
                              "the directory, no password; never turn it on in production")
    dev_instansi: list[str] = Field(default_factory=lambda: ["Pemerintah Provinsi DKI Jakarta"],
                                    description="instansi whose people the development sign-in lists")

    common: CommonSettings = Field(default_factory=CommonSettings)

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.public_url.startswith("https://")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_metadata_url and self.oidc_client_id)

    def service_url(self, service: str) -> str:
        return {"skp": self.skp_url, "approval": self.approval_url, "evaluation": self.evaluation_url,
                "notification": self.notification_url, "directory": self.directory_url}[service]

    def signing_key(self) -> str:
        if self.token_signing_key is not None:
            return self.token_signing_key.get_secret_value()
        return self.common.jwt_secret
