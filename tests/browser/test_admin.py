"""The admin of an instansi in the portal: monitoring with the predikat chart, people and units with
the import and its progress, the cases and "Alihkan penilai", Plt/Plh, deadlines and periods; a
signed-in non-admin gets the 403 page everywhere, and an admin never sees another instansi's people."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import httpx
import pytest
from kinerja_devstack.browser import check_accessibility, screenshot, sign_in
from kinerja_devstack.testing import evaluation_clock_env, set_clock_file
from kinerja_devstack.testing import wait_for as _wait_for
from kinerja_devstack.directory_seed import person_item, seed_people, wait_until_known
from kinerja_devstack.samples import (
    ATASAN_PEJABAT_PENILAI_NIP,
    DKI,
    PEGAWAI_NIP,
    PENILAI_NIP,
    SAMPLE_UNIT,
    SAMPLE_UNIT_ID,
    nip,
    pppk_skp,
)

ADMIN_NIP = ATASAN_PEJABAT_PENILAI_NIP  # Ratna administers DKI in these tests
NEW_PENILAI = nip(501, born="19800202", appointed="200601")
PEGAWAI_2 = nip(502, born="19960303", appointed="202501", sex=2)
OTHER = "Pemerintah Kabupaten Bangka Tengah"
OTHER_NIP = nip(503, born="19850505", appointed="201001")
OTHER_NAMA = "Yanto Rahasia Bangka"
UNIT = SAMPLE_UNIT["nama"]
#: the expected curve of this test deployment (a setting: the BKN deck gives the curves no figures)
KURVA = {"Baik": {"Sangat Baik": 0.1, "Baik": 0.7, "Butuh Perbaikan": 0.1, "Kurang/Misconduct": 0.05,
                  "Sangat Kurang": 0.05}}

ADMIN_URLS = ["/admin", "/admin/pegawai", "/admin/unit", "/admin/pengajuan", "/admin/plt", "/admin/tenggat",
              f"/admin/impor/{uuid.uuid4()}", f"/admin/pengajuan/{uuid.uuid4()}/alihkan"]


def wait_for(fn, timeout: float = 30.0):
    """The shared wait with 30 s by default: the stack's scheduler and relays on a busy machine."""
    return _wait_for(fn, timeout=timeout, interval=0.25)


@pytest.fixture(scope="module")
def clock_file(tmp_path_factory):
    """The evaluation service's "now" (KINERJA_EVALUATION_CLOCK_FILE): November 2025 while the SKPs are
    approved, then January 2026, when the year's annual evaluation closes and can be rated."""
    path = tmp_path_factory.mktemp("jam") / "now.txt"
    set_clock_file(path, dt.date(2025, 11, 1))
    return path


@pytest.fixture(scope="module")
def portal_stack_env(clock_file) -> dict[str, str]:
    return {"KINERJA_PORTAL_ADMIN_KURVA_DISTRIBUSI": json.dumps(KURVA), **evaluation_clock_env(clock_file)}


@pytest.fixture(scope="module")
def seeded(portal_stack, tokens, clock_file):
    """A new penilai and a second pegawai in DKI, a person of another instansi; Siti's SKP Pending
    with Budi, the second pegawai's SKP approved."""
    dki = tokens("portal-dki", "portal", instansi=DKI)
    people = [person_item(NEW_PENILAI, ATASAN_PEJABAT_PENILAI_NIP, nama="Andi Wijaya, S.T.", email="andi@example.go.id",
                          instansi=DKI) | {"unit_id": SAMPLE_UNIT_ID, "jabatan": "Kepala Seksi Kurikulum"},
              person_item(PEGAWAI_2, PENILAI_NIP, nama="Dewi Lestari", email="dewi@example.go.id", instansi=DKI,
                          berlaku_mulai="2025-01-01", jenis_asn="PPPK_PARUH_WAKTU")
              | {"unit_id": SAMPLE_UNIT_ID, "jabatan": "Pengelola Umum Operasional"}]
    seed_people(portal_stack.url("directory"), dki, people)
    other = tokens("portal-bangka", "portal", instansi=OTHER)
    seed_people(portal_stack.url("directory"), other, [person_item(OTHER_NIP, None, nama=OTHER_NAMA, email=None,
                                                                   instansi=OTHER)])
    wait_until_known(portal_stack.url("skp"), dki, [NEW_PENILAI, PEGAWAI_2])
    skp_url, appr_url = portal_stack.url("skp"), portal_stack.url("approval")
    admin = tokens(ADMIN_NIP, "admin", instansi=DKI)
    ids = {}
    with httpx.Client(timeout=30) as http:
        for who, nama in ((PEGAWAI_NIP, "Siti Rahmawati"), (PEGAWAI_2, "Dewi Lestari")):
            h = tokens(who, "pegawai")
            r = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(pegawai_nip=who, pegawai_nama=nama), headers=h)
            assert r.status_code == 201, r.text
            doc = r.json()
            r = http.post(f"{skp_url}/api/v1/skp/{doc['id']}/submit", json={"version": doc["version"]}, headers=h)
            assert r.status_code == 200, r.text
            ids[who] = doc["id"]
        # Andi's draft, never submitted: late (the deadline of a 2025 SKP is long past)
        draft = pppk_skp(pegawai_nip=NEW_PENILAI, pegawai_nama="Andi Wijaya, S.T.",
                         penilai_nip=ATASAN_PEJABAT_PENILAI_NIP, penilai_nama="Dra. Hj. Ratna Dewi, M.Si.")
        del draft["atasan_pejabat_penilai"]  # Ratna has no superior: the directory's (none) is taken
        r = http.post(f"{skp_url}/api/v1/skp", headers=tokens(NEW_PENILAI, "pegawai"), json=draft)
        assert r.status_code == 201, r.text
        for skp_id in ids.values():
            wait_for(lambda s=skp_id: http.get(f"{appr_url}/api/v1/approvals/{s}", headers=admin).status_code == 200)
        case = http.get(f"{appr_url}/api/v1/approvals/{ids[PEGAWAI_2]}", headers=admin).json()
        r = http.post(f"{appr_url}/api/v1/approvals/{ids[PEGAWAI_2]}/approve", json={"version": case["version"]},
                      headers=tokens(PENILAI_NIP, "atasan"))
        assert r.status_code == 200, r.text
        # January 2026: the year closes; Budi rates Dewi's annual evaluation (predikat Sangat Baik)
        ev_url, budi = portal_stack.url("evaluation"), tokens(PENILAI_NIP, "atasan")

        def annual(status):
            items = http.get(f"{ev_url}/api/v1/evaluations", headers=budi, params={
                "period_id": "2025/PPPK_PARUH_WAKTU/annual", "nip": PEGAWAI_2, "peran": "penilai"}).json()
            return items and items[0]["status"] == status and items[0]

        wait_for(lambda: annual("open"))
        set_clock_file(clock_file, dt.date(2026, 1, 6))
        ev = wait_for(lambda: annual("closed"))
        r = http.post(f"{ev_url}/api/v1/evaluations/{ev['id']}/penilaian", headers=budi, json={
            "version": ev["version"], "rating_hasil_kerja": "Diatas Ekspektasi", "rating_perilaku": "Diatas Ekspektasi",
            "umpan_balik_perilaku": {"Berorientasi Pelayanan": "Selalu sigap melayani"}})
        assert r.status_code == 200 and r.json()["predikat"] == "Sangat Baik", r.text
    return ids


def test_a_signed_in_non_admin_gets_the_403_page_on_every_admin_url(page, portal_url):
    sign_in(page, portal_url, PEGAWAI_NIP)
    assert page.locator("nav[aria-label='Menu utama'] >> text=Admin Instansi").count() == 0
    for url in ADMIN_URLS:
        response = page.goto(portal_url + url)
        assert response.status == 403, url
        assert page.locator("h1").inner_text() == "Khusus admin"
    # a form posted by hand is refused the same way (its CSRF token is valid: the refusal is the role)
    token = page.get_attribute("meta[name='csrf-token']", "content")
    r = page.request.post(f"{portal_url}/admin/plt", form={"csrftoken": token, "delegate_nip": PEGAWAI_NIP})
    assert r.status == 403


def test_monitoring_counts_by_status_per_unit_and_the_predikat_chart(page, phone, portal_url, seeded):
    sign_in(page, portal_url, ADMIN_NIP, admin=True, next_url="/admin?tahun=2025")
    assert page.locator("h1").inner_text() == "Pemantauan kinerja instansi"
    row = page.locator("table tbody tr", has_text=UNIT)
    cells = row.locator("td").all_inner_texts()
    assert cells == ["1", "1", "0", "1", "3"], cells  # Draft, Pending, Revisi, Approved, total
    # record the unit's capaian organisasi: its expected curve is drawn next to the distribution
    page.fill("#f-unit-kerja", UNIT)
    page.select_option("#f-capaian", "Baik")
    page.click("form[action='/admin/capaian'] button[type=submit]")
    page.wait_for_url(re.compile(r"/admin\?tahun=2025"))
    assert "disimpan" in page.locator(".flash-sukses").inner_text()
    fig = page.locator("figure.chart", has_text=UNIT)
    assert fig.locator("svg polyline").count() == 1
    assert fig.locator("svg rect").count() == 5
    assert "1 pegawai dengan hasil tahunan" in fig.locator("figcaption").inner_text()
    sangat_baik = fig.locator("svg rect").nth(4)
    assert float(sangat_baik.get_attribute("height")) > 100  # 100 % of the unit's results
    assert fig.locator(".peringatan li").count() >= 1  # departs from the guidance for a Baik organisation
    caption = fig.locator("figcaption").inner_text()
    assert "Capaian kinerja organisasi: Baik" in caption and "PermenPANRB 6/2022" in caption
    baik = fig.locator(".chart-data tbody tr").filter(has=page.locator("th", has_text=re.compile(r"^Baik$")))
    assert baik.locator("td").last.inner_text() == "70.0%"
    check_accessibility(page)
    screenshot(page, "admin-pemantauan")
    sign_in(phone, portal_url, ADMIN_NIP, admin=True, next_url="/admin?tahun=2025")
    assert phone.locator("figure.chart svg").count() >= 1
    screenshot(phone, "admin-pemantauan-ponsel")


def test_people_units_search_and_paging_never_show_another_instansi(page, portal_url, seeded):
    sign_in(page, portal_url, ADMIN_NIP, admin=True, next_url="/admin/pegawai")
    table = page.locator("table tbody")
    for name in ("Siti Rahmawati", "Andi Wijaya", "Dewi Lestari"):
        assert table.locator("tr", has_text=name).count() == 1
    assert OTHER_NAMA not in page.content()
    check_accessibility(page)
    screenshot(page, "admin-pegawai")
    page.fill("#f-q", "Yanto")  # the other instansi's person: not found, like an unknown one
    page.click("form[role=search] button[type=submit]")
    assert "Tidak ada pegawai yang cocok" in page.locator("main").inner_text()
    page.fill("#f-q", "Andi")
    page.click("form[role=search] button[type=submit]")
    assert page.locator("table tbody tr").count() == 1
    page.goto(f"{portal_url}/admin/unit")
    assert page.locator("table tbody tr", has_text=UNIT).count() == 1
    check_accessibility(page)


def test_the_import_of_a_small_csv_shows_its_progress_and_report(page, portal_url, seeded, tmp_path):
    csv = tmp_path / "pegawai-baru.csv"
    csv.write_text("nip,nama,jabatan,unit_id,atasan_id,berlaku_mulai\n"
                   f"{nip(601)},Rina Impor,Pengadministrasi Umum,{SAMPLE_UNIT_ID},{PENILAI_NIP},2026-01-01\n"
                   f"{nip(602)},Joko Impor,Pengadministrasi Umum,{SAMPLE_UNIT_ID},{PENILAI_NIP},2026-01-01\n"
                   "12345,Baris Salah,,,,2026-01-01\n", encoding="utf-8")
    sign_in(page, portal_url, ADMIN_NIP, admin=True, next_url="/admin/pegawai")
    page.set_input_files("#f-berkas", str(csv))
    page.click("form[action='/admin/impor'] button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/impor/[0-9a-f-]{36}$"))
    assert page.locator("#impor-progress").count() == 1
    page.wait_for_selector("h2:text-is('Laporan per baris')", timeout=30_000)  # the page follows the job, then reloads
    assert page.locator("#impor-status").inner_text() == "Selesai"
    assert page.locator("#impor-progress").get_attribute("value") == "100"
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert "Baru" in rows.nth(0).inner_text() and "Ditolak" in rows.nth(2).inner_text()
    assert "nip" in rows.nth(2).inner_text()
    check_accessibility(page)
    screenshot(page, "admin-impor")
    page.goto(f"{portal_url}/admin/pegawai?q=Impor")
    assert page.locator("table tbody tr").count() == 2
    # an upload whose form lacks the CSRF token (or carries another) is refused before it reaches the directory
    for token in (None, "palsu"):
        fields = {"berkas": {"name": "x.csv", "mimeType": "text/csv", "buffer": csv.read_bytes()}}
        if token:
            fields = {"csrftoken": token, **fields}
        assert page.request.post(f"{portal_url}/admin/impor", multipart=fields).status == 403


def test_reassign_a_pending_skp_to_another_penilai(page, portal_url, seeded, portal_stack, tokens):
    skp_id = seeded[PEGAWAI_NIP]
    sign_in(page, portal_url, ADMIN_NIP, admin=True, next_url="/admin/pengajuan?status=Pending")
    row = page.locator("table tbody tr", has_text="Siti Rahmawati")
    assert "Budi Santoso" in row.inner_text()
    check_accessibility(page)
    screenshot(page, "admin-pengajuan")
    row.locator("a", has_text="Alihkan penilai").click()
    page.wait_for_url(f"{portal_url}/admin/pengajuan/{skp_id}/alihkan")
    options = page.locator("#f-penilai_nip option").all_inner_texts()
    assert not any(OTHER_NAMA in o for o in options)  # the picker holds the admin's instansi only
    check_accessibility(page)
    # the other instansi's person posted by hand: the approval service refuses, the error is shown at the field
    token = page.get_attribute("meta[name='csrf-token']", "content")
    r = page.request.post(f"{portal_url}/admin/pengajuan/{skp_id}/alihkan",
                          form={"csrftoken": token, "version": page.get_attribute("input[name=version]", "value"),
                                "penilai_nip": OTHER_NIP})
    assert r.status == 422 and 'id="err-penilai_nip"' in r.text()
    page.select_option("#f-penilai_nip", NEW_PENILAI)
    page.fill("#f-reason", "Pejabat penilai sejak Januari adalah Kasi Kurikulum.")
    page.click("form[action$='/alihkan'] button[type=submit]")
    page.wait_for_url(f"{portal_url}/admin/pengajuan")
    assert "dialihkan ke Andi Wijaya" in page.locator(".flash-sukses").inner_text()
    assert "dialihkan admin" in page.locator("table tbody tr", has_text="Siti Rahmawati").inner_text()
    inbox = httpx.get(f"{portal_stack.url('approval')}/api/v1/inbox", headers=tokens(NEW_PENILAI, "atasan")).json()
    assert [i["skp_id"] for i in inbox["items"]] == [skp_id]


def test_plt_plh_create_and_revoke(page, portal_url, seeded):
    sign_in(page, portal_url, ADMIN_NIP, admin=True, next_url="/admin/plt")
    page.click("form[action='/admin/plt'] button[type=submit]")  # nothing chosen: every error at once
    assert page.locator("#err-delegate_nip").count() == 1 and page.locator("#err-penilai_nip").count() == 1
    page.select_option("#f-delegate_nip", NEW_PENILAI)
    page.select_option("#f-penilai_nip", PENILAI_NIP)
    page.check("input[name=jenis][value=Plh]")
    page.fill("#f-mulai", "2026-01-05")
    page.fill("#f-selesai", "2026-01-16")
    page.fill("#f-nomor_sk", "800/123/SDP-I/2026")
    page.click("form[action='/admin/plt'] button[type=submit]")
    page.wait_for_url(f"{portal_url}/admin/plt")
    assert "Plh dicatat untuk persetujuan SKP dan penilaian evaluasi" in page.locator(".flash-sukses").inner_text()
    for section in ("persetujuan", "penilaian"):
        assert page.locator(f"table[aria-describedby=plt-{section}] tbody tr", has_text="Andi Wijaya").count() == 1
    check_accessibility(page)
    screenshot(page, "admin-plt")
    page.locator("table[aria-describedby=plt-penilaian] tbody tr", has_text="Andi Wijaya").locator("button").click()
    page.wait_for_url(f"{portal_url}/admin/plt")
    assert "Dicabut" in page.locator("table[aria-describedby=plt-penilaian] tbody tr").inner_text()
    assert "Berlaku" in page.locator("table[aria-describedby=plt-persetujuan] tbody tr").inner_text()


def test_deadlines_extensions_late_list_and_periods(page, portal_url, seeded):
    sign_in(page, portal_url, ADMIN_NIP, admin=True, next_url="/admin/tenggat?tahun=2025")
    page.fill("#f-sampai", "2026-02-14")
    page.fill("#f-unit_kerja", UNIT)
    page.fill("#f-alasan", "Gangguan aplikasi pada 30-31 Januari")
    page.click("form[action='/admin/tenggat/perpanjangan'] button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/tenggat\?tahun=2025$"))
    ext = page.locator("table[aria-describedby=perpanjangan] tbody tr")
    assert ext.count() == 1 and UNIT in ext.inner_text()
    late = page.locator("table[aria-describedby=terlambat] tbody tr")
    assert late.count() == 1 and "Andi Wijaya" in late.inner_text() and "Draf" in late.inner_text()
    assert "operator" in page.locator("main").inner_text()  # the period extension is not the admin's
    check_accessibility(page)
    screenshot(page, "admin-tenggat")
    page.fill("#f-nip", "123")  # a wrong NIP and no unit: errors beside the fields
    page.fill("#f-sampai", "2026-02-14")
    page.click("form[action='/admin/tenggat/perpanjangan'] button[type=submit]")
    assert page.locator("#err-nip").count() == 1
    page.goto(f"{portal_url}/admin/tenggat?tahun=2025")
    page.locator("table[aria-describedby=perpanjangan] tbody tr button").click()
    page.wait_for_url(re.compile(r"/admin/tenggat\?tahun=2025$"))
    assert "Belum ada perpanjangan" in page.locator("main").inner_text()
