"""The citizen feedback loop in a browser, end to end (issue 3, "Done when").

A neighbour of Ciudad Esperanza (docs/demo.md), not signed in, reports a water leak in
El Mirador with a photo, placing the pin on the map; the e-mailed link confirms it. In La
Quebrada a water leak goes to Public Works, not to the water company: Public Works
acknowledges it and transfers it, with a reason, to the water company, whose staff mark it
fixed. The neighbour answers "not fixed" from the e-mailed link, so it reopens; it is fixed
again and rated 4. The public report page tells the story without naming staff, and the
water company's performance page and CSV count exactly these events.

Everything moves through the pages, as people would do it. The test reads the database only
to check what was stored, and the outbox only for the links people get by e-mail.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from shapely.geometry import Point, shape

from civicloop.accounts.enums import Role
from civicloop.core.demo import DEMO_PASSWORD, DemoResult, demo_load
from civicloop.core.models import Agency, Area
from civicloop.reports.enums import ReportStatus
from civicloop.reports.models import Report, ReportPhoto
from tests.e2e.conftest import FAILED, PHONE, TIMEOUT_MS
from tests.factories import user_with_role

DOMAIN = "esperanza.example.org"
OBRAS_STAFF = f"obras.staff@{DOMAIN}"
OBRAS_STAFF_NAME = "Daniela Castro Vidal"
AGUAS_STAFF = f"aguas.staff@{DOMAIN}"
AGUAS_STAFF_NAME = "Tomás Reyes Bravo"
NEIGHBOUR = "marta.rivas@example.net"
NEIGHBOUR_NAME = "Marta Rivas"
WARD = "el-mirador"  # in La Quebrada, where water leaks go to Public Works
OBRAS_EN = "Public Works & Roads"
AGUAS_EN = "Esperanza Water Company"
TRANSFER_REASON = "The leak is in the drinking-water main, which Aguas Esperanza maintains."
GPS_IFD = 0x8825
EXIF_MODEL = 0x0110

# Wraps Leaflet's map constructor as leaflet.js defines window.L, so the test can ask the map
# where a place is on the screen and click there; the click itself is a real one.
MAP_PROBE = """
(() => {
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      if (value && value.Map) {
        value.Map.addInitHook(function () { window.civicloopTestMap = this; });
      }
    },
  });
})();
"""


@pytest.fixture
def demo(live_server) -> DemoResult:
    """Ciudad Esperanza, plus a member of the water company's staff (the demo has none)."""
    result = demo_load(seed=2026)
    aguas = Agency.objects.get(jurisdiction=result.jurisdiction, slug="aguas-esperanza")
    staff = user_with_role(
        Role.AGENCY_STAFF,
        jurisdiction=result.jurisdiction,
        agency=aguas,
        email=AGUAS_STAFF,
        name=AGUAS_STAFF_NAME,
        password=DEMO_PASSWORD,
    )
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    return result


@pytest.fixture
def open_page(request: pytest.FixtureRequest, browser: Browser, live_server) -> Iterator:
    """Each person gets their own browser (context): their own cookies, their own session.

    When the test fails, what each person's page showed goes to stderr (CI keeps no files).
    """
    contexts = []

    def opener() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en", viewport=PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield opener
    if request.node.stash.get(FAILED, False):
        for number, context in enumerate(contexts, 1):
            for shown in context.pages:
                text = shown.locator("body").inner_text(timeout=2_000)
                sys.stderr.write(f"--- person {number} at {shown.url}:\n{text[:3_000]}\n")
    for context in contexts:
        context.close()


def photo_with_location() -> bytes:
    """A small JPEG as a phone writes it: with the camera model and where it was taken."""
    exif = Image.Exif()
    exif[EXIF_MODEL] = "Civicloop Test Phone"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "S", 2: (30.0, 30.0, 0.0), 3: "W", 4: (84.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (70, 110, 160)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def place_pin(page: Page, lon: float, lat: float) -> None:
    """Click the map where (lon, lat) is, once the areas are drawn and the map fitted to them."""
    expect(page.locator("#report-map .leaflet-overlay-pane path").first).to_be_attached()
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.civicloopTestMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    page.locator("#report-map").click(position={"x": x, "y": y})


def last_link(to: str, path: str) -> str:
    """The path of the link to path (a regular expression) in the latest e-mail to this address that has one.

    Links in e-mails sent on the agency's behalf name the jurisdiction's own site
    (esperanza.example.org); the live server stands in for it, so only the path is followed.
    """
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(rf"https?://([\w.:-]+)({path})", message.body)
            if found:
                return found.group(2)
    pytest.fail(f"No e-mail to {to} has a link to {path}: {[m.subject for m in mail.outbox if to in m.to]}")


def main_menu(page: Page):
    return page.get_by_role("navigation", name="Main menu")


def sign_in_as(open_page, sign_in, live_server, email: str) -> Page:
    page = open_page()
    sign_in(page, live_server, email, DEMO_PASSWORD)
    return page


def queue_row(page: Page, reference: str):
    return page.locator("table.report-queue tbody tr").filter(
        has=page.get_by_role("rowheader", name=reference, exact=True)
    )


def mark_fixed(page: Page, reference: str, text: str) -> None:
    page.goto(f"/staff/reports/{reference}/")
    action = page.locator("#action-fix")
    action.get_by_label("Message to the reporter (optional, public)").fill(text)
    action.get_by_role("button", name="Mark fixed").click()
    expect(page.locator(".messages")).to_contain_text(f"Report {reference} is marked fixed")


def answer_feedback(page: Page, reference: str, *, fixed: bool, rating: int | None) -> None:
    """The reporter follows the newest "was it fixed?" link and answers."""
    link = last_link(NEIGHBOUR, rf"/reports/{reference}/feedback/\S+/")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Was it fixed?")
    page.get_by_label("Yes, it was fixed" if fixed else "No, it was not fixed").check()
    if rating is not None:
        page.get_by_role("group", name="How satisfied are you with the response?").get_by_label(
            str(rating), exact=True
        ).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def figures_table(page: Page) -> list[list[str]]:
    """The rows of the page's table of figures (not the charts), each its row header and cells."""
    rows = page.locator("table#figures tbody tr")
    expect(rows.first).to_be_visible()
    return [[text.strip() for text in row.locator("th, td").all_inner_texts()] for row in rows.all()]


def test_report_journey_filed_with_a_photo_routed_transferred_fixed_reopened_rated_and_counted(
    page, live_server, demo, open_page, sign_in
):
    citizen = page
    ward = Area.objects.get(jurisdiction=demo.jurisdiction, slug=WARD)
    spot = shape(ward.geometry).representative_point()
    lon, lat = round(spot.x, 6), round(spot.y, 6)

    # --- A neighbour files the report with a photo, on the map -------------------------------
    citizen.add_init_script(MAP_PROBE)
    citizen.goto("/")
    main_menu(citizen).get_by_role("link", name="Report a problem").click()
    citizen.get_by_label("What is the problem about?").select_option(label="Water leak")
    citizen.get_by_role("button", name="Continue").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Report a problem: Water leak")
    citizen.get_by_label("Title", exact=True).fill("Water running down the street")
    citizen.get_by_label("Describe the problem (required)").fill(
        "Clean water has been running from under the pavement since last night."
    )
    place_pin(citizen, lon, lat)
    expect(citizen.locator("#report-map-status")).to_have_text(
        "Pin placed. You can move it by clicking or tapping elsewhere."
    )
    expect(citizen.locator("#report-nearby")).to_have_text("No open report of this problem near your pin.")
    pinned = Point(float(citizen.input_value("#id_lon")), float(citizen.input_value("#id_lat")))
    assert shape(ward.geometry).contains(pinned), f"the pin {pinned} fell outside {WARD}"
    photo = photo_with_location()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)  # the upload does carry a location
    citizen.get_by_label("Photo 1", exact=True).set_input_files(
        {"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": photo}
    )
    citizen.get_by_role("radio", name=re.compile(r"^Public \(my name is shown\)")).check()
    citizen.get_by_role("textbox", name="Your name").fill(NEIGHBOUR_NAME)
    citizen.get_by_role("textbox", name="E-mail", exact=True).fill(NEIGHBOUR)
    citizen.get_by_role("button", name="Send report").click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    reference = citizen.locator("#report-reference").inner_text()
    expect(citizen.get_by_role("main")).to_contain_text(f"Your report goes to {OBRAS_EN}.")
    report = Report.objects.get(reference=reference)
    assert (report.status, report.area.slug, report.owner.slug) == (ReportStatus.UNVERIFIED, WARD, "obras-publicas")
    assert (report.lon, report.lat) == (pinned.x, pinned.y)
    stored = ReportPhoto.objects.get(report=report)
    with Image.open(stored.image.path) as kept:
        assert kept.format == "JPEG"
        assert dict(kept.getexif()) == {}  # no GPS, no camera model: no EXIF at all
        assert kept.getexif().get_ifd(GPS_IFD) == {}

    # The e-mailed link confirms it.
    citizen.goto(last_link(NEIGHBOUR, rf"/reports/{reference}/confirm/\S+/"))
    citizen.get_by_role("button", name="Confirm my report").click()
    expect(citizen).to_have_url(f"{live_server.url}/reports/{reference}/")
    expect(citizen.locator(".messages")).to_contain_text(f"report {reference} is confirmed")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED, f"confirmed, the report is {report.status}"

    # --- Public Works finds it in its queue, acknowledges it and transfers it ----------------
    obras = sign_in_as(open_page, sign_in, live_server, OBRAS_STAFF)
    main_menu(obras).get_by_role("link", name="Reports queue").click()
    row = queue_row(obras, reference)
    expect(row.get_by_role("cell").nth(4)).to_have_text(OBRAS_EN)  # the Agency column
    expect(row).to_contain_text("El Mirador")
    row.get_by_role("link", name=reference).click()
    expect(obras.get_by_role("heading", level=1)).to_contain_text(f"Report {reference}")
    expect(obras.get_by_role("img", name="Photo 1 of the problem")).to_be_visible()
    obras.locator("#action-acknowledge").get_by_role("button", name="Acknowledge").click()
    expect(obras.locator(".messages")).to_contain_text(f"Report {reference} is acknowledged.")

    transfer = obras.locator("#action-transfer")
    transfer.get_by_label("Transfer to").select_option(label=AGUAS_EN)
    transfer.get_by_label("Reason for the transfer (required; the reporter reads it)").fill(TRANSFER_REASON)
    transfer.get_by_role("button", name="Transfer").click()
    expect(obras).to_have_url(f"{live_server.url}/staff/reports/")  # no longer theirs
    expect(obras.locator(".messages")).to_contain_text(f"Report {reference} is transferred.")
    expect(queue_row(obras, reference)).to_have_count(0)

    # --- The water company takes over and marks it fixed -------------------------------------
    aguas = sign_in_as(open_page, sign_in, live_server, AGUAS_STAFF)
    main_menu(aguas).get_by_role("link", name="Reports queue").click()
    expect(queue_row(aguas, reference).get_by_role("cell").nth(4)).to_have_text(AGUAS_EN)
    mark_fixed(aguas, reference, "We replaced the broken joint in the main.")

    # --- "Not fixed": the neighbour's answer reopens it ---------------------------------------
    answer_feedback(citizen, reference, fixed=False, rating=None)
    expect(citizen.get_by_role("main")).to_contain_text(f"Report {reference} has been reopened.")
    citizen.get_by_role("link", name="See the report").click()
    timeline = citizen.locator("ol.timeline > li")
    expect(timeline.filter(has_text="Reopened")).to_have_count(1)
    expect(citizen.locator(".report-meta .badge").first).to_have_text("Acknowledged")  # back in the agency's hands

    # --- Fixed again, and rated 4 ------------------------------------------------------------
    mark_fixed(aguas, reference, "The joint leaked again; we replaced the whole section of pipe.")
    answer_feedback(citizen, reference, fixed=True, rating=4)
    report.refresh_from_db()
    assert (report.status, report.rating, report.reopened_count, report.transferred_count) == (
        ReportStatus.FIXED,
        4,
        1,
        1,
    )

    # --- The public page tells the story, and names no member of staff -----------------------
    citizen.goto(f"/reports/{reference}/")
    expect(citizen.locator(".report-meta .badge").first).to_have_text("Fixed")
    kinds = [text.strip() for text in timeline.locator(".timeline-head strong").all_inner_texts()]
    story = [kind for kind in kinds if kind in {"Acknowledged", "Transferred", "Fixed", "Reopened"}]
    assert story == ["Acknowledged", "Transferred", "Fixed", "Reopened", "Fixed"], kinds
    transferred = timeline.filter(has=citizen.locator("strong", has_text="Transferred"))
    expect(transferred).to_contain_text(f"Transferred from {OBRAS_EN} to {AGUAS_EN}.")
    expect(transferred).to_contain_text(TRANSFER_REASON)
    main = citizen.get_by_role("main")
    expect(main).to_contain_text(NEIGHBOUR_NAME)  # she chose to be named
    public_photo = citizen.get_by_role("img", name="Photo 1 of the problem")
    expect(public_photo).to_be_visible()
    served = citizen.request.get(public_photo.get_attribute("src") or "")
    assert (served.status, served.headers["content-type"]) == (200, "image/jpeg")
    with Image.open(io.BytesIO(served.body())) as shown:
        assert (shown.size, dict(shown.getexif())) == ((96, 64), {})  # the picture, without where it was taken
    for private in (OBRAS_STAFF_NAME, AGUAS_STAFF_NAME, OBRAS_STAFF, AGUAS_STAFF, NEIGHBOUR):
        expect(citizen.locator("body")).not_to_contain_text(private)

    # --- The water company's performance page and CSV count exactly these events ------------
    main_menu(citizen).get_by_role("link", name="How agencies answer").click()
    citizen.locator("table#figures").get_by_role("link", name=AGUAS_EN, exact=True).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(f"How {AGUAS_EN} answers")
    page_rows = figures_table(citizen)
    assert [row[0] for row in page_rows] == ["All categories", "Water leak"]  # the total, and its one category

    with citizen.expect_download() as download_info:
        citizen.get_by_role("link", name="Download these figures (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("performance_esperanza_aguas-esperanza_")
    with open(download.path(), encoding="utf-8", newline="") as handle:
        header, *csv_rows = list(csv.reader(handle))
    # The page's columns are the CSV's figure columns in the same order (the view builds both
    # from one table), so the page's cells are read by the CSV's stable column names.
    keys = header[header.index("category_name") + 1 :]
    assert len(keys) == len(page_rows[0]) - 1
    on_page = dict(zip(keys, page_rows[0][1:], strict=True))
    in_csv = dict(zip(header, csv_rows[0], strict=True))
    assert [(row[header.index("agency_slug")], row[header.index("category_code")]) for row in csv_rows] == [
        ("aguas-esperanza", ""),
        ("aguas-esperanza", "010"),
    ]
    expected = {
        "received_reports": "1",
        "ack_judged_reports": "1",
        "ack_on_time_reports": "1",
        "ack_on_time_pct": "100.0",
        "fixed_reports": "1",
        "fixed_pct": "100.0",
        "closed_without_fix_reports": "0",
        "closed_without_fix_pct": "0.0",
        "reopened_reports": "1",
        "reopened_pct": "100.0",
        "transferred_reports": "1",
        "transferred_pct": "100.0",
        "satisfaction_ratings": "1",
        "satisfaction_mean_1_to_5": "4.00",
        "satisfaction_ci95_low": "",  # no interval from one rating
        "satisfaction_ci95_high": "",
    }
    assert {key: in_csv[key] for key in expected} == expected
    assert {key: on_page[key] for key in expected} == {key: value or "—" for key, value in expected.items()}
    # Minutes passed, not hours: both times exist, are under an hour, and agree.
    for key in ("ack_median_hours", "fix_median_hours"):
        assert 0 <= float(in_csv[key]) < 1, (key, in_csv[key])
        assert on_page[key] == in_csv[key]
    # The page's column headers say what the figures are.
    headers = citizen.locator("table#figures thead th")
    for label in ("Received", "Acknowledged on time (%)", "Fixed (%)", "Reopened (%)", "Transferred (%)"):
        expect(headers.filter(has_text=label)).not_to_have_count(0)
