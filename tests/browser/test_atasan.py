"""The atasan's pages in a browser: the inbox (/persetujuan) with its search, the SKP to decide on with its
diff, returning with a catatan perbaikan (the error beside the field), the stale version, approving, the bulk
approval with a result per item, and an atasan who is not the penilai (no document, a forged approval refused).

Siti's SKP and those of the staff seeded here under Budi are created and submitted through the skp API,
as the pegawai would from their own pages."""

from __future__ import annotations

import re

import httpx
import pytest
from kinerja_devstack.browser import check_accessibility, screenshot, sign_in
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

NOTE = "Target IKI pertama harus 12 laporan setahun (3 per bulan), bukan 4."
#: more staff of Budi's: A and B approved together, C decided by Budi elsewhere first, D for the abuse test
STAFF = {
    "A": (nip(201, born="19960704", appointed="202503", sex=1), "Joko Prasetyo"),
    "B": (nip(202, born="19970812", appointed="202503", sex=2), "Dewi Lestari"),
    "C": (nip(203, born="19981120", appointed="202503", sex=1), "Agung Wibowo"),
    "D": (nip(204, born="19990101", appointed="202503", sex=2), "Rina Kartika"),
}


@pytest.fixture(scope="module")
def staff(portal_stack, tokens):
    """Four more pegawai under Budi in the directory, known to skp."""
    portal = tokens("portal-dki", "portal", instansi=DKI)
    items = []
    for nip_, nama in STAFF.values():
        item = person_item(nip_, PENILAI_NIP, nama=nama, email=None, instansi=DKI, jenis_asn="PPPK_PARUH_WAKTU",
                           berlaku_mulai="2025-01-01")
        items.append(item | {"jabatan": "Pengadministrasi Umum", "unit_id": SAMPLE_UNIT_ID})
    seed_people(portal_stack.url("directory"), portal, items)
    wait_until_known(portal_stack.url("skp"), portal, [n for n, _ in STAFF.values()])
    return STAFF


@pytest.fixture
def api(portal_stack, tokens):
    with httpx.Client(timeout=15) as http:
        yield Api(http, portal_stack, tokens)


class Api:
    """What the pegawai and Budi do through the services' APIs in these tests."""

    def __init__(self, http: httpx.Client, stack, tokens):
        self.http, self.skp, self.approval, self.tokens = http, stack.url("skp"), stack.url("approval"), tokens
        self.budi = tokens(PENILAI_NIP, "atasan")

    def submit(self, pegawai_nip: str, nama: str) -> str:
        who = self.tokens(pegawai_nip, "pegawai")
        r = self.http.post(f"{self.skp}/api/v1/skp", json=pppk_skp(pegawai_nip, pegawai_nama=nama, pegawai_email=None),
                           headers=who)
        assert r.status_code == 201, r.text
        skp_id = r.json()["id"]
        r = self.http.post(f"{self.skp}/api/v1/skp/{skp_id}/submit", json={"version": 1}, headers=who)
        assert r.status_code == 200, r.text
        self.wait_in_inbox(skp_id, 1)
        return skp_id

    def wait_in_inbox(self, skp_id: str, version: int) -> None:
        def there():
            items = self.http.get(f"{self.approval}/api/v1/inbox", headers=self.budi).json()["items"]
            return any(i["skp_id"] == skp_id and i["version"] == version for i in items)
        wait_for(there)

    def status(self, skp_id: str, pegawai_nip: str) -> str:
        return self.http.get(f"{self.skp}/api/v1/skp/{skp_id}", headers=self.tokens(pegawai_nip, "pegawai")).json()["status"]

    def wait_status(self, skp_id: str, pegawai_nip: str, status: str) -> None:
        wait_for(lambda: self.status(skp_id, pegawai_nip) == status)

    def approval_status(self, skp_id: str) -> str:
        return self.http.get(f"{self.approval}/api/v1/approvals/{skp_id}", headers=self.budi).json()["status"]


def test_inbox_return_with_a_note_then_the_diff_and_approve(page, portal_url, staff, api):
    sign_in(page, portal_url, PENILAI_NIP, next_url="/persetujuan")
    assert page.locator("h1").inner_text() == "Persetujuan SKP"
    assert "Tidak ada SKP yang menunggu persetujuan Anda" in page.locator("main").inner_text()

    skp_id = api.submit(PEGAWAI_NIP, "Siti Rahmawati")
    page.reload()
    rows = page.locator("table.inbox tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert "Siti Rahmawati" in row.inner_text() and PEGAWAI_NIP in row.inner_text()
    assert "Pengelola Umum Operasional" in row.inner_text()  # jabatan, from the directory
    # search by name finds her, another name finds nobody
    page.fill("#f-q", "rahmawati")
    page.click("form.saring button[type=submit]")
    assert page.locator("table.inbox tbody tr").count() == 1
    page.fill("#f-q", "Bambang")
    page.click("form.saring button[type=submit]")
    assert "Tidak ada SKP yang cocok" in page.locator("main").inner_text()
    # a filter of the API: no PNS waits, her PPPK Paruh Waktu SKP does
    page.fill("#f-q", "")
    page.click("form.saring summary")
    page.select_option("#f-jenis_pegawai", "PNS")
    page.click("form.saring button[type=submit]")
    assert page.locator("table.inbox").count() == 0
    page.select_option("#f-jenis_pegawai", "PPPK_PARUH_WAKTU")  # the filters stay open while one is set
    page.click("form.saring button[type=submit]")
    assert page.locator("table.inbox tbody tr").count() == 1
    page.goto(f"{portal_url}/persetujuan")
    page.fill("#f-q", PEGAWAI_NIP[:8])
    page.click("form.saring button[type=submit]")
    page.click("table.inbox >> text=Siti Rahmawati")
    page.wait_for_url(f"{portal_url}/persetujuan/{skp_id}")
    assert "Isi SKP versi 1" in page.locator("main").inner_text()
    assert "Perubahan sejak dikembalikan" not in page.locator("main").inner_text()  # never returned

    # the same page stays open in a second tab (it will be stale later)
    old_tab = page.context.new_page()
    old_tab.goto(f"{portal_url}/persetujuan/{skp_id}")

    # return without a note, then with a short one: the error beside the field, the typed note kept
    page.click("#form-kembalikan button[type=submit]")
    error = page.locator("#err-catatan_perbaikan")
    assert "paling sedikit 10 karakter" in error.inner_text()
    page.fill("#f-catatan_perbaikan", "kurang")
    page.click("#form-kembalikan button[type=submit]")
    assert "paling sedikit 10 karakter" in page.locator("#err-catatan_perbaikan").inner_text()
    assert page.input_value("#f-catatan_perbaikan") == "kurang"
    assert page.get_attribute("#f-catatan_perbaikan", "aria-invalid") == "true"
    assert api.approval_status(skp_id) == "Pending"
    check_accessibility(page)
    screenshot(page, "atasan-kembalikan-galat")

    page.fill("#f-catatan_perbaikan", NOTE)
    page.click("#form-kembalikan button[type=submit]")
    page.wait_for_url(f"{portal_url}/persetujuan")
    assert "dikembalikan untuk revisi" in page.locator(".flash-sukses").inner_text()
    api.wait_status(skp_id, PEGAWAI_NIP, "Revisi")

    # Siti fixes the target and submits again (version 2)
    siti = api.tokens(PEGAWAI_NIP, "pegawai")
    content = pppk_skp(pegawai_email=None)
    content["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
    content["hasil_kerja"][0]["iki"][0]["target_bulanan"] = [None] * 8 + ["3", "3", "3", "3"]
    r = api.http.put(f"{api.skp}/api/v1/skp/{skp_id}", json={"content": content}, headers={**siti, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    r = api.http.post(f"{api.skp}/api/v1/skp/{skp_id}/submit", json={"version": 2}, headers=siti)
    assert r.status_code == 200, r.text
    api.wait_in_inbox(skp_id, 2)

    # the old tab approves version 1: refused, said plainly, and the page now shows version 2
    old_tab.click("form.setujui button[type=submit]")
    stale = old_tab.locator("#basi").inner_text()
    assert "Pegawai telah mengubah SKP ini" in stale and "versi 1" in stale and "versi 2" in stale
    assert old_tab.locator("a", has_text="Muat ulang SKP").count() == 1
    assert api.approval_status(skp_id) == "Pending"
    old_tab.close()

    page.goto(f"{portal_url}/persetujuan")
    assert "pengajuan ulang" in page.locator("table.inbox").inner_text()
    page.click("table.inbox >> text=Siti Rahmawati")
    main = page.locator("main").inner_text()
    assert NOTE in page.locator("blockquote.catatan").inner_text()
    diff = page.locator("section.perubahan table").inner_text()
    assert re.search(r"RHK 1 .*IKI 1 .*target › nilai\s+Diubah\s+4\s+12", diff), diff
    assert "target bulan Jan" not in diff and "target bulan Sep" in diff
    assert "Isi SKP versi 2" in main and "12 Laporan" in main and "Berorientasi Pelayanan" in main
    check_accessibility(page)
    screenshot(page, "atasan-detail")

    page.click("form.setujui button[type=submit]")
    page.wait_for_url(f"{portal_url}/persetujuan")
    assert "SKP Siti Rahmawati versi 2 disetujui" in page.locator(".flash-sukses").inner_text()
    api.wait_status(skp_id, PEGAWAI_NIP, "Approved")
    assert page.locator("table.inbox").count() == 0 or "Siti Rahmawati" not in page.locator("table.inbox").inner_text()


def test_an_atasan_who_is_not_the_penilai_sees_no_document_and_cannot_approve(page, portal_url, staff, api):
    nip_d, nama_d = staff["D"]
    skp_id = api.submit(nip_d, nama_d)
    sign_in(page, portal_url, ATASAN_PEJABAT_PENILAI_NIP)  # Ratna: Budi's superior, not Rina's penilai
    response = page.goto(f"{portal_url}/persetujuan/{skp_id}")
    assert response.status in (403, 404)
    main = page.locator("main").inner_text()
    assert "Isi SKP" not in main and nama_d not in main and "Terlaksananya" not in main
    assert page.locator("form.setujui").count() == 0
    # her inbox does not list it
    page.goto(f"{portal_url}/persetujuan")
    assert nama_d not in page.locator("main").inner_text()
    # a forged approval (her own session and CSRF token, the SKP's id and version) is refused by the service
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    r = page.request.post(f"{portal_url}/persetujuan/{skp_id}/setujui", form={"csrftoken": token, "version": "1"},
                          max_redirects=0)
    assert r.status == 403, r.status
    body = r.text()
    assert "Tidak berhak" in body and "disetujui" not in body
    r = page.request.post(f"{portal_url}/persetujuan/setujui-terpilih",
                          form={"csrftoken": token, "pilih": f"{skp_id}:1", "kunci": ""})
    assert "0 SKP disetujui" in r.text() and "Anda bukan pejabat penilai" in r.text()
    assert api.approval_status(skp_id) == "Pending"


def test_bulk_approve_with_a_result_per_item(page, phone, portal_url, staff, api):
    ids = {k: api.submit(*staff[k]) for k in ("A", "B", "C")}
    sign_in(page, portal_url, PENILAI_NIP, next_url="/persetujuan")
    table = page.locator("table.inbox").inner_text()
    for k in ("A", "B", "C"):
        assert staff[k][1] in table
    counts = page.locator(".ringkasan").inner_text()
    assert re.search(r"Menunggu keputusan\s+[3-9]", counts), counts
    check_accessibility(page)
    screenshot(page, "atasan-inbox")

    sign_in(phone, portal_url, PENILAI_NIP, next_url="/persetujuan")
    assert staff["A"][1] in phone.locator("table.inbox").inner_text()
    check_accessibility(phone)
    screenshot(phone, "atasan-inbox-ponsel")

    phone.goto(f"{portal_url}/persetujuan/{ids['C']}")  # C stays open on the phone
    for k in ("A", "B", "C"):
        page.check(f"#pilih-{ids[k]}")
    assert page.locator("#jumlah-terpilih").inner_text() == "3 SKP dipilih"
    # meanwhile C is decided elsewhere (another tab, or the Plh): it is no longer waiting
    r = api.http.post(f"{api.approval}/api/v1/approvals/{ids['C']}/approve", json={"version": 1}, headers=api.budi)
    assert r.status_code == 200, r.text
    page.click("#setujui-terpilih")
    page.wait_for_url(f"{portal_url}/persetujuan/setujui-terpilih")
    assert page.locator("h1").inner_text() == "Hasil persetujuan"
    assert "2 SKP disetujui, 1 ditolak" in page.locator(".lead").inner_text()
    results = {r.locator("td").first.inner_text(): r.locator("td").last.inner_text()
               for r in page.locator("table.hasil tbody tr").all()}
    assert results[staff["A"][1]] == "Disetujui" and results[staff["B"][1]] == "Disetujui"
    assert "sudah tidak menunggu persetujuan" in results[staff["C"][1]]
    check_accessibility(page)
    screenshot(page, "atasan-hasil-massal")
    for k in ("A", "B", "C"):
        api.wait_status(ids[k], staff[k][0], "Approved")

    # the phone, still showing C waiting, approves it: said plainly, nothing decided twice
    phone.click("form.setujui button[type=submit]")
    phone.wait_for_url(f"{portal_url}/persetujuan")
    assert "sudah tidak menunggu keputusan Anda" in phone.locator(".flash-galat").inner_text()

    # sending the form again (a reload) shows the same results and decides nothing twice
    page.reload()
    assert "2 SKP disetujui, 1 ditolak" in page.locator(".lead").inner_text()
