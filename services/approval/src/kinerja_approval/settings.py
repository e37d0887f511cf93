"""Settings of the approval service (environment prefix ``KINERJA_APPROVAL_``)."""

from kinerja_platform.settings import ServiceSettingsBase
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from .domain.escalation import EscalationPolicy


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_APPROVAL_", extra="ignore")

    database_url: str = "sqlite:///var/approval.db"
    port: int = 8002

    remind_after_days: int = Field(default=3, ge=1, description="days Pending before the penilai gets a reminder")
    escalate_after_days: int = Field(default=7, ge=1, description="days Pending before the atasan pejabat penilai is alerted too")
    remind_interval_days: int = Field(default=3, ge=1, description="days between two reminders of the same level")
    escalation_scan_seconds: float = Field(default=900.0, gt=0, description="how often the escalation scan runs")
    escalation_enabled: bool = Field(default=True, description="run the escalation scan in this process")
    batch_max_items: int = Field(default=100, ge=1, description="most SKPs one bulk approve may carry")

    def escalation_policy(self) -> EscalationPolicy:
        return EscalationPolicy(
            remind_after_days=self.remind_after_days,
            escalate_after_days=self.escalate_after_days,
            interval_days=self.remind_interval_days,
        )
