"""Settings of the directory service (environment prefix ``KINERJA_DIRECTORY_``)."""

from kinerja_platform.settings import ServiceSettingsBase
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_DIRECTORY_", extra="ignore")

    database_url: str = "sqlite:///var/directory.db"
    port: int = 8005

    bulk_max_items: int = Field(default=5000, ge=1, description="most people one POST /people/bulk may carry")
    import_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1, description="largest import file accepted")
