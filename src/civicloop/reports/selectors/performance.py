"""Figures for the public agency performance page and its CSV: how every agency answers.

How we count (the page says the same in plain words, in its "How we count" section):

- **Which reports.** Reports *received* in the period: submitted between the start of the
  "from" day and the end of the "to" day, both in the jurisdiction's time zone. Unverified
  reports (the reporter never confirmed them) and reports merged as duplicates are not counted.
  Every figure describes these reports, as they stand now.
- **Which agency.** A report counts for the agency that owns it now (after any transfers);
  reports no rule could route and still waiting in the triage queue count as
  "Triage (unassigned)", which is never ranked.
- **Acknowledged on time %.** Among received reports that were acknowledged, or whose
  acknowledgement was already due: the share acknowledged at or before the due time. Reports
  not yet acknowledged and not yet due are left out: they can still be on time.
- **Time to acknowledge.** acknowledged − submitted, for acknowledged reports; **time to fix**
  fixed − submitted, for reports fixed now (after a reopening, the last fix counts). Median and
  90th percentile, interpolated between the two nearest reports (PostgreSQL's percentile_cont).
- **Fixed %**, **closed without fix %**: share of received reports whose status now is fixed,
  or closed without fix. Closed without fix is never counted as fixed.
- **Reopened %**, **transferred %**: share reopened at least once, transferred at least once.
- **Satisfaction**: mean of each report's latest rating (1–5; one voice per report), with n
  and a 95% confidence interval (Student's t); no interval below two ratings.
- **Rankings** (made by the view from the published, rounded figures): agencies with received
  reports by fixed % (highest first) and by median time to fix (shortest first, agencies with a
  fixed report); equal figures share a rank and the next is skipped (1, 2, 2, 4).
- **Privacy.** Confidential reports and reports in sensitive categories count in agency totals
  (they are part of how the agency answers, and a total reveals nothing about a person) but
  never in a per-category figure, and sensitive categories are never listed, so a small number
  in a narrow row cannot point at someone.

Speed: a year of a big city's reports is a full scan, seconds on a small server. The figures of
one query are therefore kept in Django's cache (shared by the web processes and the worker) for
`CIVICLOOP_PERFORMANCE_CACHE_SECONDS` (0 = computed on every request), keyed by the query's SQL,
and the worker recomputes the default pages every such interval (`performance_cache_warm`), so a
reader of the default pages never waits for the computation. The page says how old the figures
may be.

Queries: one GROUP BY per table (counts with Count(filter=...)); on PostgreSQL the medians and
90th percentiles are ordered-set aggregates in the same query, elsewhere (SQLite) one more query
reads the durations and `stats.percentile` computes them — the same interpolation.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum
from django.utils import timezone

from civicloop.core.models import Agency, Jurisdiction
from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportStatus
from civicloop.reports.models import Category, Report
from civicloop.reports.stats import percentile_duration

MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)

#: Never counted as received: not confirmed by the reporter, or merged into another report.
NOT_RECEIVED = (ReportStatus.UNVERIFIED, ReportStatus.DUPLICATE)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: percentile_cont(p) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, *, fraction: Fraction, **extra: Any) -> None:
        # A literal in the SQL (a parameter would not be allowed there); fraction is ours, never input.
        super().__init__(expression, fraction=repr(float(fraction)), output_field=DurationField(), **extra)


def _duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


@dataclass
class Figures:
    """The raw counts and durations of one row (agency, agency × category, ...)."""

    received: int = 0
    ack_judged: int = 0
    ack_on_time: int = 0
    ack_median: dt.timedelta | None = None
    ack_p90: dt.timedelta | None = None
    fixed: int = 0
    fix_median: dt.timedelta | None = None
    fix_p90: dt.timedelta | None = None
    closed_without_fix: int = 0
    reopened: int = 0
    transferred: int = 0
    rating_n: int = 0
    rating_sum: int = 0
    rating_sum_of_squares: int = 0


@dataclass(frozen=True)
class Period:
    """Whole days in the jurisdiction's time zone, both ends included."""

    first_day: dt.date
    last_day: dt.date

    def bounds(self, tzinfo: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """[start of first_day, start of the day after last_day) as aware datetimes."""
        start = dt.datetime.combine(self.first_day, dt.time.min, tzinfo=tzinfo)
        end = dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tzinfo)
        return start, end


def period_default(*, today: dt.date) -> Period:
    """The last 12 months: the 365 (or 366) days up to and including today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return Period(first_day=year_ago + dt.timedelta(days=1), last_day=today)


def category_list_performance(*, jurisdiction: Jurisdiction) -> list[Category]:
    """Categories that may have their own figures: every one that is not sensitive."""
    return list(
        Category.objects.filter(jurisdiction=jurisdiction)
        .exclude(privacy=PrivacyClass.SENSITIVE)
        .order_by("order", "name", "code")
    )


def agency_list_performance(*, jurisdiction: Jurisdiction) -> list[Agency]:
    """Every agency of the jurisdiction; inactive ones too, since old reports still count for them."""
    return list(Agency.objects.filter(jurisdiction=jurisdiction).order_by("name", "pk"))


def _received(*, jurisdiction: Jurisdiction, period: Period, per_category: bool) -> QuerySet[Report]:
    start, end = period.bounds(jurisdiction.tzinfo)
    reports = Report.objects.filter(jurisdiction=jurisdiction, submitted_at__gte=start, submitted_at__lt=end).exclude(
        status__in=NOT_RECEIVED
    )
    if per_category:
        reports = reports.exclude(visibility=ReporterVisibility.CONFIDENTIAL).exclude(
            category__privacy=PrivacyClass.SENSITIVE
        )
    return reports


def cache_seconds() -> int:
    """How long computed figures are reused (0 = computed on every request)."""
    return int(getattr(settings, "CIVICLOOP_PERFORMANCE_CACHE_SECONDS", 0) or 0)


def _figures(reports: QuerySet[Report], group: str, *, now: dt.datetime) -> dict[Any, Figures]:
    """Figures per value of group (a column name), from the cache or computed (see the module docstring)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return _figures_computed(reports, group, now=now)
    sql, params = reports.values(group).query.sql_with_params()
    digest = hashlib.sha256(repr((connection.alias, sql, params, group)).encode()).hexdigest()
    key = f"civicloop:performance:{digest}"
    entry: tuple[dt.datetime, dict[Any, Figures]] | None = None if _refresh.get() else cache.get(key)
    if entry is not None and (now - entry[0]).total_seconds() < seconds:
        return entry[1]
    figures = _figures_computed(reports, group, now=now)
    # Kept longer than it is fresh, so a slow recomputation never leaves the key empty.
    cache.set(key, (now, figures), seconds * 4)
    return figures


_refresh: contextvars.ContextVar[bool] = contextvars.ContextVar("civicloop_performance_refresh", default=False)


def performance_cache_warm(*, now: dt.datetime | None = None) -> int:
    """Compute the default pages' figures ahead of readers (run by the worker, see
    settings.CIVICLOOP_PERIODIC): the overview and every agency's page for the default period of
    every jurisdiction. Returns how many figure sets were stored; nothing when caching is off."""
    if cache_seconds() <= 0:
        return 0
    now = now or timezone.now()
    stored = 0
    token = _refresh.set(True)
    try:
        for jurisdiction in Jurisdiction.objects.all():
            period = period_default(today=timezone.localtime(now, jurisdiction.tzinfo).date())
            figures_by_owner(jurisdiction=jurisdiction, period=period, now=now)
            stored += 1
            categories = category_list_performance(jurisdiction=jurisdiction)
            for agency in agency_list_performance(jurisdiction=jurisdiction):
                figures_for_agency(
                    jurisdiction=jurisdiction, period=period, now=now, agency=agency, categories=categories
                )
                stored += 2
    finally:
        _refresh.reset(token)
    return stored


def _figures_computed(reports: QuerySet[Report], group: str, *, now: dt.datetime) -> dict[Any, Figures]:
    """Figures per value of group (a column name), in one query (two without percentile_cont)."""
    acknowledged = Q(acknowledged_at__isnull=False)
    fixed = Q(status=ReportStatus.FIXED, fixed_at__isnull=False)
    aggregates: dict[str, Any] = {
        "received": Count("pk"),
        "ack_judged": Count("pk", filter=acknowledged | Q(acknowledge_due_at__lte=now)),
        "ack_on_time": Count("pk", filter=Q(acknowledged, acknowledged_at__lte=F("acknowledge_due_at"))),
        "fixed": Count("pk", filter=fixed),
        "closed_without_fix": Count("pk", filter=Q(status=ReportStatus.CLOSED_WITHOUT_FIX)),
        "reopened": Count("pk", filter=Q(reopened_count__gt=0)),
        "transferred": Count("pk", filter=Q(transferred_count__gt=0)),
        "rating_n": Count("rating"),
        "rating_sum": Sum("rating"),
        "rating_sum_of_squares": Sum(F("rating") * F("rating")),
    }
    in_sql = connection.vendor == "postgresql"
    if in_sql:
        to_ack = _duration("acknowledged_at", "submitted_at")
        to_fix = _duration("fixed_at", "submitted_at")
        aggregates |= {
            "ack_median": PercentileCont(to_ack, fraction=MEDIAN, filter=acknowledged),
            "ack_p90": PercentileCont(to_ack, fraction=P90, filter=acknowledged),
            "fix_median": PercentileCont(to_fix, fraction=MEDIAN, filter=fixed),
            "fix_p90": PercentileCont(to_fix, fraction=P90, filter=fixed),
        }
    rows: dict[Any, Figures] = {}
    # Grouping by column + 0 rather than the column: with an index on the column, PostgreSQL
    # feeds the ordered-set aggregates by walking that index (random reads, 9 s cold at 1M
    # reports); on an expression it scans in parallel and sorts (3 s on the same machine).
    grouped = reports.order_by().values(group_key=ExpressionWrapper(F(group) + 0, output_field=IntegerField()))
    for values in grouped.annotate(**aggregates):
        key = values.pop("group_key")
        # Sum() of no ratings is NULL; the figures want 0.
        fields: dict[str, Any] = {
            name: (value or 0) if name.startswith("rating") else value for name, value in values.items()
        }
        rows[key] = Figures(**fields)
    if not in_sql:
        _add_percentiles(rows, reports, group, acknowledged=acknowledged, fixed=fixed)
    return rows


def _add_percentiles(
    rows: dict[Any, Figures], reports: QuerySet[Report], group: str, *, acknowledged: Q, fixed: Q
) -> None:
    """Medians and 90th percentiles in Python, from one query of durations (databases without percentile_cont)."""
    to_ack: defaultdict[Any, list[dt.timedelta]] = defaultdict(list)
    to_fix: defaultdict[Any, list[dt.timedelta]] = defaultdict(list)
    durations = (
        reports.filter(acknowledged | fixed)
        .order_by()
        .values_list(
            group, "status", _duration("acknowledged_at", "submitted_at"), _duration("fixed_at", "submitted_at")
        )
    )
    for key, status, ack, fix in durations:
        if ack is not None:
            to_ack[key].append(ack)
        if status == ReportStatus.FIXED and fix is not None:
            to_fix[key].append(fix)
    for key, figures in rows.items():
        figures.ack_median = percentile_duration(to_ack[key], MEDIAN)
        figures.ack_p90 = percentile_duration(to_ack[key], P90)
        figures.fix_median = percentile_duration(to_fix[key], MEDIAN)
        figures.fix_p90 = percentile_duration(to_fix[key], P90)


def figures_by_owner(
    *,
    jurisdiction: Jurisdiction,
    period: Period,
    now: dt.datetime,
    category: Category | None = None,
    owner: Agency | None = None,
) -> dict[int | None, Figures]:
    """Figures per owning agency id (None = the triage queue), or of one owner. With a category,
    only that category's figures, which (like every per-category figure) leave out confidential reports."""
    reports = _received(jurisdiction=jurisdiction, period=period, per_category=category is not None)
    if category is not None:
        reports = reports.filter(category=category)
    if owner is not None:
        reports = reports.filter(owner=owner)
    return _figures(reports, "owner_id", now=now)


def figures_by_category(
    *, jurisdiction: Jurisdiction, period: Period, now: dt.datetime, owner: Agency, category: Category | None = None
) -> dict[int, Figures]:
    """Figures of one agency per category id: never a sensitive category, never a confidential report."""
    reports = _received(jurisdiction=jurisdiction, period=period, per_category=True).filter(owner=owner)
    if category is not None:
        reports = reports.filter(category=category)
    return _figures(reports, "category_id", now=now)


@dataclass
class AgencyFigures:
    """An agency's total (or, with a category filter, that category's) and its rows per category."""

    total: Figures
    by_category: list[tuple[Category, Figures]] = field(default_factory=list)


def figures_for_agency(
    *,
    jurisdiction: Jurisdiction,
    period: Period,
    now: dt.datetime,
    agency: Agency,
    categories: Iterable[Category],
    category: Category | None = None,
) -> AgencyFigures:
    """One agency's figures: its total and a row for each category it received reports in."""
    totals = figures_by_owner(jurisdiction=jurisdiction, period=period, now=now, category=category, owner=agency)
    per_category = figures_by_category(
        jurisdiction=jurisdiction, period=period, now=now, owner=agency, category=category
    )
    return AgencyFigures(
        total=totals.get(agency.pk, Figures()),
        by_category=[(c, per_category[c.pk]) for c in categories if c.pk in per_category],
    )
