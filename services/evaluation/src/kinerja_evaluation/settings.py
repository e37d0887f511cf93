"""Settings of the evaluation service (environment prefix ``KINERJA_EVALUATION_``).

Every rule that is regional policy (caps, thresholds, period policy, the
distribution guidance) is a setting with a documented default; see
docs/evaluation.md. Dicts are given as JSON in the environment, e.g.
``KINERJA_EVALUATION_PERIOD_POLICY='{"PNS": ["monthly", "annual"]}'``.
"""

from kinerja_platform.settings import ServiceSettingsBase
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from .domain.capaian import CapaianPolicy
from .domain.organisasi import DEFAULT_GUIDANCE
from .domain.periods import DEFAULT_POLICY
from .domain.rating import Rating, RatingPolicy


class Settings(ServiceSettingsBase):
    model_config = SettingsConfigDict(env_prefix="KINERJA_EVALUATION_", extra="ignore")

    database_url: str = "sqlite:///var/evaluation.db"
    port: int = 8003

    # capaian and the suggested rating (regional policy)
    capaian_cap: float = Field(default=120.0, description="upper cap of a capaian, percent (no source: project default)")
    capaian_floor: float = Field(default=0.0, description="lower bound of a capaian, percent (no source: project default)")
    rating_diatas_min: float = Field(default=110.0, description="RHK capaian >= this: above expectation (no source)")
    rating_sesuai_min: float = Field(default=80.0, description="RHK capaian >= this: as expected; below: below (no source)")
    rating_sebagian_kecil: float = Field(default=0.25, description="largest share of RHK Utama below expectation that is "
                                         "'hanya sebagian kecil' for Sesuai (no source)")
    rating_di_luar_aturan: Rating | None = Field(default=None, description="suggestion when the results fit none of the "
                                                 "three source rules; none: the penilai decides (no source)")
    perpanjangan_ambang_capaian: float | None = Field(default=None, description="PPPK extension: optional floor on the "
                                                      "yearly average capaian; none by default (DKI 2026 gives no number)")
    keberatan_days: int = Field(default=14, description="days after the result in which a keberatan may be filed "
                                "(DOMAIN 'Keberatan': 14 days; the BKN deck, line 966, gives no number)")
    distribution_guidance: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_GUIDANCE.items()},
        description="share bands of the predikat per capaian organisasi: our reading of the BKN deck's curves "
                    "(lines 842-866); the figures: no source")

    # periods and the scheduler
    period_policy: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_POLICY.items()},
        description="periods per jenis pegawai: monthly for PPPK Paruh Waktu (DKI 2026 line 146); quarterly for "
                    "PNS/PPPK: no source (regional policy; the BKN deck says only 'periodik')")
    deadline_day: int = Field(default=5, ge=1, le=31, description="deadline: this day of the month after a period (no source)")
    reminder_days: int = Field(default=2, ge=0, description="reminder this many days before the deadline (no source)")
    scheduler_enabled: bool = True
    scheduler_interval: float = Field(default=30.0, gt=0, description="seconds between scheduler ticks")
    scheduler_lease_ttl: float = Field(default=90.0, gt=0, description="seconds a lease lives without renewal")
    scheduler_bucket: str = "kinerja-evaluation-scheduler"
    clock_file: str | None = Field(default=None, description="testing/demo: read 'now' (ISO datetime) from this file")
    event_chunk: int = Field(default=500, ge=1, description="most people listed in one period event")
    stale_after_days: int = Field(default=7, ge=0, description="a close reached this many days late (catch-up) is done but not announced")

    @property
    def capaian_policy(self) -> CapaianPolicy:
        return CapaianPolicy(cap=self.capaian_cap, floor=self.capaian_floor)

    @property
    def rating_policy(self) -> RatingPolicy:
        return RatingPolicy(self.rating_diatas_min, self.rating_sesuai_min, self.rating_sebagian_kecil,
                            self.rating_di_luar_aturan)
