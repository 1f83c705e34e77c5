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

Speed: a year of a big city's reports is a full scan, seconds on a small server. The worker
therefore keeps rollups (`civicloop.reports.models.performance`, decision 14): the figures above
per day of submission (and per calendar month), owner and category, rolled up again every
minute by `performance_rollup_refresh` for the days whose reports changed. A page adds up the
rollups of the period's whole months and days before today, and tallies today (and any day not
rolled up yet) from the reports the same way. So new reports count at once and counts are
exact; a change to a report submitted before today shows after the worker's next run (the page
says so). "Acknowledged or due" stays exact as time passes: a rollup keeps the due times of
its reports not yet acknowledged nor due. Medians and 90th percentiles come from the stored
durations: exact while each row added holds at most `DISTRIBUTION_EXACT_MAX` durations, else
from log-linear buckets, within `DISTRIBUTION_RELATIVE_ERROR` (1/64) of the exact value (the
page says so). Without rollups (none built yet, or built in another time zone) the figures are
computed from the reports as below.

On top of that, the figures of one query are kept in Django's cache (shared by the web processes
and the worker) for `CIVICLOOP_PERFORMANCE_CACHE_SECONDS` (0 = computed on every request), keyed
by the query, and the worker recomputes the default pages every such interval
(`performance_cache_warm`). The page says how old the figures may be.

Queries without rollups: one GROUP BY per table (counts with Count(filter=...)); on PostgreSQL
the medians and 90th percentiles are ordered-set aggregates in the same query, elsewhere (SQLite)
one more query reads the durations and `stats.percentile` computes them — the same interpolation.
With rollups: the period's rolled-up days (with the rollup state), the rollup rows, and the
reports of the other days (three queries).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
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
from civicloop.reports.models.performance import PerformanceRollup, PerformanceRollupDay
from civicloop.reports.stats import Distribution, percentile_duration

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


def _figures(
    reports: QuerySet[Report],
    group: str,
    *,
    now: dt.datetime,
    rolled: Callable[[], dict[Any, Figures] | None] | None = None,
) -> dict[Any, Figures]:
    """Figures per value of group (a column name), from the cache or computed (see the module
    docstring): from the rollups when rolled (the same figures from them) finds any, else from reports."""

    def computed() -> dict[Any, Figures]:
        figures = rolled() if rolled is not None else None
        return figures if figures is not None else _figures_computed(reports, group, now=now)

    seconds = cache_seconds()
    if seconds <= 0:
        return computed()
    sql, params = reports.values(group).query.sql_with_params()
    digest = hashlib.sha256(repr((connection.alias, sql, params, group)).encode()).hexdigest()
    key = f"civicloop:performance:{digest}"
    entry: tuple[dt.datetime, dict[Any, Figures]] | None = None if _refresh.get() else cache.get(key)
    if entry is not None and (now - entry[0]).total_seconds() < seconds:
        return entry[1]
    figures = computed()
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

    def rolled() -> dict[Any, Figures] | None:
        return _figures_rolled(
            jurisdiction=jurisdiction, period=period, now=now, group="owner_id", owner=owner, category=category
        )

    return _figures(reports, "owner_id", now=now, rolled=rolled)


def figures_by_category(
    *, jurisdiction: Jurisdiction, period: Period, now: dt.datetime, owner: Agency, category: Category | None = None
) -> dict[int, Figures]:
    """Figures of one agency per category id: never a sensitive category, never a confidential report."""
    reports = _received(jurisdiction=jurisdiction, period=period, per_category=True).filter(owner=owner)
    if category is not None:
        reports = reports.filter(category=category)

    def rolled() -> dict[Any, Figures] | None:
        return _figures_rolled(
            jurisdiction=jurisdiction, period=period, now=now, group="category_id", owner=owner, category=category
        )

    return _figures(reports, "category_id", now=now, rolled=rolled)


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


# --- Rollups (decision 14) ---------------------------------------------------------------------

#: Reports changed this long before the rollups' watermark may still have been in an open
#: transaction when the worker read the reports: the next run rolls their days up again.
ROLLUP_MARGIN = dt.timedelta(minutes=2)

#: The columns of a report that its figures need.
TALLY_FIELDS = (
    "owner_id",
    "category_id",
    "visibility",
    "status",
    "submitted_at",
    "acknowledged_at",
    "acknowledge_due_at",
    "fixed_at",
    "reopened_count",
    "transferred_count",
    "rating",
)
_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass
class Tally:
    """The figures of a group of received reports, in a form that adds up: counts, sums and
    durations (`Distribution`s of microseconds). What `_figures_computed` computes in SQL, the
    same definitions report by report (see the module docstring)."""

    received: int = 0
    ack_judged: int = 0
    ack_on_time: int = 0
    fixed: int = 0
    closed_without_fix: int = 0
    reopened: int = 0
    transferred: int = 0
    rating_n: int = 0
    rating_sum: int = 0
    rating_sum_of_squares: int = 0
    to_acknowledge: Distribution = field(default_factory=Distribution)
    to_fix: Distribution = field(default_factory=Distribution)
    #: Acknowledgement due times (microseconds since the epoch) of reports not acknowledged and
    #: not yet due when tallied: each counts as "acknowledged or due" once its time has come.
    ack_pending: list[int] = field(default_factory=list)

    COUNTS = (
        "received",
        "ack_judged",
        "ack_on_time",
        "fixed",
        "closed_without_fix",
        "reopened",
        "transferred",
        "rating_n",
        "rating_sum",
        "rating_sum_of_squares",
    )

    def add(self, row: dict[str, Any], *, now: dt.datetime) -> None:
        """Count one received report (a dict of TALLY_FIELDS)."""
        submitted, acknowledged, due = row["submitted_at"], row["acknowledged_at"], row["acknowledge_due_at"]
        self.received += 1
        if acknowledged is not None or (due is not None and due <= now):
            self.ack_judged += 1
        elif due is not None:
            self.ack_pending.append(_epoch_microseconds(due))
        if acknowledged is not None:
            if due is not None and acknowledged <= due:
                self.ack_on_time += 1
            self.to_acknowledge.add((acknowledged - submitted) // _MICROSECOND)
        if row["status"] == ReportStatus.FIXED and row["fixed_at"] is not None:
            self.fixed += 1
            self.to_fix.add((row["fixed_at"] - submitted) // _MICROSECOND)
        if row["status"] == ReportStatus.CLOSED_WITHOUT_FIX:
            self.closed_without_fix += 1
        if row["reopened_count"] > 0:
            self.reopened += 1
        if row["transferred_count"] > 0:
            self.transferred += 1
        if row["rating"] is not None:
            self.rating_n += 1
            self.rating_sum += row["rating"]
            self.rating_sum_of_squares += row["rating"] * row["rating"]

    def merge(self, other: Tally, *, exact_max: int | None = None) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.to_acknowledge.merge(other.to_acknowledge, exact_max=exact_max)
        self.to_fix.merge(other.to_fix, exact_max=exact_max)
        self.ack_pending.extend(other.ack_pending)

    def figures(self, *, now: dt.datetime) -> Figures:
        moment = _epoch_microseconds(now)
        return Figures(
            received=self.received,
            ack_judged=self.ack_judged + sum(1 for due in self.ack_pending if due <= moment),
            ack_on_time=self.ack_on_time,
            ack_median=self.to_acknowledge.percentile(MEDIAN),
            ack_p90=self.to_acknowledge.percentile(P90),
            fixed=self.fixed,
            fix_median=self.to_fix.percentile(MEDIAN),
            fix_p90=self.to_fix.percentile(P90),
            closed_without_fix=self.closed_without_fix,
            reopened=self.reopened,
            transferred=self.transferred,
            rating_n=self.rating_n,
            rating_sum=self.rating_sum,
            rating_sum_of_squares=self.rating_sum_of_squares,
        )

    @classmethod
    def from_row(cls, values: dict[str, Any]) -> Tally:
        """From a PerformanceRollup's values (COUNTS, to_acknowledge, to_fix, ack_pending)."""
        return cls(
            **{name: values[name] for name in cls.COUNTS},
            to_acknowledge=Distribution.from_json(values["to_acknowledge"]),
            to_fix=Distribution.from_json(values["to_fix"]),
            ack_pending=list(values["ack_pending"]),
        )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _epoch_microseconds(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


#: A rollup row's key: (day, owner id or None, category id or None for the owner's total).
TallyKey = tuple[dt.date, int | None, int | None]


@dataclass
class DayTallies:
    """The tallies of some days' reports by TallyKey, and per day when its figures go stale."""

    tallies: dict[TallyKey, Tally] = field(default_factory=dict)
    stale_at: dict[dt.date, dt.datetime] = field(default_factory=dict)
    sensitive_categories: set[int] = field(default_factory=set)


def day_runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """days as runs of consecutive days (first, last), in order."""
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def runs_q(runs: Iterable[tuple[dt.date, dt.date]], tzinfo: dt.tzinfo) -> Q:
    """Reports submitted on a day (local) of one of the runs of days: one submitted_at range each."""
    q = Q(pk__in=[])
    for first, last in runs:
        start, end = Period(first_day=first, last_day=last).bounds(tzinfo)
        q |= Q(submitted_at__gte=start, submitted_at__lt=end)
    return q


def report_tallies(
    reports: QuerySet[Report], *, tzinfo: dt.tzinfo, now: dt.datetime, exact_max: int | None = None
) -> DayTallies:
    """The received reports among reports, tallied per (local day of submission, owner, category):
    every report in its owner's total (category None), and in its category unless it is
    confidential. A category's sensitivity is left to the reader."""
    result = DayTallies()
    rows: Iterator[dict[str, Any]] = (
        reports.exclude(status__in=NOT_RECEIVED)
        .order_by()
        .values(*TALLY_FIELDS, "category__privacy")
        .iterator(chunk_size=5000)
    )
    tallies, stale_at = result.tallies, result.stale_at
    for row in rows:
        if row["category__privacy"] == PrivacyClass.SENSITIVE:
            result.sensitive_categories.add(row["category_id"])
        day = timezone.localtime(row["submitted_at"], tzinfo).date()
        owner = row["owner_id"]
        keys: tuple[TallyKey, ...] = ((day, owner, None),)
        if row["visibility"] != ReporterVisibility.CONFIDENTIAL:
            keys += ((day, owner, row["category_id"]),)
        for key in keys:
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally()
            tally.add(row, now=now)
        due = row["acknowledge_due_at"]
        if (
            row["acknowledged_at"] is None
            and due is not None
            and due > now
            and (day not in stale_at or due < stale_at[day])
        ):
            stale_at[day] = due
    if exact_max is not None:
        for tally in tallies.values():
            tally.to_acknowledge.limit(exact_max)
            tally.to_fix.limit(exact_max)
    return result


def _months_within(period: Period, days: set[dt.date]) -> tuple[list[dt.date], set[dt.date]]:
    """Calendar months wholly inside the period whose every day is in days (by their first day),
    and the days of days not in one of them."""
    months: list[dt.date] = []
    rest = set(days)
    if not days:
        return months, rest
    month = max(period.first_day, min(days)).replace(day=1)
    while month <= min(period.last_day, max(days)):
        following = (month + dt.timedelta(days=32)).replace(day=1)
        month_days = {month + dt.timedelta(days=n) for n in range((following - month).days)}
        if month >= period.first_day and following - dt.timedelta(days=1) <= period.last_day and month_days <= days:
            months.append(month)
            rest -= month_days
        month = following
    return months, rest


def _rollup_rows(
    *,
    jurisdiction: Jurisdiction,
    months: list[dt.date],
    days: set[dt.date],
    group: str,
    owner: Agency | None,
    category: Category | None,
) -> QuerySet[PerformanceRollup]:
    """The rollup rows of the months and days that `_figures_rolled` adds up."""
    rows = PerformanceRollup.objects.filter(
        Q(grain=PerformanceRollup.Grain.MONTH, day__in=months) | Q(grain=PerformanceRollup.Grain.DAY, day__in=days),
        jurisdiction=jurisdiction,
    )
    if owner is not None:
        rows = rows.filter(owner=owner)
    if category is not None:
        rows = rows.filter(category=category)
    elif group == "owner_id":
        rows = rows.filter(category__isnull=True)
    else:
        rows = rows.filter(category__isnull=False)
    if category is not None or group == "category_id":
        rows = rows.exclude(category__privacy=PrivacyClass.SENSITIVE)
    return rows


def _figures_rolled(
    *,
    jurisdiction: Jurisdiction,
    period: Period,
    now: dt.datetime,
    group: str,
    owner: Agency | None,
    category: Category | None,
) -> dict[Any, Figures] | None:
    """The figures `figures_by_owner` (group "owner_id") or `figures_by_category` ("category_id")
    compute, from the rollups plus the reports of the days not rolled up; None without rollups
    for any day of the period (then the reports are the quicker way)."""
    tzinfo = jurisdiction.tzinfo
    state_of = "jurisdiction__performance_rollup_state__"
    # Today (and later) is always counted from the reports: its new reports show at once.
    today = timezone.localtime(now, tzinfo).date()
    rolled_days = PerformanceRollupDay.objects.filter(
        jurisdiction=jurisdiction,
        day__gte=period.first_day,
        day__lte=min(period.last_day, today - dt.timedelta(days=1)),
    ).values_list("day", f"{state_of}time_zone")
    up_to_date: set[dt.date] = set()
    for day, time_zone in rolled_days:
        if time_zone != jurisdiction.time_zone:
            return None
        up_to_date.add(day)
    if not up_to_date:
        return None
    months, days = _months_within(period, up_to_date)
    # Not rolled up: before the first up-to-date day, the gaps between them, after the last one.
    first, last = min(up_to_date), max(up_to_date)
    live_runs = [(period.first_day, first - dt.timedelta(days=1))] if period.first_day < first else []
    live_runs += day_runs(
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if first + dt.timedelta(days=n) not in up_to_date
    )
    if last < period.last_day:
        live_runs.append((last + dt.timedelta(days=1), period.last_day))

    def wanted(owner_id: int | None, category_id: int | None, sensitive: bool) -> bool:
        if owner is not None and owner_id != owner.pk:
            return False
        if category is not None:
            return category_id == category.pk and not sensitive
        if group == "owner_id":
            return category_id is None
        return category_id is not None and not sensitive

    by_group: dict[Any, Tally] = {}

    def add(owner_id: int | None, category_id: int | None, tally: Tally) -> None:
        key = owner_id if group == "owner_id" else category_id
        if key in by_group:
            by_group[key].merge(tally)
        else:
            by_group[key] = tally

    rows = _rollup_rows(
        jurisdiction=jurisdiction, months=months, days=days, group=group, owner=owner, category=category
    )
    for values in rows.values("owner_id", "category_id", *Tally.COUNTS, "to_acknowledge", "to_fix", "ack_pending"):
        add(values["owner_id"], values["category_id"], Tally.from_row(values))

    if live_runs:
        reports = Report.objects.filter(runs_q(live_runs, tzinfo), jurisdiction=jurisdiction)
        if owner is not None:
            reports = reports.filter(owner=owner)
        if category is not None:
            reports = reports.filter(category=category)
        live = report_tallies(reports, tzinfo=tzinfo, now=now)
        for (_day, owner_id, category_id), tally in live.tallies.items():
            if wanted(owner_id, category_id, category_id in live.sensitive_categories):
                add(owner_id, category_id, tally)
    return {key: tally.figures(now=now) for key, tally in by_group.items()}
