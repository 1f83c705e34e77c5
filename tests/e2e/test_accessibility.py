"""axe-core inside the browser on every page built so far, in English and Spanish.

The demo city (docs/demo.md) fills the pages with realistic content: long Spanish agency
names, tables of colleagues and audit events, forms with their errors. A page passes when
axe reports no serious or critical violation (see axe_check in conftest.py).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from civicloop.core.demo import DEMO_PASSWORD, DemoResult, demo_load

DOMAIN = "esperanza.example.org"
LANGUAGES = ["en", "es"]
DESKTOP = {"width": 1280, "height": 800}
NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10 reflow: 320 CSS pixels wide, no sideways scrolling
STAFF = {
    "agency staff": f"obras.staff@{DOMAIN}",
    "agency manager": f"obras.manager@{DOMAIN}",
    "supervisor": f"supervisor@{DOMAIN}",
    "monitor": f"monitor@{DOMAIN}",
    "administrator": f"admin@{DOMAIN}",
}


@pytest.fixture
def demo(live_server) -> DemoResult:
    """Ciudad Esperanza in the live server's database (it needs the live server's transactional DB)."""
    return demo_load(seed=2026)


def in_language(page: Page, live_server, language: str) -> None:
    """Choose the page language as the language switcher does: with the language cookie."""
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])


def visit(page: Page, path: str, *, language: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1")).to_have_count(1)


def assert_no_sideways_scrolling(page: Page) -> None:
    page.set_viewport_size(NARROWEST)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROWEST["width"], f"{page.url} is {width}px wide at {NARROWEST['width']}px: it scrolls sideways"


# --- Public pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", [*LANGUAGES, "id"])
def test_home_page_is_accessible_at_phone_and_desktop_widths(page, live_server, demo, axe_check, language):
    in_language(page, live_server, language)

    visit(page, "/", language=language)  # the page fixture opens it 390 px wide, a phone
    axe_check(page)
    page.set_viewport_size(DESKTOP)
    axe_check(page)
    assert_no_sideways_scrolling(page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/agencies/", 200),
        ("/agencies/obras-publicas/", 200),
        ("/accounts/login/", 200),
        ("/accounts/signup/", 200),
        ("/accounts/password/reset/", 200),
        ("/agencies/no-such-agency/", 404),
        ("/no-such-page/", 404),
    ],
)
def test_public_page_is_accessible(page, live_server, demo, axe_check, path, status, language):
    in_language(page, live_server, language)

    visit(page, path, language=language, status=status)

    axe_check(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_and_sign_up_forms_with_errors_are_accessible(page, live_server, demo, axe_check, language):
    in_language(page, live_server, language)
    visit(page, "/accounts/login/", language=language)
    page.fill("input[name=login]", f"citizen@{DOMAIN}")
    page.fill("input[name=password]", "not-the-password")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main .errorlist")).to_have_count(1)
    axe_check(page)

    visit(page, "/accounts/signup/", language=language)
    page.fill("input[name=email]", "not an address")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    expect(page.locator("main [aria-invalid=true]").first).to_be_visible()
    axe_check(page)


# --- Signed-in pages --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_citizen_home_and_the_not_allowed_page_are_accessible(
    page, live_server, demo, axe_check, sign_in, language
):
    in_language(page, live_server, language)
    sign_in(page, live_server, f"citizen@{DOMAIN}", DEMO_PASSWORD)

    visit(page, "/me/", language=language)
    axe_check(page)
    visit(page, "/staff/", language=language, status=403)
    axe_check(page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(STAFF))
def test_staff_home_is_accessible_and_fits_the_narrowest_screen(
    page, live_server, demo, axe_check, sign_in, role, language
):
    in_language(page, live_server, language)
    sign_in(page, live_server, STAFF[role], DEMO_PASSWORD)

    visit(page, "/staff/", language=language)
    expect(page.locator("main h2").first).to_be_visible()
    axe_check(page)
    assert_no_sideways_scrolling(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_tokens_page_with_a_new_token_and_an_error_is_accessible(
    page, live_server, demo, axe_check, sign_in, language
):
    in_language(page, live_server, language)
    sign_in(page, live_server, f"obras.staff@{DOMAIN}", DEMO_PASSWORD)
    visit(page, "/me/tokens/", language=language)
    axe_check(page)  # no tokens yet

    page.fill("input[name=name]", "Night-shift dashboard")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#new-token")).to_be_visible()
    axe_check(page)  # the new secret, shown once, and the list of tokens

    page.locator("main form button[type=submit]").first.click()  # no name this time
    expect(page.locator("main .errorlist").first).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_agency_edit_form_is_accessible_also_with_errors(page, live_server, demo, axe_check, sign_in, language):
    in_language(page, live_server, language)
    sign_in(page, live_server, f"obras.manager@{DOMAIN}", DEMO_PASSWORD)
    visit(page, "/staff/agencies/obras-publicas/edit/", language=language)
    axe_check(page)

    page.fill("input[name=contact_email]", "not an address")
    page.fill("input[name=website]", "http://")
    page.fill("input[name=name]", "")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main [aria-invalid=true]")).to_have_count(3)
    expect(page.locator("main .errorlist")).to_have_count(3)
    axe_check(page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["supervisor", "monitor"])  # with and without people's identities
def test_audit_list_is_accessible(page, live_server, demo, axe_check, sign_in, role, language):
    in_language(page, live_server, language)
    sign_in(page, live_server, STAFF[role], DEMO_PASSWORD)

    visit(page, "/staff/audit/", language=language)
    expect(page.locator("main table tbody tr").first).to_be_visible()
    axe_check(page)
    visit(page, "/staff/audit/?action=agency.create", language=language)  # a filtered list
    axe_check(page)
