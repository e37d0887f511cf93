"""Signing in with OpenID Connect against a real provider (panva's certified
oidc-provider, run by Node.js: kinerja_devstack.oidc): the browser signs in at
the provider, comes back to the page it asked for as the right person; someone
the directory lacks is refused; an admin role claim gives the admin menu; the
session cookie is HTTP-only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from kinerja_devstack.browser import check_accessibility
from kinerja_devstack.oidc import OidcProvider
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP

UNKNOWN_NIP = "199001012020121999"
ACCOUNTS = {
    "siti": {"name": "Siti Rahmawati", "nip": PEGAWAI_NIP, "roles": ["pegawai"]},
    "budi": {"name": "Budi Santoso", "nip": PENILAI_NIP, "roles": "pegawai kinerja-admin"},
    "orang-luar": {"name": "Orang Luar", "nip": UNKNOWN_NIP, "roles": []},
    "tanpa-nip": {"name": "Tanpa NIP"},
}


@pytest.fixture(scope="module")
def oidc_idp() -> OidcProvider:
    """The provider's address (its port) is fixed before the portal starts; it starts once the
    portal's own address, the redirect URI, is known (:func:`oidc`)."""
    return OidcProvider(accounts=ACCOUNTS)


@pytest.fixture(scope="module")
def portal_stack_env(oidc_idp: OidcProvider) -> dict[str, str]:
    return oidc_idp.portal_env()


@pytest.fixture(scope="module")
def oidc(oidc_idp: OidcProvider, portal_url: str, tmp_path_factory) -> Iterator[OidcProvider]:
    oidc_idp.start([f"{portal_url}/masuk/callback"], tmp_path_factory.mktemp("oidc"))
    yield oidc_idp
    oidc_idp.stop()


@pytest.fixture(autouse=True)
def only_this_machine(page):
    """The provider's development login page asks for a web font on the internet: refused at once
    (the tests reach only 127.0.0.1, as on a machine without internet)."""
    page.route(lambda url: not url.startswith("http://127.0.0.1:"), lambda route: route.abort())


def sign_in_at_provider(page, portal_url: str, login: str, path: str = "/") -> None:
    """Open ``path`` signed out, choose the agency account, sign in on the provider's page."""
    page.goto(portal_url + path)
    assert "/masuk" in page.url
    page.click("text=Masuk dengan akun instansi")
    page.wait_for_selector("input[name=login]")  # the provider's own login page
    assert page.url.startswith("http://127.0.0.1:") and not page.url.startswith(portal_url)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "apa-saja")
    page.click("button[type=submit]")
    try:
        page.wait_for_url(lambda url: url.startswith(portal_url) and "/masuk/callback" not in url)
    except Exception:
        raise AssertionError(f"stuck at {page.url}:\n{page.locator('body').inner_text()[:2000]}") from None


def test_sign_in_at_the_provider_comes_back_to_the_page_asked_for_as_that_person(page, portal_url, oidc):
    sign_in_at_provider(page, portal_url, "siti", "/?dari=surel")
    assert page.url == f"{portal_url}/?dari=surel"
    assert "Siti Rahmawati" in page.locator("h1").inner_text()
    assert f"NIP {PEGAWAI_NIP}" in page.locator("header").inner_text()
    assert page.locator("nav a[href='/admin']").count() == 0  # no admin role claim
    check_accessibility(page)
    session = next(c for c in page.context.cookies() if c["name"] == "kinerja_sesi")
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["secure"] is False  # public_url is http here; https turns it on (unit test)


def test_the_admin_role_claim_gives_the_admin_menu(page, portal_url, oidc):
    sign_in_at_provider(page, portal_url, "budi")
    assert "Budi Santoso" in page.locator("h1").inner_text()
    assert page.locator("nav a[href='/admin']").inner_text() == "Admin Instansi"


def test_a_person_the_directory_lacks_is_refused(page, portal_url, oidc):
    page.goto(f"{portal_url}/masuk")
    page.click("text=Masuk dengan akun instansi")
    page.fill("input[name=login]", "orang-luar")
    page.fill("input[name=password]", "apa-saja")
    page.click("button[type=submit]")
    page.wait_for_url(f"{portal_url}/masuk/callback*")
    assert page.locator("h1").inner_text() == "Tidak terdaftar"
    assert f"NIP {UNKNOWN_NIP} tidak ada di direktori kepegawaian" in page.locator("main").inner_text()
    check_accessibility(page)
    page.goto(f"{portal_url}/")
    assert "/masuk" in page.url  # not signed in


def test_an_account_without_the_nip_claim_is_refused(page, portal_url, oidc):
    page.goto(f"{portal_url}/masuk")
    page.click("text=Masuk dengan akun instansi")
    page.fill("input[name=login]", "tanpa-nip")
    page.fill("input[name=password]", "apa-saja")
    page.click("button[type=submit]")
    page.wait_for_url(f"{portal_url}/masuk/callback*")
    assert page.locator("h1").inner_text() == "NIP tidak dikenal"
    page.goto(f"{portal_url}/")
    assert "/masuk" in page.url


def test_a_provider_that_stops_answering_gives_a_message_not_a_crash(page, portal_url, oidc, tmp_path):
    """The provider sends the browser back with a code, but its token endpoint no longer answers.

    The sign-in form's POST is taken over (Playwright's route.fetch, in the browser context's
    cookies) and its redirects within the provider followed by hand up to the way back to the
    portal, which is kept; then the provider stops and the browser opens that address."""
    came_back: list[str] = []

    def follow_to_the_portal(route):
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch(max_redirects=0)
        while response.status in (302, 303) and not response.headers["location"].startswith(portal_url):
            location = response.headers["location"]
            url = location if location.startswith("http") else oidc.issuer + location
            response = page.request.get(url, max_redirects=0)
        came_back.append(response.headers["location"])
        route.abort()

    page.goto(f"{portal_url}/masuk")
    page.click("text=Masuk dengan akun instansi")
    page.fill("input[name=login]", "siti")
    page.fill("input[name=password]", "apa-saja")
    page.route(lambda url: url.startswith(oidc.issuer) and "/interaction/" in url, follow_to_the_portal)
    with contextlib.suppress(Exception):  # the aborted form POST fails in the browser
        page.click("button[type=submit]")
    for _ in range(100):
        if came_back:
            break
        page.wait_for_timeout(100)
    assert came_back and came_back[0].startswith(f"{portal_url}/masuk/callback?code="), came_back
    oidc.stop()
    # a new tab of the same browser context (its cookies hold the sign-in's state): the first tab may still
    # be navigating to the browser's error page for the aborted POST, which would interrupt a goto there
    tab = page.context.new_page()
    try:
        response = tab.goto(came_back[0])
        assert response.status == 502
        assert tab.locator("h1").inner_text() == "Gagal masuk"
        assert "Penyedia identitas tidak dapat dihubungi" in tab.locator("main").inner_text()
        tab.goto(f"{portal_url}/")
        assert "/masuk" in tab.url  # not signed in
    finally:
        oidc.start([f"{portal_url}/masuk/callback"], tmp_path)
