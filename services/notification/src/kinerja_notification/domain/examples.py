"""Sample events, one per e-mail kind: for docs/notification.md and tests.

People and dates follow the DKI Jakarta PPPK Paruh Waktu sample SKP.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kinerja_contracts.events import (
    ApprovalApproved,
    ApprovalReassigned,
    ApprovalReminder,
    ApprovalRequested,
    ApprovalReturned,
    EvaluationFinalized,
    EvaluationPenilaiReassigned,
    EvaluationPeriodClosed,
    EvaluationPeriodClosingSoon,
    EvaluationPeriodOpened,
    KeberatanDecided,
    KeberatanFiled,
    SkpDeadlineApproaching,
)
from kinerja_contracts.events.envelope import EventPayload
from kinerja_contracts.lifecycle import SkpStatus
from kinerja_contracts.values import JenisPegawai, Pegawai, Periode

SKP_ID = uuid.UUID("7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
PERIODE = Periode(mulai=dt.date(2025, 9, 1), selesai=dt.date(2025, 12, 31))
INSTANSI = "Pemerintah Provinsi DKI Jakarta"


def person(nip: str, nama: str, email: str | None, jabatan: str) -> Pegawai:
    return Pegawai(nip=nip, nama=nama, email=email, jabatan=jabatan, instansi=INSTANSI,
                   unit_kerja="Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur")


def pegawai(email: str | None = "siti.rahma@example.go.id", nip: str = "199503152025212001") -> Pegawai:
    return person(nip, "Siti Rahmawati", email, "Pengelola Umum Operasional")


def penilai(email: str | None = "budi.santoso@example.go.id", nip: str = "197806102005011002") -> Pegawai:
    return person(nip, "Budi Santoso, S.Pd., M.M.", email, "Kepala Seksi Sarana dan Prasarana")


def penilai_baru(email: str | None = "agus.wibowo@example.go.id", nip: str = "198204152008011004") -> Pegawai:
    return person(nip, "Agus Wibowo, S.T.", email, "Kepala Seksi Kurikulum")


def atasan(email: str | None = "ratna.dewi@example.go.id", nip: str = "197001011995031003") -> Pegawai:
    return person(nip, "Dra. Hj. Ratna Dewi, M.Si.", email, "Kepala Suku Dinas Pendidikan Wilayah I")


def _approval(**kw: Any) -> dict[str, Any]:
    base = dict(skp_id=SKP_ID, version=2, content_hash="9f2c" * 16, status=SkpStatus.Pending, sequence=1,
                pegawai=pegawai(), penilai=penilai(), periode=PERIODE, jenis_pegawai=JenisPegawai.PPPK_PARUH_WAKTU)
    base.update(kw)
    return base


def samples(pg: Pegawai | None = None, pn: Pegawai | None = None, pn_new: Pegawai | None = None,
            at: Pegawai | None = None, skp_id: uuid.UUID = SKP_ID) -> dict[str, EventPayload]:
    """One event per e-mail kind (the digest has none: see docs)."""
    pg, pn, pn_new, at = pg or pegawai(), pn or penilai(), pn_new or penilai_baru(), at or atasan()
    common = dict(pegawai=pg, penilai=pn, skp_id=skp_id)
    period = dict(period_id="2025-11/PPPK_PARUH_WAKTU/monthly", kind="monthly",
                  periode=Periode(mulai=dt.date(2025, 11, 1), selesai=dt.date(2025, 11, 30)),
                  deadline=dt.date(2025, 12, 5), jenis_pegawai=JenisPegawai.PPPK_PARUH_WAKTU)
    return {
        "approval.requested": ApprovalRequested(**_approval(**common)),
        "approval.returned": ApprovalReturned(**_approval(**common, status=SkpStatus.Revisi, sequence=2, decided_by=pn.nip,
            catatan_perbaikan="Target kuantitas pada RHK 2 belum terukur; tuliskan jumlah laporan per bulan.\n"
                 "Lengkapi bukti dukung untuk IKI 3.")),
        "approval.approved": ApprovalApproved(**_approval(**common, status=SkpStatus.Approved, sequence=4, version=3,
                                                          decided_by=pn.nip, atasan_pejabat_penilai=at)),
        "approval.reassigned_new": ApprovalReassigned(**_approval(**{**common, "penilai": pn_new}, sequence=2,
            previous_penilai=pn, reason="Pejabat penilai sebelumnya mutasi ke unit lain.")),
        "approval.reminder": ApprovalReminder(skp_id=skp_id, level="penilai", days_pending=5,
            pending_since=dt.datetime(2025, 9, 8, 2, 30, tzinfo=dt.UTC), pegawai=pg, penilai=pn, recipient=pn),
        "approval.escalation": ApprovalReminder(skp_id=skp_id, level="atasan", days_pending=10,
            pending_since=dt.datetime(2025, 9, 8, 2, 30, tzinfo=dt.UTC), pegawai=pg, penilai=pn, recipient=at),
        "skp.deadline_approaching": SkpDeadlineApproaching(skp_id=skp_id, pegawai=pg, periode=PERIODE,
                                                           deadline=dt.date(2025, 9, 15), days_left=3),
        "evaluation.period_opened": EvaluationPeriodOpened(**period, recipients=[pg]),
        "evaluation.period_closing_soon": EvaluationPeriodClosingSoon(**period, days_left=2, pegawai=pg),
        "evaluation.period_closed_missing": EvaluationPeriodClosed(**period, evaluated=41, missing=[pg]),
        "evaluation.finalized": EvaluationFinalized(evaluation_id="EV-2025-11-0042", skp_id=skp_id,
            period_id="2025-11/PPPK_PARUH_WAKTU/monthly", pegawai=pg, penilai=pn, rating_hasil_kerja="Sesuai Ekspektasi",
            rating_perilaku="Diatas Ekspektasi", predikat="Baik", capaian=96.5, keberatan_deadline=dt.date(2025, 12, 19)),
        "evaluation.keberatan_filed": KeberatanFiled(keberatan_id="KB-2025-0007", evaluation_id="EV-2025-11-0042",
            pegawai=pg, atasan_pejabat_penilai=at,
            alasan="Realisasi RHK 1 sudah 100% dengan bukti dukung lengkap, tetapi dinilai di bawah ekspektasi."),
        "evaluation.keberatan_decided": KeberatanDecided(keberatan_id="KB-2025-0007", evaluation_id="EV-2025-11-0042",
            pegawai=pg, decision="upheld", predikat_before="Butuh Perbaikan", predikat_after="Baik",
            note="Bukti dukung RHK 1 diterima."),
        "evaluation.penilai_reassigned_new": EvaluationPenilaiReassigned(skp_id=skp_id, pegawai=pg, penilai=pn_new,
            previous_penilai=pn, evaluasi_dipindah=2),
    }
