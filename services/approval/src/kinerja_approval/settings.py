"""Settings of the approval service (environment prefix ``KINERJA_APPROVAL_``)."""

from kinerja_contracts.settings import ServiceSettingsBase
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_APPROVAL_", extra="ignore")

    database_url: str = "sqlite:///var/approval.db"
    port: int = 8002
