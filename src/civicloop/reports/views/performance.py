"""The public agency performance pages and their CSV downloads.

The page tables and the CSV are built from the same `Table` (same columns, same rounded
strings), so they cannot disagree. What each figure means is in
`civicloop.reports.selectors.performance` and, in plain words, on the page.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicloop.core.models import Agency, Jurisdiction
from civicloop.reports.forms.performance import PerformanceFilterForm
from civicloop.reports.models import Category
from civicloop.reports.selectors.performance import (
    Figures,
    Period,
    agency_list_performance,
    cache_seconds,
    category_list_performance,
    figures_by_owner,
    figures_for_agency,
)
from civicloop.reports.stats import competition_ranks, hours, mean_confidence_interval, percent, round_half_up

RATING_SCALE = (1.0, 5.0)

Value = int | Decimal | None


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: name and unit
    label: str | Promise  # the page's column header


FIGURE_COLUMNS = (
    Column("received_reports", gettext_lazy("Received")),
    Column("ack_judged_reports", gettext_lazy("Acknowledged or due")),
    Column("ack_on_time_reports", gettext_lazy("Acknowledged on time")),
    Column("ack_on_time_pct", gettext_lazy("Acknowledged on time (%)")),
    Column("ack_median_hours", gettext_lazy("Time to acknowledge, median (hours)")),
    Column("ack_p90_hours", gettext_lazy("Time to acknowledge, 90th percentile (hours)")),
    Column("fixed_reports", gettext_lazy("Fixed")),
    Column("fixed_pct", gettext_lazy("Fixed (%)")),
    Column("fix_median_hours", gettext_lazy("Time to fix, median (hours)")),
    Column("fix_p90_hours", gettext_lazy("Time to fix, 90th percentile (hours)")),
    Column("closed_without_fix_reports", gettext_lazy("Closed without fix")),
    Column("closed_without_fix_pct", gettext_lazy("Closed without fix (%)")),
    Column("reopened_reports", gettext_lazy("Reopened")),
    Column("reopened_pct", gettext_lazy("Reopened (%)")),
    Column("transferred_reports", gettext_lazy("Transferred")),
    Column("transferred_pct", gettext_lazy("Transferred (%)")),
    Column("satisfaction_ratings", gettext_lazy("Satisfaction: ratings (n)")),
    Column("satisfaction_mean_1_to_5", gettext_lazy("Satisfaction: mean (1–5)")),
    Column("satisfaction_ci95_low", gettext_lazy("Satisfaction: 95 per cent interval, low")),
    Column("satisfaction_ci95_high", gettext_lazy("Satisfaction: 95 per cent interval, high")),
)
RANK_COLUMNS = (
    Column("rank_by_fixed_pct", gettext_lazy("Rank by fixed %")),
    Column("rank_by_fix_median", gettext_lazy("Rank by median time to fix")),
)


def published(figures: Figures) -> dict[str, Value]:
    """The figures as published: counts, and percentages, hours and ratings rounded half up."""
    satisfaction = mean_confidence_interval(
        figures.rating_n, figures.rating_sum, figures.rating_sum_of_squares, bounds=RATING_SCALE
    )

    def rating(value: float | None) -> Decimal | None:
        return None if value is None else round_half_up(Decimal(repr(value)), 2)

    return {
        "received_reports": figures.received,
        "ack_judged_reports": figures.ack_judged,
        "ack_on_time_reports": figures.ack_on_time,
        "ack_on_time_pct": percent(figures.ack_on_time, figures.ack_judged),
        "ack_median_hours": hours(figures.ack_median),
        "ack_p90_hours": hours(figures.ack_p90),
        "fixed_reports": figures.fixed,
        "fixed_pct": percent(figures.fixed, figures.received),
        "fix_median_hours": hours(figures.fix_median),
        "fix_p90_hours": hours(figures.fix_p90),
        "closed_without_fix_reports": figures.closed_without_fix,
        "closed_without_fix_pct": percent(figures.closed_without_fix, figures.received),
        "reopened_reports": figures.reopened,
        "reopened_pct": percent(figures.reopened, figures.received),
        "transferred_reports": figures.transferred,
        "transferred_pct": percent(figures.transferred, figures.received),
        "satisfaction_ratings": figures.rating_n,
        "satisfaction_mean_1_to_5": round_half_up(Fraction(figures.rating_sum, figures.rating_n), 2)
        if figures.rating_n
        else None,
        "satisfaction_ci95_low": rating(satisfaction.low) if satisfaction else None,
        "satisfaction_ci95_high": rating(satisfaction.high) if satisfaction else None,
    }


def _text(value: Value) -> str:
    return "" if value is None else str(value)


@dataclass
class Row:
    """One line of a table: an agency (or the triage queue), or one of an agency's categories."""

    label: str
    slug: str  # the agency's slug; "" for the triage queue
    category_code: str
    category_name: str
    values: dict[str, Value]
    url: str = ""
    is_total: bool = False

    def cells(self, columns: tuple[Column, ...]) -> list[str]:
        return [_text(self.values.get(column.key)) for column in columns]


@dataclass
class Table:
    period: Period
    columns: tuple[Column, ...]
    rows: list[Row] = field(default_factory=list)

    def lines(self) -> list[tuple[Row, list[str]]]:
        """Each row with its cells, in the column order (for templates, which cannot pass arguments)."""
        return [(row, row.cells(self.columns)) for row in self.rows]


# --- Charts ------------------------------------------------------------------------------

CHART_WIDTH = 640
BAR_AREA = 520
ROW_HEIGHT = 44


@dataclass
class Bar:
    label: str
    value: Decimal | None
    rank: int | None
    text: str
    label_y: int
    bar_y: int
    width: int
    value_x: int


@dataclass
class Chart:
    """A horizontal bar chart drawn as inline SVG, with its table twin (same bars, same figures)."""

    id: str
    title: str
    description: str
    unit: str
    bars: list[Bar]
    height: int

    @property
    def ranked(self) -> bool:
        return any(bar.rank is not None for bar in self.bars)


def bar_chart(
    *, id: str, title: str, description: str, unit: str, items: list[tuple[str, Decimal | None, int | None]]
) -> Chart:
    """items are (label, value, rank); bars are scaled to the largest value (100 for percentages)."""
    largest = max((value for _, value, _ in items if value is not None), default=Decimal(0))
    scale = Decimal(100) if unit == "%" else largest
    bars = []
    for index, (label, value, rank) in enumerate(items):
        width = 0 if value is None or scale == 0 else int(BAR_AREA * value / scale)
        bars.append(
            Bar(
                label=label,
                value=value,
                rank=rank,
                text=_("no data") if value is None else f"{value} {unit}".replace(" %", "%"),
                label_y=index * ROW_HEIGHT + 14,
                bar_y=index * ROW_HEIGHT + 20,
                width=max(width, 1) if value is not None else 0,
                value_x=max(width, 1) + 6 if value is not None else 0,
            )
        )
    return Chart(id=id, title=title, description=description, unit=unit, bars=bars, height=len(items) * ROW_HEIGHT + 4)


def _ranked(items: list[tuple[str, Decimal | None, int | None]]) -> list[tuple[str, Decimal | None, int | None]]:
    """Ranked first (by rank, then name), unranked after, by name."""
    return sorted(items, key=lambda item: (item[2] is None, item[2] or 0, item[0].casefold()))


# --- Building the tables -------------------------------------------------------------------


def _filter_query(period: Period, category: Category | None) -> str:
    query = {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()}
    if category is not None:
        query["category"] = category.code
    return urlencode(query)


def overview_table(
    *, jurisdiction: Jurisdiction, period: Period, category: Category | None, now: dt.datetime
) -> tuple[Table, dict[str, dict[str, int]]]:
    """Every agency (and the triage queue when it holds reports), with its ranks."""
    agencies = agency_list_performance(jurisdiction=jurisdiction)
    figures = figures_by_owner(jurisdiction=jurisdiction, period=period, now=now, category=category)
    query = _filter_query(period, category)
    rows: list[Row] = []
    for agency in agencies:
        if not agency.is_active and agency.pk not in figures:
            continue
        rows.append(
            Row(
                label=agency.display_name,
                slug=agency.slug,
                category_code=category.code if category else "",
                category_name=category.display_name if category else "",
                values=published(figures.get(agency.pk, Figures())),
                url=reverse("reports:performance_agency", kwargs={"slug": agency.slug}) + "?" + query,
            )
        )
    rows.sort(key=lambda row: row.label.casefold())
    # Ranked on the published (rounded) figures: what looks equal on the page shares a rank.
    ranks = {
        "rank_by_fixed_pct": competition_ranks(
            [(row.slug, row.values["fixed_pct"]) for row in rows], better=lambda a, b: a > b
        ),
        "rank_by_fix_median": competition_ranks(
            [(row.slug, row.values["fix_median_hours"]) for row in rows], better=lambda a, b: a < b
        ),
    }
    for row in rows:
        for key, ranking in ranks.items():
            row.values[key] = ranking.get(row.slug)
    if None in figures:
        rows.append(
            Row(
                label=_("Triage (unassigned)"),
                slug="",
                category_code=category.code if category else "",
                category_name=category.display_name if category else "",
                values=published(figures[None]),
            )
        )
    return Table(period=period, columns=FIGURE_COLUMNS + RANK_COLUMNS, rows=rows), ranks


def agency_table(
    *,
    jurisdiction: Jurisdiction,
    period: Period,
    category: Category | None,
    categories: list[Category],
    agency: Agency,
    now: dt.datetime,
) -> Table:
    """The agency's total (all its reports, or the chosen category's), then one row per category."""
    result = figures_for_agency(
        jurisdiction=jurisdiction, period=period, now=now, agency=agency, categories=categories, category=category
    )
    rows = [
        Row(
            label=category.display_name if category else _("All categories"),
            slug=agency.slug,
            category_code=category.code if category else "",
            category_name=category.display_name if category else "",
            values=published(result.total),
            is_total=True,
        )
    ]
    if category is None:
        rows += [
            Row(
                label=c.display_name,
                slug=agency.slug,
                category_code=c.code,
                category_name=c.display_name,
                values=published(figures),
            )
            for c, figures in result.by_category
        ]
    return Table(period=period, columns=FIGURE_COLUMNS, rows=rows)


# --- Views ----------------------------------------------------------------------------------


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    if request.jurisdiction is None:
        raise Http404(_("No jurisdiction is configured for this address."))
    return request.jurisdiction


def _freshness() -> dict[str, object]:
    seconds = cache_seconds()
    return {"cache_minutes": max(1, round(seconds / 60)) if seconds > 0 else 0}


def _filters(request: HttpRequest, jurisdiction: Jurisdiction) -> tuple[PerformanceFilterForm, list[Category]]:
    categories = category_list_performance(jurisdiction=jurisdiction)
    today = timezone.localdate(timezone.now(), jurisdiction.tzinfo)
    return PerformanceFilterForm(request.GET, categories=categories, today=today), categories


def _csv_response(table: Table, *, agency_slug: str, agency_name: str, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "period_from_date",
            "period_to_date",
            "agency_slug",
            "agency_name",
            "category_code",
            "category_name",
            *(column.key for column in table.columns),
        ]
    )
    for row in table.rows:
        writer.writerow(
            [
                table.period.first_day.isoformat(),
                table.period.last_day.isoformat(),
                agency_slug or row.slug,
                _spreadsheet_safe(agency_name or row.label),
                row.category_code,
                _spreadsheet_safe(row.category_name),
                *row.cells(table.columns),
            ]
        )
    return response


def _spreadsheet_safe(text: str) -> str:
    """Names are typed by people: one starting like a formula must not run as one in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _filename(*parts: str) -> str:
    return "_".join(part for part in parts if part) + ".csv"


def _invalid(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    return render(request, template, context, status=400)


def performance(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    form, _categories = _filters(request, jurisdiction)
    context: dict[str, object] = {"form": form, **_freshness()}
    if not form.is_valid():
        return _invalid(request, "reports/performance/overview.html", context)
    period, category = form.period, form.category
    table, ranks = overview_table(jurisdiction=jurisdiction, period=period, category=category, now=timezone.now())
    agencies = [row for row in table.rows if row.slug]
    context |= {
        "table": table,
        "period": period,
        "category": category,
        "csv_url": reverse("reports:performance_csv") + "?" + _filter_query(period, category),
        "charts": [
            bar_chart(
                id="chart-fixed",
                title=_("Fixed, as a share of received reports"),
                description=_("One bar per agency, highest first; longer is better."),
                unit="%",
                items=_ranked(
                    [(r.label, r.values["fixed_pct"], ranks["rank_by_fixed_pct"].get(r.slug)) for r in agencies]
                ),
            ),
            bar_chart(
                id="chart-fix-time",
                title=_("Median time to fix, hours"),
                description=_("One bar per agency, fastest first; shorter is better."),
                unit=_("h"),
                items=_ranked(
                    [(r.label, r.values["fix_median_hours"], ranks["rank_by_fix_median"].get(r.slug)) for r in agencies]
                ),
            ),
            bar_chart(
                id="chart-ack",
                title=_("Acknowledged on time, %"),
                description=_("One bar per agency, in alphabetical order; longer is better."),
                unit="%",
                items=[(r.label, r.values["ack_on_time_pct"], None) for r in agencies],
            ),
        ],
    }
    return render(request, "reports/performance/overview.html", context)


def performance_csv(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    form, _categories = _filters(request, jurisdiction)
    if not form.is_valid():
        return _csv_error(form)
    period, category = form.period, form.category
    table, _ranks = overview_table(jurisdiction=jurisdiction, period=period, category=category, now=timezone.now())
    filename = _filename(
        "performance",
        jurisdiction.slug,
        category.code if category else "",
        period.first_day.isoformat(),
        period.last_day.isoformat(),
    )
    return _csv_response(table, agency_slug="", agency_name="", filename=filename)


def _csv_error(form: PerformanceFilterForm) -> HttpResponse:
    lines = [str(error) for errors in form.errors.values() for error in errors]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _agency(jurisdiction: Jurisdiction, slug: str) -> Agency:
    return get_object_or_404(Agency.objects.filter(jurisdiction=jurisdiction), slug=slug)


def performance_agency(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    agency = _agency(jurisdiction, slug)
    form, categories = _filters(request, jurisdiction)
    context: dict[str, object] = {"form": form, "agency": agency, **_freshness()}
    if not form.is_valid():
        return _invalid(request, "reports/performance/agency.html", context)
    period, category = form.period, form.category
    table = agency_table(
        jurisdiction=jurisdiction,
        period=period,
        category=category,
        categories=categories,
        agency=agency,
        now=timezone.now(),
    )
    category_rows = [row for row in table.rows if not row.is_total]
    context |= {
        "table": table,
        "period": period,
        "category": category,
        "csv_url": reverse("reports:performance_agency_csv", kwargs={"slug": agency.slug})
        + "?"
        + _filter_query(period, category),
        "overview_url": reverse("reports:performance") + "?" + _filter_query(period, category),
        "charts": [
            bar_chart(
                id="chart-fixed",
                title=_("Fixed, as a share of received reports, per category"),
                description=_("One bar per category, in the order of the table; longer is better."),
                unit="%",
                items=[(r.label, r.values["fixed_pct"], None) for r in category_rows],
            ),
            bar_chart(
                id="chart-fix-time",
                title=_("Median time to fix, hours, per category"),
                description=_("One bar per category, in the order of the table; shorter is better."),
                unit=_("h"),
                items=[(r.label, r.values["fix_median_hours"], None) for r in category_rows],
            ),
        ]
        if category_rows
        else [],
    }
    return render(request, "reports/performance/agency.html", context)


def performance_agency_csv(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    agency = _agency(jurisdiction, slug)
    form, categories = _filters(request, jurisdiction)
    if not form.is_valid():
        return _csv_error(form)
    period, category = form.period, form.category
    table = agency_table(
        jurisdiction=jurisdiction,
        period=period,
        category=category,
        categories=categories,
        agency=agency,
        now=timezone.now(),
    )
    filename = _filename(
        "performance",
        jurisdiction.slug,
        agency.slug,
        category.code if category else "",
        period.first_day.isoformat(),
        period.last_day.isoformat(),
    )
    return _csv_response(table, agency_slug=agency.slug, agency_name=agency.display_name, filename=filename)
