"""The performance rollups (decision 14): the page's figures from rollups equal the exact figures."""

import datetime as dt
import zoneinfo
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportStatus
from civicloop.reports.models import Report
from civicloop.reports.models.performance import PerformanceRollup, PerformanceRollupDay, PerformanceRollupState
from civicloop.reports.selectors import performance
from civicloop.reports.selectors.performance import (
    Period,
    category_list_performance,
    figures_by_owner,
    figures_for_agency,
    period_default,
)
from civicloop.reports.services.performance import performance_rollup_jurisdiction, performance_rollup_refresh
from civicloop.reports.stats import (
    DISTRIBUTION_EXACT_MAX,
    DISTRIBUTION_RELATIVE_ERROR,
    Distribution,
    bucket_bounds,
    bucket_of,
    percentile_duration,
)
from civicloop.reports.views.performance import published
from tests.factories import AgencyFactory, JurisdictionFactory
from tests.reports.factories import CategoryFactory, ReportFactory

pytestmark = pytest.mark.django_db

MEDIAN, P90 = Fraction(1, 2), Fraction(9, 10)
HOUR = dt.timedelta(hours=1)
ZONES = ("America/Bogota", "Pacific/Auckland", "Europe/Madrid")


@pytest.fixture(autouse=True)
def _no_cached_figures(settings):
    settings.CIVICLOOP_PERFORMANCE_CACHE_SECONDS = 0


# --- Distributions ------------------------------------------------------------------------------


@given(st.integers(min_value=-(2**50), max_value=2**50))
def test_bucket_of_value_lies_within_its_bounds(value):
    lo, hi = bucket_bounds(bucket_of(value))

    assert lo <= value < hi
    assert hi - lo == 1 or (hi - lo) <= abs(lo) * DISTRIBUTION_RELATIVE_ERROR


@given(st.integers(min_value=0, max_value=2**48), st.integers(min_value=0, max_value=2**48))
def test_bucket_of_keeps_order(a, b):
    if a <= b:
        assert bucket_of(a) <= bucket_of(b)


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=60), st.sampled_from([MEDIAN, P90]))
def test_distribution_exact_values_give_the_exact_percentile(values, p):
    distribution = Distribution()
    for value in values:
        distribution.add(value)

    assert distribution.is_exact
    assert distribution.percentile(p) == percentile_duration([dt.timedelta(microseconds=v) for v in values], p)


@given(st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=400), st.sampled_from([MEDIAN, P90]))
def test_distribution_buckets_give_a_percentile_within_the_stated_error(values, p):
    distribution = Distribution.bucketed()
    for value in values:
        distribution.add(value)
    exact = percentile_duration([dt.timedelta(microseconds=v) for v in values], p)

    estimate = distribution.percentile(p)

    assert abs(estimate - exact) <= exact * float(DISTRIBUTION_RELATIVE_ERROR) + dt.timedelta(microseconds=1)


@given(st.lists(st.lists(st.integers(min_value=0, max_value=10**9), max_size=30), max_size=8))
def test_distribution_merged_and_stored_equals_one_of_all_values(parts):
    merged = Distribution()
    for part in parts:
        stored = Distribution.from_json(Distribution(values=list(part)).limit().to_json())
        merged.merge(stored)
    everything = [value for part in parts for value in part]

    assert merged.count == len(everything)
    assert merged.percentile(MEDIAN) == percentile_duration([dt.timedelta(microseconds=v) for v in everything], MEDIAN)


def test_distribution_over_the_exact_limit_is_stored_as_buckets():
    distribution = Distribution(values=list(range(DISTRIBUTION_EXACT_MAX + 1)))

    stored = distribution.limit().to_json()

    assert "counts" in stored
    assert Distribution.from_json(stored).count == DISTRIBUTION_EXACT_MAX + 1


# --- Rollups against the exact figures -------------------------------------------------------------


def exact(monkeypatch, compute):
    """compute() with the rollups out of the way: the figures straight from the reports."""
    with monkeypatch.context() as patch:
        patch.setattr(performance, "_figures_rolled", lambda **kwargs: None)
        return compute()


def snapshot(jurisdiction, periods, now):
    """Every figure the pages can show for periods, as published (rounded), by what it is."""
    categories = category_list_performance(jurisdiction=jurisdiction)
    agencies = list(jurisdiction.agencies.order_by("pk"))
    result = {}
    for period in periods:
        for category in [None, *categories]:
            overview = figures_by_owner(jurisdiction=jurisdiction, period=period, now=now, category=category)
            for owner, figures in overview.items():
                result[(period, category and category.code, "owner", owner)] = published(figures)
            for agency in agencies:
                one = figures_for_agency(
                    jurisdiction=jurisdiction,
                    period=period,
                    now=now,
                    agency=agency,
                    categories=categories,
                    category=category,
                )
                result[(period, category and category.code, "agency", agency.slug)] = published(one.total)
                for row_category, figures in one.by_category:
                    result[(period, category and category.code, agency.slug, row_category.code)] = published(figures)
    return result


def rolled_is_used(jurisdiction, period, now):
    return (
        performance._figures_rolled(
            jurisdiction=jurisdiction, period=period, now=now, group="owner_id", owner=None, category=None
        )
        is not None
    )


def town_with_agencies(zone):
    jurisdiction = JurisdictionFactory(time_zone=zone)
    agencies = [AgencyFactory(jurisdiction=jurisdiction, slug=f"agency-{n}") for n in range(2)]
    categories = [
        CategoryFactory(jurisdiction=jurisdiction, code="leak"),
        CategoryFactory(jurisdiction=jurisdiction, code="pothole"),
        CategoryFactory(jurisdiction=jurisdiction, code="abuse", privacy=PrivacyClass.SENSITIVE),
    ]
    return jurisdiction, agencies, categories


def settle(jurisdiction, now):
    """The reports as if last changed a day ago (not since the worker's run), and rolled up at now."""
    Report.objects.filter(jurisdiction=jurisdiction).update(updated_at=now - dt.timedelta(days=1))
    performance_rollup_jurisdiction(jurisdiction=jurisdiction, now=now)


STATUSES = [
    ReportStatus.SUBMITTED,
    ReportStatus.ACKNOWLEDGED,
    ReportStatus.IN_PROGRESS,
    ReportStatus.FIXED,
    ReportStatus.FIXED,
    ReportStatus.CLOSED_WITHOUT_FIX,
    ReportStatus.UNVERIFIED,
    ReportStatus.DUPLICATE,
]

report_specs = st.lists(
    st.fixed_dictionaries(
        {
            "days_back": st.integers(min_value=0, max_value=100),
            # Midnight, the last microsecond of the day, or any moment.
            "moment": st.one_of(
                st.just(dt.time(0, 0)),
                st.just(dt.time(23, 59, 59, 999999)),
                st.times(),
            ),
            "owner": st.integers(min_value=0, max_value=2),
            "category": st.integers(min_value=0, max_value=2),
            "confidential": st.booleans(),
            "status": st.sampled_from(STATUSES),
            "ack_minutes": st.one_of(st.none(), st.integers(min_value=0, max_value=6000)),
            "due_minutes": st.integers(min_value=1, max_value=4000),
            "fix_minutes": st.integers(min_value=0, max_value=20000),
            "seconds": st.integers(min_value=0, max_value=59_999_999),
            "reopened": st.integers(min_value=0, max_value=2),
            "transferred": st.integers(min_value=0, max_value=2),
            "rating": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
        }
    ),
    min_size=1,
    max_size=DISTRIBUTION_EXACT_MAX,
)


def make_reports(jurisdiction, agencies, categories, specs, now):
    tzinfo = jurisdiction.tzinfo
    today = timezone.localtime(now, tzinfo).date()
    built = []
    for n, spec in enumerate(specs):
        day = today - dt.timedelta(days=spec["days_back"])
        submitted = min(dt.datetime.combine(day, spec["moment"], tzinfo=tzinfo), now - dt.timedelta(seconds=1))
        status = spec["status"]
        owner = agencies[spec["owner"]] if spec["owner"] < len(agencies) else None
        noise = dt.timedelta(microseconds=spec["seconds"])
        ack = (
            submitted + dt.timedelta(minutes=spec["ack_minutes"]) + noise
            if spec["ack_minutes"] is not None and status != ReportStatus.SUBMITTED
            else None
        )
        fixed = ack + dt.timedelta(minutes=spec["fix_minutes"]) if ack and status == ReportStatus.FIXED else None
        built.append(
            ReportFactory.build(
                jurisdiction=jurisdiction,
                category=categories[spec["category"]],
                reference=f"R{jurisdiction.pk:03d}{n:04d}",
                owner=owner,
                in_triage=owner is None,
                status=status,
                visibility=ReporterVisibility.CONFIDENTIAL if spec["confidential"] else ReporterVisibility.PUBLIC,
                submitted_at=submitted,
                acknowledge_due_at=submitted + dt.timedelta(minutes=spec["due_minutes"]),
                acknowledged_at=ack,
                fixed_at=fixed,
                closed_at=fixed,
                reopened_count=spec["reopened"],
                transferred_count=spec["transferred"],
                rating=spec["rating"],
            )
        )
    Report.objects.bulk_create(built)


def periods_around(today):
    """The default period, the last 30 days, a span over whole months with edges, one day."""
    month_start = (today - dt.timedelta(days=75)).replace(day=1)
    return [
        period_default(today=today),
        Period(first_day=today - dt.timedelta(days=29), last_day=today),
        Period(first_day=month_start + dt.timedelta(days=3), last_day=today - dt.timedelta(days=8)),
        Period(first_day=today - dt.timedelta(days=5), last_day=today - dt.timedelta(days=5)),
    ]


@hypothesis_settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    specs=report_specs,
    zone=st.sampled_from(ZONES),
    edits=st.lists(st.integers(min_value=0), max_size=4),
)
def test_performance_rollup_figures_equal_exact_figures_on_random_reports(monkeypatch, specs, zone, edits):
    jurisdiction, agencies, categories = town_with_agencies(zone)
    now = timezone.now()
    make_reports(jurisdiction, agencies, categories, specs, now)
    periods = periods_around(timezone.localtime(now, jurisdiction.tzinfo).date())
    settle(jurisdiction, now)

    # Rolled-up days are those before today; today is always tallied from the reports.
    assert rolled_is_used(jurisdiction, periods[0], now) == any(spec["days_back"] > 0 for spec in specs)
    assert snapshot(jurisdiction, periods, now) == exact(monkeypatch, lambda: snapshot(jurisdiction, periods, now))

    # Changes after the run (reopened, transferred, rated again): the next run rolls them up.
    reports = list(Report.objects.filter(jurisdiction=jurisdiction).order_by("pk"))
    for index in edits:
        subject = reports[index % len(reports)]
        subject.rating = 5 if subject.rating != 5 else 1
        subject.reopened_count += 1
        subject.transferred_count += 1
        subject.owner, subject.in_triage = agencies[1], False
        subject.save()
    later = timezone.now()
    performance_rollup_jurisdiction(jurisdiction=jurisdiction, now=later)
    assert snapshot(jurisdiction, periods, later) == exact(monkeypatch, lambda: snapshot(jurisdiction, periods, later))


def test_performance_rollup_month_rows_are_used_for_whole_months(monkeypatch):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    specs = [
        {
            "days_back": days,
            "moment": dt.time(12, 0),
            "owner": days % 3,
            "category": days % 3,
            "confidential": days % 4 == 0,
            "status": STATUSES[days % len(STATUSES)],
            "ack_minutes": days * 7,
            "due_minutes": 600,
            "fix_minutes": days * 13,
            "seconds": days * 1000,
            "reopened": days % 2,
            "transferred": days % 3 == 0,
            "rating": days % 5 + 1,
        }
        for days in range(1, 100)
    ]
    make_reports(jurisdiction, agencies, categories, specs, now)
    settle(jurisdiction, now)
    today = timezone.localtime(now, jurisdiction.tzinfo).date()
    month = (today - dt.timedelta(days=60)).replace(day=1)
    whole_month = Period(first_day=month, last_day=(month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(1))

    assert PerformanceRollup.objects.filter(jurisdiction=jurisdiction, grain="month", day=month).exists()
    assert snapshot(jurisdiction, [whole_month], now) == exact(
        monkeypatch, lambda: snapshot(jurisdiction, [whole_month], now)
    )


def test_performance_rollup_large_groups_have_exact_counts_and_close_percentiles(monkeypatch):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    count = DISTRIBUTION_EXACT_MAX * 2
    specs = [
        {
            "days_back": 3 + n % 2,
            "moment": dt.time(n % 24, n % 60),
            "owner": 0,
            "category": 0,
            "confidential": False,
            "status": ReportStatus.FIXED,
            "ack_minutes": (n * 37) % 3000,
            "due_minutes": 1440,
            "fix_minutes": (n * 101) % 9000,
            "seconds": n * 7919,
            "reopened": 0,
            "transferred": 0,
            "rating": n % 5 + 1,
        }
        for n in range(count)
    ]
    make_reports(jurisdiction, agencies, categories, specs, now)
    settle(jurisdiction, now)
    period = Period(
        first_day=timezone.localtime(now, jurisdiction.tzinfo).date() - dt.timedelta(days=10),
        last_day=timezone.localtime(now, jurisdiction.tzinfo).date(),
    )

    rolled = figures_by_owner(jurisdiction=jurisdiction, period=period, now=now)[agencies[0].pk]
    live = exact(monkeypatch, lambda: figures_by_owner(jurisdiction=jurisdiction, period=period, now=now))[
        agencies[0].pk
    ]

    assert rolled.received == live.received == count
    assert (rolled.ack_judged, rolled.ack_on_time, rolled.fixed, rolled.rating_sum) == (
        live.ack_judged,
        live.ack_on_time,
        live.fixed,
        live.rating_sum,
    )
    for name in ("ack_median", "ack_p90", "fix_median", "fix_p90"):
        estimate, truth = getattr(rolled, name), getattr(live, name)
        assert abs(estimate - truth) <= truth * float(DISTRIBUTION_RELATIVE_ERROR) + dt.timedelta(microseconds=1)


def test_performance_rollup_day_goes_stale_when_an_acknowledgement_falls_due(monkeypatch):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - HOUR, acknowledge_due_at=now + HOUR)
    ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - 30 * HOUR)
    settle(jurisdiction, now)
    periods = periods_around(timezone.localtime(now, jurisdiction.tzinfo).date())

    for moment in (now, now + 2 * HOUR):
        assert snapshot(jurisdiction, periods, moment) == exact(
            monkeypatch, lambda moment=moment: snapshot(jurisdiction, periods, moment)
        )
    assert (
        figures_by_owner(jurisdiction=jurisdiction, period=periods[1], now=now + 2 * HOUR)[agencies[0].pk].ack_judged
        == 2
    )
    assert performance_rollup_jurisdiction(jurisdiction=jurisdiction, now=now + 2 * HOUR) >= 1
    assert not PerformanceRollupDay.objects.filter(jurisdiction=jurisdiction, stale_at__isnull=False).exists()


def test_performance_rollup_today_counts_at_once_older_changes_after_the_next_run(monkeypatch):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    older = ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - 60 * HOUR, rating=1)
    settle(jurisdiction, now)
    period = periods_around(timezone.localtime(now, jurisdiction.tzinfo).date())[1]
    ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now, rating=5)
    older.rating = 3
    older.save()
    later = timezone.now()

    def ratings():
        return figures_by_owner(jurisdiction=jurisdiction, period=period, now=later)[agencies[0].pk].rating_sum

    assert ratings() == 1 + 5  # today's new report at once; the older report as rolled up
    assert exact(monkeypatch, ratings) == 3 + 5
    performance_rollup_refresh(now=later)
    assert ratings() == 3 + 5


def test_performance_rollup_deleted_report_is_not_counted(monkeypatch):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    gone = ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - 50 * HOUR)
    ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - 50 * HOUR)
    settle(jurisdiction, now)
    period = periods_around(timezone.localtime(now, jurisdiction.tzinfo).date())[1]

    gone.delete()

    assert figures_by_owner(jurisdiction=jurisdiction, period=period, now=now)[agencies[0].pk].received == 1


def test_performance_rollup_of_another_time_zone_is_not_used_until_rebuilt(monkeypatch):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    for hours in (1, 5, 20, 26, 49):
        ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - hours * HOUR - 3 * 24 * HOUR)
    settle(jurisdiction, now)
    jurisdiction.time_zone = "Asia/Tokyo"
    jurisdiction.save()
    periods = periods_around(timezone.localtime(now, zoneinfo.ZoneInfo("Asia/Tokyo")).date())

    assert not rolled_is_used(jurisdiction, periods[0], now)
    assert snapshot(jurisdiction, periods, now) == exact(monkeypatch, lambda: snapshot(jurisdiction, periods, now))
    performance_rollup_refresh(now=now)
    assert PerformanceRollupState.objects.get(jurisdiction=jurisdiction).time_zone == "Asia/Tokyo"
    assert rolled_is_used(jurisdiction, periods[0], now)
    assert snapshot(jurisdiction, periods, now) == exact(monkeypatch, lambda: snapshot(jurisdiction, periods, now))


def test_performance_rollup_command_rebuilds_every_day(capsys):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - 24 * 10 * HOUR)

    call_command("performance_rollups", "--rebuild")

    assert "Rolled up" in capsys.readouterr().out
    assert PerformanceRollupDay.objects.filter(jurisdiction=jurisdiction).count() >= 10
    assert PerformanceRollup.objects.filter(jurisdiction=jurisdiction, owner=agencies[0], grain="day").count() == 2


def test_performance_rollup_refresh_is_a_periodic_job(settings):
    assert "civicloop.reports.services.performance.performance_rollup_refresh" in settings.CIVICLOOP_PERIODIC


def test_performance_rollup_sensitive_category_change_applies_at_once(monkeypatch):
    jurisdiction, agencies, categories = town_with_agencies("America/Bogota")
    now = timezone.now()
    ReportFactory(category=categories[0], owner=agencies[0], submitted_at=now - 40 * HOUR)
    settle(jurisdiction, now)
    period = periods_around(timezone.localtime(now, jurisdiction.tzinfo).date())[1]
    categories[0].privacy = PrivacyClass.SENSITIVE
    categories[0].save()

    rolled = figures_for_agency(
        jurisdiction=jurisdiction, period=period, now=now, agency=agencies[0], categories=categories
    )

    assert rolled.total.received == 1
    assert rolled.by_category == []


# --- Through the real services and the page -------------------------------------------------------


def test_performance_rollup_page_follows_the_life_cycle_after_a_run(client, settings, monkeypatch):
    from civicloop.reports.services import (
        report_acknowledge,
        report_feedback_submit,
        report_fix,
        report_reopen,
        report_transfer,
    )
    from tests.reports.test_lifecycle import make_report, make_town

    town = make_town()
    settings.ALLOWED_HOSTS = [town.j.domain]
    now = timezone.now()
    subject = make_report(town, submitted_at=now - 30 * HOUR, acknowledge_due_at=now - 20 * HOUR)
    make_report(town, submitted_at=now - 80 * HOUR, acknowledge_due_at=now - 70 * HOUR)
    settle(town.j, now)
    url = reverse("reports:performance_csv")
    today = timezone.localtime(now, town.j.tzinfo).date()
    query = {"from": (today - dt.timedelta(days=10)).isoformat(), "to": today.isoformat()}

    def page():
        return client.get(url, query, HTTP_HOST=town.j.domain).content

    def both():
        return page(), exact(monkeypatch, page)

    first, truth = both()
    assert first == truth
    subject = report_acknowledge(report=subject, by=town.staff)
    subject = report_transfer(report=subject, to_agency=town.water, by=town.staff, reason="The mains are theirs.")
    subject = report_fix(report=subject, by=town.water_staff)
    report_feedback_submit(report=subject, fixed=False, rating=2, comment="Still leaking")
    assert Report.objects.get(pk=subject.pk).reopened_count == 1
    assert page() == first  # a report of an earlier day: as rolled up until the next run
    performance_rollup_refresh()
    changed, truth = both()
    assert changed == truth != first
    subject = report_fix(report=Report.objects.get(pk=subject.pk), by=town.water_staff)
    report_feedback_submit(report=subject, fixed=True, rating=5)
    performance_rollup_refresh()
    again, truth = both()
    assert again == truth != changed
    report_reopen(report=Report.objects.get(pk=subject.pk), by=town.staff)
    performance_rollup_refresh()
    assert both()[0] == both()[1]


@pytest.mark.parametrize("count", [1, 3])
def test_performance_rollup_page_query_count_is_constant(client, settings, django_assert_num_queries, count):
    jurisdiction, _agencies, categories = town_with_agencies("America/Bogota")
    settings.ALLOWED_HOSTS = [jurisdiction.domain]
    now = timezone.now()
    for n in range(count):
        agency = AgencyFactory(jurisdiction=jurisdiction, slug=f"extra-{n}")
        ReportFactory(category=categories[n % 2], owner=agency, submitted_at=now - (40 + n) * 24 * HOUR)
    settle(jurisdiction, now)

    # The jurisdiction, categories, agencies; the rolled-up days, the rollup rows and the reports
    # of the days not rolled up (today, and the days before the first report).
    with django_assert_num_queries(6):
        response = client.get(reverse("reports:performance"), HTTP_HOST=jurisdiction.domain)

    assert response.status_code == 200
