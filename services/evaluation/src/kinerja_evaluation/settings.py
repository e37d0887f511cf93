"""Settings of the evaluation service (environment prefix ``KINERJA_EVALUATION_``)."""

from kinerja_contracts.settings import ServiceSettingsBase
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_EVALUATION_", extra="ignore")

    database_url: str = "sqlite:///var/evaluation.db"
    port: int = 8003
