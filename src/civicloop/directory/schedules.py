"""Opening hours from HSDS 3.0 schedules, to the minute.

An HSDS schedule is an iCalendar recurrence rule (``freq``, ``interval``, ``byday``…) giving the
*days* a service or location opens, plus ``opens_at``/``closes_at`` giving the *hours* on each of
those days. Everything here works on any object with the HSDS field names (a Django model
instance, a dataclass) or on a mapping such as a CSV row or a JSON object; values may be parsed
(``datetime.date``, ``datetime.time``, numbers) or the strings of the tabular package ("" = absent).

How the fields are read (choices a newcomer might question are marked *decision*):

- **Days.** ``freq`` is WEEKLY or MONTHLY (the only values HSDS allows). *Decision:* a schedule
  without ``freq`` but with opening hours opens **every day** (an iCalendar DAILY rule) within its
  bounds, so a one-day event is written ``valid_from = valid_to`` (or ``dtstart`` with
  ``count = 1``); ``byday`` without ``freq`` limits those days to the weekdays it lists.
  ``byday`` takes ordinals (``1MO``, ``-1FR``) only with MONTHLY, where ``|n|`` ≤ 5.
  ``interval`` (default 1), ``count``, ``until`` and ``wkst`` (default MO) are RFC 5545's.
  WEEKLY without ``byday`` opens on ``dtstart``'s weekday, or on every day of the weeks listed
  in ``byweekno`` (RFC 5545 week numbers: weeks start on ``wkst``, week 1 has four days or more
  of the year), as python-dateutil reads it; MONTHLY without ``byday`` or ``bymonthday`` opens on
  ``dtstart``'s day of the month. ``byday`` and ``bymonthday`` together mean both must hold
  (Friday the 13th).
- *Decision:* HSDS says which frequency each BY-part belongs to, and the spec's own example mixes
  them, so a part used with another frequency is checked but ignored: ``bymonthday`` applies
  to MONTHLY only, ``byweekno`` to WEEKLY only, and ``byyearday`` never (HSDS has no YEARLY).
  A rule that can never match ("5MO" on day 1) simply has no openings.
- **Bounds.** ``dtstart`` is the first possible date and the anchor the ``interval`` and ``count``
  are counted from (``valid_from`` stands in when it is missing; a rule that needs an anchor —
  interval above 1, a count, WEEKLY without ``byday`` or ``byweekno``, MONTHLY without ``byday`` or
  ``bymonthday`` — and has neither is invalid). As in python-dateutil, ``dtstart`` itself is an
  occurrence only if it matches the rule. ``until``, ``valid_from`` and ``valid_to`` are
  inclusive dates bounding the occurrences. With both ``count`` and ``until`` (RFC 5545 forbids
  it, the spec's example does it) the rule ends at whichever comes first; occurrences before
  ``valid_from`` still use up the count.
- **Hours.** An opening runs from ``opens_at`` to ``closes_at`` on each occurrence date; when
  ``closes_at`` ≤ ``opens_at`` it closes the next day (22:00–02:00, and 00:00–00:00 = 24 hours;
  "24:00" is read as the following midnight). Intervals are half-open: open at opening time,
  closed at closing time. Adjacent or overlapping openings merge.
- **Time zones.** Times are wall-clock times in the jurisdiction's zone ``tz``. HSDS's
  ``timezone`` is a UTC offset in hours (3, -5, 5.5); when set, the schedule's dates and times are
  in that fixed offset instead, with no daylight saving. *Decision:* the spec says dates without
  it "are assumed to be UTC", but publishers leave it empty and mean local time, so empty means
  ``tz``. A time carrying its own offset ("09:00-05:00", "17:00Z", an aware ``datetime.time``)
  is in that offset, as the spec's ``opens_at`` description asks.
- **Daylight saving** (as in ``civicloop.core.calendar``): a 09:00–17:00 opening is 09:00–17:00 on
  the wall clock on both sides of a change. A wall time that does not exist (clocks spring
  forward) means the first moment after the skip — an opening at 02:30 in Madrid on the last
  Sunday of March starts at 03:00, one entirely inside the skipped hour does not happen; a wall
  time that happens twice (clocks fall back) means its first occurrence. Durations are real:
  a 22:00–06:00 night opening lasts 7 or 9 hours on those nights.
- **Holidays** are dates in the local calendar of the rule. *Decision:* an opening belongs to the
  date on which it starts, and a holiday cancels the openings that start on it: an overnight
  opening that starts the evening before a holiday still runs to its closing time past
  midnight, and one that would start on the holiday evening does not.
- A schedule without ``opens_at`` and ``closes_at`` gives no opening hours (its free-text
  ``description`` still tells people when to come); one of them without the other is invalid.

All datetimes returned are aware and in UTC, so they compare safely; show them with
``django.utils.timezone.localtime(value, jurisdiction.tzinfo)``. Invalid data raises
:class:`ScheduleError` (a ValueError naming the field); the importer calls :func:`validate`
first to list every problem at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, Protocol

from dateutil import rrule
from django.utils import formats, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

UTC = dt.UTC
FREQUENCIES = {"WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Look this far back and ahead of a window (in days) for openings that overlap it: enough for
#: any UTC offset (−12…+14 h) plus an opening of up to a day and a daylight-saving hour.
_MARGIN_BEFORE, _MARGIN_AFTER = 3, 2

_DAY_RE = re.compile(r"^(?:([+-]?)(\d{1,2}))?([A-Z]{2})$")
_TIME_RE = re.compile(
    r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"  # HH:MM[:SS[.fff]]
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"  # optional UTC offset: Z, ±HH, ±HHMM, ±HH:MM
)
_PLURAL_DAYS = (
    gettext_lazy("Mondays"),
    gettext_lazy("Tuesdays"),
    gettext_lazy("Wednesdays"),
    gettext_lazy("Thursdays"),
    gettext_lazy("Fridays"),
    gettext_lazy("Saturdays"),
    gettext_lazy("Sundays"),
)
_NTH_DAY = {
    1: gettext_lazy("first %(weekday)s"),
    2: gettext_lazy("second %(weekday)s"),
    3: gettext_lazy("third %(weekday)s"),
    4: gettext_lazy("fourth %(weekday)s"),
    5: gettext_lazy("fifth %(weekday)s"),
    -1: gettext_lazy("last %(weekday)s"),
    -2: gettext_lazy("second-to-last %(weekday)s"),
    -3: gettext_lazy("third-to-last %(weekday)s"),
    -4: gettext_lazy("fourth-to-last %(weekday)s"),
    -5: gettext_lazy("fifth-to-last %(weekday)s"),
}


class ScheduleLike(Protocol):
    """The HSDS schedule fields this module reads (H4's model and plain dataclasses both fit)."""

    @property
    def valid_from(self) -> dt.date | str | None: ...
    @property
    def valid_to(self) -> dt.date | str | None: ...
    @property
    def dtstart(self) -> dt.date | str | None: ...
    @property
    def timezone(self) -> float | Decimal | str | None: ...
    @property
    def until(self) -> dt.date | str | None: ...
    @property
    def count(self) -> float | Decimal | str | None: ...
    @property
    def wkst(self) -> str | None: ...
    @property
    def freq(self) -> str | None: ...
    @property
    def interval(self) -> float | Decimal | str | None: ...
    @property
    def byday(self) -> str | None: ...
    @property
    def byweekno(self) -> str | None: ...
    @property
    def bymonthday(self) -> str | None: ...
    @property
    def byyearday(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def opens_at(self) -> dt.time | str | None: ...
    @property
    def closes_at(self) -> dt.time | str | None: ...


#: An object with the HSDS field names, or a CSV row or JSON object keyed by them.
ScheduleData = ScheduleLike | Mapping[str, Any]


class ScheduleError(ValueError):
    """Schedule data that cannot be evaluated; ``field`` is the HSDS field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Interval(NamedTuple):
    """An opening: open from ``start`` (included) to ``end`` (excluded), both aware UTC."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class OpeningStatus:
    """What a service page says about opening: "Open now until 17:00" / "Opens Monday 09:00".

    ``open_now``: open at the moment asked about. ``opens_at``: when closed, the start of the next
    opening (None when open now). ``closes_at``: the end of the current or next opening, with
    back-to-back openings joined; None when it stays open past the search horizon.
    """

    open_now: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None


@dataclass(frozen=True)
class _WallTime:
    time: dt.time  # naive
    zone: dt.tzinfo | None  # an offset written with the time itself
    end_of_day: bool = False  # "24:00"


@dataclass(frozen=True)
class _Rule:
    freq: int | None  # None: every day
    interval: int
    count: int | None
    until: dt.date | None
    wkst: int
    byday: tuple[tuple[int, int | None], ...]  # (weekday 0 = Monday, ordinal or None)
    bymonthday: tuple[int, ...]
    byweekno: tuple[int, ...]
    dtstart: dt.date | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    zone: dt.tzinfo | None  # the schedule's ``timezone`` offset
    opens: _WallTime | None
    closes: _WallTime | None

    @property
    def anchor(self) -> dt.date | None:
        return self.dtstart or self.valid_from

    @property
    def has_hours(self) -> bool:
        return self.opens is not None and self.closes is not None


# --- reading the fields -------------------------------------------------------------------------


def _raw(schedule: ScheduleData, field: str) -> Any:
    value = schedule.get(field) if isinstance(schedule, Mapping) else getattr(schedule, field, None)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _date(schedule: ScheduleData, field: str) -> dt.date | None:
    value = _raw(schedule, field)
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ScheduleError(field, _("Expected a date in the form YYYY-MM-DD, got %(value)r.") % {"value": value})


def _number(schedule: ScheduleData, field: str) -> Decimal | None:
    value = _raw(schedule, field)
    if value is None:
        return None
    if not isinstance(value, bool) and isinstance(value, int | float | Decimal | str):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    raise ScheduleError(field, _("Expected a number, got %(value)r.") % {"value": value})


def _positive_integer(schedule: ScheduleData, field: str) -> int | None:
    number = _number(schedule, field)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 1:
        raise ScheduleError(field, _("Expected a whole number of 1 or more, got %(value)s.") % {"value": number})
    return int(number)


def _offset(schedule: ScheduleData) -> dt.tzinfo | None:
    hours = _number(schedule, "timezone")
    if hours is None:
        return None
    minutes = hours * 60
    if minutes != minutes.to_integral_value() or not -12 <= hours <= 14:
        raise ScheduleError(
            "timezone",
            _("Expected a UTC offset in hours between -12 and 14 (such as 3, -5 or 5.5), got %(value)s.")
            % {"value": hours},
        )
    return dt.timezone(dt.timedelta(minutes=int(minutes)))


def _wall_time(schedule: ScheduleData, field: str) -> _WallTime | None:
    value = _raw(schedule, field)
    if value is None:
        return None
    if isinstance(value, dt.time):
        # fold=1 would pick the second of a repeated hour; the module's rule is the first.
        return _WallTime(value.replace(tzinfo=None, fold=0), value.tzinfo)
    if isinstance(value, str) and (match := _TIME_RE.match(value)):
        hours, minutes, seconds, offset = match.groups()
        if field == "closes_at" and (hours, minutes, seconds or "00") == ("24", "00", "00"):
            return _WallTime(dt.time(), _parse_offset(offset), end_of_day=True)
        if int(hours) < 24 and int(minutes) < 60 and int(seconds or 0) < 60:
            return _WallTime(dt.time(int(hours), int(minutes), int(seconds or 0)), _parse_offset(offset))
    raise ScheduleError(
        field,
        _('Expected a time in the form HH:MM or HH:MM:SS, optionally with a UTC offset ("09:00-05:00"), got %(value)r.')
        % {"value": value},
    )


def _parse_offset(text: str | None) -> dt.tzinfo | None:
    if text is None:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))


def _byday(schedule: ScheduleData, freq: int | None) -> tuple[tuple[int, int | None], ...]:
    value = _raw(schedule, "byday")
    if value is None:
        return ()
    days = []
    for token in str(value).split(","):
        match = _DAY_RE.match(token.strip())
        if not match or match[3] not in DAY_CODES or (match[2] is not None and int(match[2]) == 0):
            raise ScheduleError(
                "byday",
                _("Expected comma-separated days MO, TU, WE, TH, FR, SA, SU (such as 1MO or -1FR), got %(value)r.")
                % {"value": token.strip()},
            )
        ordinal = None if match[2] is None else int(match[1] + match[2])
        if ordinal is not None and freq != rrule.MONTHLY:
            raise ScheduleError(
                "byday",
                _("A numbered day such as %(value)s needs freq MONTHLY.") % {"value": token.strip()},
            )
        if ordinal is not None and not -5 <= ordinal <= 5:
            raise ScheduleError(
                "byday",
                _("A month has at most five of each weekday, got %(value)s.") % {"value": token.strip()},
            )
        days.append((DAY_CODES.index(match[3]), ordinal))
    return tuple(days)


def _integers(schedule: ScheduleData, field: str, limit: int) -> tuple[int, ...]:
    value = _raw(schedule, field)
    if value is None:
        return ()
    numbers = []
    for token in str(value).split(","):
        try:
            number = int(token.strip())
        except ValueError:
            number = 0
        if not 1 <= abs(number) <= limit:
            raise ScheduleError(
                field,
                _("Expected comma-separated whole numbers from 1 to %(limit)d or -%(limit)d to -1, got %(value)r.")
                % {"limit": limit, "value": token.strip()},
            )
        numbers.append(number)
    return tuple(numbers)


def _freq(schedule: ScheduleData) -> int | None:
    value = _raw(schedule, "freq")
    if value is None:
        return None
    if value in FREQUENCIES:
        return FREQUENCIES[value]
    raise ScheduleError(
        "freq", _("Expected WEEKLY or MONTHLY (leave it empty for every day), got %(value)r.") % {"value": value}
    )


def _wkst(schedule: ScheduleData) -> int:
    value = _raw(schedule, "wkst")
    if value is None:
        return 0  # RFC 5545's default, Monday
    if value in DAY_CODES:
        return DAY_CODES.index(value)
    raise ScheduleError("wkst", _("Expected one of MO, TU, WE, TH, FR, SA, SU, got %(value)r.") % {"value": value})


def _anchor_needed(rule: _Rule) -> str | None:
    """Why a rule without dtstart or valid_from cannot be evaluated, if it cannot."""
    if rule.interval > 1:
        return _("dtstart is required when interval is more than 1: the weeks or months are counted from it.")
    if rule.count is not None:
        return _("dtstart is required with count: the occurrences are counted from it.")
    if rule.freq == rrule.WEEKLY and not rule.byday and not rule.byweekno:
        return _("dtstart (or byday) is required for a WEEKLY rule: its weekday is the day of the week.")
    if rule.freq == rrule.MONTHLY and not rule.byday and not rule.bymonthday:
        return _("dtstart (or byday or bymonthday) is required for a MONTHLY rule: its day is the day of the month.")
    return None


def _read(schedule: ScheduleData) -> tuple[_Rule | None, list[tuple[str, str]]]:
    """Parse every field, collecting all errors; the rule is None when there is any."""
    errors: list[tuple[str, str]] = []

    def attempt(parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except ScheduleError as exc:
            errors.append((exc.field, exc.message))
            return None

    freq = attempt(_freq, schedule)
    wkst = attempt(_wkst, schedule) or 0
    fields = {
        "interval": attempt(_positive_integer, schedule, "interval"),
        "count": attempt(_positive_integer, schedule, "count"),
        "until": attempt(_date, schedule, "until"),
        "byday": attempt(_byday, schedule, freq) or (),
        "bymonthday": attempt(_integers, schedule, "bymonthday", 31) or (),
        "byweekno": attempt(_integers, schedule, "byweekno", 53) or (),
        "dtstart": attempt(_date, schedule, "dtstart"),
        "valid_from": attempt(_date, schedule, "valid_from"),
        "valid_to": attempt(_date, schedule, "valid_to"),
        "zone": attempt(_offset, schedule),
        "opens": attempt(_wall_time, schedule, "opens_at"),
        "closes": attempt(_wall_time, schedule, "closes_at"),
    }
    attempt(_integers, schedule, "byyearday", 366)  # checked, never used: HSDS has no YEARLY
    opens_given, closes_given = _raw(schedule, "opens_at") is not None, _raw(schedule, "closes_at") is not None
    if opens_given and not closes_given:
        errors.append(("closes_at", _("closes_at is required when opens_at is set.")))
    if closes_given and not opens_given:
        errors.append(("opens_at", _("opens_at is required when closes_at is set.")))
    if errors:
        return None, errors
    rule = _Rule(freq=freq, wkst=wkst, **{**fields, "interval": fields["interval"] or 1})
    if rule.valid_from and rule.valid_to and rule.valid_to < rule.valid_from:
        errors.append(("valid_to", _("valid_to is before valid_from.")))
    if rule.anchor is None and (needs := _anchor_needed(rule)):
        errors.append(("dtstart", needs))
    return (None if errors else rule), errors


def validate(schedule: ScheduleData) -> list[tuple[str, str]]:
    """Every problem that stops the schedule being evaluated, as (HSDS field, message); [] if none.

    Only the fields that decide opening hours are checked here; identifiers and
    ``schedule_link`` are left to the HSDS JSON Schema.
    """
    return _read(schedule)[1]


def _rule(schedule: ScheduleData) -> _Rule:
    rule, errors = _read(schedule)
    if rule is None:
        field, message = errors[0]
        raise ScheduleError(field, message)
    return rule


# --- evaluating -----------------------------------------------------------------------------------


def _period_start(rule: _Rule, anchor: dt.date, first: dt.date) -> dt.date:
    """A date from which the rule can be iterated instead of ``anchor`` with the same results up
    to ``first``: the start of the last period (day, week from ``wkst``, month) on the interval's
    grid that begins on or before ``first``, or the anchor itself."""
    if first <= anchor:
        return anchor
    if rule.freq is None:
        return anchor + dt.timedelta(days=(first - anchor).days // rule.interval * rule.interval)
    if rule.freq == rrule.WEEKLY:
        anchor_week = anchor - dt.timedelta(days=(anchor.weekday() - rule.wkst) % 7)
        first_week = first - dt.timedelta(days=(first.weekday() - rule.wkst) % 7)
        periods = (first_week - anchor_week).days // 7 // rule.interval
        return anchor if periods < 1 else anchor_week + dt.timedelta(weeks=periods * rule.interval)
    months = (first.year - anchor.year) * 12 + first.month - anchor.month
    periods = months // rule.interval
    if periods < 1:
        return anchor
    index = anchor.year * 12 + anchor.month - 1 + periods * rule.interval
    return dt.date(index // 12, index % 12 + 1, 1)


def _week_numbers(day: dt.date, wkst: int) -> tuple[int, int]:
    """RFC 5545 week number of ``day`` counted from the start and from the end of its week-year.

    Weeks start on ``wkst``; week 1 is the first with at least four days in the calendar year.
    """

    def week_one(year: int) -> dt.date:
        january_1 = dt.date(year, 1, 1)
        offset = (january_1.weekday() - wkst) % 7
        return january_1 - dt.timedelta(days=offset) + dt.timedelta(weeks=0 if offset <= 3 else 1)

    year = day.year + (1 if day >= week_one(day.year + 1) else 0) - (1 if day < week_one(day.year) else 0)
    start, end = week_one(year), week_one(year + 1)
    number = (day - start).days // 7 + 1
    return number, number - (end - start).days // 7 - 1


def _matcher(rule: _Rule) -> Callable[[dt.date], bool]:
    """Whether a date of the rule's periods is an occurrence: the BY-parts, checked here.

    dateutil only walks the periods (days, weeks from ``wkst``, months, with the interval) and
    always finds one, so the walk stops at its end date; given a rule that can never match
    ("5MO" on day 1, every 7 days on other weekdays), dateutil would search to the year 9999.
    """
    weekdays = {day for day, ordinal in rule.byday if ordinal is None}
    nth = {(day, ordinal) for day, ordinal in rule.byday if ordinal is not None}
    monthdays = set(rule.bymonthday)
    weeknos = set(rule.byweekno)
    if rule.freq == rrule.MONTHLY and not rule.byday and not monthdays and rule.anchor is not None:
        monthdays = {rule.anchor.day}

    def monthly(day: dt.date) -> bool:
        length = calendar.monthrange(day.year, day.month)[1]
        if rule.byday and not (
            day.weekday() in weekdays
            or (day.weekday(), (day.day - 1) // 7 + 1) in nth
            or (day.weekday(), -((length - day.day) // 7 + 1)) in nth
        ):
            return False
        return not monthdays or day.day in monthdays or day.day - length - 1 in monthdays

    if rule.freq == rrule.MONTHLY:
        return monthly
    if rule.freq == rrule.WEEKLY and weeknos:
        return lambda day: not weeknos.isdisjoint(_week_numbers(day, rule.wkst))
    if rule.freq is None and weekdays:
        return lambda day: day.weekday() in weekdays
    return lambda day: True


def _default_weekdays(rule: _Rule) -> set[int]:
    """A WEEKLY rule without byday: every day of the weeks in byweekno (as dateutil reads it),
    else DTSTART's weekday (RFC 5545)."""
    if rule.byweekno or rule.anchor is None:
        return set(range(7))
    return {rule.anchor.weekday()}


def _dates(rule: _Rule, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """The rule's occurrence dates between ``first`` and ``last`` (inclusive), within its bounds."""
    low = max(d for d in (first, rule.dtstart, rule.valid_from) if d is not None)
    high = min(d for d in (last, rule.until, rule.valid_to) if d is not None)
    if low > high:
        return
    anchor = rule.anchor
    # Without an anchor, validation guarantees a rule that does not depend on where it starts.
    start = low if anchor is None else anchor if rule.count is not None else _period_start(rule, anchor, low)
    walk: dict[str, Any] = {}
    if rule.freq == rrule.WEEKLY:
        # The weekdays of each week (every week has them all); RFC 5545 takes DTSTART's by default.
        walk["byweekday"] = sorted({day for day, _ordinal in rule.byday} or _default_weekdays(rule))
    elif rule.freq == rrule.MONTHLY:
        walk["bymonthday"] = range(1, 32)  # every day of each month; _matcher picks
    periods = rrule.rrule(
        rrule.DAILY if rule.freq is None else rule.freq,
        dtstart=dt.datetime.combine(start, dt.time()),
        until=dt.datetime.combine(high, dt.time()),
        interval=rule.interval,
        wkst=rule.wkst,
        cache=False,
        **walk,
    )
    matches = _matcher(rule)
    counted = 0
    for moment in periods:
        day = moment.date()
        if not matches(day):
            continue
        counted += 1
        if rule.count is not None and counted > rule.count:  # COUNT is applied here: dateutil
            return  # deprecates it together with UNTIL
        if day >= low:
            yield day


def _instant(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant of a wall time on a day (see the module docstring for the DST rules)."""
    naive = dt.datetime.combine(day, time)
    first = naive.replace(tzinfo=zone).astimezone(UTC)  # fold=0: first occurrence if repeated
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # Skipped wall time: fold=0 and fold=1 use the offsets before and after the change, so they
    # bracket the change; bisect to the first moment after the gap.
    other = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, other), max(first, other)
    after = high.astimezone(zone).utcoffset()
    second = dt.timedelta(seconds=1)
    while high - low > second:
        middle = low + ((high - low) // 2 // second) * second
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def _opening(rule: _Rule, day: dt.date, tz: dt.tzinfo) -> Interval | None:
    assert rule.opens is not None
    assert rule.closes is not None
    opens_zone = rule.opens.zone or rule.zone or tz
    closes_zone = rule.closes.zone or rule.zone or tz
    start = _instant(day, rule.opens.time, opens_zone)
    if rule.closes.end_of_day:
        next_day = True
    elif opens_zone is closes_zone or opens_zone == closes_zone:
        next_day = rule.closes.time <= rule.opens.time  # on the wall clock, whatever DST does
    else:
        next_day = _instant(day, rule.closes.time, closes_zone) <= start
    end = _instant(day + dt.timedelta(days=1) if next_day else day, rule.closes.time, closes_zone)
    return Interval(start, end) if start < end else None  # inside a skipped hour: no opening


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        msg = f"{name} must be a datetime, got {type(moment).__name__}."
        raise TypeError(msg)
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = f"{name} must be timezone-aware, got naive {moment.isoformat()}."
        raise ValueError(msg)
    return moment.astimezone(UTC)


def _openings(
    rules: Iterable[_Rule], start: dt.datetime, end: dt.datetime, tz: dt.tzinfo, holidays: Collection[dt.date]
) -> Iterator[Interval]:
    first = start.date() - dt.timedelta(days=_MARGIN_BEFORE)
    last = end.date() + dt.timedelta(days=_MARGIN_AFTER)
    for rule in rules:
        if not rule.has_hours:
            continue
        for day in _dates(rule, first, last):
            if day in holidays:
                continue
            opening = _opening(rule, day, tz)
            if opening is not None and opening.start < end and opening.end > start:
                yield opening


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def open_intervals(
    schedules: Iterable[ScheduleData],
    start: dt.datetime,
    end: dt.datetime,
    *,
    tz: dt.tzinfo,
    holidays: Collection[dt.date] = frozenset(),
) -> list[Interval]:
    """The openings of all ``schedules`` that overlap [start, end), merged and in order.

    Each interval is the union of openings that overlap the window and overlap or touch each
    other, not clipped: it may start before ``start`` or end after ``end``.
    """
    start, end = _aware(start, "start"), _aware(end, "end")
    rules = [_rule(schedule) for schedule in schedules]
    return _merge(_openings(rules, start, end, tz, holidays))


def is_open(
    schedules: Iterable[ScheduleData], at: dt.datetime, *, tz: dt.tzinfo, holidays: Collection[dt.date] = frozenset()
) -> bool:
    """Whether any schedule has an opening at ``at`` (open at opening time, closed at closing time)."""
    at = _aware(at, "at")
    return bool(open_intervals(schedules, at, at + dt.timedelta(microseconds=1), tz=tz, holidays=holidays))


def next_opening(
    schedules: Iterable[ScheduleData],
    after: dt.datetime,
    *,
    tz: dt.tzinfo,
    holidays: Collection[dt.date] = frozenset(),
    horizon_days: int = 400,
) -> OpeningStatus | None:
    """Whether the service is open at ``after`` and until when, or when it next opens.

    None when it is closed and does not open within ``horizon_days``.
    """
    after = _aware(after, "after")
    limit = after + dt.timedelta(days=horizon_days)
    rules = [_rule(schedule) for schedule in schedules]
    span = dt.timedelta(days=8)  # most services open within a week: look there first
    while True:
        window_end = min(after + span, limit)
        current = next(
            (
                interval
                for interval in _merge(_openings(rules, after, window_end, tz, holidays))
                if interval.end > after
            ),
            None,
        )
        if window_end == limit or (current is not None and current.end < window_end):
            break
        span *= 4  # nothing yet, or an opening that may continue past the window
    if current is None:
        return None
    closes_at = current.end if current.end < limit else None
    if current.start <= after:
        return OpeningStatus(open_now=True, opens_at=None, closes_at=closes_at)
    return OpeningStatus(open_now=False, opens_at=current.start, closes_at=closes_at)


# --- describing -----------------------------------------------------------------------------------


def _join(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _weekdays_phrase(days: list[int]) -> str:
    """Name the weekdays: runs of three or more become ranges ("Mondays to Fridays")."""
    present = sorted(set(days))
    if len(present) == 7:
        return _("Every day")
    # A run that wraps over Sunday (FR, SA, SU, MO) starts the list; otherwise Monday does.
    origin = 0
    if 0 in present and 6 in present:
        origin = next(day for day in range(6, -1, -1) if day not in present) + 1
    ordered = sorted(present, key=lambda day: (day - origin) % 7)
    runs: list[list[int]] = []
    for day in ordered:
        if runs and (runs[-1][-1] + 1) % 7 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    items: list[str] = []
    for run in runs:
        if len(run) >= 3:
            items.append(_("%(first)s to %(last)s") % {"first": _PLURAL_DAYS[run[0]], "last": _PLURAL_DAYS[run[-1]]})
        else:
            items.extend(str(_PLURAL_DAYS[day]) for day in run)
    return _join(items)


def _from_end(number: int, last: str, second: str, third: str, other: str) -> str:
    return {-1: last, -2: second, -3: third}.get(number, other % {"n": -number})


def _monthdays_phrase(numbers: tuple[int, ...]) -> str:
    """Name days of the month ("days 1 and 15", "last day"), without "of the month"."""
    positive = [str(n) for n in sorted(n for n in set(numbers) if n > 0)]
    items = []
    if positive:
        items.append(ngettext("day %(days)s", "days %(days)s", len(positive)) % {"days": _join(positive)})
    items.extend(
        _from_end(n, _("last day"), _("second-to-last day"), _("third-to-last day"), _("day %(n)d from the end"))
        for n in sorted({n for n in numbers if n < 0}, reverse=True)
    )
    return _join(items)


def _weeks_phrase(numbers: tuple[int, ...]) -> str:
    positive = [str(n) for n in sorted(n for n in set(numbers) if n > 0)]
    items = []
    if positive:
        items.append(ngettext("week %(weeks)s", "weeks %(weeks)s", len(positive)) % {"weeks": _join(positive)})
    items.extend(
        _from_end(
            n,
            _("the last week"),
            _("the second-to-last week"),
            _("the third-to-last week"),
            _("week %(n)d from the end"),
        )
        for n in sorted({n for n in numbers if n < 0}, reverse=True)
    )
    return _join(items)


def _every(phrase: str, interval: int, unit: str) -> str:
    """Add "every other week" / "every 3 months" to a days phrase."""
    if interval == 1:
        return phrase
    if unit == "day":
        if interval == 2:
            return _("%(days)s, every other day") % {"days": phrase}
        text = ngettext("%(days)s, every %(n)d day", "%(days)s, every %(n)d days", interval)
    elif unit == "week":
        if interval == 2:
            return _("%(days)s, every other week") % {"days": phrase}
        text = ngettext("%(days)s, every %(n)d week", "%(days)s, every %(n)d weeks", interval)
    else:
        if interval == 2:
            return _("%(days)s, every other month") % {"days": phrase}
        text = ngettext("%(days)s, every %(n)d month", "%(days)s, every %(n)d months", interval)
    return text % {"days": phrase, "n": interval}


def _month_order(item: tuple[int, int]) -> tuple[int, int]:
    """First, second … last: counting from the start of the month, then from its end."""
    ordinal, day = item
    return (ordinal if ordinal > 0 else 10 - ordinal, day)


def _monthly_phrase(rule: _Rule) -> str:
    plain = [day for day, ordinal in rule.byday if ordinal is None]
    numbered = sorted(((ordinal, day) for day, ordinal in rule.byday if ordinal is not None), key=_month_order)
    monthdays = rule.bymonthday
    if not rule.byday and not monthdays and rule.anchor is not None:
        monthdays = (rule.anchor.day,)
    parts = []
    if numbered:
        nth = [str(_NTH_DAY[ordinal]) % {"weekday": WEEKDAYS[day]} for ordinal, day in numbered]
        parts.append(_("%(days)s of the month") % {"days": _join(nth)})
    if plain:
        parts.append(_weekdays_phrase(plain))
    if parts and monthdays:
        return _("%(weekdays)s falling on %(monthdays)s of the month") % {
            "weekdays": _join(parts),
            "monthdays": _monthdays_phrase(monthdays),
        }
    if monthdays:
        return _("%(days)s of the month") % {"days": _monthdays_phrase(monthdays)}
    return _join(parts) if parts else _("Every month")


def _days_phrase(rule: _Rule) -> str:
    if rule.freq == rrule.MONTHLY:
        return _every(_monthly_phrase(rule), rule.interval, "month")
    plain = [day for day, _ordinal in rule.byday]
    if rule.freq is None:
        return _every(_weekdays_phrase(plain) if plain else _("Every day"), rule.interval, "day")
    if not plain and rule.anchor is not None:
        plain = sorted(_default_weekdays(rule))
    phrase = _weekdays_phrase(plain) if plain else _("Every day") if rule.byweekno else _("Every week")
    if rule.byweekno:
        phrase = _("%(days)s in %(weeks)s of the year") % {"days": phrase, "weeks": _weeks_phrase(rule.byweekno)}
    return _every(phrase, rule.interval, "week")


def _clock(time: dt.time) -> str:
    return f"{time:%H:%M:%S}" if time.second else f"{time:%H:%M}"


def _utc_offset(zone: dt.tzinfo) -> str:
    offset = zone.utcoffset(None)
    if offset is None:  # a named zone on an aware time: show its name
        return str(zone)
    sign = "-" if offset < dt.timedelta() else "+"
    minutes = abs(offset) // dt.timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _hours_phrase(rule: _Rule) -> str:
    assert rule.opens is not None
    assert rule.closes is not None
    opens_zone, closes_zone = rule.opens.zone or rule.zone, rule.closes.zone or rule.zone
    opens = _clock(rule.opens.time)
    closes = "24:00" if rule.closes.end_of_day else _clock(rule.closes.time)
    if opens_zone != closes_zone:  # each time in its own offset
        opens += f" ({_utc_offset(opens_zone)})" if opens_zone else ""
        closes += f" ({_utc_offset(closes_zone)})" if closes_zone else ""
        return f"{opens}–{closes}"
    phrase = _("open 24 hours") if opens == "00:00" and closes in {"00:00", "24:00"} else f"{opens}–{closes}"
    return f"{phrase} ({_utc_offset(opens_zone)})" if opens_zone else phrase


def _format_date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def describe(schedule: ScheduleData, language: str, *, today: dt.date | None = None) -> str:
    """A short text for the service page: "Mondays to Fridays, 09:00–17:00".

    In ``language`` (through gettext). Bounds are mentioned ("from …", "until …", "3 times"),
    except a start date on or before ``today`` when given. A schedule without hours or a rule
    gives its publisher's free-text ``description``. Raises ScheduleError on invalid data.
    """
    rule = _rule(schedule)
    with translation.override(language):
        if not rule.has_hours and rule.freq is None and not rule.byday:
            return str(_raw(schedule, "description") or "")
        start = max((d for d in (rule.dtstart, rule.valid_from) if d is not None), default=None)
        end = min((d for d in (rule.until, rule.valid_to) if d is not None), default=None)
        if rule.freq is None and not rule.byday and start is not None and start == end and rule.interval == 1:
            parts = [_format_date(start)]  # a one-day event
            start = end = None
        else:
            parts = [_days_phrase(rule)]
        if rule.has_hours:
            parts.append(_hours_phrase(rule))
        if rule.count is not None:
            parts.append(ngettext("%(count)d time", "%(count)d times", rule.count) % {"count": rule.count})
        if start is not None and today is not None and start <= today:
            start = None
        if start is not None and start == end:
            parts.append(_("on %(date)s") % {"date": _format_date(start)})
        elif start is not None and end is not None:
            parts.append(_("from %(start)s to %(end)s") % {"start": _format_date(start), "end": _format_date(end)})
        elif start is not None:
            parts.append(_("from %(start)s") % {"start": _format_date(start)})
        elif end is not None:
            parts.append(_("until %(end)s") % {"end": _format_date(end)})
        text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def describe_status(status: OpeningStatus | None, *, now: dt.datetime, tz: dt.tzinfo, language: str) -> str:
    """The status line of a service page: "Open now until 17:00", "Opens Monday at 09:00".

    Times are shown in ``tz`` (the jurisdiction's zone); ``now`` decides "today" and "tomorrow".
    Whole sentences per case, so each language can order them its own way.
    """
    now = _aware(now, "now").astimezone(tz)
    with translation.override(language):
        if status is None:
            return _("No opening hours in the coming months")
        if status.open_now and status.closes_at is None:
            return _("Open now")
        moment = status.closes_at if status.open_now else status.opens_at
        assert moment is not None
        local = moment.astimezone(tz)
        days = (local.date() - now.date()).days
        params = {
            "time": _clock(local.time().replace(microsecond=0)),
            "weekday": WEEKDAYS[local.weekday()],
            "date": _format_date(local.date()),
        }
        if status.open_now and moment - now <= dt.timedelta(hours=24):
            message = _("Open now until %(time)s")  # "until 02:00" after midnight reads naturally
        elif status.open_now:
            message = (
                _("Open now until %(weekday)s at %(time)s") if days < 7 else _("Open now until %(date)s at %(time)s")
            )
        elif days == 0:
            message = _("Opens today at %(time)s")
        elif days == 1:
            message = _("Opens tomorrow at %(time)s")
        else:
            message = _("Opens %(weekday)s at %(time)s") if days < 7 else _("Opens %(date)s at %(time)s")
        return message % params
