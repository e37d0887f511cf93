"""Settings of the skp service (environment prefix ``KINERJA_SKP_``)."""

from kinerja_contracts.settings import ServiceSettingsBase
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_SKP_", extra="ignore")

    database_url: str = "sqlite:///var/skp.db"
    port: int = 8001
