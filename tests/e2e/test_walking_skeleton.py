"""The walking skeleton: draft -> submit -> Pending in approval -> approve ->
Approved in skp -> e-mail in the SMTP sink, over real processes, real HTTP,
a real nats-server and the configured database."""

from __future__ import annotations

import httpx
import pytest
from kinerja_devstack.testing import wait_for
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, pppk_skp

pytestmark = pytest.mark.e2e


def test_draft_to_approved_with_mail(stack, tokens):
    pegawai = tokens(PEGAWAI_NIP, "pegawai")
    atasan = tokens(PENILAI_NIP, "atasan")
    skp_url, appr_url = stack.url("skp"), stack.url("approval")
    with httpx.Client(timeout=10) as http:
        r = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(), headers=pegawai)
        assert r.status_code == 201, r.text
        skp = r.json()
        assert skp["status"] == "Draft"

        r = http.post(f"{skp_url}/api/v1/skp/{skp['id']}/submit", json={"version": skp["version"]},
                   headers={**pegawai, "X-Correlation-ID": "e2e-skeleton-1"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Pending"

        def in_inbox():
            items = http.get(f"{appr_url}/api/v1/inbox", headers=atasan).json()["items"]
            return [i for i in items if i["skp_id"] == skp["id"]]

        item = wait_for(in_inbox)[0]
        assert item["status"] == "Pending" and item["version"] == skp["version"]

        r = http.post(f"{appr_url}/api/v1/approvals/{skp['id']}/approve", json={"version": item["version"]}, headers=atasan)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Approved"

        wait_for(lambda: http.get(f"{skp_url}/api/v1/skp/{skp['id']}", headers=pegawai).json()["status"] == "Approved")

        def mail_to(addr):
            return http.get(f"{stack.mail_url}/api/messages", params={"to": addr}).json()

        to_penilai = wait_for(lambda: mail_to("budi.santoso@example.go.id"))
        assert "menunggu persetujuan" in to_penilai[0]["subject"]
        to_pegawai = wait_for(lambda: mail_to("siti.rahma@example.go.id"))
        assert "disetujui" in to_pegawai[0]["subject"]
        # the correlation id of the submit request travelled to the penilai's mail
        assert to_penilai[0]["headers"].get("X-Correlation-ID") == "e2e-skeleton-1"

        # the evaluation service built its plan from the approval
        r = wait_for(lambda: (resp := http.get(f"{stack.url('evaluation')}/api/v1/plans/{skp['id']}", headers=pegawai)).status_code == 200 and resp)
        assert r.json()["version"] == skp["version"]
