"""The performance rollups: kept by the worker, rebuilt by `civicloop performance_rollups`.

What they hold and how the page reads them: `civicloop.reports.models.performance` and
`civicloop.reports.selectors.performance`; why: docs/decisions/0014-performance-rollups.md.

A run, per jurisdiction, in one transaction: the days to roll up are those of reports changed
since the last run (updated_at, less `ROLLUP_MARGIN` for transactions that were still open), the
days whose unacknowledged reports have become due since (stale_at), and every day from the
first report to today not rolled up yet (all of them the first time, or after a change of the
jurisdiction's time zone). Their day rows are computed from the reports, and the month rows of
their months again from the day rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from civicloop.core.models import Jurisdiction
from civicloop.reports.models import Report
from civicloop.reports.models.performance import PerformanceRollup, PerformanceRollupDay, PerformanceRollupState
from civicloop.reports.selectors.performance import ROLLUP_MARGIN, Tally, TallyKey, day_runs, report_tallies, runs_q
from civicloop.reports.stats import DISTRIBUTION_EXACT_MAX

#: Days rolled up per query of reports (bounds the memory of a rebuild).
DAYS_PER_BATCH = 31


def performance_rollup_refresh(*, now: dt.datetime | None = None, rebuild: bool = False) -> int:
    """Bring every jurisdiction's rollups up to date (run by the worker, settings.CIVICLOOP_PERIODIC);
    rebuild: roll up every day again. Returns how many days were rolled up."""
    total = 0
    for jurisdiction in Jurisdiction.objects.order_by("pk"):
        total += performance_rollup_jurisdiction(jurisdiction=jurisdiction, now=now, rebuild=rebuild)
    return total


@transaction.atomic
def performance_rollup_jurisdiction(
    *, jurisdiction: Jurisdiction, now: dt.datetime | None = None, rebuild: bool = False
) -> int:
    """Roll up one jurisdiction's changed, stale and missing days; returns how many."""
    now = now or timezone.now()
    tzinfo = jurisdiction.tzinfo
    # One run at a time per jurisdiction (several workers may run the job): a lock that does not
    # hold up the inserts of reports, which only share-lock the jurisdiction's key.
    list(Jurisdiction.objects.select_for_update(no_key=True).filter(pk=jurisdiction.pk).values_list("pk"))
    state = PerformanceRollupState.objects.filter(jurisdiction=jurisdiction).first()
    if state is None or state.time_zone != jurisdiction.time_zone:
        rebuild = True
    if rebuild:
        PerformanceRollupDay.objects.filter(jurisdiction=jurisdiction).delete()
        PerformanceRollup.objects.filter(jurisdiction=jurisdiction).delete()
    days: set[dt.date] = set()
    if not rebuild:
        assert state is not None
        changed = Report.objects.filter(
            jurisdiction=jurisdiction, updated_at__gte=state.watermark - ROLLUP_MARGIN
        ).values_list("submitted_at", flat=True)
        days |= {timezone.localtime(moment, tzinfo).date() for moment in changed}
        days |= set(
            PerformanceRollupDay.objects.filter(jurisdiction=jurisdiction, stale_at__lte=now).values_list(
                "day", flat=True
            )
        )
    first = Report.objects.filter(jurisdiction=jurisdiction).aggregate(first=Min("submitted_at"))["first"]
    if first is not None:
        today = timezone.localtime(now, tzinfo).date()
        day = timezone.localtime(first, tzinfo).date()
        done = set(PerformanceRollupDay.objects.filter(jurisdiction=jurisdiction).values_list("day", flat=True))
        while day <= today:
            if day not in done:
                days.add(day)
            day += dt.timedelta(days=1)
    ordered = sorted(days)
    for index in range(0, len(ordered), DAYS_PER_BATCH):
        _roll_up_days(jurisdiction, ordered[index : index + DAYS_PER_BATCH], now=now)
    _roll_up_months(jurisdiction, {day.replace(day=1) for day in ordered})
    PerformanceRollupState.objects.update_or_create(
        jurisdiction=jurisdiction, defaults={"time_zone": jurisdiction.time_zone, "watermark": now}
    )
    return len(ordered)


def _row(jurisdiction: Jurisdiction, grain: str, key: TallyKey, tally: Tally) -> PerformanceRollup:
    day, owner_id, category_id = key
    return PerformanceRollup(
        jurisdiction=jurisdiction,
        grain=grain,
        day=day,
        owner_id=owner_id,
        category_id=category_id,
        **{name: getattr(tally, name) for name in Tally.COUNTS},
        to_acknowledge=tally.to_acknowledge.limit(DISTRIBUTION_EXACT_MAX).to_json(),
        to_fix=tally.to_fix.limit(DISTRIBUTION_EXACT_MAX).to_json(),
        ack_pending=sorted(tally.ack_pending),
    )


def _roll_up_days(jurisdiction: Jurisdiction, days: list[dt.date], *, now: dt.datetime) -> None:
    tzinfo = jurisdiction.tzinfo
    PerformanceRollupDay.objects.filter(jurisdiction=jurisdiction, day__in=days).delete()
    PerformanceRollup.objects.filter(
        jurisdiction=jurisdiction, grain=PerformanceRollup.Grain.DAY, day__in=days
    ).delete()
    reports = Report.objects.filter(runs_q(day_runs(days), tzinfo), jurisdiction=jurisdiction)
    result = report_tallies(reports, tzinfo=tzinfo, now=now, exact_max=DISTRIBUTION_EXACT_MAX)
    PerformanceRollup.objects.bulk_create(
        [_row(jurisdiction, PerformanceRollup.Grain.DAY, key, tally) for key, tally in result.tallies.items()],
        batch_size=1000,
    )
    PerformanceRollupDay.objects.bulk_create(
        [
            PerformanceRollupDay(jurisdiction=jurisdiction, day=day, computed_at=now, stale_at=result.stale_at.get(day))
            for day in days
        ]
    )


def _roll_up_months(jurisdiction: Jurisdiction, months: set[dt.date]) -> None:
    """The month rows of months again, from their day rows."""
    if not months:
        return
    PerformanceRollup.objects.filter(
        jurisdiction=jurisdiction, grain=PerformanceRollup.Grain.MONTH, day__in=months
    ).delete()
    in_months = Q(pk__in=[])
    for month in months:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        in_months |= Q(day__gte=month, day__lt=following)
    tallies: defaultdict[TallyKey, Tally] = defaultdict(Tally)
    day_rows = (
        PerformanceRollup.objects.filter(in_months, jurisdiction=jurisdiction, grain=PerformanceRollup.Grain.DAY)
        .order_by()
        .values("day", "owner_id", "category_id", *Tally.COUNTS, "to_acknowledge", "to_fix", "ack_pending")
    )
    for values in day_rows.iterator(chunk_size=2000):
        key = (values["day"].replace(day=1), values["owner_id"], values["category_id"])
        tallies[key].merge(Tally.from_row(values), exact_max=DISTRIBUTION_EXACT_MAX)
    PerformanceRollup.objects.bulk_create(
        [_row(jurisdiction, PerformanceRollup.Grain.MONTH, key, tally) for key, tally in tallies.items()],
        batch_size=1000,
    )
