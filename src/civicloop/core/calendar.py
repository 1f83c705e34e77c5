"""Working-time arithmetic on a jurisdiction's calendar: the clock service levels run on.

A jurisdiction works inside the intervals of ``Jurisdiction.working_hours`` (weekday "0" =
Monday … "6" = Sunday → ordered ``["HH:MM", "HH:MM"]`` intervals, "24:00" allowed as an end)
on every day that is not one of its ``Holiday`` dates, in its own time zone.

Rules every function here follows:

- Intervals are half-open: an office open 08:00–16:00 is working at 08:00 and closed at 16:00.
- Interval boundaries are wall-clock times in the jurisdiction's zone, turned into absolute
  instants with zoneinfo; durations are measured between instants, so a day with a daylight
  saving change really has 23 or 25 hours of "00:00"–"24:00" working time.
- A wall time that does not exist (the hour skipped when clocks spring forward) means the
  first moment after the skip; a wall time that happens twice (clocks falling back) means
  its first occurrence. Both choices keep the day's intervals in order.
- Results are aware datetimes in UTC, so they compare and store safely; show them with
  ``django.utils.timezone.localtime(value, jurisdiction.tzinfo)``. (Two datetimes sharing a
  local tzinfo compare by wall time in Python, which is wrong around a fall-back hour.)
- Public holidays are read with one query per call (per WorkingCalendar for several deadlines).
- A calendar with no working time for about three years raises ValueError naming the
  jurisdiction, instead of searching forever.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from civicloop.core.models import validate_working_hours

if TYPE_CHECKING:
    from civicloop.core.models import Jurisdiction

UTC = dt.UTC
#: Consecutive days without working time after which a calendar is declared broken.
MAX_IDLE_DAYS = 3 * 366

Interval = tuple[dt.datetime, dt.datetime]


class _Calendar:
    """One jurisdiction's calendar, loaded once for the duration of one public call."""

    def __init__(self, jurisdiction: Jurisdiction, since: dt.datetime) -> None:
        self.label = f"{jurisdiction.name} ({jurisdiction.slug})"
        try:
            self.tz = zoneinfo.ZoneInfo(jurisdiction.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"Jurisdiction {self.label} has an unknown time zone {jurisdiction.time_zone!r}; use an IANA name such as Asia/Jakarta."
            raise ValueError(msg) from exc
        try:
            validate_working_hours(jurisdiction.working_hours)
        except ValidationError as exc:
            msg = f"Jurisdiction {self.label} has invalid working hours: {' '.join(exc.messages)}"
            raise ValueError(msg) from exc
        self.week: dict[int, list[tuple[dt.time, dt.time | None]]] = {
            int(day): [(_parse(start), None if end == "24:00" else _parse(end)) for start, end in intervals]
            for day, intervals in jurisdiction.working_hours.items()
        }
        if not any(self.week.values()):
            msg = f"Jurisdiction {self.label} has no working hours on any weekday; set its working hours."
            raise ValueError(msg)
        # Only holidays from the day before the earliest moment asked about can matter (see days_from).
        first_day = self.local_date(since) - dt.timedelta(days=1)
        self.holidays = set(jurisdiction.holidays.filter(date__gte=first_day).order_by().values_list("date", flat=True))
        self._cache: dict[dt.date, list[Interval]] = {}

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def intervals(self, day: dt.date) -> list[Interval]:
        """The day's working intervals as UTC instants; empty on holidays and days off."""
        if day not in self._cache:
            result: list[Interval] = []
            if day not in self.holidays:
                for start, end in self.week.get(day.weekday(), []):
                    opens = self._instant(day, start)
                    closes = (
                        self._instant(day + dt.timedelta(days=1), dt.time()) if end is None else self._instant(day, end)
                    )
                    if opens < closes:  # an interval inside a skipped hour vanishes
                        result.append((opens, closes))
            self._cache[day] = result
        return self._cache[day]

    def days_from(self, day: dt.date) -> Iterator[tuple[dt.date, list[Interval]]]:
        """Each day from `day` on with its intervals; raises when none is found for too long.

        Callers start a day before the moment's local date: intervals of day D lie between D's
        first instant and D+1's, so earlier days cannot contain the moment.
        """
        idle = 0
        while True:
            intervals = self.intervals(day)
            if intervals:
                idle = 0
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    first_idle = day - dt.timedelta(days=idle - 1)
                    msg = (
                        f"Jurisdiction {self.label} has no working time between {first_idle:%Y-%m-%d} and "
                        f"{day:%Y-%m-%d}; check its working hours and public holidays."
                    )
                    raise ValueError(msg)
            yield day, intervals
            day += dt.timedelta(days=1)

    def intervals_from(self, moment: dt.datetime) -> Iterator[Interval]:
        """Working intervals that end after `moment`, in order, clipped to start at or after it."""
        for _day, intervals in self.days_from(self.local_date(moment) - dt.timedelta(days=1)):
            for opens, closes in intervals:
                if closes > moment:
                    yield max(opens, moment), closes

    def _instant(self, day: dt.date, time: dt.time) -> dt.datetime:
        naive = dt.datetime.combine(day, time)
        first = naive.replace(tzinfo=self.tz).astimezone(UTC)  # fold=0: first occurrence if repeated
        if first.astimezone(self.tz).replace(tzinfo=None) == naive:
            return first
        # Skipped wall time: find the transition instant (first moment after the gap) by bisection.
        # fold=0 and fold=1 use the offsets before and after the change, so they bracket it.
        other = naive.replace(tzinfo=self.tz, fold=1).astimezone(UTC)
        low, high = min(first, other), max(first, other)
        after = high.astimezone(self.tz).utcoffset()
        second = dt.timedelta(seconds=1)
        while high - low > second:
            middle = low + ((high - low) // 2 // second) * second
            if middle.astimezone(self.tz).utcoffset() == after:
                high = middle
            else:
                low = middle
        return high


def _parse(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        msg = f"{name} must be a datetime, got {type(moment).__name__}."
        raise TypeError(msg)
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = (
            f"{name} must be timezone-aware (for example django.utils.timezone.now()), got naive {moment.isoformat()}."
        )
        raise ValueError(msg)
    return moment.astimezone(UTC)


def _duration(hours: float) -> dt.timedelta:
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        msg = f"hours must be a number, got {hours!r}."
        raise TypeError(msg)
    if not math.isfinite(hours) or hours < 0:
        msg = f"hours must be a finite number of zero or more, got {hours!r}."
        raise ValueError(msg)
    return dt.timedelta(hours=hours)


def is_working_time(jurisdiction: Jurisdiction, moment: dt.datetime) -> bool:
    """Whether the jurisdiction is open at `moment` (intervals are half-open: open at opening, closed at closing)."""
    moment = _aware(moment, "moment")
    calendar = _Calendar(jurisdiction, moment)
    day = calendar.local_date(moment)
    return any(
        opens <= moment < closes
        for date in (day - dt.timedelta(days=1), day)
        for opens, closes in calendar.intervals(date)
    )


def next_working_moment(jurisdiction: Jurisdiction, moment: dt.datetime) -> dt.datetime:
    """`moment` itself if it is working time, else the next opening (in UTC)."""
    moment = _aware(moment, "moment")
    calendar = _Calendar(jurisdiction, moment)
    opens, _closes = next(calendar.intervals_from(moment))
    return opens


def add_working_hours(jurisdiction: Jurisdiction, start: dt.datetime, hours: float) -> dt.datetime:
    """The moment (in UTC) when `hours` of working time have passed since `start`.

    Only time inside working intervals on non-holiday days counts, in the jurisdiction's
    local time; if `start` is outside working time, counting starts at the next opening.
    When the hours run out exactly at a closing time, the result is that closing time (not
    the next opening): eight hours from Monday 08:00 in an 08:00–16:00 office is Monday 16:00.
    `hours` may be fractional (kept to the microsecond). ``hours=0`` gives `start` if it is
    working time, else the next opening.
    """
    start = _aware(start, "start")
    remaining = _duration(hours)
    return _add_working_time(_Calendar(jurisdiction, start), start, remaining)


def _add_working_time(calendar: _Calendar, start: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
    for opens, closes in calendar.intervals_from(start):
        if remaining <= closes - opens:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("unreachable: intervals_from() is endless or raises")  # pragma: no cover


def add_working_days(jurisdiction: Jurisdiction, start: dt.datetime, days: int) -> dt.datetime:
    """The deadline "within `days` working days" of receiving something at `start`, in UTC.

    As civil services count it, the day of receipt does not count: the result is the close
    of the last working interval of the `days`-th working day after `start`'s local date.
    A working day is a non-holiday day with working hours. ``days=0`` means "today": close of
    business on `start`'s day if that is a working day and `start` is before its closing,
    else close of business on the next working day.
    """
    start = _aware(start, "start")
    _check_days(days)
    return _add_working_days(_Calendar(jurisdiction, start), start, days)


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        msg = f"days must be a whole number of working days, got {days!r}."
        raise TypeError(msg)
    if days < 0:
        msg = f"days must be zero or more, got {days}: a deadline cannot be counted backwards."
        raise ValueError(msg)


def _add_working_days(calendar: _Calendar, start: dt.datetime, days: int) -> dt.datetime:
    today = calendar.local_date(start)
    counted = 0
    for day, intervals in calendar.days_from(today):
        if not intervals:
            continue
        close = intervals[-1][1]
        if day == today:
            if days == 0 and start < close:
                return close
            continue
        counted += 1
        if counted >= max(days, 1):
            return close
    raise AssertionError("unreachable: days_from() is endless or raises")  # pragma: no cover


class WorkingCalendar:
    """A jurisdiction's calendar read once (one query for its holidays), for several deadlines
    counted from the same moment: a report's acknowledge and resolve due times.

    The methods give exactly what add_working_hours and add_working_days give for `start`.
    """

    def __init__(self, jurisdiction: Jurisdiction, start: dt.datetime) -> None:
        self.start = _aware(start, "start")
        self._calendar = _Calendar(jurisdiction, self.start)

    def add_working_hours(self, hours: float) -> dt.datetime:
        """add_working_hours(jurisdiction, start, hours)."""
        return _add_working_time(self._calendar, self.start, _duration(hours))

    def add_working_days(self, days: int) -> dt.datetime:
        """add_working_days(jurisdiction, start, days)."""
        _check_days(days)
        return _add_working_days(self._calendar, self.start, days)


def working_time_between(jurisdiction: Jurisdiction, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time elapsed from `start` to `end`; negative if `end` is before `start`.

    The inverse of add_working_hours: for hours > 0,
    ``working_time_between(j, s, add_working_hours(j, s, h)) == timedelta(hours=h)``.
    """
    start, end = _aware(start, "start"), _aware(end, "end")
    if end < start:
        return -working_time_between(jurisdiction, end, start)
    calendar = _Calendar(jurisdiction, start)
    total = dt.timedelta()
    last_day = calendar.local_date(end)
    for day, intervals in calendar.days_from(calendar.local_date(start) - dt.timedelta(days=1)):
        if day > last_day:
            break
        for opens, closes in intervals:
            overlap = min(closes, end) - max(opens, start)
            if overlap > dt.timedelta():
                total += overlap
    return total
