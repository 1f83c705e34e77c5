"""axe-core on the reports pages (issue 3) at phone width, in English and Spanish.

The pages: the report form (choosing the category, the form with its map, shown again with
errors, and with an open report listed near the pin), the thank-you page, the public list with its map, a report page with a
long timeline, the "was it fixed?" form (also with an error), the staff queue and work page
(also with an error), and the performance pages. The demo city (docs/demo.md) fills them:
its reports were acknowledged, transferred, fixed, reopened and rated.

One test, one demo load and one sign-in, to keep the run short; the Audit helper of
test_accessibility.py collects every failing page and reports them together at the end.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from civicloop.core.demo import DEMO_PASSWORD, DemoResult, demo_load
from civicloop.reports import tokens
from civicloop.reports.enums import ReportStatus
from civicloop.reports.models import Report
from tests.e2e.test_accessibility import Audit
from tests.e2e.test_report_journey import MAP_PROBE, place_pin

DOMAIN = "esperanza.example.org"
LANGUAGES = ["en", "es"]
# Demo reports (civicloop.reports.demo.DEMO_REPORTS), by their idempotency key.
FIXED_AFTER_A_REOPENING = "civicloop-demo-report-3"  # a broken pavement: acknowledged, fixed, reopened, fixed, rated
OPEN_AT_PUBLIC_WORKS = "civicloop-demo-report-2"  # a pothole, acknowledged and waiting


def wait_for_map(page: Page) -> None:
    """The map is drawn: its areas came from the API (axe should see the finished page)."""
    expect(page.locator("#report-map .leaflet-overlay-pane path").first).to_be_attached()


def intake_pages(page: Page, audit: Audit, *, pothole: Report) -> None:
    audit.visit("/reports/new/")
    audit.check("report form: choose a category")
    audit.visit("/reports/new/?category=no-such-category")
    expect(page.locator("#error-summary")).to_be_visible()
    audit.check("report form: unknown category")

    audit.visit("/reports/new/?category=001")  # a pothole: questions with radio buttons and a number
    wait_for_map(page)
    expect(page.locator("#questions")).to_be_visible()
    audit.check("report form")
    page.locator("#report-submit").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("main .errorlist").first).to_be_visible()
    audit.check("report form with errors")
    place_pin(page, pothole.lon, pothole.lat)  # on an open pothole: the map lists it
    expect(page.locator("#report-nearby h2")).to_be_visible()
    audit.check("report form with a report nearby")

    audit.visit("/reports/new/?category=010")  # a water leak: no questions
    page.locator("#id_description").fill("Agua limpia corre por la calle desde anoche.")
    page.locator("#id_area").select_option("el-mirador")
    page.locator("#id_email").fill("vecina@example.net")
    page.locator("#report-submit").click()
    expect(page.locator("#report-reference")).to_be_visible()
    audit.check("thank-you page")


def public_pages(page: Page, audit: Audit, *, report: Report) -> None:
    with page.expect_response(lambda response: "/reports/points.json" in response.url):
        audit.visit("/reports/")
    wait_for_map(page)
    expect(page.locator("#report-map path[fill='#ffdd00']").first).to_be_attached()  # the reports' dots
    audit.check("report list with its map")

    audit.visit(f"/reports/{report.reference}/")
    expect(page.locator("ol.timeline > li")).not_to_have_count(0)
    audit.check("report page")

    audit.visit(f"/reports/{report.reference}/feedback/{tokens.make('feedback', report.reference)}/")
    expect(page.locator("form.feedback-form")).to_be_visible()
    audit.check("was it fixed?")
    page.locator("form.feedback-form button[type=submit]").click()  # no answer
    expect(page.locator("main .errorlist").first).to_be_visible()
    audit.check("was it fixed? with an error")

    audit.visit("/performance/")
    expect(page.locator("table#figures tbody tr").first).to_be_visible()
    audit.check("performance of every agency")
    audit.visit("/performance/agencies/obras-publicas/")
    expect(page.locator("table#figures tbody tr").first).to_be_visible()
    audit.check("performance of one agency")


def staff_pages(page: Page, audit: Audit, *, report: Report) -> None:
    audit.visit("/staff/reports/")
    expect(page.locator("table.report-queue tbody tr").first).to_be_visible()
    audit.check("staff queue")

    audit.visit(f"/staff/reports/{report.reference}/")
    expect(page.locator("#action-transfer")).to_be_visible()
    audit.check("staff work page")
    page.locator("#action-transfer button[type=submit]").first.click()  # no agency, no reason
    expect(page.locator("#action-transfer .errorlist").first).to_be_visible()
    audit.check("staff work page with errors")


@pytest.fixture
def demo(live_server) -> DemoResult:
    """Ciudad Esperanza in the live server's database (it needs the live server's transactional DB)."""
    return demo_load(seed=2026)


def test_report_pages_are_accessible_at_phone_width_in_english_and_spanish(page, live_server, demo, axe_check, sign_in):
    fixed = Report.objects.get(jurisdiction=demo.jurisdiction, idempotency_key=FIXED_AFTER_A_REOPENING)
    waiting = Report.objects.get(jurisdiction=demo.jurisdiction, idempotency_key=OPEN_AT_PUBLIC_WORKS)
    assert (fixed.status, fixed.reopened_count, waiting.status) == (
        ReportStatus.FIXED,
        1,
        ReportStatus.ACKNOWLEDGED,
    )
    audit = Audit(page, live_server, axe_check)
    page.add_init_script(MAP_PROBE)  # to find where the pothole is on the map

    for language in LANGUAGES:
        audit.language(language)
        intake_pages(page, audit, pothole=waiting)
        public_pages(page, audit, report=fixed)

    sign_in(page, live_server, f"obras.staff@{DOMAIN}", DEMO_PASSWORD)
    for language in LANGUAGES:
        audit.language(language)
        staff_pages(page, audit, report=waiting)

    audit.finish()
