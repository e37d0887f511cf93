"""The evaluasi pages in a real browser: Siti enters realisasi (errors beside
their fields, typed values kept), Budi rates from the e-mail link
``/evaluasi?peran=penilai``, Siti sees the predikat and objects, Ratna decides
the keberatan from its e-mail link; the period e-mail link; the notification
preferences; another person's evaluation id answers the 404 page.

The evaluation service reads "now" from a file (November 2025, as in
tests/e2e/test_evaluation_flow.py): an SKP for November-December approved
through the APIs gets its November evaluation at once.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from kinerja_devstack.browser import check_accessibility, screenshot, sign_in
from kinerja_devstack.testing import evaluation_clock_env
from kinerja_devstack.testing import wait_for as _wait_for
from kinerja_devstack.directory_seed import person_item, seed_people
from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, DKI, PEGAWAI_NIP, PENILAI_NIP, pppk_skp

NOVEMBER = "2025-11/PPPK_PARUH_WAKTU/monthly"
OUTSIDER_NIP = "198805052015031004"  # a colleague of Budi's in the same instansi: no party to Siti's evaluation


def wait_for(fn, timeout: float = 30.0):
    """The shared wait with 30 s by default: the stack's scheduler and relays on a busy machine."""
    return _wait_for(fn, timeout=timeout, interval=0.25)


@pytest.fixture(scope="module")
def clock_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clock") / "now.txt"
    path.write_text(dt.datetime(2025, 11, 3, 1, 0, tzinfo=dt.UTC).isoformat())  # 08:00 WIB, 3 November 2025
    return path


@pytest.fixture(scope="module")
def portal_stack_env(clock_file) -> dict[str, str]:
    return evaluation_clock_env(clock_file)


@pytest.fixture(scope="module")
def evaluation_id(portal_stack, tokens) -> str:
    """Siti's November 2025 evaluation: her SKP submitted and approved by Budi through the APIs."""
    pegawai, atasan = tokens(PEGAWAI_NIP, "pegawai"), tokens(PENILAI_NIP, "atasan")
    seed_people(portal_stack.url("directory"), tokens("portal-dki", "portal", instansi=DKI),
                [person_item(OUTSIDER_NIP, ATASAN_PEJABAT_PENILAI_NIP, nama="Andi Wijaya", email="andi@example.go.id",
                             instansi=DKI)])
    with httpx.Client(timeout=15) as http:
        skp_url, appr_url, ev_url = portal_stack.url("skp"), portal_stack.url("approval"), portal_stack.url("evaluation")
        r = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(mulai="2025-11-01"), headers=pegawai)
        assert r.status_code == 201, r.text
        skp = r.json()
        r = http.post(f"{skp_url}/api/v1/skp/{skp['id']}/submit", json={"version": skp["version"]}, headers=pegawai)
        assert r.status_code == 200, r.text
        wait_for(lambda: any(i["skp_id"] == skp["id"]
                             for i in http.get(f"{appr_url}/api/v1/inbox", headers=atasan).json()["items"]))
        r = http.post(f"{appr_url}/api/v1/approvals/{skp['id']}/approve", json={"version": skp["version"]},
                      headers=atasan)
        assert r.status_code == 200, r.text
        ev = wait_for(lambda: http.get(f"{ev_url}/api/v1/evaluations", params={"period_id": NOVEMBER},
                                       headers=pegawai).json())
    return str(ev[0]["id"])


def field_errors(page, name: str) -> str:
    return page.locator(f"#err-{name}").inner_text()


def test_siti_enters_realisasi_budi_rates_siti_sees_the_predikat_and_ratna_decides_her_keberatan(
        chromium, portal_url, portal_stack, tokens, evaluation_id):
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    # Siti: her evaluations, November open
    sign_in(page, portal_url, PEGAWAI_NIP, next_url="/evaluasi")
    assert page.locator("h1").inner_text() == "Evaluasi kinerja saya"
    row = page.locator("table.ev-table tbody tr", has_text="November 2025")
    assert "Terbuka" in row.inner_text()
    check_accessibility(page)
    screenshot(page, "evaluasi-daftar")
    row.locator("a", has_text="Isi realisasi").click()
    page.wait_for_url(f"{portal_url}/evaluasi/{evaluation_id}")

    # wrong values: every error beside its field, what she typed kept
    page.fill("#f-nilai-iki-1", "satu")
    page.fill("#f-bukti-iki-1", "laporan-nov.pdf")
    page.fill("#f-nilai-iki-2", "95")
    page.fill("#f-catatan-iki-2", "Layanan berjalan, satu hari gangguan listrik")
    page.click("button:has-text('Simpan realisasi')")
    page.wait_for_load_state("load")
    assert "angka" in field_errors(page, "nilai-iki-1")
    assert "https://" in field_errors(page, "bukti-iki-1")
    assert page.get_attribute("#f-nilai-iki-1", "aria-invalid") == "true"
    assert page.input_value("#f-nilai-iki-1") == "satu"
    assert page.input_value("#f-nilai-iki-2") == "95"
    assert page.input_value("#f-catatan-iki-2") == "Layanan berjalan, satu hari gangguan listrik"
    check_accessibility(page)

    page.fill("#f-nilai-iki-1", "1")
    page.fill("#f-bukti-iki-1", "https://bukti.example.go.id/2025-11/iki-1.pdf")
    page.fill("#f-nilai-iki-3", "2")
    page.click("button:has-text('Simpan realisasi')")
    page.wait_for_load_state("load")
    assert "Realisasi tersimpan" in page.locator(".flash-sukses").inner_text()
    assert "98,33 %" in page.locator(".ev-result").inner_text()  # (100 + 95 + 100) / 3
    assert page.input_value("#f-nilai-iki-2") == "95"
    screenshot(page, "evaluasi-realisasi")
    ctx.close()

    # Budi: the e-mail link of his staff's evaluations, then the ratings
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(f"{portal_url}/evaluasi?peran=penilai")
    assert "/masuk?next=" in page.url
    page.select_option("#f-nip", PENILAI_NIP)
    page.click("form[action='/masuk/dev'] button[type=submit]")
    page.wait_for_url(f"{portal_url}/evaluasi?peran=penilai")
    row = page.locator("table.ev-table tbody tr", has_text="November 2025")
    assert "Siti Rahmawati" in row.inner_text()
    assert "98,33 %" in row.inner_text()
    row.locator("a", has_text="Nilai").click()
    page.wait_for_url(f"{portal_url}/evaluasi/{evaluation_id}")
    page.fill("#f-ub-rhk-rhk-2", "Layanan tetap berjalan meski ada gangguan")
    page.fill("#f-ub-perilaku-0", "Sigap melayani guru dan siswa")
    page.select_option("#f-rating_hasil_kerja", "Sesuai Ekspektasi")
    page.click("button:has-text('Simpan penilaian')")
    page.wait_for_load_state("load")
    assert "bersama" in field_errors(page, "rating_perilaku")
    assert page.input_value("#f-ub-rhk-rhk-2") == "Layanan tetap berjalan meski ada gangguan"
    assert page.input_value("#f-rating_hasil_kerja") == "Sesuai Ekspektasi"
    page.select_option("#f-rating_perilaku", "Sesuai Ekspektasi")
    page.click("button:has-text('Simpan penilaian')")
    page.wait_for_load_state("load")
    assert "Predikat kinerja sudah ditetapkan" in page.locator(".flash-sukses").inner_text()
    assert page.locator("#predikat").inner_text() == "Baik"
    check_accessibility(page)
    screenshot(page, "evaluasi-penilaian")
    ctx.close()

    # Siti sees the predikat and objects (too short first)
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, portal_url, PEGAWAI_NIP, next_url=f"/evaluasi/{evaluation_id}")
    assert page.locator("#predikat").inner_text() == "Baik"
    assert "Sigap melayani guru dan siswa" in page.locator("#umpan-balik").inner_text()
    page.fill("#f-alasan", "Kurang")
    page.click("button:has-text('Ajukan keberatan')")
    page.wait_for_load_state("load")
    assert "10 karakter" in field_errors(page, "alasan")
    assert page.input_value("#f-alasan") == "Kurang"
    page.fill("#f-alasan", "Gangguan listrik tanggal 12 November di luar kendali saya; bukti surat PLN terlampir.")
    page.click("button:has-text('Ajukan keberatan')")
    page.wait_for_load_state("load")
    assert "Keberatan diajukan" in page.locator(".flash-sukses").inner_text()
    assert "menunggu keputusan" in page.locator("#keberatan").inner_text()
    ctx.close()

    # Ratna: the e-mail link /keberatan/<id>; upheld with new ratings
    kb = wait_for(lambda: httpx.get(f"{portal_stack.url('evaluation')}/api/v1/keberatan",
                                    headers=tokens(ATASAN_PEJABAT_PENILAI_NIP, "atasan")).json())
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, portal_url, ATASAN_PEJABAT_PENILAI_NIP, next_url=f"/keberatan/{kb[0]['id']}")
    assert page.url == f"{portal_url}/keberatan/{kb[0]['id']}"
    assert "Gangguan listrik" in page.locator(".ev-quote").inner_text()
    page.check("#f-decision-upheld")
    page.click("button:has-text('Simpan keputusan')")
    page.wait_for_load_state("load")
    assert "rating baru" in field_errors(page, "rating_hasil_kerja")
    assert page.is_checked("#f-decision-upheld")
    check_accessibility(page)
    screenshot(page, "keberatan")
    page.select_option("#f-rating_hasil_kerja", "Diatas Ekspektasi")
    page.select_option("#f-rating_perilaku", "Diatas Ekspektasi")
    page.fill("#f-note", "Surat PLN dapat diterima.")
    page.click("button:has-text('Simpan keputusan')")
    page.wait_for_load_state("load")
    assert "final" in page.locator(".flash-sukses").inner_text()
    assert "Sangat Baik" in page.locator(".card").first.inner_text()
    ctx.close()


def mail_links(portal_stack, portal_url, address: str) -> dict[str, list[str]]:
    """The portal links in the mails to ``address``, by subject."""
    found: dict[str, list[str]] = {}
    for m in httpx.get(f"{portal_stack.mail_url}/api/messages", params={"to": address}).json():
        found[m["subject"]] = re.findall(re.escape(portal_url) + r"/[^\s]*", m["text"])
    return found


def test_the_links_in_the_mails_open_the_right_pages(chromium, portal_stack, portal_url, evaluation_id):
    """Item 5: each mail of the flow above links to its page, and to the reader's preferences."""
    siti = wait_for(lambda: (found := mail_links(portal_stack, portal_url, "siti.rahma@example.go.id"))
                    and any(f"/evaluasi/{evaluation_id}" in " ".join(v) for v in found.values()) and found)
    ratna = wait_for(lambda: mail_links(portal_stack, portal_url, "ratna.dewi@example.go.id"))
    links = [x for v in siti.values() for x in v] + [x for v in ratna.values() for x in v]
    assert f"{portal_url}/preferensi" in links
    keberatan_link = next(x for x in links if "/keberatan/" in x)
    for who, link, heading in [(PEGAWAI_NIP, f"{portal_url}/evaluasi/{evaluation_id}", "Evaluasi November 2025"),
                               (PEGAWAI_NIP, f"{portal_url}/evaluasi/periode/{NOVEMBER}", "Periode November 2025"),
                               (ATASAN_PEJABAT_PENILAI_NIP, keberatan_link, "Keberatan atas hasil evaluasi"),
                               (PEGAWAI_NIP, f"{portal_url}/preferensi", "Preferensi pemberitahuan")]:
        assert link in links
        ctx = chromium.new_context(locale="id-ID")
        page = ctx.new_page()
        page.goto(link)  # signed out: sign in, then back to the link
        page.select_option("#f-nip", who)
        page.click("form[action='/masuk/dev'] button[type=submit]")
        page.wait_for_url(link)
        assert page.locator("h1").inner_text() == heading
        ctx.close()


def test_the_period_link_of_the_email_shows_my_evaluation_in_it(page, portal_url, evaluation_id):
    sign_in(page, portal_url, PEGAWAI_NIP, next_url=f"/evaluasi/periode/{NOVEMBER}")
    assert page.locator("h1").inner_text() == "Periode November 2025"
    assert "5 Desember 2025" in page.locator(".ev-facts").inner_text()  # the deadline
    page.locator(f"a[href='/evaluasi/{evaluation_id}']").click()
    page.wait_for_url(f"{portal_url}/evaluasi/{evaluation_id}")
    check_accessibility(page)


def test_a_save_over_a_newer_version_keeps_what_was_typed(chromium, portal_url, evaluation_id):
    """Two tabs: the second save is refused (stale version), says so, and keeps its text; saving again works."""
    ctx = chromium.new_context(locale="id-ID")
    first, second = ctx.new_page(), ctx.new_page()
    sign_in(first, portal_url, PEGAWAI_NIP, next_url=f"/evaluasi/{evaluation_id}")
    second.goto(f"{portal_url}/evaluasi/{evaluation_id}")
    first.fill("#f-catatan-iki-1", "Laporan November lengkap")
    first.click("button:has-text('Simpan realisasi')")
    first.wait_for_load_state("load")
    assert "Realisasi tersimpan" in first.locator(".flash-sukses").inner_text()
    second.fill("#f-catatan-iki-3", "Dua laporan kerusakan")
    second.click("button:has-text('Simpan realisasi')")
    second.wait_for_load_state("load")
    assert "baru saja berubah" in second.locator("#realisasi [role=alert]").inner_text()
    assert second.input_value("#f-catatan-iki-3") == "Dua laporan kerusakan"  # typed here: kept
    assert second.input_value("#f-catatan-iki-1") == "Laporan November lengkap"  # saved in the other tab: shown
    second.click("button:has-text('Simpan realisasi')")
    second.wait_for_load_state("load")
    assert "Realisasi tersimpan" in second.locator(".flash-sukses").inner_text()
    assert second.input_value("#f-catatan-iki-3") == "Dua laporan kerusakan"
    assert second.input_value("#f-catatan-iki-1") == "Laporan November lengkap"
    ctx.close()


def test_preferences_save_with_their_version(page, portal_url, portal_stack, tokens):
    sign_in(page, portal_url, PEGAWAI_NIP, next_url="/preferensi")
    assert page.locator("h1").inner_text() == "Preferensi pemberitahuan"
    check_accessibility(page)
    page.check("#f-digest-ya")
    page.check("#f-locale-en")
    page.click("button:has-text('Simpan preferensi')")
    page.wait_for_url(f"{portal_url}/preferensi")
    assert "tersimpan" in page.locator(".flash-sukses").inner_text()
    assert page.is_checked("#f-digest-ya") and page.is_checked("#f-locale-en")
    screenshot(page, "preferensi")
    prefs = httpx.get(f"{portal_stack.url('notification')}/api/v1/recipients/{PEGAWAI_NIP}/preferences",
                      headers=tokens(PEGAWAI_NIP, "pegawai")).json()
    assert prefs["digest"] is True and prefs["locale"] == "en" and prefs["version"] >= 2


def test_another_persons_evaluation_answers_the_not_found_page(page, portal_url, evaluation_id):
    sign_in(page, portal_url, OUTSIDER_NIP, next_url=f"/evaluasi/{evaluation_id}")
    assert page.locator("h1").inner_text() == "Evaluasi tidak ditemukan"
    assert "Siti" not in page.content()
    with httpx.Client(base_url=portal_url, cookies=dict((c["name"], c["value"]) for c in page.context.cookies())) as http:
        assert http.get(f"/evaluasi/{evaluation_id}").status_code == 404
        token = http.cookies.get("csrftoken")
        r = http.post(f"/evaluasi/{evaluation_id}/realisasi", data={"csrftoken": token, "version": "1",
                                                                      "nilai-iki-1": "9"})
        assert r.status_code == 404 and "Siti" not in r.text


def test_on_a_phone(phone, portal_url, evaluation_id):
    sign_in(phone, portal_url, PEGAWAI_NIP, next_url=f"/evaluasi/{evaluation_id}")
    assert phone.locator("h1").inner_text() == "Evaluasi November 2025"
    check_accessibility(phone)
    screenshot(phone, "evaluasi-ponsel")
