"""Browser journeys through the demo city: each role signs in and finds its own home page.

The demo jurisdiction (Ciudad Esperanza, docs/demo.md) is loaded into the live server's
database for each test; the live server answers on 127.0.0.1, so every page resolves to
that one jurisdiction. People sign in and out through the real forms, as a person would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from civicloop.accounts.models import User
from civicloop.core.demo import DEMO_PASSWORD, DemoResult, demo_load
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, AuditEvent
from civicloop.core.services import agency_update
from tests.e2e.conftest import PHONE, TIMEOUT_MS

DOMAIN = "esperanza.example.org"
CITIZEN = f"citizen@{DOMAIN}"
OBRAS_STAFF = f"obras.staff@{DOMAIN}"
OBRAS_MANAGER = f"obras.manager@{DOMAIN}"
SUPERVISOR = f"supervisor@{DOMAIN}"
MONITOR = f"monitor@{DOMAIN}"
ADMIN = f"admin@{DOMAIN}"
OBRAS_EN = "Public Works & Roads"  # the English name of obras-publicas


@pytest.fixture
def demo(live_server) -> DemoResult:
    """Ciudad Esperanza in the live server's database (it needs the live server's transactional DB)."""
    return demo_load(seed=2026)


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator:
    """Opens pages in extra browser contexts (e.g. with JavaScript switched off); closes them afterwards."""
    contexts = []

    def open_page(**options) -> Page:
        context = browser.new_context(
            **{"base_url": live_server.url, "locale": "en", "viewport": PHONE, **options},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def main_menu(page: Page):
    return page.get_by_role("navigation", name="Main menu")


def sign_out(page: Page, live_server) -> None:
    """Press the Sign out button in the main menu (a POST form) and check the visitor is signed out."""
    with page.expect_navigation():
        main_menu(page).get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(main_menu(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(main_menu(page).get_by_role("button", name="Sign out")).to_have_count(0)
    # The session is really gone: a signed-in page sends the visitor to the sign-in form.
    page.goto("/me/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/me/")


def staff_section(page: Page, heading: str):
    """The staff home's section for one role, found by its heading."""
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, level=2, exact=True))


# --- Every role signs in, sees its home page and signs out -------------------------------


@dataclass(frozen=True)
class Landing:
    email: str
    path: str  # where signing in lands
    h1: str
    section: str  # the heading of the role's section on the staff home ("" for citizens)


LANDINGS = {
    "citizen": Landing(CITIZEN, "/me/", "Your account", ""),
    "agency staff": Landing(OBRAS_STAFF, "/staff/", "Staff home", f"Agency staff — {OBRAS_EN}"),
    "agency manager": Landing(OBRAS_MANAGER, "/staff/", "Staff home", f"Agency manager — {OBRAS_EN}"),
    "supervisor": Landing(SUPERVISOR, "/staff/", "Staff home", "Supervisor — Ciudad Esperanza"),
    "monitor": Landing(MONITOR, "/staff/", "Staff home", "Monitor — Ciudad Esperanza"),
    "administrator": Landing(ADMIN, "/staff/", "Staff home", "Administrator — Ciudad Esperanza"),
}


@pytest.mark.parametrize("role", list(LANDINGS))
def test_role_signs_in_lands_on_its_home_page_and_signs_out(page, live_server, demo, sign_in, role):
    landing = LANDINGS[role]

    sign_in(page, live_server, landing.email, DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}{landing.path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(landing.h1)
    expect(page.get_by_role("main")).to_contain_text(landing.email)
    if landing.section:
        expect(page.get_by_role("heading", level=2, name=landing.section, exact=True)).to_be_visible()
        expect(main_menu(page).get_by_role("link", name="Staff")).to_have_attribute("aria-current", "page")
        expect(main_menu(page).get_by_role("link", name="Your account")).to_have_count(0)
    else:
        expect(main_menu(page).get_by_role("link", name="Your account")).to_have_attribute("aria-current", "page")
        expect(main_menu(page).get_by_role("link", name="Staff")).to_have_count(0)
    expect(main_menu(page).get_by_role("link", name="Sign in")).to_have_count(0)

    sign_out(page, live_server)


# --- What each role finds on its home page -----------------------------------------------


def test_citizen_home_shows_their_details(page, live_server, demo, sign_in):
    sign_in(page, live_server, CITIZEN, DEMO_PASSWORD)

    details = page.locator("main dl")
    expect(details).to_contain_text("E-mail address")
    expect(details).to_contain_text(CITIZEN)
    expect(details).to_contain_text("Luis Morales Pinto")
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
    expect(page.get_by_role("link", name="Staff")).to_have_count(0)


def test_agency_staff_home_shows_their_agency_and_colleagues_but_no_edit_link(page, live_server, demo, sign_in):
    sign_in(page, live_server, OBRAS_STAFF, DEMO_PASSWORD)

    section = staff_section(page, f"Agency staff — {OBRAS_EN}")
    expect(section.get_by_role("link", name=f"Public page of {OBRAS_EN}")).to_have_attribute(
        "href", "/agencies/obras-publicas/"
    )
    colleagues = section.get_by_role("table").first
    expect(colleagues).to_contain_text("Jorge Muñoz Tapia")  # the manager
    expect(colleagues).to_contain_text("Daniela Castro Vidal")  # herself
    expect(colleagues).not_to_contain_text("Patricia Vergara Rojas")  # another agency's manager
    expect(page.get_by_role("link", name="Edit agency details")).to_have_count(0)
    expect(page.get_by_role("link", name="Audit trail")).to_have_count(0)
    expect(page.get_by_role("link", name="API tokens")).to_be_visible()


def test_agency_manager_follows_the_edit_link_to_the_agency_form(page, live_server, demo, sign_in):
    sign_in(page, live_server, OBRAS_MANAGER, DEMO_PASSWORD)

    section = staff_section(page, f"Agency manager — {OBRAS_EN}")
    expect(section.get_by_role("link", name="Audit trail")).to_be_visible()
    section.get_by_role("link", name="Edit agency details").click()

    expect(page).to_have_url(f"{live_server.url}/staff/agencies/obras-publicas/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Dirección de Obras Públicas y Vialidad")
    expect(page.get_by_label("Contact e-mail")).to_have_value(f"obras@{DOMAIN}")
    expect(page.get_by_role("group", name="Translation: English").get_by_label("Name in English")).to_have_value(
        OBRAS_EN
    )
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()


def test_supervisor_home_lists_every_agency_with_staff_counts(page, live_server, demo, sign_in):
    sign_in(page, live_server, SUPERVISOR, DEMO_PASSWORD)

    section = staff_section(page, "Supervisor — Ciudad Esperanza")
    expect(section).to_contain_text("You oversee every agency in Ciudad Esperanza.")
    rows = section.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(demo.agencies)
    obras = rows.filter(has=page.get_by_role("link", name=OBRAS_EN, exact=True))
    expect(obras.get_by_role("cell")).to_have_text([OBRAS_EN, "2"])  # a manager and a member of staff
    expect(rows.filter(has_text="Social Services").get_by_role("cell").nth(1)).to_have_text("0")
    section.get_by_role("link", name=OBRAS_EN, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/agencies/obras-publicas/")


def test_monitor_reads_the_audit_trail_without_identities(page, live_server, demo, sign_in):
    manager = User.objects.get(email=OBRAS_MANAGER)
    obras = Agency.objects.get(jurisdiction=demo.jurisdiction, slug="obras-publicas")
    agency_update(agency=obras, by=manager, channel=Channel.WEB, phone="+56 32 555 0100")

    sign_in(page, live_server, MONITOR, DEMO_PASSWORD)
    section = staff_section(page, "Monitor — Ciudad Esperanza")
    expect(section).to_contain_text("You monitor public services for Observatorio Ciudadano Esperanza.")
    section.get_by_role("link", name="Audit trail (without identities)").click()

    expect(page).to_have_url(f"{live_server.url}/staff/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.get_by_text("People’s identities are hidden from your role.")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text(f"{AuditEvent.objects.filter(jurisdiction=demo.jurisdiction).count()} events")
    update = table.locator("tbody tr").filter(has=page.locator("code", has_text=re.compile(r"^agency\.update$")))
    expect(update.first.get_by_role("cell").nth(1)).to_have_text("hidden")  # Who
    expect(update.first.get_by_role("cell").nth(2)).to_have_text(OBRAS_EN)  # Acting for: an agency, not a person
    expect(update.first).to_contain_text("+56 32 555 0100")
    main = page.get_by_role("main")
    for account in demo.accounts:
        expect(main).not_to_contain_text(account.name)
        expect(main).not_to_contain_text(account.email)


def test_administrator_opens_the_admin_site_from_the_staff_home(page, live_server, demo, sign_in):
    sign_in(page, live_server, ADMIN, DEMO_PASSWORD)

    section = staff_section(page, "Administrator — Ciudad Esperanza")
    expect(section.get_by_role("link", name="Manage people and roles")).to_be_visible()
    section.get_by_role("link", name="Administration site").click()

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text("Camila Soto Riquelme")
    expect(page.get_by_role("link", name="Agencies", exact=True)).to_be_visible()
    page.get_by_role("link", name="Agencies", exact=True).click()
    expect(page.get_by_role("link", name="Dirección de Obras Públicas y Vialidad")).to_be_visible()


# --- Who may not enter, and wrong passwords ----------------------------------------------


def test_citizen_visiting_the_staff_home_gets_the_not_allowed_page(page, live_server, demo, sign_in):
    sign_in(page, live_server, CITIZEN, DEMO_PASSWORD)

    response = page.goto("/staff/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("main")).to_contain_text(
        "The staff pages are for agency staff, supervisors, monitors and administrators."
    )
    expect(page.get_by_role("main").get_by_role("link", name="Go to the home page")).to_have_attribute("href", "/")


def test_anonymous_visitor_to_the_staff_home_is_sent_to_sign_in_and_back(page, live_server, demo):
    page.goto("/staff/")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/staff/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_label("Email").fill(SUPERVISOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", level=2, name="Supervisor — Ciudad Esperanza")).to_be_visible()


def test_sign_in_with_a_wrong_password_shows_the_form_error(page, live_server, demo):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(CITIZEN)
    page.get_by_label("Password").fill("not-the-demo-password")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()

    expect(page.locator(".errorlist")).to_contain_text(
        "The email address and/or password you specified are not correct."
    )
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Email")).to_have_value(CITIZEN)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(main_menu(page).get_by_role("link", name="Sign in")).to_be_visible()


# --- Language switcher --------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_language_switcher_changes_the_home_page_to_spanish_and_indonesian(new_page, live_server, demo, javascript):
    page = new_page(java_script_enabled=javascript)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2, name="At a glance")).to_be_visible()

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=2, name="En resumen")).to_be_visible()
    expect(page.get_by_role("link", name="Dirección de Obras Públicas y Vialidad")).to_be_visible()

    page.get_by_label("Idioma").select_option("id")
    page.get_by_role("button", name="Cambiar").click()

    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=2, name="Sekilas")).to_be_visible()
    expect(page.get_by_label("Bahasa", exact=True)).to_have_value("id")
    # The choice sticks for the next page.
    page.goto("/agencies/")
    expect(page.locator("html")).to_have_attribute("lang", "id")


# --- An agency manager changes the agency's public details -------------------------------


def test_agency_manager_edits_the_phone_and_the_public_page_shows_it(page, live_server, demo, sign_in):
    sign_in(page, live_server, OBRAS_MANAGER, DEMO_PASSWORD)
    page.get_by_role("link", name="Edit agency details").click()

    page.get_by_label("Phone").fill("+56 32 555 0199")
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(f"{live_server.url}/agencies/obras-publicas/")
    expect(page.get_by_role("status")).to_contain_text(
        "The details of Dirección de Obras Públicas y Vialidad were saved."
    )
    contact = page.locator("section").filter(has=page.get_by_role("heading", name="Contact"))
    expect(contact.get_by_role("link", name="+56 32 555 0199")).to_have_attribute("href", "tel:+56325550199")
    event = AuditEvent.objects.filter(action="agency.update").latest("occurred_at")
    assert (event.actor.email, event.channel, event.after) == (OBRAS_MANAGER, Channel.WEB, {"phone": "+56 32 555 0199"})

    # Anyone can see it, signed in or not.
    sign_out(page, live_server)
    page.goto("/agencies/obras-publicas/")
    expect(contact.get_by_role("link", name="+56 32 555 0199")).to_be_visible()
