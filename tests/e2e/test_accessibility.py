"""axe-core inside the browser on every page built so far, in English and Spanish.

The demo city (docs/demo.md) fills the pages with realistic content: long Spanish agency
names, tables of colleagues and audit events, forms with their errors. A page passes when
axe reports no serious or critical violation (see axe_check in conftest.py).

To keep the run short, one test visits several pages (one demo load, one sign-in); the
Audit helper checks them all and then fails listing every page with violations, so one
bad page does not hide the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
PUBLIC_PAGES = [
    ("/agencies/", 200),
    ("/agencies/obras-publicas/", 200),
    ("/accounts/login/", 200),
    ("/accounts/signup/", 200),
    ("/accounts/password/reset/", 200),
    ("/agencies/no-such-agency/", 404),
    ("/no-such-page/", 404),
]


@pytest.fixture
def demo(live_server) -> DemoResult:
    """Ciudad Esperanza in the live server's database (it needs the live server's transactional DB)."""
    return demo_load(seed=2026)


class Audit:
    """Runs axe on page after page and collects the failures, reported together at the end."""

    def __init__(self, page: Page, live_server, axe_check: Callable[..., None]) -> None:
        self.page = page
        self.live_server = live_server
        self.axe_check = axe_check
        self.failures: list[str] = []
        self.language_code = settings.LANGUAGE_CODE

    def language(self, language: str) -> None:
        """Choose the page language as the language switcher does: with the language cookie."""
        self.language_code = language
        self.page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.live_server.url}]
        )

    def visit(self, path: str, *, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
        expect(self.page.locator("html")).to_have_attribute("lang", self.language_code)
        expect(self.page.locator("main h1")).to_have_count(1)

    def check(self, what: str = "") -> None:
        try:
            self.axe_check(self.page)
        except pytest.fail.Exception as failure:
            self.failures.append(f"[{self.language_code}{' ' + what if what else ''}] {failure}")

    def fits_the_narrowest_screen(self) -> None:
        """No sideways scrolling at 320 px (the page's own content; wide tables scroll inside their region)."""
        self.page.set_viewport_size(NARROWEST)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > NARROWEST["width"]:
            self.failures.append(
                f"[{self.language_code}] {self.page.url} is {width}px wide at 320px: it scrolls sideways"
            )

    def finish(self) -> None:
        if self.failures:
            pytest.fail("\n\n".join(self.failures), pytrace=False)


@pytest.fixture
def audit(page, live_server, demo, axe_check) -> Audit:
    checker = Audit(page, live_server, axe_check)
    checker.language("en")
    return checker


# --- Public pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", [*LANGUAGES, "id"])
def test_home_page_is_accessible_at_phone_and_desktop_widths(page, audit, language):
    audit.language(language)

    audit.visit("/")  # the page fixture opens it 390 px wide, a phone
    audit.check("phone")
    page.set_viewport_size(DESKTOP)
    audit.check("desktop")
    audit.fits_the_narrowest_screen()

    audit.finish()


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_accessible(audit, language):
    audit.language(language)

    for path, status in PUBLIC_PAGES:
        audit.visit(path, status=status)
        audit.check()

    audit.finish()


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_and_sign_up_forms_with_errors_are_accessible(page, audit, language):
    audit.language(language)
    audit.visit("/accounts/login/")
    page.fill("input[name=login]", f"citizen@{DOMAIN}")
    page.fill("input[name=password]", "not-the-password")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main .errorlist")).to_have_count(1)
    audit.check("sign-in error")

    audit.visit("/accounts/signup/")
    page.fill("input[name=email]", "new.neighbour@example.net")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    audit.check("sign-up errors")

    audit.finish()


# --- Signed-in pages --------------------------------------------------------------------------


def test_citizen_home_and_the_not_allowed_page_are_accessible(page, live_server, audit, sign_in):
    sign_in(page, live_server, f"citizen@{DOMAIN}", DEMO_PASSWORD)

    for language in LANGUAGES:
        audit.language(language)
        audit.visit("/me/")
        audit.check()
        audit.visit("/staff/", status=403)
        audit.check()

    audit.finish()


@pytest.mark.parametrize("role", list(STAFF))
def test_staff_home_is_accessible_and_fits_the_narrowest_screen(page, live_server, audit, sign_in, role):
    sign_in(page, live_server, STAFF[role], DEMO_PASSWORD)

    for language in LANGUAGES:
        audit.language(language)
        page.set_viewport_size({"width": 390, "height": 844})
        audit.visit("/staff/")
        expect(page.locator("main h2").first).to_be_visible()
        audit.check()
        audit.fits_the_narrowest_screen()

    audit.finish()


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_tokens_page_with_a_new_token_and_an_error_is_accessible(page, live_server, audit, sign_in, language):
    audit.language(language)
    sign_in(page, live_server, f"obras.staff@{DOMAIN}", DEMO_PASSWORD)
    audit.visit("/me/tokens/")
    audit.check("no tokens yet")

    page.fill("input[name=name]", "Night-shift dashboard")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#new-token")).to_be_visible()
    audit.check("a new token and the list")

    page.locator("main form button[type=submit]").first.click()  # no name this time
    expect(page.locator("main .errorlist").first).to_be_visible()
    audit.check("a missing name")

    audit.finish()


@pytest.mark.parametrize("language", LANGUAGES)
def test_agency_edit_form_is_accessible_also_with_errors(page, live_server, audit, sign_in, language):
    audit.language(language)
    sign_in(page, live_server, f"obras.manager@{DOMAIN}", DEMO_PASSWORD)
    audit.visit("/staff/agencies/obras-publicas/edit/")
    audit.check()

    page.fill("input[name=name]", "")
    page.fill("input[name=contact_email]", "not an address")
    page.fill("input[name=website]", "http://")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main [aria-invalid=true]")).to_have_count(3)
    expect(page.locator("main .errorlist")).to_have_count(3)
    audit.check("with errors")

    audit.finish()


@pytest.mark.parametrize("role", ["supervisor", "monitor"])  # with and without people's identities
def test_audit_list_is_accessible(page, live_server, audit, sign_in, role):
    sign_in(page, live_server, STAFF[role], DEMO_PASSWORD)

    for language in LANGUAGES:
        audit.language(language)
        audit.visit("/staff/audit/")
        expect(page.locator("main table tbody tr").first).to_be_visible()
        audit.check()
        audit.visit("/staff/audit/?action=agency.create")  # a filtered list
        audit.check("filtered")

    audit.finish()


def test_audit_helper_reports_every_failing_page_together(page, audit):
    page.set_content('<html lang="en"><title>One</title><body><main><h1>One</h1><img src="a.png"></main></body></html>')
    audit.check("first page")
    page.set_content(
        '<html lang="en"><title>Two</title><body><main><h1>Two</h1><div style="width: 600px">wide</div></main></body></html>'
    )
    audit.check("second page")
    audit.fits_the_narrowest_screen()

    with pytest.raises(pytest.fail.Exception) as failure:
        audit.finish()

    message = str(failure.value)
    assert "[en first page] Accessibility violations" in message
    assert "image-alt" in message
    assert re.search(r"\[en\] about:blank is 6\d\dpx wide at 320px: it scrolls sideways", message)
    assert message.count("Accessibility violations") == 1  # the second page has none
