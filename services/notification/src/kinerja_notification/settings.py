"""Settings of the notification service (environment prefix ``KINERJA_NOTIFICATION_``)."""

from typing import Literal

from kinerja_platform.settings import ServiceSettingsBase
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_NOTIFICATION_", extra="ignore")

    database_url: str = "sqlite:///var/notification.db"
    port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = Field(default=False, description="upgrade the connection with STARTTLS")
    smtp_use_tls: bool = Field(default=False, description="implicit TLS (port 465)")
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout: float = 10.0
    smtp_connections: int = Field(default=4, description="parallel SMTP connections per worker")
    mail_from: str = "Kinerja <no-reply@kinerja.local>"
    message_id_domain: str = "kinerja.local"
    link_base_url: str | None = Field(default=None, description="base of links in e-mails (default: KINERJA_PUBLIC_BASE_URL)")
    default_locale: Literal["id", "en"] = "id"
    rerating_window_seconds: float = Field(
        default=300.0, ge=0,
        description="a local choice, not a rule of the regulation: an evaluation result mail waits this long, and a "
                    "re-rating of the same evaluation within it replaces the waiting mail (one mail); 0: each at once")
    unsubscribe_secret: str = Field(
        default="kinerja-dev-unsubscribe-secret-change-me",
        description="signs the one-click List-Unsubscribe links (HMAC); set your own in production")
    unsubscribe_base_url: str | None = Field(
        default=None,
        description="public base URL of this service for List-Unsubscribe links (default: http://127.0.0.1:<port>); "
                    "empty string: no List-Unsubscribe header")
    delivery_poll_interval: float = 1.0
    delivery_batch_size: int = Field(
        default=50, description="rows a worker holds leased at once at most (also no more than rate x lease / 2)")
    delivery_lease_seconds: float = Field(
        default=30.0, description="a claimed mail comes back after this if its worker died; keep it above smtp_timeout")
    delivery_max_attempts: int = Field(default=12, description="tries after a 4xx reply before the mail is marked failed")
    retry_base_seconds: float = Field(default=5.0, description="first retry delay; doubles each try")
    retry_max_seconds: float = Field(default=900.0, description="longest retry delay")
    rate_limit_per_second: float = Field(default=20.0, description="mails per second at most (0 = no limit)")
    rate_limit_burst: int = Field(default=20, description="mails that may go at once after a quiet spell")
    digest_default: bool = Field(default=False, description="digest for a penilai who has not chosen")
    digest_interval_seconds: int = Field(default=86400, description="one summary per this many seconds at most")
    digest_anchor: str = Field(default="07:00", pattern=r"^\d{2}:\d{2}$", description="local (WIB) time windows start at")
    digest_tick_seconds: float = Field(default=60.0, description="how often the digest task looks for due summaries")
