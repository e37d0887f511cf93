"""The service's policy, built once from settings: which regions require
rencana aksi, the deadline rules, and the clock (Asia/Jakarta)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from kinerja_contracts.calendar import today_jakarta

from ..domain.deadlines import DeadlinePolicy
from ..settings import Settings


@dataclass
class Policy:
    rencana_aksi_instansi: frozenset[str] = frozenset()
    deadline: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    enforce_deadlines: bool = True
    today: Callable[[], dt.date] = field(default=today_jakarta)

    @classmethod
    def from_settings(cls, s: Settings) -> Policy:
        return cls(
            rencana_aksi_instansi=frozenset(s.rencana_aksi_instansi),
            deadline=DeadlinePolicy.parse(s.deadline_annual_month_day, s.deadline_days_after_sk),
            enforce_deadlines=s.enforce_deadlines,
        )

    def rencana_aksi_wajib(self, instansi: str | None) -> bool:
        return "*" in self.rencana_aksi_instansi or (instansi or "") in self.rencana_aksi_instansi
