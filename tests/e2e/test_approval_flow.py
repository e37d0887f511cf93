"""The approval workflow over real processes: submit -> return with a note ->
edit -> resubmit -> reassign by an admin -> approve by the new penilai; the
skp service's projection and the audit trail at the end."""

from __future__ import annotations

import httpx
import pytest
from kinerja_devstack.directory_seed import person_item, seed_people
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, nip, person, pppk_skp
from kinerja_devstack.testing import wait_for

pytestmark = pytest.mark.e2e

DKI = "Pemerintah Provinsi DKI Jakarta"
NEW_PENILAI = nip(501, born="19820214", appointed="200604")
NOTE = "Target IKI pertama harus 12 laporan setahun, bukan 4."


def test_return_edit_resubmit_reassign_approve(stack, tokens):
    pegawai = tokens(PEGAWAI_NIP, "pegawai")
    penilai = tokens(PENILAI_NIP, "atasan")
    new_penilai = tokens(NEW_PENILAI, "atasan")
    admin = tokens("admin-bkd-dki", "admin", instansi=DKI)
    skp_url, appr = stack.url("skp"), stack.url("approval")
    with httpx.Client(timeout=10) as http:

        def skp_status(skp_id):
            return http.get(f"{skp_url}/api/v1/skp/{skp_id}", headers=pegawai).json()

        def inbox_of(headers, skp_id):
            items = http.get(f"{appr}/api/v1/inbox", headers=headers).json()["items"]
            return [i for i in items if i["skp_id"] == skp_id]

        # 1. submit
        r = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(), headers=pegawai)
        assert r.status_code == 201, r.text
        skp = r.json()
        skp_id = skp["id"]
        r = http.post(f"{skp_url}/api/v1/skp/{skp_id}/submit", json={"version": 1}, headers=pegawai)
        assert r.status_code == 200 and r.json()["status"] == "Pending", r.text
        item = wait_for(lambda: inbox_of(penilai, skp_id))[0]
        assert item["version"] == 1

        # 2. return with a note
        r = http.post(f"{appr}/api/v1/approvals/{skp_id}/return", json={"version": 1, "catatan_perbaikan": "kurang"}, headers=penilai)
        assert r.status_code == 422 and r.json()["code"] == "catatan-perbaikan-required"
        r = http.post(f"{appr}/api/v1/approvals/{skp_id}/return", json={"version": 1, "catatan_perbaikan": NOTE}, headers=penilai)
        assert r.status_code == 200 and r.json()["status"] == "Revisi", r.text
        doc = wait_for(lambda: (d := skp_status(skp_id))["status"] == "Revisi" and d)
        assert doc["catatan_perbaikan"] == NOTE

        # 3. edit (the pegawai fixes the target) and 4. resubmit
        content = pppk_skp()
        content["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
        content["hasil_kerja"][0]["iki"][0]["target_bulanan"] = [None] * 8 + ["3", "3", "3", "3"]
        r = http.put(f"{skp_url}/api/v1/skp/{skp_id}", json={"content": content}, headers={**pegawai, "If-Match": '"1"'})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2
        r = http.post(f"{skp_url}/api/v1/skp/{skp_id}/submit", json={"version": 2}, headers=pegawai)
        assert r.status_code == 200, r.text
        item = wait_for(lambda: [i for i in inbox_of(penilai, skp_id) if i["version"] == 2])[0]
        detail = http.get(f"{appr}/api/v1/inbox/{skp_id}", headers=penilai).json()
        assert detail["returned"]["catatan_perbaikan"] == NOTE and detail["returned"]["version"] == 1
        assert {"path": "hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai", "kind": "changed", "before": "4", "after": "12"} \
            in detail["diff"]

        # a decision on the returned version is stale now
        r = http.post(f"{appr}/api/v1/approvals/{skp_id}/approve", json={"version": 1}, headers=penilai)
        assert r.status_code == 409 and r.json()["code"] == "stale-version"

        # 5. the wrong superior was on record: an admin of the instansi reassigns to a person the directory
        # holds (approval takes the new penilai's identity and address from its copy of the directory)
        portal = tokens("portal-dki", "portal", instansi=DKI)
        seed_people(stack.url("directory"), portal, [person_item(
            NEW_PENILAI, None, nama="Agus Wijaya, S.T.", email="agus.wijaya@example.go.id")])

        def reassigned():
            r = http.post(f"{appr}/api/v1/approvals/{skp_id}/reassign",
                          json={"version": 2, "penilai": person(NEW_PENILAI, "Agus Wijaya, S.T.",
                                                                email="agus.wijaya@example.go.id",
                                                                jabatan="Kepala Seksi Sarana dan Prasarana",
                                                                pangkat="Penata Tk.I III/d"),
                                "reason": "Pejabat penilai sejak 1 Januari adalah Kasi Sarpras yang baru."},
                          headers=admin)
            # 422 penilai-not-in-directory until approval's projection has the new person (milliseconds)
            assert r.status_code in (200, 422), r.text
            return r.status_code == 200 and r

        wait_for(reassigned)
        assert inbox_of(penilai, skp_id) == []
        item = inbox_of(new_penilai, skp_id)[0]
        assert item["penilai"]["nip"] == NEW_PENILAI and item["version"] == 2
        r = http.post(f"{appr}/api/v1/approvals/{skp_id}/approve", json={"version": 2}, headers=penilai)
        assert r.status_code == 403

        # 6. the new penilai approves the exact version
        r = http.post(f"{appr}/api/v1/approvals/{skp_id}/approve",
                      json={"version": 2, "content_hash": item["content_hash"]}, headers=new_penilai)
        assert r.status_code == 200 and r.json()["status"] == "Approved", r.text

        # the skp service's projection follows
        doc = wait_for(lambda: (d := skp_status(skp_id))["status"] == "Approved" and d)
        assert doc["version"] == 2 and doc["content_hash"] == item["content_hash"]
        r = http.put(f"{skp_url}/api/v1/skp/{skp_id}", json={"content": content}, headers={**pegawai, "If-Match": '"2"'})
        assert r.status_code == 409  # approved content is locked

        # the audit trail tells the whole story
        r = http.get(f"{appr}/api/v1/approvals/{skp_id}/history", headers=pegawai)
        assert r.status_code == 200
        rows = r.json()["transitions"]
        assert [(t["action"], t["from_status"], t["to_status"], t["actor"], t["version"], t["penilai_nip"]) for t in rows] == [
            ("submit", "Draft", "Pending", PEGAWAI_NIP, 1, PENILAI_NIP),
            ("return", "Pending", "Revisi", PENILAI_NIP, 1, PENILAI_NIP),
            ("resubmit", "Revisi", "Pending", PEGAWAI_NIP, 2, PENILAI_NIP),
            ("reassign", "Pending", "Pending", "admin-bkd-dki", 2, NEW_PENILAI),
            ("approve", "Pending", "Approved", NEW_PENILAI, 2, NEW_PENILAI),
        ]
        assert rows[1]["note"] == NOTE
        assert [t["sequence"] for t in rows] == [1, 2, 3, 4, 5]
        assert rows[4]["content_hash"] == item["content_hash"]
