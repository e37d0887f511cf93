"""Settings of the skp service (environment prefix ``KINERJA_SKP_``)."""

from kinerja_platform.settings import ServiceSettingsBase
from kinerja_platform.spreadsheet import XlsxLimits
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_SKP_", extra="ignore")

    database_url: str = "sqlite:///var/skp.db"
    port: int = 8001
    rencana_aksi_instansi: list[str] = Field(
        default_factory=list,
        description="instansi whose SKPs must carry rencana aksi (the quarter rule), "
        'e.g. ["Pemerintah Provinsi DKI Jakarta"]; "*" for all',
    )
    enforce_deadlines: bool = Field(default=True, description="refuse a first submission after the deadline")
    deadline_annual_month_day: str = Field(default="01-31", description="MM-DD deadline of an annual SKP (period from 1 January)")
    deadline_days_after_sk: int = Field(default=10, description="days after the appointment decree (SK) or a mid-year start")
    reminder_days_before: int = Field(default=3, description="remind a Draft/Revisi SKP this many days before its deadline")
    reminder_interval_seconds: float = Field(default=3600.0, description="how often the reminder scan runs (0: never)")
    bulk_max_items: int = Field(default=20_000, description="most drafts in one bulk call")
    bulk_chunk_size: int = Field(default=1_000, description="drafts per database round of the bulk upsert")
    status_recheck_seconds: float = Field(
        default=5.0, gt=0,
        description="a status long poll reads again this often even when nothing in this process woke it "
        "(changes applied by another replica); each waiting long poll costs one small read per interval",
    )
    xlsx_max_uncompressed_bytes: int = Field(
        default=24 * 1024 * 1024, gt=0, description="an uploaded workbook may inflate to at most this many bytes (else 413)")
    xlsx_max_rows: int = Field(default=50_000, gt=0, description="most rows of a sheet of a bulk import (one SKP: 5,000)")
    xlsx_max_columns: int = Field(default=64, gt=0, description="columns read per row; the rest are ignored")
    xlsx_max_seconds: float = Field(default=30.0, gt=0, description="longest time reading one workbook may take (else 413)")

    def xlsx_limits(self, *, max_rows: int | None = None) -> XlsxLimits:
        """The caps on one uploaded workbook (``max_rows`` lower for a single SKP)."""
        return XlsxLimits(max_uncompressed_bytes=self.xlsx_max_uncompressed_bytes,
                          max_rows=min(max_rows or self.xlsx_max_rows, self.xlsx_max_rows),
                          max_columns=self.xlsx_max_columns, max_seconds=self.xlsx_max_seconds)
