"""Settings shared by every service (environment, prefix ``KINERJA_``).

Each service adds its own ``Settings`` with its own prefix
(``KINERJA_SKP_``, ...); every setting has a default that works for the
embedded run (``make run``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "kinerja-dev-secret-change-me-in-production"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINERJA_", extra="ignore")

    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        validation_alias=AliasChoices("NATS_URL", "KINERJA_NATS_URL"),
        description="NATS server(s), comma-separated",
    )
    nats_stream_replicas: int = Field(default=1, description="JetStream replicas (3 in a cluster)")
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    access_log_level: Literal["DEBUG", "INFO", "WARNING"] = Field(
        default="INFO",
        description="level of the one line per HTTP request and per handled event (DEBUG hides them at the "
        "default log level); /healthz, /readyz and /metrics are always at DEBUG",
    )
    log_person_ids: bool = Field(
        default=True,
        description="bind the pegawai's NIP (nip) and the directory's person_id to log lines as well as the skp_id "
        "(docs/security.md, Logs); false: only non-personal ids",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KINERJA_OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
        description="OTLP/HTTP endpoint of a trace collector (e.g. http://otel-collector:4318); unset: no tracing",
    )
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: str = Field(default=DEV_JWT_SECRET, description="HS256 shared secret (development default)")
    jwt_public_key: str | None = Field(default=None, description="RS256 PEM public key")
    jwt_jwks_url: str | None = Field(default=None, description="RS256 JWKS URL (takes precedence over the PEM key)")
    jwt_audience: str = "kinerja"
    jwt_issuer: str | None = None
    jwt_max_lifetime_seconds: int = Field(
        default=24 * 3600, gt=0,
        description="longest token lifetime accepted (exp - iat, or exp - now without iat); a longer-lived token gets 401",
    )
    allow_dev_jwt_secret: bool = Field(
        default=False,
        description="development setting: allow the public development JWT secret (make run and the tests set it); "
        "without it a service refuses to start with that secret",
    )
    max_body_bytes: int = Field(default=64 * 1024 * 1024, description="larger request bodies get 413")
    idempotency_stale_after: float = Field(
        default=60.0, description="seconds after which an unfinished Idempotency-Key reservation (a crashed request) expires"
    )
    consumer_max_deliver: int = 8
    consumer_ack_wait: float = 30.0
    relay_poll_interval: float = 1.0
    relay_batch_size: int = 200
    db_pool_size: int = Field(default=20, ge=1, description=(
        "PostgreSQL connections a service process opens as it needs them and keeps open; under more load a "
        "transaction waits for one (for every process together mind PostgreSQL's max_connections)"))
    db_pool_max_overflow: int = Field(default=0, ge=0, description=(
        "connections opened beyond db_pool_size under load and closed as soon as they are returned; each costs a "
        "new PostgreSQL backend and re-prepared statements (docs/performance.md, seventh round)"))
    db_pool_pre_ping: bool = Field(
        default=False,
        description="test each pooled connection before use (three extra round trips per transaction with asyncpg); "
        "off: a connection broken by a database restart fails once and the pool is renewed",
    )
    public_base_url: str = Field(default="http://127.0.0.1:8001", description="base of links in e-mails")

    @field_validator("access_log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class ServiceSettingsBase(BaseSettings):
    """Fields every service has; subclasses set ``env_prefix``."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = "sqlite:///var/service.db"
    host: str = "127.0.0.1"
    port: int = 8000
    run_migrations: bool = True
    #: this service's own NATS user and password (kinerja_platform.messaging.bus_auth;
    #: docs/security.md). None: connect without credentials, which only an open
    #: server (a test's own nats-server) accepts.
    nats_user: str | None = None
    nats_password: SecretStr | None = None
    common: CommonSettings = Field(default_factory=CommonSettings)
