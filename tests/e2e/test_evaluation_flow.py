"""An approved PPPK Paruh Waktu SKP through two monthly periods to its annual
result, over real processes. The evaluation service reads "now" from a file
(KINERJA_EVALUATION_CLOCK_FILE) and ticks every 0.3 s, so months pass in
seconds."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import httpx
import pytest
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, pppk_skp

pytestmark = pytest.mark.e2e


@pytest.fixture
def clock_file(tmp_path: Path) -> Path:
    return tmp_path / "now.txt"


@pytest.fixture
def stack_env(clock_file: Path) -> dict[str, str]:
    set_now(clock_file, dt.date(2025, 11, 1))
    return {"KINERJA_EVALUATION_CLOCK_FILE": str(clock_file), "KINERJA_EVALUATION_SCHEDULER_INTERVAL": "0.3",
            "KINERJA_EVALUATION_SCHEDULER_LEASE_TTL": "5"}


def set_now(path: Path, day: dt.date) -> None:
    """08:00 in Jakarta on ``day``."""
    path.write_text(dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC).isoformat())


def wait_for(fn, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not reached in {timeout}s; last={last!r}")


def test_pppk_skp_two_months_to_annual_result(stack, tokens, clock_file):
    pegawai, atasan = tokens(PEGAWAI_NIP, "pegawai"), tokens(PENILAI_NIP, "atasan")
    skp_url, appr_url, ev_url = stack.url("skp"), stack.url("approval"), stack.url("evaluation")
    with httpx.Client(timeout=10) as http:
        # an SKP for November-December, approved
        r = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(mulai="2025-11-01"), headers=pegawai)
        assert r.status_code == 201, r.text
        skp = r.json()
        r = http.post(f"{skp_url}/api/v1/skp/{skp['id']}/submit", json={"version": skp["version"]}, headers=pegawai)
        assert r.status_code == 200, r.text
        wait_for(lambda: any(i["skp_id"] == skp["id"] for i in http.get(f"{appr_url}/api/v1/inbox", headers=atasan).json()["items"]))
        r = http.post(f"{appr_url}/api/v1/approvals/{skp['id']}/approve", json={"version": skp["version"]}, headers=atasan)
        assert r.status_code == 200, r.text

        def evaluation(period_id, who=pegawai, status=None):
            items = http.get(f"{ev_url}/api/v1/evaluations", params={"period_id": period_id, "nip": PEGAWAI_NIP,
                                                                     "peran": "penilai" if who is atasan else "pegawai"},
                             headers=who).json()
            return items and (status is None or items[0]["status"] == status) and items[0]

        def enter(period_id, values):
            ev = wait_for(lambda: evaluation(period_id, status="open"))
            body = {"version": ev["version"], "items": [
                {"iki_id": k, "nilai": v, "bukti_dukung": f"https://bukti.example.go.id/{period_id[:7]}/{k}.pdf"}
                for k, v in values.items()]}
            r = http.put(f"{ev_url}/api/v1/evaluations/{ev['id']}/realisasi", json=body, headers=pegawai)
            assert r.status_code == 200, r.text
            return r.json()

        # November: the scheduler opened the month when the plan arrived
        # (iki-3's 4 Laporan spread over the two months of the SKP: 2 a month)
        nov = enter("2025-11/PPPK_PARUH_WAKTU/monthly", {"iki-1": 1, "iki-2": 100, "iki-3": 2})
        assert nov["capaian_hasil_kerja"] == 100.0
        # December 6th: November closed, December open
        set_now(clock_file, dt.date(2025, 12, 6))
        wait_for(lambda: evaluation("2025-11/PPPK_PARUH_WAKTU/monthly", status="closed"))
        dec = enter("2025-12/PPPK_PARUH_WAKTU/monthly", {"iki-1": 1, "iki-2": 85, "iki-3": 2})
        assert dec["capaian_hasil_kerja"] == 95.0
        # January 6th: December and the year close
        set_now(clock_file, dt.date(2026, 1, 6))
        annual = wait_for(lambda: evaluation("2025/PPPK_PARUH_WAKTU/annual", who=atasan, status="closed"))
        r = http.post(f"{ev_url}/api/v1/evaluations/{annual['id']}/penilaian", headers=atasan, json={
            "version": annual["version"], "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi",
            "umpan_balik_perilaku": {"Berorientasi Pelayanan": "Konsisten melayani"}})
        assert r.status_code == 200, r.text
        assert r.json()["predikat"] == "Baik" and r.json()["capaian_hasil_kerja"] == 97.5

        result = http.get(f"{ev_url}/api/v1/hasil-tahunan/{PEGAWAI_NIP}/2025", headers=pegawai).json()
        assert len(result) == 1
        res = result[0]
        assert [p["capaian_hasil_kerja"] for p in res["periode"]] == [100.0, 95.0]
        assert res["rata_rata_capaian"] == 97.5 and res["predikat"] == "Baik"
        assert res["rekomendasi_perpanjangan"]["rekomendasi"] == "diperpanjang"
        periods = {p["period_id"]: p["status"] for p in http.get(f"{ev_url}/api/v1/periods", headers=pegawai).json()}
        assert periods == {"2025/PPPK_PARUH_WAKTU/annual": "closed", "2025-11/PPPK_PARUH_WAKTU/monthly": "closed",
                           "2025-12/PPPK_PARUH_WAKTU/monthly": "closed"}
