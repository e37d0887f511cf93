"""SKP through the bus: submit -> returned (Revisi, with the note) -> edited
-> resubmitted -> approved -> locked; over real processes and NATS."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from kinerja_devstack.testing import wait_for
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, pppk_skp

pytestmark = pytest.mark.e2e


def test_returned_skp_is_edited_resubmitted_and_approved(stack, tokens):
    pegawai = tokens(PEGAWAI_NIP, "pegawai")
    atasan = tokens(PENILAI_NIP, "atasan")
    skp_url, appr_url = stack.url("skp"), stack.url("approval")
    with httpx.Client(timeout=10) as http:
        r = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(mulai="2027-01-01", selesai="2027-12-31"), headers=pegawai)
        assert r.status_code == 201, r.text
        skp = r.json()
        url = f"{skp_url}/api/v1/skp/{skp['id']}"
        assert http.post(f"{url}/submit", json={"version": 1}, headers=pegawai).status_code == 200

        wait_for(lambda: http.get(f"{appr_url}/api/v1/approvals/{skp['id']}", headers=atasan).status_code == 200)
        note = "Target laporan pemeriksaan harus 12 laporan setahun, bukan 4."
        r = http.post(f"{appr_url}/api/v1/approvals/{skp['id']}/return", json={"version": 1, "catatan_perbaikan": note}, headers=atasan)
        assert r.status_code == 200, r.text

        returned = wait_for(lambda: (b := http.get(url, headers=pegawai).json())["status"] == "Revisi" and b)
        assert returned["catatan_perbaikan"] == note and not returned["terkunci"]

        fixed = pppk_skp(mulai="2027-01-01", selesai="2027-12-31")
        fixed["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
        fixed["hasil_kerja"][0]["iki"][0]["target_bulanan"] = ["1"] * 12
        r = http.put(url, json={"content": fixed}, headers={**pegawai, "If-Match": '"1"'})
        assert r.status_code == 200 and r.json()["version"] == 2
        r = http.post(f"{url}/submit", json={"version": 2}, headers=pegawai)
        assert r.status_code == 200 and r.json()["status"] == "Pending"

        def pending_v2():
            case = http.get(f"{appr_url}/api/v1/approvals/{skp['id']}", headers=atasan).json()
            return case.get("version") == 2 and case.get("status") == "Pending"

        wait_for(pending_v2)
        r = http.post(f"{appr_url}/api/v1/approvals/{skp['id']}/approve", json={"version": 2}, headers=atasan)
        assert r.status_code == 200, r.text
        wait_for(lambda: http.get(url, headers=pegawai).json()["status"] == "Approved")

        r = http.put(url, json={"content": fixed}, headers={**pegawai, "If-Match": '"2"'})
        assert r.status_code == 409 and r.json()["code"] == "skp-locked"
        d = http.get(f"{url}/diff", params={"dari": 1, "ke": 2}, headers=pegawai).json()
        assert {c["path"] for c in d["changes"]} == {"hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai",
                                                      "hasil_kerja[id=rhk-1].iki[id=iki-1].target_bulanan[0]",
                                                      *{f"hasil_kerja[id=rhk-1].iki[id=iki-1].target_bulanan[{m}]" for m in range(1, 8)}}


def _get(url: str, params: dict, headers: dict) -> httpx.Response:
    with httpx.Client(timeout=40) as http:
        return http.get(url, params=params, headers=headers)


def test_the_status_long_poll_answers_on_the_decision_and_does_not_hold_a_shutdown(stack, tokens):
    pegawai = tokens(PEGAWAI_NIP, "pegawai")
    atasan = tokens(PENILAI_NIP, "atasan")
    skp_url, appr_url = stack.url("skp"), stack.url("approval")
    with httpx.Client(timeout=10) as http, ThreadPoolExecutor(2) as pool:
        skp = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(mulai="2027-01-01", selesai="2027-12-31"), headers=pegawai).json()
        status = f"{skp_url}/api/v1/skp/{skp['id']}/status"
        assert http.post(f"{skp_url}/api/v1/skp/{skp['id']}/submit", json={"version": 1}, headers=pegawai).status_code == 200
        wait_for(lambda: http.get(f"{appr_url}/api/v1/approvals/{skp['id']}", headers=atasan).status_code == 200)

        waiting = pool.submit(_get, status, {"while_status": "Pending", "wait": 25}, pegawai)
        time.sleep(0.5)
        assert not waiting.done()
        r = http.post(f"{appr_url}/api/v1/approvals/{skp['id']}/approve", json={"version": 1}, headers=atasan)
        assert r.status_code == 200, r.text
        answer = waiting.result(timeout=10)
        assert answer.status_code == 200 and answer.json()["status"] == "Approved"

        # a long poll open while skp is told to stop answers at once (current
        # status) instead of holding the shutdown for its 25 s
        waiting = pool.submit(_get, status, {"while_status": "Approved", "wait": 25}, pegawai)
        time.sleep(0.5)
        assert not waiting.done()
        t0 = time.monotonic()
        stack.children["skp"].stop()  # SIGTERM; returns when the process has exited
        stopped_after = time.monotonic() - t0
        answer = waiting.result(timeout=5)
        assert answer.status_code == 200 and answer.json()["status"] == "Approved"
        assert stopped_after < 5, f"skp took {stopped_after:.1f} s to stop"
