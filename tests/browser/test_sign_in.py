"""Signing in to the portal: the development sign-in, coming back to the page asked for,
sign-out, CSRF on the sign-in form, and the pages' accessibility."""

from __future__ import annotations

import httpx
from kinerja_devstack.browser import check_accessibility, screenshot, sign_in
from kinerja_devstack.samples import PEGAWAI_NIP


def test_a_page_asks_for_sign_in_and_comes_back_to_it(page, portal_url):
    page.goto(f"{portal_url}/?tab=1")
    assert "/masuk?next=%2F%3Ftab%3D1" in page.url
    assert page.locator("h1").inner_text() == "Masuk ke Kinerja"
    check_accessibility(page)
    screenshot(page, "masuk")
    page.select_option("#f-nip", PEGAWAI_NIP)
    page.click("form[action='/masuk/dev'] button[type=submit]")
    page.wait_for_url(f"{portal_url}/?tab=1")


def test_home_shows_who_is_signed_in_and_sign_out_ends_the_session(page, portal_url):
    sign_in(page, portal_url, PEGAWAI_NIP)
    assert "Siti Rahmawati" in page.locator("h1").inner_text()
    assert page.get_attribute("html", "lang") == "id"
    check_accessibility(page)
    screenshot(page, "beranda")
    page.click("text=Keluar")
    page.wait_for_url(f"{portal_url}/masuk")
    page.goto(f"{portal_url}/")
    assert "/masuk" in page.url


def test_sign_in_form_without_its_csrf_token_is_refused(portal_url):
    with httpx.Client(base_url=portal_url) as http:
        assert http.get("/masuk").status_code == 200  # sets the csrf cookie
        r = http.post("/masuk/dev", data={"nip": PEGAWAI_NIP, "next": "/"})
        assert r.status_code == 403
        assert "kinerja_sesi" not in r.cookies


def test_sign_in_never_redirects_off_the_portal(page, portal_url):
    sign_in(page, portal_url, PEGAWAI_NIP, next_url="//evil.example/x")
    assert page.url == f"{portal_url}/"


def test_unknown_nip_is_refused_with_a_message(portal_url):
    with httpx.Client(base_url=portal_url) as http:
        http.get("/masuk")
        token = http.cookies["csrftoken"]
        r = http.post("/masuk/dev", data={"nip": "199001012020121999", "next": "/", "csrftoken": token},
                      follow_redirects=True)
        assert "tidak ada di direktori" in r.text
        assert http.get("/", follow_redirects=False).status_code == 303
