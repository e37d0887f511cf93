"""The whole cycle in the browser (issue 17's proof): Siti drafts and submits her SKP; Budi finds it
in his inbox and returns it with a note; Siti sees the note, fixes the draft and resubmits; Budi
approves; Siti sees Disetujui. Then the admin of the instansi reassigns another pending SKP, and the
new penilai approves it from the link in the e-mail he received (signing in on the way)."""

from __future__ import annotations

import re
import time

import httpx
from kinerja_devstack.browser import sign_in
from kinerja_devstack.directory_seed import person_item, seed_people, wait_until_known
from kinerja_devstack.samples import (
    ATASAN_PEJABAT_PENILAI_NIP,
    DKI,
    PEGAWAI_NIP,
    PENILAI_NIP,
    SAMPLE_UNIT_ID,
    nip,
    pppk_skp,
)
from kinerja_devstack.testing import wait_for
from playwright.sync_api import expect

NOTE = "Target IKI pertama harus 12 laporan setahun, bukan empat; mohon diperbaiki."
PEGAWAI_2 = nip(611, born="19970404", appointed="202501", sex=2)
NEW_PENILAI = nip(612, born="19810303", appointed="200701")
SAVED = re.compile(r"Tersimpan \d{2}\.\d{2}")


def _skp_id(url: str) -> str:
    m = re.search(r"/skp/([0-9a-f-]{36})", url)
    assert m, url
    return m.group(1)


def test_draft_return_fix_resubmit_approve_then_reassign_and_approve_from_the_mail(chromium, portal_url, portal_stack,
                                                                                  tokens):
    def context():
        c = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        c.set_default_timeout(20_000)
        return c.new_page()

    siti, budi = context(), context()

    # 1. Siti drafts through the form and submits
    sign_in(siti, portal_url, PEGAWAI_NIP, next_url="/skp")
    siti.click("text=Buat SKP baru")
    siti.wait_for_url(f"{portal_url}/skp/baru")
    assert siti.input_value("#f-jenis_pegawai") == "PPPK_PARUH_WAKTU"  # her kind of ASN, from the directory
    siti.fill("#f-periode-mulai", "2025-09-01")
    siti.fill("#f-periode-selesai", "2025-12-31")
    siti.fill("#f-hasil_kerja-0-uraian", "Tersusunnya laporan pemeliharaan sarana sekolah")
    siti.fill("#f-hasil_kerja-0-iki-0-indikator", "Jumlah laporan pemeliharaan sarana")
    siti.fill("#f-hasil_kerja-0-iki-0-target-nilai", "4")
    siti.fill("#f-hasil_kerja-0-iki-0-target-satuan", "Laporan")
    siti.click("button[value='simpan']")
    siti.wait_for_url(re.compile(r"/skp/[0-9a-f-]{36}$"))
    skp_id = _skp_id(siti.url)
    siti.click("button:has-text('Ajukan')")
    siti.wait_for_url(f"{portal_url}/skp/{skp_id}")
    expect(siti.locator("#lencana-status")).to_have_text("Menunggu persetujuan")

    # 2. Budi finds it in his inbox and returns it with a note
    sign_in(budi, portal_url, PENILAI_NIP, next_url="/persetujuan")
    row = budi.locator("table.inbox tr", has_text="Siti Rahmawati")
    wait_for(lambda: budi.reload() or row.count() == 1, timeout=30)
    row.locator("a", has_text="Siti Rahmawati").first.click()
    budi.wait_for_url(f"{portal_url}/persetujuan/{skp_id}")
    budi.fill("#f-catatan_perbaikan", NOTE)
    budi.click("#form-kembalikan button[type=submit]")
    budi.wait_for_url(f"{portal_url}/persetujuan")

    # 3. Siti's open page learns of it by itself; she reads the note, fixes the draft, resubmits
    expect(siti.locator("#lencana-status")).to_have_text("Dikembalikan untuk revisi", timeout=40_000)
    assert siti.locator("#catatan-isi").inner_text() == NOTE
    siti.click("a:has-text('Ubah')")
    siti.wait_for_url(f"{portal_url}/skp/{skp_id}/ubah")
    siti.fill("#f-hasil_kerja-0-iki-0-target-nilai", "12")
    expect(siti.locator("#status-simpan")).to_contain_text(SAVED, timeout=15_000)
    siti.goto(f"{portal_url}/skp/{skp_id}")
    siti.click("button:has-text('Ajukan')")
    siti.wait_for_url(f"{portal_url}/skp/{skp_id}")
    expect(siti.locator("#lencana-status")).to_have_text("Menunggu persetujuan")

    # 4. Budi sees what changed and approves
    def resubmitted() -> bool:
        budi.goto(f"{portal_url}/persetujuan/{skp_id}")
        return budi.locator("form.setujui button[type=submit]", has_text="versi").count() == 1 and \
            "12" in budi.inner_text("main") and "versi 1" not in budi.locator("form.setujui button").inner_text()

    wait_for(resubmitted, timeout=30)
    budi.click("form.setujui button[type=submit]")
    budi.wait_for_url(f"{portal_url}/persetujuan")

    # 5. Siti sees Disetujui
    siti.goto(f"{portal_url}/skp/{skp_id}")
    expect(siti.locator("#lencana-status")).to_have_text("Disetujui", timeout=30_000)

    # 6. another pegawai's pending SKP; the admin reassigns it; the new penilai approves from the e-mail
    dki = tokens("portal-dki", "portal", instansi=DKI)
    seed_people(portal_stack.url("directory"), dki, [
        person_item(NEW_PENILAI, ATASAN_PEJABAT_PENILAI_NIP, nama="Hendra Gunawan, S.Kom.", email="hendra@example.go.id",
                    instansi=DKI) | {"unit_id": SAMPLE_UNIT_ID, "jabatan": "Kepala Seksi Kurikulum"},
        person_item(PEGAWAI_2, PENILAI_NIP, nama="Maya Sari", email="maya@example.go.id", instansi=DKI,
                    berlaku_mulai="2025-01-01", jenis_asn="PPPK_PARUH_WAKTU")
        | {"unit_id": SAMPLE_UNIT_ID, "jabatan": "Pengelola Umum Operasional"}])
    wait_until_known(portal_stack.url("skp"), dki, [NEW_PENILAI, PEGAWAI_2])
    maya = tokens(PEGAWAI_2, "pegawai")
    with httpx.Client(timeout=15) as http:
        r = http.post(f"{portal_stack.url('skp')}/api/v1/skp", headers=maya,
                      json=pppk_skp(pegawai_nip=PEGAWAI_2, pegawai_nama="Maya Sari"))
        assert r.status_code == 201, r.text
        other_id = r.json()["id"]
        r = http.post(f"{portal_stack.url('skp')}/api/v1/skp/{other_id}/submit", json={"version": 1}, headers=maya)
        assert r.status_code == 200, r.text

    admin = context()
    sign_in(admin, portal_url, ATASAN_PEJABAT_PENILAI_NIP, admin=True, next_url="/admin/pengajuan?status=Pending")
    row = admin.locator("table tbody tr", has_text="Maya Sari")
    wait_for(lambda: admin.reload() or row.count() == 1, timeout=30)
    row.locator("a", has_text="Alihkan penilai").click()
    admin.wait_for_url(f"{portal_url}/admin/pengajuan/{other_id}/alihkan")
    admin.select_option("#f-penilai_nip", NEW_PENILAI)
    admin.fill("#f-reason", "Sejak Januari Maya berada di bawah Kasi Kurikulum.")
    admin.click("form[action$='/alihkan'] button[type=submit]")
    admin.wait_for_url(f"{portal_url}/admin/pengajuan")
    assert "Hendra Gunawan" in admin.locator(".flash-sukses").inner_text()

    def link_in_mail() -> str | None:
        for m in httpx.get(f"{portal_stack.mail_url}/api/messages", params={"to": "hendra@example.go.id"}).json():
            found = re.search(rf"{re.escape(portal_url)}/skp/{other_id}\b", m.get("text") or "")
            if found:
                return found.group(0)
        return None

    link = wait_for(link_in_mail, timeout=60)
    hendra = context()
    hendra.goto(link)  # not signed in: the sign-in page, then back to the link, then the decision page
    assert "/masuk" in hendra.url
    hendra.select_option("#f-nip", NEW_PENILAI)
    hendra.click("form[action='/masuk/dev'] button[type=submit]")
    hendra.wait_for_url(f"{portal_url}/persetujuan/{other_id}")
    hendra.click("form.setujui button[type=submit]")
    hendra.wait_for_url(f"{portal_url}/persetujuan")
    assert "disetujui" in hendra.locator(".flash").first.inner_text().lower()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = httpx.get(f"{portal_stack.url('skp')}/api/v1/skp/{other_id}", headers=maya).json()["status"]
        if status == "Approved":
            break
        time.sleep(0.5)
    assert status == "Approved"
    for p in (siti, budi, admin, hendra):
        p.context.close()
