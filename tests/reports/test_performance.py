"""The public agency performance pages and CSVs, checked against a hand-computed dataset."""

import csv
import datetime as dt
import io
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from civicloop.accounts.enums import Role
from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportStatus
from civicloop.reports.models import Report, ReportContact, ReportFeedback
from civicloop.reports.selectors.performance import Period, figures_by_owner, period_default
from tests.factories import AgencyFactory, JurisdictionFactory, user_with_role
from tests.reports.factories import CategoryFactory, ReportFactory
from tests.web import login, text

pytestmark = pytest.mark.django_db

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")  # UTC−5 all year: boundaries are easy to state
HOST = "pueblo.example.org"
JANUARY = {"from": "2026-01-01", "to": "2026-01-31"}
T0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=BOGOTA)


def h(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


@pytest.fixture(autouse=True)
def _no_cached_figures(settings):
    settings.CIVICLOOP_PERFORMANCE_CACHE_SECONDS = 0


@pytest.fixture
def town(settings):
    settings.ALLOWED_HOSTS = [HOST]
    return JurisdictionFactory(name="Pueblo", slug="pueblo", domain=HOST, time_zone="America/Bogota")


def report(category, owner, *, at=T0, ack=None, fixed=None, closed=None, status=None, **kwargs):
    """A report submitted at `at`, acknowledged ack hours later, fixed/closed fixed/closed hours later."""
    if status is None:
        status = (
            ReportStatus.FIXED
            if fixed is not None
            else ReportStatus.CLOSED_WITHOUT_FIX
            if closed is not None
            else ReportStatus.ACKNOWLEDGED
            if ack is not None
            else ReportStatus.SUBMITTED
        )
    return ReportFactory(
        category=category,
        owner=owner,
        submitted_at=at,
        acknowledge_due_at=at + h(24),
        resolve_due_at=at + h(240),
        acknowledged_at=None if ack is None else at + h(ack),
        fixed_at=None if fixed is None else at + h(fixed),
        closed_at=at + h(fixed if fixed is not None else closed) if (fixed or closed) is not None else None,
        status=status,
        **kwargs,
    )


@pytest.fixture
def data(town):
    """Water (7 received), Roads (2), Parks (none), one triage report, and reports that never count."""
    water = AgencyFactory(jurisdiction=town, name="Water", slug="water")
    roads = AgencyFactory(jurisdiction=town, name="Roads", slug="roads")
    parks = AgencyFactory(jurisdiction=town, name="Parks", slug="parks")
    leak = CategoryFactory(jurisdiction=town, code="leak", name="Leak", order=1)
    pothole = CategoryFactory(jurisdiction=town, code="pothole", name="Pothole", order=2)
    abuse = CategoryFactory(jurisdiction=town, code="abuse", name="Abuse by officials", privacy=PrivacyClass.SENSITIVE)
    a1 = report(leak, water, ack=2, fixed=10, rating=4)
    report(leak, water, ack=30, fixed=40, rating=5, reopened_count=1)
    report(leak, water, ack=4, closed=50, rating=3, close_reason="not_possible")
    report(leak, water, transferred_count=1)  # never acknowledged, long overdue
    report(pothole, water, ack=6, status=ReportStatus.IN_PROGRESS)
    report(leak, water, ack=1, fixed=5, visibility=ReporterVisibility.CONFIDENTIAL)  # totals only
    report(abuse, water, ack=8)  # sensitive: totals only
    report(leak, water, ack=1, fixed=2, status=ReportStatus.UNVERIFIED)  # not received
    report(leak, water, ack=1, status=ReportStatus.DUPLICATE)  # not received
    report(leak, water, at=dt.datetime(2026, 2, 1, 0, 0, tzinfo=BOGOTA), ack=1, fixed=1)  # after the period
    report(pothole, roads, ack=1, fixed=3)
    report(pothole, roads, ack=48, closed=60, reopened_count=1, close_reason="no_further_action")
    report(leak, None)  # triage
    # Personal data that must never show.
    ReportContact.objects.create(
        report=a1, name="Rosalinda Quispe", email="rosalinda@example.net", phone="+57 300 1234567"
    )
    ReportFeedback.objects.create(
        report=a1,
        status_when_asked=ReportStatus.FIXED,
        fixed=True,
        rating=4,
        comment="The plumber Ignacio was rude",
        created_at=T0 + h(12),
    )
    return {"water": water, "roads": roads, "parks": parks, "leak": leak, "pothole": pothole, "abuse": abuse}


HEADER = [
    "period_from_date",
    "period_to_date",
    "agency_slug",
    "agency_name",
    "category_code",
    "category_name",
    "received_reports",
    "ack_judged_reports",
    "ack_on_time_reports",
    "ack_on_time_pct",
    "ack_median_hours",
    "ack_p90_hours",
    "fixed_reports",
    "fixed_pct",
    "fix_median_hours",
    "fix_p90_hours",
    "closed_without_fix_reports",
    "closed_without_fix_pct",
    "reopened_reports",
    "reopened_pct",
    "transferred_reports",
    "transferred_pct",
    "satisfaction_ratings",
    "satisfaction_mean_1_to_5",
    "satisfaction_ci95_low",
    "satisfaction_ci95_high",
]
RANKS = ["rank_by_fixed_pct", "rank_by_fix_median"]

# Hand-computed (see the fixture): acknowledgement hours Water 1,2,4,6,8,30 → median 5.0,
# p90 8 + 0.5·22 = 19.0; fix hours 5,10,40 → median 10.0, p90 10 + 0.8·30 = 34.0;
# ratings 4,5,3 → mean 4, s 1, 4 ± 4.302653/√3 = [1.52, 6.48] cut to 5.
WATER = [
    "7",
    "7",
    "5",
    "71.4",
    "5.0",
    "19.0",
    "3",
    "42.9",
    "10.0",
    "34.0",
    "1",
    "14.3",
    "1",
    "14.3",
    "1",
    "14.3",
    "3",
    "4.00",
    "1.52",
    "5.00",
]
# Roads: acknowledgement 1 h and 48 h → median 24.5, p90 1 + 0.9·47 = 43.3.
ROADS = [
    "2",
    "2",
    "1",
    "50.0",
    "24.5",
    "43.3",
    "1",
    "50.0",
    "3.0",
    "3.0",
    "1",
    "50.0",
    "1",
    "50.0",
    "0",
    "0.0",
    "0",
    "",
    "",
    "",
]
PARKS = ["0", "0", "0", "", "", "", "0", "", "", "", "0", "", "0", "", "0", "", "0", "", "", ""]
TRIAGE = ["1", "1", "0", "0.0", "", "", "0", "0.0", "", "", "0", "0.0", "0", "0.0", "0", "0.0", "0", "", "", ""]
# Water per category, without the confidential leak and the sensitive category.
# Leak: acknowledgement 2, 4, 30 → median 4.0, p90 4 + 0.8·26 = 24.8; fix 10, 40 → 25.0, 37.0.
WATER_LEAK = [
    "4",
    "4",
    "2",
    "50.0",
    "4.0",
    "24.8",
    "2",
    "50.0",
    "25.0",
    "37.0",
    "1",
    "25.0",
    "1",
    "25.0",
    "1",
    "25.0",
    "3",
    "4.00",
    "1.52",
    "5.00",
]
WATER_POTHOLE = [
    "1",
    "1",
    "1",
    "100.0",
    "6.0",
    "6.0",
    "0",
    "0.0",
    "",
    "",
    "0",
    "0.0",
    "0",
    "0.0",
    "0",
    "0.0",
    "0",
    "",
    "",
    "",
]


def get(client, url, **params):
    return client.get(url, params, HTTP_HOST=HOST)


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


class _Tables(HTMLParser):
    """The rows (cell texts) of every <table> on a page, by table id (or position)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._current = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._current = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self._current] = []
        elif tag == "tr" and self._current:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._current].append(self._row)
            self._row = None
        elif tag == "table":
            self._current = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response):
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def page_figures(response):
    """The figure table as {row label: cells}, "—" read as empty, like the CSV."""
    rows = tables(response)["figures"]
    return {row[0]: ["" if cell == "—" else cell for cell in row[1:]] for row in rows[1:]}


# --- Overview ---------------------------------------------------------------------------------


def test_performance_page_every_figure_hand_computed(client, data):
    response = get(client, reverse("reports:performance"), **JANUARY)

    assert response.status_code == 200
    assert page_figures(response) == {
        "Parks": [*PARKS, "", ""],
        "Roads": [*ROADS, "1", "1"],
        "Water": [*WATER, "2", "2"],
        "Triage (unassigned)": [*TRIAGE, "", ""],
    }


def test_performance_csv_every_figure_hand_computed(client, data):
    response = get(client, reverse("reports:performance_csv"), **JANUARY)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="performance_pueblo_2026-01-01_2026-01-31.csv"'
    period = ["2026-01-01", "2026-01-31"]
    assert csv_rows(response) == [
        [*HEADER, *RANKS],
        [*period, "parks", "Parks", "", "", *PARKS, "", ""],
        [*period, "roads", "Roads", "", "", *ROADS, "1", "1"],
        [*period, "water", "Water", "", "", *WATER, "2", "2"],
        [*period, "", "Triage (unassigned)", "", "", *TRIAGE, "", ""],
    ]


def test_performance_page_and_csv_show_the_same_numbers(client, data):
    page = page_figures(get(client, reverse("reports:performance"), **JANUARY))
    rows = csv_rows(get(client, reverse("reports:performance_csv"), **JANUARY))

    assert {row[3]: row[6:] for row in rows[1:]} == page


def test_performance_page_category_filter_leaves_out_confidential(client, data):
    response = get(client, reverse("reports:performance"), category="leak", **JANUARY)

    figures = page_figures(response)
    assert figures["Water"] == [*WATER_LEAK, "1", "1"]
    assert figures["Roads"][:1] == ["0"]
    assert figures["Triage (unassigned)"][:1] == ["1"]


def test_performance_csv_category_filter_names_category_and_filename(client, data):
    response = get(client, reverse("reports:performance_csv"), category="leak", **JANUARY)

    assert response["Content-Disposition"] == 'attachment; filename="performance_pueblo_leak_2026-01-01_2026-01-31.csv"'
    water = next(row for row in csv_rows(response) if row[2] == "water")
    assert water == ["2026-01-01", "2026-01-31", "water", "Water", "leak", "Leak", *WATER_LEAK, "1", "1"]


def test_performance_page_charts_are_accessible_svg_with_table_twins(client, data):
    response = get(client, reverse("reports:performance"), **JANUARY)

    page = response.content.decode()
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", page, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg
        assert re.search(r'aria-label="[^"]+"', svg)
        assert re.search(r"<title>[^<]+</title>", svg)
    twins = [rows for key, rows in tables(response).items() if key != "figures"]
    assert twins == [
        [
            ["Rank", "Agency", "Fixed, as a share of received reports"],
            ["1", "Roads", "50.0"],
            ["2", "Water", "42.9"],
            ["—", "Parks", "—"],
        ],
        [
            ["Rank", "Agency", "Median time to fix, hours"],
            ["1", "Roads", "3.0"],
            ["2", "Water", "10.0"],
            ["—", "Parks", "—"],
        ],
        [["Agency", "Acknowledged on time, %"], ["Parks", "—"], ["Roads", "50.0"], ["Water", "71.4"]],
    ]
    assert "<script" not in page


def test_performance_page_explains_how_we_count(client, data):
    page = text(get(client, reverse("reports:performance"), **JANUARY))

    assert "How we count" in page
    assert "A report closed without fix is never counted as fixed." in page
    assert (
        "Reports the reporter never confirmed (unverified) and reports merged into another one (duplicates) are not counted."
        in page
    )
    assert "With fewer than two ratings there is no interval." in page
    assert "Agencies with the same published figure share a rank" in page


def test_performance_ranking_ties_share_a_rank(client, town):
    pothole = CategoryFactory(jurisdiction=town, code="pothole")
    for name in ("Alpha", "Beta", "Gamma"):
        agency = AgencyFactory(jurisdiction=town, name=name, slug=name.lower())
        report(pothole, agency, ack=1, fixed=5 if name != "Gamma" else 9)
        report(pothole, agency, ack=1)

    rows = csv_rows(get(client, reverse("reports:performance_csv"), **JANUARY))

    keys = ("agency_slug", "fixed_pct", "rank_by_fixed_pct", "fix_median_hours", "rank_by_fix_median")
    assert [tuple(dict(zip(rows[0], row, strict=True))[key] for key in keys) for row in rows[1:]] == [
        ("alpha", "50.0", "1", "5.0", "1"),
        ("beta", "50.0", "1", "5.0", "1"),
        ("gamma", "50.0", "1", "9.0", "3"),
    ]


def test_performance_closed_without_fix_never_counts_as_fixed(client, town):
    agency = AgencyFactory(jurisdiction=town, slug="water")
    leak = CategoryFactory(jurisdiction=town, code="leak")
    # Even with a stale fixed time, a report closed without fix is not fixed.
    report(leak, agency, ack=1, fixed=3, status=ReportStatus.CLOSED_WITHOUT_FIX)
    report(leak, agency, ack=1, closed=4)

    row = csv_rows(get(client, reverse("reports:performance_csv"), **JANUARY))[1]
    values = dict(zip([*HEADER, *RANKS], row, strict=True))

    assert (values["fixed_reports"], values["fixed_pct"], values["fix_median_hours"]) == ("0", "0.0", "")
    assert (values["closed_without_fix_reports"], values["closed_without_fix_pct"]) == ("2", "100.0")


def test_performance_period_includes_whole_first_and_last_day_in_local_time(client, town):
    agency = AgencyFactory(jurisdiction=town, slug="water")
    leak = CategoryFactory(jurisdiction=town, code="leak")
    day = dt.date(2026, 1, 10)
    for moment in (
        dt.datetime(2026, 1, 9, 23, 59, 59, 999999, tzinfo=BOGOTA),  # out
        dt.datetime(2026, 1, 10, 0, 0, tzinfo=BOGOTA),  # in: 05:00 UTC
        dt.datetime(2026, 1, 10, 23, 59, 59, 999999, tzinfo=BOGOTA),  # in: 04:59 UTC on the 11th
        dt.datetime(2026, 1, 11, 0, 0, tzinfo=BOGOTA),  # out
    ):
        report(leak, agency, at=moment)

    response = get(client, reverse("reports:performance_csv"), **{"from": day.isoformat(), "to": day.isoformat()})

    assert csv_rows(response)[1][:7] == ["2026-01-10", "2026-01-10", "water", agency.name, "", "", "2"]


def test_performance_ack_not_yet_due_is_left_out_of_on_time(town):
    agency = AgencyFactory(jurisdiction=town)
    leak = CategoryFactory(jurisdiction=town)
    report(leak, agency, ack=1)
    report(leak, agency)  # due at T0 + 24 h
    period = Period(first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 1, 31))

    before_due = figures_by_owner(jurisdiction=town, period=period, now=T0 + h(23))[agency.pk]
    after_due = figures_by_owner(jurisdiction=town, period=period, now=T0 + h(25))[agency.pk]

    assert (before_due.ack_judged, before_due.ack_on_time) == (1, 1)
    assert (after_due.ack_judged, after_due.ack_on_time) == (2, 1)


def test_performance_percentiles_one_to_ten_hours(town):
    agency = AgencyFactory(jurisdiction=town)
    leak = CategoryFactory(jurisdiction=town)
    for hours in range(1, 11):
        report(leak, agency, ack=hours, fixed=hours)
    period = Period(first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 1, 31))

    figures = figures_by_owner(jurisdiction=town, period=period, now=timezone.now())[agency.pk]

    assert (figures.ack_median, figures.ack_p90) == (h(5.5), h(9.1))
    assert (figures.fix_median, figures.fix_p90) == (h(5.5), h(9.1))


def test_performance_duration_expression_works_on_this_database(town):
    agency = AgencyFactory(jurisdiction=town)
    leak = CategoryFactory(jurisdiction=town)
    report(leak, agency, ack=1.5, fixed=26.25)
    period = Period(first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 1, 31))

    figures = figures_by_owner(jurisdiction=town, period=period, now=timezone.now())[agency.pk]

    assert (connection.vendor, figures.ack_median, figures.fix_p90) == (connection.vendor, h(1.5), h(26.25))


def test_performance_default_period_is_the_last_twelve_months():
    assert period_default(today=dt.date(2026, 11, 23)) == Period(dt.date(2025, 11, 24), dt.date(2026, 11, 23))
    assert period_default(today=dt.date(2028, 2, 29)) == Period(dt.date(2027, 3, 1), dt.date(2028, 2, 29))


def test_performance_page_without_filters_shows_last_twelve_months(client, town):
    today = timezone.localdate(timezone.now(), BOGOTA)

    response = get(client, reverse("reports:performance"))

    first = period_default(today=today).first_day
    assert response.status_code == 200
    assert f"Reports received from {first.isoformat()} to {today.isoformat()}, both days included." in text(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01"}, "From: Enter the date as YYYY-MM-DD, for example 2026-01-31."),
        ({"to": "yesterday"}, "To: Enter the date as YYYY-MM-DD, for example 2026-01-31."),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "To: The last day must be on or after the first day."),
        ({"to": "9999-12-31"}, "To: Choose a date between 1970-01-01 and 2999-12-31."),
        ({"category": "abuse"}, "Category: There is no category with the code “abuse” to show figures for."),
    ],
)
def test_performance_page_bad_filter_says_why(client, data, params, message):
    response = get(client, reverse("reports:performance"), **params)

    assert response.status_code == 400
    page = text(response)
    assert "The figures could not be shown" in page
    assert message in page
    assert 'aria-invalid="true"' in page
    assert 'id="figures"' not in page


def test_performance_csv_bad_filter_is_400_with_message(client, data):
    response = get(client, reverse("reports:performance_csv"), **{"from": "31/01/2026"})

    assert response.status_code == 400
    assert response.content.decode() == "Enter the date as YYYY-MM-DD, for example 2026-01-31.\n"


def test_performance_sensitive_category_is_never_offered(client, data):
    page = get(client, reverse("reports:performance"), **JANUARY).content.decode()

    assert '<option value="leak">Leak</option>' in page
    assert "Abuse by officials" not in page
    assert 'value="abuse"' not in page


# --- One agency ---------------------------------------------------------------------------------


def test_performance_agency_page_total_and_rows_per_category(client, data):
    response = get(client, reverse("reports:performance_agency", kwargs={"slug": "water"}), **JANUARY)

    assert response.status_code == 200
    assert page_figures(response) == {"All categories": WATER, "Leak": WATER_LEAK, "Pothole": WATER_POTHOLE}
    page = response.content.decode()
    assert "Abuse by officials" not in page
    assert len(re.findall(r'<svg role="img"', page)) == 2


def test_performance_agency_csv_same_numbers_as_page(client, data):
    url = reverse("reports:performance_agency_csv", kwargs={"slug": "water"})

    response = get(client, url, **JANUARY)

    assert (
        response["Content-Disposition"] == 'attachment; filename="performance_pueblo_water_2026-01-01_2026-01-31.csv"'
    )
    period = ["2026-01-01", "2026-01-31"]
    rows = csv_rows(response)
    assert rows == [
        HEADER,
        [*period, "water", "Water", "", "", *WATER],
        [*period, "water", "Water", "leak", "Leak", *WATER_LEAK],
        [*period, "water", "Water", "pothole", "Pothole", *WATER_POTHOLE],
    ]
    page = page_figures(get(client, reverse("reports:performance_agency", kwargs={"slug": "water"}), **JANUARY))
    assert [row[6:] for row in rows[1:]] == list(page.values())


def test_performance_agency_category_filter_one_row(client, data):
    url = reverse("reports:performance_agency_csv", kwargs={"slug": "water"})

    rows = csv_rows(get(client, url, category="pothole", **JANUARY))

    assert rows[1:] == [["2026-01-01", "2026-01-31", "water", "Water", "pothole", "Pothole", *WATER_POTHOLE]]


def test_performance_agency_unknown_slug_is_404(client, data):
    assert get(client, reverse("reports:performance_agency", kwargs={"slug": "nobody"})).status_code == 404
    assert get(client, reverse("reports:performance_agency_csv", kwargs={"slug": "nobody"})).status_code == 404


def test_performance_agency_of_another_jurisdiction_is_404(client, data):
    other = JurisdictionFactory(domain="elsewhere.example.org")
    AgencyFactory(jurisdiction=other, slug="fire")

    assert get(client, reverse("reports:performance_agency", kwargs={"slug": "fire"})).status_code == 404


def test_performance_agency_bad_dates_are_400(client, data):
    url = reverse("reports:performance_agency", kwargs={"slug": "water"})

    response = get(client, url, **{"from": "2026-02-30"})

    assert response.status_code == 400
    assert "From: Enter the date as YYYY-MM-DD, for example 2026-01-31." in text(response)


# --- Privacy and permissions -------------------------------------------------------------------


def test_performance_outputs_hold_no_personal_data(client, data):
    urls = [
        reverse("reports:performance"),
        reverse("reports:performance_csv"),
        reverse("reports:performance_agency", kwargs={"slug": "water"}),
        reverse("reports:performance_agency_csv", kwargs={"slug": "water"}),
    ]
    for url in urls:
        for params in (JANUARY, {**JANUARY, "category": "leak"}):
            body = get(client, url, **params).content.decode()
            for secret in ("Rosalinda", "rosalinda@example.net", "1234567", "Ignacio", "plumber"):
                assert secret not in body, (url, secret)


@pytest.mark.parametrize(
    "role", [None, Role.AGENCY_STAFF, Role.AGENCY_MANAGER, Role.SUPERVISOR, Role.MONITOR, Role.ADMINISTRATOR]
)
def test_performance_pages_are_public_for_every_role(client, data, town, role):
    if role is not None:
        login(client, user_with_role(role, jurisdiction=town, agency=data["water"]))
    else:
        client.logout()
    for name, kwargs in (
        ("reports:performance", {}),
        ("reports:performance_csv", {}),
        ("reports:performance_agency", {"slug": "water"}),
        ("reports:performance_agency_csv", {"slug": "water"}),
    ):
        assert get(client, reverse(name, kwargs=kwargs), **JANUARY).status_code == 200, (name, role)


def test_performance_figures_are_the_same_for_staff_and_public(client, data, town):
    url = reverse("reports:performance_csv")
    public = get(client, url, **JANUARY).content

    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=town))

    assert get(client, url, **JANUARY).content == public


# --- Queries ---------------------------------------------------------------------------------------

# Per request: the jurisdiction, categories, agencies, the rolled-up days of the period (none
# here: see test_performance_rollups.py), one GROUP BY (with the percentiles on PostgreSQL;
# SQLite reads durations in one more query).
OVERVIEW_QUERIES = 5 if connection.vendor == "postgresql" else 6
# The jurisdiction, the agency, categories, the total and the rows per category (each after
# its rolled-up days, and with its durations query on SQLite).
AGENCY_QUERIES = 7 if connection.vendor == "postgresql" else 9


def _agencies_with_reports(town, count):
    leak = CategoryFactory(jurisdiction=town, code="leak")
    pothole = CategoryFactory(jurisdiction=town, code="pothole")
    for n in range(count):
        agency = AgencyFactory(jurisdiction=town, slug=f"agency-{n}")
        report(leak, agency, ack=1, fixed=2, rating=4)
        report(pothole, agency, ack=30, closed=40)
    return agency


@pytest.mark.parametrize("count", [1, 3])
def test_performance_page_query_count_is_constant(client, town, django_assert_num_queries, count):
    _agencies_with_reports(town, count)
    report(CategoryFactory(jurisdiction=town), None)

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = get(client, reverse("reports:performance"), **JANUARY)

    assert len(page_figures(response)) == count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_performance_csv_query_count_is_constant(client, town, django_assert_num_queries, count):
    _agencies_with_reports(town, count)

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = get(client, reverse("reports:performance_csv"), **JANUARY)

    assert len(csv_rows(response)) == count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_performance_agency_page_query_count_is_constant(client, town, django_assert_num_queries, count):
    leak = CategoryFactory(jurisdiction=town, code="leak")
    agency = AgencyFactory(jurisdiction=town, slug="water")
    for n in range(count):
        category = leak if n == 0 else CategoryFactory(jurisdiction=town, code=f"c{n}")
        report(category, agency, ack=1, fixed=2, rating=4)

    with django_assert_num_queries(AGENCY_QUERIES):
        response = get(client, reverse("reports:performance_agency", kwargs={"slug": "water"}), **JANUARY)

    assert len(page_figures(response)) == count + 1


# --- Cache ----------------------------------------------------------------------------------------


def test_performance_cached_figures_are_reused_within_the_step(
    client, data, settings, monkeypatch, django_assert_num_queries
):
    settings.CIVICLOOP_PERFORMANCE_CACHE_SECONDS = 300
    # Mid-step, so the two requests cannot straddle a step boundary.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 23, 12, 2, 30, tzinfo=dt.UTC))
    cache.clear()
    url = reverse("reports:performance_csv")
    first = get(client, url, **JANUARY).content
    report(data["leak"], data["water"], ack=1, fixed=2)

    # The jurisdiction, categories and agencies; the figures come from the cache.
    with django_assert_num_queries(3):
        again = get(client, url, **JANUARY).content

    assert again == first
    assert "computed again at most every 5 minutes" in text(get(client, reverse("reports:performance"), **JANUARY))
    cache.clear()


def test_performance_cache_warm_refreshes_the_default_pages_ahead_of_readers(client, data, settings, monkeypatch):
    from civicloop.reports.selectors.performance import performance_cache_warm

    settings.CIVICLOOP_PERFORMANCE_CACHE_SECONDS = 300
    moment = dt.datetime(2026, 11, 23, 12, 2, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    cache.clear()
    url = reverse("reports:performance_csv")
    before = csv_rows(get(client, url))
    report(data["leak"], data["water"], ack=1, fixed=2)

    cached = csv_rows(get(client, url))
    stored = performance_cache_warm(now=moment)
    refreshed = csv_rows(get(client, url))

    assert cached == before  # within the interval readers get the stored figures
    assert stored > 0
    assert refreshed != before  # the worker's run put the new report in without a reader waiting
    cache.clear()


def test_performance_cache_warm_does_nothing_when_caching_is_off(data):
    from civicloop.reports.selectors.performance import performance_cache_warm

    assert performance_cache_warm() == 0


def test_performance_cache_off_shows_changes_at_once(client, data):
    url = reverse("reports:performance_csv")
    before = csv_rows(get(client, url, **JANUARY))
    report(data["leak"], data["water"], ack=1, fixed=2)

    after = csv_rows(get(client, url, **JANUARY))

    assert (before[3][6], after[3][6]) == ("7", "8")
    assert "computed again" not in text(get(client, reverse("reports:performance"), **JANUARY))


# --- Through the real services -----------------------------------------------------------------


def test_performance_shows_a_report_driven_through_the_life_cycle(client, settings):
    from civicloop.reports.services import report_acknowledge, report_feedback_submit, report_fix, report_transfer
    from tests.reports.test_lifecycle import T0 as LIFECYCLE_T0
    from tests.reports.test_lifecycle import make_report, make_town, patched_clock

    town = make_town()
    settings.ALLOWED_HOSTS = [town.j.domain]
    clock, patch = patched_clock(LIFECYCLE_T0)
    with patch:
        subject = make_report(town, acknowledge_due_at=LIFECYCLE_T0 + h(3))  # submitted an hour before T0
        subject = report_acknowledge(report=subject, by=town.staff)
        clock.advance(hours=1)
        subject = report_transfer(report=subject, to_agency=town.water, by=town.staff, reason="The mains are theirs.")
        clock.advance(hours=1)
        subject = report_fix(report=subject, by=town.water_staff)
        clock.advance(hours=1)
        report_feedback_submit(report=subject, fixed=False, rating=None, comment="Still leaking")
        clock.advance(hours=2)
        subject = report_fix(report=Report.objects.get(pk=subject.pk), by=town.water_staff)
        clock.advance(hours=1)
        report_feedback_submit(report=subject, fixed=True, rating=4, comment="Thanks, Dario")
    march = {"from": "2026-03-01", "to": "2026-03-31"}

    response = client.get(reverse("reports:performance_csv"), march, HTTP_HOST=town.j.domain)

    header, *lines = csv_rows(response)
    rows = {line[2]: dict(zip(header, line, strict=True)) for line in lines}
    assert [rows[town.water.slug][key] for key in header[6:]] == [
        *("1", "1", "1", "100.0", "1.0", "1.0"),  # acknowledged an hour after submission, on time
        *("1", "100.0", "6.0", "6.0"),  # the last fix, six hours after submission
        *("0", "0.0", "1", "100.0", "1", "100.0"),  # reopened once, transferred once
        *("1", "4.00", "", ""),  # one rating: no interval
        *("1", "1"),
    ]
    assert rows[town.works.slug]["received_reports"] == "0"
    page = text(client.get(reverse("reports:performance"), march, HTTP_HOST=town.j.domain))
    assert "Still leaking" not in page
    assert "Dario" not in page
