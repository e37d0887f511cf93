"""Settings of the notification service (environment prefix ``KINERJA_NOTIFICATION_``)."""

from kinerja_contracts.settings import ServiceSettingsBase
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_NOTIFICATION_", extra="ignore")

    database_url: str = "sqlite:///var/notification.db"
    port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout: float = 10.0
    mail_from: str = "Kinerja <no-reply@kinerja.local>"
    message_id_domain: str = "kinerja.local"
    delivery_poll_interval: float = 1.0
    delivery_max_attempts: int = 8
