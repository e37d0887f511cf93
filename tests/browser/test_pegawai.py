"""The pegawai pages in a browser: Siti drafts her SKP through the form (an error shown beside its
field, autosave, rows added with JavaScript), submits it, sees it Pending and then sees the penilai's
return note arrive by itself; downloads the XLSX; reads the version history. What she typed survives
an ended session (localStorage copy restored after a new sign-in); a stale version is told plainly
and keeps the typed text; another person's SKP answers 404; the penilai opening the e-mail link lands
on the approval page."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
from kinerja_devstack.browser import check_accessibility, screenshot, sign_in
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, pppk_skp
from playwright.sync_api import expect

SAVED = re.compile(r"Tersimpan \d{2}\.\d{2}")


def _content(**periode) -> dict:
    c = pppk_skp()
    for k in ("pegawai", "penilai", "atasan_pejabat_penilai"):
        c.pop(k)
    if periode:
        c["periode"] = periode
    return c


def _skp_id(url: str) -> str:
    m = re.search(r"/skp/([0-9a-f-]{36})", url)
    assert m, url
    return m.group(1)


def _wait_saved(page) -> None:
    expect(page.locator("#status-simpan")).to_contain_text(SAVED, timeout=15_000)


def test_siti_drafts_submits_and_sees_the_return_note_arrive(page, phone, portal_url, portal_stack, tokens):
    sign_in(page, portal_url, PEGAWAI_NIP, next_url="/skp")
    assert page.locator("h1").inner_text() == "SKP Saya"
    page.click("text=Buat SKP baru")
    page.wait_for_url(f"{portal_url}/skp/baru")

    page.select_option("#f-jenis_pegawai", "PPPK_PARUH_WAKTU")
    page.fill("#f-hasil_kerja-0-uraian", "Tersusunnya laporan pemeliharaan sarana sekolah")
    page.fill("#f-hasil_kerja-0-iki-0-indikator", "Jumlah laporan pemeliharaan")
    page.fill("#f-hasil_kerja-0-iki-0-target-nilai", "empat")  # not a number: the service refuses it
    page.fill("#f-hasil_kerja-0-iki-0-target-satuan", "Laporan")
    page.click("button[data-tambah='iki']")  # a second IKI, added in the page (JavaScript)
    page.fill("#f-hasil_kerja-0-iki-1-indikator", "Persentase sarana yang berfungsi baik")
    page.fill("#f-hasil_kerja-0-iki-1-target-nilai", "95")
    page.fill("#f-hasil_kerja-0-iki-1-target-satuan", "%")
    page.fill("#f-perilaku_kerja-1-ekspektasi_khusus", "Melaporkan kerusakan sarana paling lambat H+1")
    page.fill("#f-lampiran-dukungan_sumber_daya", "Alat kebersihan\nBuku catatan pemeliharaan")
    page.click("button[value='simpan']")
    page.wait_for_selector("#err-hasil_kerja-0-iki-0-target-nilai")
    # the error beside its field, the field marked, and everything typed still there
    assert page.get_attribute("#f-hasil_kerja-0-iki-0-target-nilai", "aria-invalid") == "true"
    assert page.input_value("#f-hasil_kerja-0-iki-0-target-nilai") == "empat"
    assert page.input_value("#f-hasil_kerja-0-iki-1-indikator") == "Persentase sarana yang berfungsi baik"
    assert page.input_value("#f-lampiran-dukungan_sumber_daya") == "Alat kebersihan\nBuku catatan pemeliharaan"
    assert "perlu diperbaiki" in page.locator("#ringkasan-galat").inner_text()
    check_accessibility(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "pegawai-form-galat")

    page.fill("#f-hasil_kerja-0-iki-0-target-nilai", "12")  # fixed: the autosave creates the draft
    _wait_saved(page)
    assert SAVED.search(page.inner_text("#status-simpan"))
    page.wait_for_url(re.compile(r"/skp/[0-9a-f-]{36}/ubah$"))
    skp_id = _skp_id(page.url)
    assert page.locator("#err-hasil_kerja-0-iki-0-target-nilai").count() == 0  # saved: the old message is gone
    assert page.locator("h1").inner_text() == "Ubah SKP"
    check_accessibility(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "pegawai-form")

    page.click("button[value='simpan']")
    page.wait_for_url(re.compile(rf"/skp/{skp_id}(/ubah\?periksa=1)?$"))
    assert page.url == f"{portal_url}/skp/{skp_id}", page.inner_text("main")[:1500]
    assert page.locator("#lencana-status").inner_text() == "Draf"
    assert "Persentase sarana yang berfungsi baik" in page.inner_text("main")
    assert "Melaporkan kerusakan sarana paling lambat H+1" in page.inner_text("main")
    check_accessibility(page)
    screenshot(page, "pegawai-detail")

    with page.expect_download() as dl:
        page.click("text=Unduh XLSX")
    path = dl.value.path()
    data = Path(path).read_bytes()
    assert data[:2] == b"PK" and len(data) > 1000
    assert dl.value.suggested_filename.endswith(".xlsx")
    # the workbook goes back in from the SKP's page (an update of this draft, at the version shown)
    page.set_input_files("#f-berkas", files=[{"name": dl.value.suggested_filename, "buffer": data,
                                              "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    with page.expect_navigation():
        page.click("form[action='/skp/unggah'] button[type=submit]")
    assert page.url == f"{portal_url}/skp/{skp_id}", (page.url, page.inner_text("main")[:600])
    assert "Berkas diunggah" in page.inner_text(".flash"), page.inner_text(".flash")
    template = page.request.get(f"{portal_url}/skp/templat.xlsx")
    assert template.status == 200 and template.body()[:2] == b"PK"

    page.click("button:has-text('Ajukan')")
    page.wait_for_url(f"{portal_url}/skp/{skp_id}")
    assert page.locator("#lencana-status").inner_text() == "Menunggu persetujuan"
    assert not page.locator("a:has-text('Ubah')").is_visible()

    # the penilai returns it (through the approval API); the open page updates by itself
    version = httpx.get(f"{portal_stack.url('skp')}/api/v1/skp/{skp_id}", headers=tokens(PEGAWAI_NIP, "pegawai")).json()["version"]
    note = "Target IKI kedua perlu dirinci per triwulan sesuai rencana kerja seksi."
    deadline = time.monotonic() + 30
    while True:  # the approval case is opened from the submitted event
        r = httpx.post(f"{portal_stack.url('approval')}/api/v1/approvals/{skp_id}/return",
                       json={"version": version, "catatan_perbaikan": note}, headers=tokens(PENILAI_NIP, "atasan"))
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert r.status_code == 200, r.text
    expect(page.locator("#lencana-status")).to_have_text("Dikembalikan untuk revisi", timeout=40_000)
    assert page.locator("#catatan-isi").inner_text() == note
    assert "Status SKP berubah" in page.inner_text("#kinerja-live")

    page.click("a:has-text('Ubah')")  # she fixes it as the note says: the autosave writes version 2
    page.wait_for_url(f"{portal_url}/skp/{skp_id}/ubah")
    assert page.locator(".catatan-isi").inner_text() == note
    page.locator("#f-hasil_kerja-0-iki-1-target_triwulan-3").locator("xpath=ancestor::details/summary").click()
    page.fill("#f-hasil_kerja-0-iki-1-target_triwulan-3", "95")
    _wait_saved(page)

    page.goto(f"{portal_url}/skp/{skp_id}/versi")
    assert page.locator("h1").inner_text() == "Riwayat versi SKP"
    assert page.locator("table").first.locator("tbody tr").count() >= 2
    check_accessibility(page)
    screenshot(page, "pegawai-versi")
    diff = page.locator("table.diff").inner_text()
    assert "RHK rhk-1 › IKI iki-2 › target triwulan" in diff and "95" in diff, diff
    page.select_option("#f-dari", "2")
    page.click("button:has-text('Bandingkan')")
    assert "Pilih dua versi yang berbeda" in page.inner_text("main")

    page.goto(f"{portal_url}/skp")
    assert page.locator(f"a[href='/skp/{skp_id}']").count() == 1
    assert "Dikembalikan untuk revisi" in page.inner_text("table")
    check_accessibility(page)
    screenshot(page, "pegawai-daftar")

    sign_in(phone, portal_url, PEGAWAI_NIP, next_url=f"/skp/{skp_id}/ubah")
    assert "Catatan perbaikan" in phone.inner_text("main")
    check_accessibility(phone)
    phone.evaluate("window.scrollTo(0, 0)")
    screenshot(phone, "pegawai-form-ponsel")

    # the penilai opening the e-mail link /skp/{id}: the approval page, not the pegawai's
    page.context.clear_cookies()
    sign_in(page, portal_url, PENILAI_NIP, next_url=f"/skp/{skp_id}")
    assert page.url == f"{portal_url}/persetujuan/{skp_id}"


def test_what_was_typed_survives_an_ended_session(page, portal_url):
    sign_in(page, portal_url, PEGAWAI_NIP, next_url="/skp/baru")
    page.select_option("#f-jenis_pegawai", "PPPK_PARUH_WAKTU")
    page.fill("#f-periode-mulai", "2025-09-01")
    page.fill("#f-periode-selesai", "2025-12-31")
    page.fill("#f-hasil_kerja-0-uraian", "Terlaksananya layanan operasional sekolah")
    _wait_saved(page)  # the first save created the draft
    page.wait_for_url(re.compile(r"/skp/[0-9a-f-]{36}/ubah$"))
    skp_id = _skp_id(page.url)

    page.fill("#f-hasil_kerja-0-iki-0-indikator", "Teks yang diketik tepat sebelum sesi berakhir")
    page.context.clear_cookies()  # the session ends before the autosave goes out
    expect(page.locator("#status-simpan")).to_contain_text("Sesi Anda berakhir", timeout=15_000)
    saved = page.evaluate(f"localStorage.getItem('kinerja:skp:{PEGAWAI_NIP}:{skp_id}')")
    assert "Teks yang diketik tepat sebelum sesi berakhir" in saved

    assert page.get_attribute("#status-simpan a", "href") == f"/masuk?next=%2Fskp%2F{skp_id}%2Fubah"

    # signed in again, "SKP Saya" says something typed waits on this device; it leads back to the form
    sign_in(page, portal_url, PEGAWAI_NIP, next_url="/skp")
    expect(page.locator("#belum-tersimpan")).to_contain_text("belum tersimpan")
    page.click("#belum-tersimpan a:has-text('Lanjutkan mengisi')")
    page.wait_for_url(re.compile(rf"/skp/{skp_id}/ubah\?dipulihkan=1$"))
    assert page.input_value("#f-hasil_kerja-0-iki-0-indikator") == "Teks yang diketik tepat sebelum sesi berakhir"
    assert page.input_value("#f-hasil_kerja-0-uraian") == "Terlaksananya layanan operasional sekolah"
    assert page.evaluate(f"localStorage.getItem('kinerja:skp:{PEGAWAI_NIP}:{skp_id}')") is None  # the server has it
    page.reload()  # it is the server's draft now, not only the page's
    assert page.input_value("#f-hasil_kerja-0-iki-0-indikator") == "Teks yang diketik tepat sebelum sesi berakhir"


def test_a_stale_version_is_told_plainly_and_keeps_the_typed_text(page, portal_url, portal_stack, tokens):
    skp = portal_stack.url("skp")
    headers = tokens(PEGAWAI_NIP, "pegawai")
    doc = httpx.post(f"{skp}/api/v1/skp", json=_content(mulai="2025-10-01", selesai="2025-12-31"), headers=headers)
    assert doc.status_code == 201, doc.text
    skp_id = doc.json()["id"]
    sign_in(page, portal_url, PEGAWAI_NIP, next_url=f"/skp/{skp_id}/ubah")
    changed = _content(mulai="2025-10-01", selesai="2025-12-31")
    changed["tempat"] = "Jakarta"
    r = httpx.put(f"{skp}/api/v1/skp/{skp_id}", json={"version": 1, "content": changed}, headers=headers)
    assert r.status_code == 200, r.text  # changed elsewhere (another tab, the XLSX) after the form was opened
    page.fill("#f-hasil_kerja-0-uraian", "Uraian yang saya ketik di formulir")
    page.click("button[value='simpan']")
    page.wait_for_selector("#konflik")
    assert "sudah diubah di tempat lain" in page.inner_text("#konflik")
    assert page.input_value("#f-hasil_kerja-0-uraian") == "Uraian yang saya ketik di formulir"


def test_another_persons_skp_is_not_shown(page, portal_url, portal_stack, tokens):
    skp = portal_stack.url("skp")
    budi = httpx.post(f"{skp}/api/v1/skp", json=_content(mulai="2026-01-01", selesai="2026-12-31"),
                      headers=tokens(PENILAI_NIP, "pegawai"))
    assert budi.status_code == 201, budi.text
    budi_id = budi.json()["id"]
    sign_in(page, portal_url, PEGAWAI_NIP)
    for path in ("", "/ubah", "/versi", "/xlsx"):
        r = page.goto(f"{portal_url}/skp/{budi_id}{path}")
        assert r.status == 404, path
        assert "Terlaksananya persiapan pelaksanaan" not in page.content()
    r = page.goto(f"{portal_url}/skp/{uuid.uuid4()}")
    assert r.status == 404
