"""Opening hours from HSDS schedules: pure Python, no database (schedules are plain dataclasses)."""

import csv
import dataclasses
import datetime as dt
import itertools
import json
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from civicloop.directory.schedules import (
    Interval,
    OpeningStatus,
    ScheduleError,
    describe,
    describe_status,
    is_open,
    next_opening,
    open_intervals,
    validate,
)

UTC = dt.UTC
MADRID = ZoneInfo("Europe/Madrid")
SANTIAGO = ZoneInfo("America/Santiago")
JAKARTA = ZoneInfo("Asia/Jakarta")
HSDS = Path("/work/shared/specs/hsds/examples")

# 2026-11-23 is a Monday. Madrid changes clocks on 2026-03-29 (02:00 → 03:00) and 2026-10-25
# (03:00 → 02:00); Santiago on 2026-04-05 (00:00 → 23:00 the day before) and 2026-09-06 (00:00 → 01:00).


@dataclasses.dataclass
class Schedule:
    """An HSDS schedule as plain data, with the spec's field names."""

    valid_from: dt.date | str | None = None
    valid_to: dt.date | str | None = None
    dtstart: dt.date | str | None = None
    timezone: float | Decimal | str | None = None
    until: dt.date | str | None = None
    count: int | str | None = None
    wkst: str | None = None
    freq: str | None = None
    interval: int | str | None = None
    byday: str | None = None
    byweekno: str | None = None
    bymonthday: str | None = None
    byyearday: str | None = None
    description: str | None = None
    opens_at: dt.time | str | None = None
    closes_at: dt.time | str | None = None


WEEKDAYS_9_TO_5 = Schedule(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00")


def at(tz: dt.tzinfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def opening_days(schedules, start: dt.date, end: dt.date, tz: dt.tzinfo = UTC) -> list[dt.date]:
    """The local dates on which openings start between two dates (inclusive)."""
    intervals = open_intervals(
        schedules,
        dt.datetime.combine(start, dt.time(), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz),
        tz=tz,
    )
    return [interval.start.astimezone(tz).date() for interval in intervals]


def local_pairs(intervals: list[Interval], tz: dt.tzinfo) -> list[tuple[str, str]]:
    return [
        (f"{start.astimezone(tz):%Y-%m-%d %H:%M}", f"{end.astimezone(tz):%Y-%m-%d %H:%M}") for start, end in intervals
    ]


# --- weekly and monthly rules -------------------------------------------------------------------


def test_open_intervals_weekly_weekdays():
    intervals = open_intervals([WEEKDAYS_9_TO_5], at(MADRID, 2026, 11, 23), at(MADRID, 2026, 11, 30), tz=MADRID)
    assert intervals == [Interval(utc(2026, 11, day, 8), utc(2026, 11, day, 16)) for day in range(23, 28)]
    assert all(start.tzinfo is UTC for start, _end in intervals)


def test_open_intervals_overlapping_window_are_not_clipped():
    intervals = open_intervals([WEEKDAYS_9_TO_5], at(MADRID, 2026, 11, 23, 12), at(MADRID, 2026, 11, 23, 13), tz=MADRID)
    assert intervals == [Interval(utc(2026, 11, 23, 8), utc(2026, 11, 23, 16))]


def test_open_intervals_merges_overlapping_and_touching_schedules():
    morning = Schedule(freq="WEEKLY", byday="MO", opens_at="09:00", closes_at="13:00")
    afternoon = Schedule(freq="WEEKLY", byday="MO", opens_at="13:00", closes_at="17:00")
    evening = Schedule(freq="WEEKLY", byday="MO", opens_at="16:00", closes_at="19:30")
    late = Schedule(freq="WEEKLY", byday="MO", opens_at="20:00", closes_at="21:00")
    intervals = open_intervals(
        [late, evening, afternoon, morning], at(JAKARTA, 2026, 11, 23), at(JAKARTA, 2026, 11, 24), tz=JAKARTA
    )
    assert local_pairs(intervals, JAKARTA) == [
        ("2026-11-23 09:00", "2026-11-23 19:30"),
        ("2026-11-23 20:00", "2026-11-23 21:00"),
    ]


def test_is_open_boundaries_are_half_open():
    schedules = [WEEKDAYS_9_TO_5]
    assert not is_open(schedules, at(MADRID, 2026, 11, 23, 8, 59), tz=MADRID)
    assert is_open(schedules, at(MADRID, 2026, 11, 23, 9, 0), tz=MADRID)
    assert is_open(schedules, at(MADRID, 2026, 11, 23, 16, 59, 59), tz=MADRID)
    assert not is_open(schedules, at(MADRID, 2026, 11, 23, 17, 0), tz=MADRID)
    assert not is_open(schedules, at(MADRID, 2026, 11, 28, 12, 0), tz=MADRID)  # Saturday


def test_is_open_without_schedules_or_hours():
    assert not is_open([], utc(2026, 11, 23, 12), tz=MADRID)
    described_only = Schedule(freq="WEEKLY", byday="MO", description="Mornings, call first")
    assert not is_open([described_only], at(MADRID, 2026, 11, 23, 10), tz=MADRID)


def test_open_intervals_monthly_with_ordinals():
    schedule = Schedule(freq="MONTHLY", byday="1MO,-1FR", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == [
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 30),
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 27),
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 27),
    ]


def test_open_intervals_monthly_fifth_weekday_only_in_long_months():
    schedule = Schedule(freq="MONTHLY", byday="5SA", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2026, 1, 1), dt.date(2026, 6, 30)) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 5, 30),
    ]


def test_open_intervals_monthly_bymonthday_with_negative_days():
    schedule = Schedule(freq="MONTHLY", bymonthday="1,-1", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    ]


def test_open_intervals_monthly_bymonthday_31_skips_short_months():
    schedule = Schedule(freq="MONTHLY", bymonthday="31", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2026, 1, 1), dt.date(2026, 5, 31)) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 3, 31),
        dt.date(2026, 5, 31),
    ]


def test_open_intervals_monthly_byday_and_bymonthday_intersect():
    friday_13th = Schedule(freq="MONTHLY", byday="FR", bymonthday="13", opens_at="10:00", closes_at="12:00")
    assert opening_days([friday_13th], dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 2, 13),
        dt.date(2026, 3, 13),
        dt.date(2026, 11, 13),
    ]


def test_open_intervals_monthly_without_days_uses_dtstart_day():
    schedule = Schedule(freq="MONTHLY", dtstart="2026-01-20", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2025, 12, 1), dt.date(2026, 3, 31)) == [
        dt.date(2026, 1, 20),
        dt.date(2026, 2, 20),
        dt.date(2026, 3, 20),
    ]


def test_open_intervals_weekly_without_byday_uses_dtstart_weekday():
    schedule = Schedule(freq="WEEKLY", dtstart="2026-11-25", opens_at="10:00", closes_at="12:00")  # a Wednesday
    assert opening_days([schedule], dt.date(2026, 11, 1), dt.date(2026, 12, 10)) == [
        dt.date(2026, 11, 25),
        dt.date(2026, 12, 2),
        dt.date(2026, 12, 9),
    ]


def test_open_intervals_interval_two_is_fortnightly_far_from_dtstart():
    schedule = Schedule(
        freq="WEEKLY", interval=2, dtstart="2026-01-05", byday="MO,WE", opens_at="10:00", closes_at="12:00"
    )
    assert opening_days([schedule], dt.date(2026, 1, 1), dt.date(2026, 2, 5)) == [
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 7),
        dt.date(2026, 1, 19),
        dt.date(2026, 1, 21),
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 4),
    ]
    # The week of 2030-01-07 is 209 weeks after that of 2026-01-05 (off); those on each side are on.
    assert opening_days([schedule], dt.date(2030, 1, 1), dt.date(2030, 1, 20)) == [
        dt.date(2030, 1, 2),
        dt.date(2030, 1, 14),
        dt.date(2030, 1, 16),
    ]


def test_open_intervals_monthly_interval_three():
    schedule = Schedule(
        freq="MONTHLY", interval=3, dtstart="2026-02-01", byday="-1TH", opens_at="18:00", closes_at="20:00"
    )
    assert opening_days([schedule], dt.date(2026, 1, 1), dt.date(2027, 1, 31)) == [
        dt.date(2026, 2, 26),
        dt.date(2026, 5, 28),
        dt.date(2026, 8, 27),
        dt.date(2026, 11, 26),
    ]


def test_open_intervals_interval_counts_weeks_from_wkst():
    # RFC 5545's own example: WKST changes which weeks an INTERVAL=2 rule falls in.
    monday_weeks = Schedule(
        freq="WEEKLY",
        interval=2,
        count=4,
        byday="TU,SU",
        wkst="MO",
        dtstart="1997-08-05",
        opens_at="09:00",
        closes_at="10:00",
    )
    sunday_weeks = dataclasses.replace(monday_weeks, wkst="SU")
    august = (dt.date(1997, 8, 1), dt.date(1997, 8, 31))
    assert [day.day for day in opening_days([monday_weeks], *august)] == [5, 10, 19, 24]
    assert [day.day for day in opening_days([sunday_weeks], *august)] == [5, 17, 19, 31]


def test_open_intervals_count_limits_occurrences_from_dtstart():
    schedule = Schedule(freq="WEEKLY", byday="MO", count=3, dtstart="2026-11-02", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2026, 10, 1), dt.date(2027, 1, 31)) == [
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 16),
    ]
    # Occurrences before valid_from use up the count.
    later = dataclasses.replace(schedule, valid_from="2026-11-10")
    assert opening_days([later], dt.date(2026, 10, 1), dt.date(2027, 1, 31)) == [dt.date(2026, 11, 16)]


def test_open_intervals_until_is_inclusive():
    schedule = Schedule(freq="WEEKLY", byday="MO", until="2026-11-16", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 16),
    ]


def test_open_intervals_count_and_until_stop_at_whichever_comes_first():
    # RFC 5545 forbids both; the HSDS example has both. dateutil would warn (an error here).
    base = Schedule(freq="WEEKLY", byday="MO", dtstart="2026-11-02", opens_at="10:00", closes_at="12:00")
    window = (dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    assert len(opening_days([dataclasses.replace(base, count=2, until="2026-12-31")], *window)) == 2
    assert len(opening_days([dataclasses.replace(base, count=9, until="2026-11-09")], *window)) == 2


def test_open_intervals_valid_from_and_valid_to_bound_the_rule():
    schedule = Schedule(
        freq="WEEKLY",
        byday="MO,TU,WE,TH,FR",
        valid_from="2026-11-25",
        valid_to="2026-12-01",
        opens_at="09:00",
        closes_at="17:00",
    )
    assert opening_days([schedule], dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 26),
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 1),
    ]


def test_open_intervals_dtstart_is_the_first_possible_date():
    schedule = Schedule(freq="WEEKLY", byday="MO,FR", dtstart="2026-11-25", opens_at="09:00", closes_at="17:00")
    assert opening_days([schedule], dt.date(2026, 11, 16), dt.date(2026, 11, 30)) == [
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 30),
    ]


def test_open_intervals_weekly_byweekno():
    schedule = Schedule(freq="WEEKLY", byday="TH,FR", byweekno="41,-1", opens_at="10:00", closes_at="18:00")
    assert opening_days([schedule], dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 12, 31),  # ISO week 53 of 2026 starts on Monday 28 December
    ]


def test_open_intervals_without_freq_is_every_day_in_range():
    schedule = Schedule(valid_from="2026-11-27", valid_to="2026-11-30", opens_at="10:00", closes_at="14:00")
    assert opening_days([schedule], dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 28),
        dt.date(2026, 11, 29),
        dt.date(2026, 11, 30),
    ]
    one_day = Schedule(valid_from="2026-12-05", valid_to="2026-12-05", opens_at="10:00", closes_at="14:00")
    assert opening_days([one_day], dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == [dt.date(2026, 12, 5)]


def test_open_intervals_without_freq_byday_limits_the_days():
    schedule = Schedule(byday="SA,SU", opens_at="10:00", closes_at="14:00")
    assert opening_days([schedule], dt.date(2026, 11, 23), dt.date(2026, 12, 6)) == [
        dt.date(2026, 11, 28),
        dt.date(2026, 11, 29),
        dt.date(2026, 12, 5),
        dt.date(2026, 12, 6),
    ]


def test_open_intervals_ignores_by_parts_of_other_frequencies():
    # As in the spec's example: bymonthday and byyearday on a WEEKLY rule are checked, then ignored.
    schedule = Schedule(
        freq="WEEKLY", byday="TH,FR", bymonthday="2,3,4", byyearday="2,3,4", opens_at="10:00", closes_at="18:00"
    )
    assert opening_days([schedule], dt.date(2026, 11, 23), dt.date(2026, 11, 29)) == [
        dt.date(2026, 11, 26),
        dt.date(2026, 11, 27),
    ]


# --- overnight hours and holidays -------------------------------------------------------------------

NIGHTS = Schedule(freq="WEEKLY", byday="FR,SA", opens_at="22:00", closes_at="03:00")


def test_open_intervals_overnight_closes_next_day():
    intervals = open_intervals([NIGHTS], at(MADRID, 2026, 11, 23), at(MADRID, 2026, 11, 30), tz=MADRID)
    assert local_pairs(intervals, MADRID) == [
        ("2026-11-27 22:00", "2026-11-28 03:00"),
        ("2026-11-28 22:00", "2026-11-29 03:00"),
    ]


def test_is_open_overnight_after_midnight():
    assert is_open([NIGHTS], at(MADRID, 2026, 11, 28, 1, 0), tz=MADRID)  # started Friday
    assert is_open([NIGHTS], at(MADRID, 2026, 11, 29, 2, 59), tz=MADRID)  # started Saturday
    assert not is_open([NIGHTS], at(MADRID, 2026, 11, 29, 3, 0), tz=MADRID)
    assert not is_open([NIGHTS], at(MADRID, 2026, 11, 27, 1, 0), tz=MADRID)  # nothing started Thursday
    assert not is_open([NIGHTS], at(MADRID, 2026, 11, 27, 21, 59), tz=MADRID)


def test_open_intervals_midnight_to_midnight_is_round_the_clock():
    always = Schedule(opens_at="00:00", closes_at="00:00")
    intervals = open_intervals([always], at(JAKARTA, 2026, 11, 23, 12), at(JAKARTA, 2026, 11, 26), tz=JAKARTA)
    assert local_pairs(intervals, JAKARTA) == [("2026-11-23 00:00", "2026-11-26 00:00")]
    until_midnight = Schedule(opens_at="18:00", closes_at="24:00")
    assert local_pairs(
        open_intervals([until_midnight], at(JAKARTA, 2026, 11, 23), at(JAKARTA, 2026, 11, 24), tz=JAKARTA), JAKARTA
    ) == [("2026-11-23 18:00", "2026-11-24 00:00")]


def test_open_intervals_holiday_closes_the_whole_day():
    holidays = {dt.date(2026, 12, 8)}
    intervals = open_intervals(
        [WEEKDAYS_9_TO_5], at(MADRID, 2026, 12, 7), at(MADRID, 2026, 12, 10), tz=MADRID, holidays=holidays
    )
    assert local_pairs(intervals, MADRID) == [
        ("2026-12-07 09:00", "2026-12-07 17:00"),
        ("2026-12-09 09:00", "2026-12-09 17:00"),
    ]
    assert not is_open([WEEKDAYS_9_TO_5], at(MADRID, 2026, 12, 8, 12), tz=MADRID, holidays=holidays)


def test_is_open_overnight_from_the_eve_of_a_holiday_runs_past_midnight():
    saturday_holiday = {dt.date(2026, 11, 28)}
    # Friday night's opening starts before the holiday: it runs to 03:00 on the holiday.
    assert is_open([NIGHTS], at(MADRID, 2026, 11, 28, 2, 0), tz=MADRID, holidays=saturday_holiday)
    # Saturday night's opening would start on the holiday: it does not happen.
    assert not is_open([NIGHTS], at(MADRID, 2026, 11, 28, 23, 0), tz=MADRID, holidays=saturday_holiday)
    assert not is_open([NIGHTS], at(MADRID, 2026, 11, 29, 2, 0), tz=MADRID, holidays=saturday_holiday)


# --- time zones and daylight saving -----------------------------------------------------------------


def test_open_intervals_same_schedule_in_two_time_zones():
    window = (utc(2026, 11, 23), utc(2026, 11, 24))
    assert open_intervals([WEEKDAYS_9_TO_5], *window, tz=MADRID) == [
        Interval(utc(2026, 11, 23, 8), utc(2026, 11, 23, 16))
    ]
    assert open_intervals([WEEKDAYS_9_TO_5], *window, tz=JAKARTA) == [
        Interval(utc(2026, 11, 23, 2), utc(2026, 11, 23, 10))
    ]


def test_open_intervals_zone_without_dst_is_the_same_all_year():
    daily = Schedule(opens_at="08:00", closes_at="16:00")
    for month in (1, 4, 7, 10):
        assert open_intervals([daily], utc(2026, month, 15, 2), utc(2026, month, 15, 3), tz=JAKARTA) == [
            Interval(utc(2026, month, 15, 1), utc(2026, month, 15, 9))
        ]


def test_open_intervals_schedule_timezone_is_a_fixed_utc_offset():
    # timezone = 1 (hours): 09:00 is 08:00 UTC in summer too, unlike Madrid's wall clock.
    fixed = dataclasses.replace(WEEKDAYS_9_TO_5, timezone=1)
    summer = (utc(2026, 7, 6), utc(2026, 7, 7))  # a Monday
    assert open_intervals([fixed], *summer, tz=MADRID) == [Interval(utc(2026, 7, 6, 8), utc(2026, 7, 6, 16))]
    assert open_intervals([WEEKDAYS_9_TO_5], *summer, tz=MADRID) == [Interval(utc(2026, 7, 6, 7), utc(2026, 7, 6, 15))]
    half_hour = dataclasses.replace(WEEKDAYS_9_TO_5, timezone="5.5")
    assert open_intervals([half_hour], *summer, tz=MADRID) == [
        Interval(utc(2026, 7, 6, 3, 30), utc(2026, 7, 6, 11, 30))
    ]


def test_open_intervals_time_with_its_own_offset():
    schedule = Schedule(freq="WEEKLY", byday="MO", opens_at="09:00-05:00", closes_at="17:00-05:00")
    assert open_intervals([schedule], utc(2026, 11, 23), utc(2026, 11, 24), tz=JAKARTA) == [
        Interval(utc(2026, 11, 23, 14), utc(2026, 11, 23, 22))
    ]
    zulu = Schedule(freq="WEEKLY", byday="MO", opens_at="09:00Z", closes_at=dt.time(17, tzinfo=UTC))
    assert open_intervals([zulu], utc(2026, 11, 23), utc(2026, 11, 24), tz=JAKARTA) == [
        Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 17))
    ]


def test_open_intervals_madrid_spring_forward():
    daily = Schedule(opens_at="09:00", closes_at="17:00")
    intervals = open_intervals([daily], at(MADRID, 2026, 3, 28), at(MADRID, 2026, 3, 30), tz=MADRID)
    assert intervals == [
        Interval(utc(2026, 3, 28, 8), utc(2026, 3, 28, 16)),  # CET, UTC+1
        Interval(utc(2026, 3, 29, 7), utc(2026, 3, 29, 15)),  # CEST, UTC+2
    ]
    night = Schedule(opens_at="22:00", closes_at="06:00")
    (short_night,) = open_intervals([night], at(MADRID, 2026, 3, 29, 1), at(MADRID, 2026, 3, 29, 2), tz=MADRID)
    assert short_night.end - short_night.start == dt.timedelta(hours=7)


def test_open_intervals_madrid_spring_forward_skipped_hour():
    # 02:00–03:00 does not exist on 2026-03-29: 02:30 means the first moment after the skip.
    starts_in_gap = Schedule(opens_at="02:30", closes_at="04:00")
    window = (at(MADRID, 2026, 3, 29), at(MADRID, 2026, 3, 29, 12))
    assert local_pairs(open_intervals([starts_in_gap], *window, tz=MADRID), MADRID) == [
        ("2026-03-29 03:00", "2026-03-29 04:00")
    ]
    inside_gap = Schedule(opens_at="02:15", closes_at="02:45")
    assert open_intervals([inside_gap], *window, tz=MADRID) == []
    assert local_pairs(
        open_intervals([inside_gap], at(MADRID, 2026, 3, 30), at(MADRID, 2026, 3, 30, 12), tz=MADRID), MADRID
    ) == [("2026-03-30 02:15", "2026-03-30 02:45")]


def test_open_intervals_madrid_fall_back():
    daily = Schedule(opens_at="09:00", closes_at="17:00")
    assert open_intervals([daily], at(MADRID, 2026, 10, 24), at(MADRID, 2026, 10, 26), tz=MADRID) == [
        Interval(utc(2026, 10, 24, 7), utc(2026, 10, 24, 15)),  # CEST
        Interval(utc(2026, 10, 25, 8), utc(2026, 10, 25, 16)),  # CET
    ]
    night = Schedule(opens_at="22:00", closes_at="06:00")
    (long_night,) = open_intervals([night], at(MADRID, 2026, 10, 25, 1), at(MADRID, 2026, 10, 25, 2), tz=MADRID)
    assert long_night.end - long_night.start == dt.timedelta(hours=9)


def test_open_intervals_madrid_fall_back_repeated_hour_means_first():
    schedule = Schedule(opens_at="02:30", closes_at="05:00")
    (interval,) = open_intervals([schedule], at(MADRID, 2026, 10, 25), at(MADRID, 2026, 10, 25, 12), tz=MADRID)
    assert interval == Interval(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4))  # 02:30 CEST to 05:00 CET


def test_open_intervals_santiago_midnight_does_not_exist_in_spring():
    # On 2026-09-06 Santiago's clocks go from 00:00 straight to 01:00 (UTC−4 → UTC−3).
    early = Schedule(opens_at="00:00", closes_at="08:00")
    window = (at(SANTIAGO, 2026, 9, 6, 2), at(SANTIAGO, 2026, 9, 6, 3))
    (interval,) = open_intervals([early], *window, tz=SANTIAGO)
    assert interval == Interval(utc(2026, 9, 6, 4), utc(2026, 9, 6, 11))
    assert local_pairs([interval], SANTIAGO) == [("2026-09-06 01:00", "2026-09-06 08:00")]
    office = Schedule(opens_at="09:00", closes_at="17:00")
    assert open_intervals([office], at(SANTIAGO, 2026, 9, 5), at(SANTIAGO, 2026, 9, 7), tz=SANTIAGO) == [
        Interval(utc(2026, 9, 5, 13), utc(2026, 9, 5, 21)),
        Interval(utc(2026, 9, 6, 12), utc(2026, 9, 6, 20)),
    ]


def test_open_intervals_santiago_fall_back_evening():
    # On 2026-04-04 Santiago's clocks go from 24:00 back to 23:00 (UTC−3 → UTC−4): a 5-hour evening.
    evening = Schedule(opens_at="20:00", closes_at="00:00")
    (interval,) = open_intervals([evening], at(SANTIAGO, 2026, 4, 4, 21), at(SANTIAGO, 2026, 4, 4, 22), tz=SANTIAGO)
    assert interval == Interval(utc(2026, 4, 4, 23), utc(2026, 4, 5, 4))
    assert is_open([evening], utc(2026, 4, 5, 3, 30), tz=SANTIAGO)  # the second 23:30


# --- next opening -----------------------------------------------------------------------------------


def test_next_opening_across_a_weekend():
    friday_evening = at(MADRID, 2026, 11, 27, 18)
    status = next_opening([WEEKDAYS_9_TO_5], friday_evening, tz=MADRID)
    assert status == OpeningStatus(open_now=False, opens_at=utc(2026, 11, 30, 8), closes_at=utc(2026, 11, 30, 16))
    assert describe_status(status, now=friday_evening, tz=MADRID, language="en") == "Opens Monday at 09:00"


def test_next_opening_across_a_holiday():
    monday_holiday = {dt.date(2026, 11, 30)}
    friday_evening = at(MADRID, 2026, 11, 27, 18)
    status = next_opening([WEEKDAYS_9_TO_5], friday_evening, tz=MADRID, holidays=monday_holiday)
    assert status == OpeningStatus(open_now=False, opens_at=utc(2026, 12, 1, 8), closes_at=utc(2026, 12, 1, 16))
    assert describe_status(status, now=friday_evening, tz=MADRID, language="en") == "Opens Tuesday at 09:00"


def test_next_opening_when_open_now():
    noon = at(MADRID, 2026, 11, 23, 12)
    status = next_opening([WEEKDAYS_9_TO_5], noon, tz=MADRID)
    assert status == OpeningStatus(open_now=True, opens_at=None, closes_at=utc(2026, 11, 23, 16))
    assert describe_status(status, now=noon, tz=MADRID, language="en") == "Open now until 17:00"


def test_next_opening_overnight_open_after_midnight():
    one_am = at(MADRID, 2026, 11, 28, 1)
    status = next_opening([NIGHTS], one_am, tz=MADRID)
    assert status == OpeningStatus(open_now=True, opens_at=None, closes_at=utc(2026, 11, 28, 2))
    assert describe_status(status, now=one_am, tz=MADRID, language="en") == "Open now until 03:00"
    evening = at(MADRID, 2026, 11, 27, 20)
    status = next_opening([NIGHTS], evening, tz=MADRID)
    assert describe_status(status, now=evening, tz=MADRID, language="en") == "Opens today at 22:00"


def test_next_opening_joins_back_to_back_openings_beyond_the_first_window():
    # Open round the clock until 31 December: the closing is found past the first week looked at.
    season = Schedule(opens_at="00:00", closes_at="00:00", valid_to="2026-12-31")
    status = next_opening([season], at(JAKARTA, 2026, 11, 23, 10), tz=JAKARTA)
    assert status == OpeningStatus(open_now=True, opens_at=None, closes_at=at(JAKARTA, 2027, 1, 1).astimezone(UTC))
    always = Schedule(opens_at="00:00", closes_at="00:00")
    assert next_opening([always], at(JAKARTA, 2026, 11, 23, 10), tz=JAKARTA) == OpeningStatus(
        open_now=True, opens_at=None, closes_at=None
    )


def test_next_opening_far_ahead_and_never():
    yearly_fair = Schedule(valid_from="2027-09-01", valid_to="2027-09-03", opens_at="10:00", closes_at="20:00")
    after = at(MADRID, 2026, 11, 23, 12)
    assert next_opening([yearly_fair], after, tz=MADRID) == OpeningStatus(
        open_now=False, opens_at=utc(2027, 9, 1, 8), closes_at=utc(2027, 9, 1, 18)
    )
    assert next_opening([yearly_fair], after, tz=MADRID, horizon_days=200) is None
    ended = Schedule(valid_to="2026-01-31", opens_at="10:00", closes_at="20:00")
    assert next_opening([ended], after, tz=MADRID) is None
    assert next_opening([], after, tz=MADRID) is None


def test_describe_status_variants():
    now = at(MADRID, 2026, 11, 23, 12)  # Monday
    closed = OpeningStatus(open_now=False, opens_at=None, closes_at=None)
    cases = {
        dataclasses.replace(closed, opens_at=at(MADRID, 2026, 11, 23, 16)): "Opens today at 16:00",
        dataclasses.replace(closed, opens_at=at(MADRID, 2026, 11, 24, 9)): "Opens tomorrow at 09:00",
        dataclasses.replace(closed, opens_at=at(MADRID, 2026, 11, 29, 10, 30)): "Opens Sunday at 10:30",
        dataclasses.replace(closed, opens_at=at(MADRID, 2026, 12, 7, 9)): "Opens Dec. 7, 2026 at 09:00",
        OpeningStatus(open_now=True, opens_at=None, closes_at=at(MADRID, 2026, 11, 25, 9)): (
            "Open now until Wednesday at 09:00"
        ),
        OpeningStatus(open_now=True, opens_at=None, closes_at=None): "Open now",
    }
    assert {status: describe_status(status, now=now, tz=MADRID, language="en") for status in cases} == cases
    assert describe_status(None, now=now, tz=MADRID, language="en") == "No opening hours in the coming months"


def test_describe_status_is_translated():
    now = at(MADRID, 2026, 11, 23, 12)
    status = OpeningStatus(open_now=False, opens_at=at(MADRID, 2026, 11, 27, 9), closes_at=None)
    text = describe_status(status, now=now, tz=MADRID, language="es")
    assert "viernes" in text  # Django's own Spanish catalog names the weekday
    assert "Friday" not in text


# --- describe ---------------------------------------------------------------------------------------


def describe_en(**fields) -> str:
    return describe(Schedule(**{"opens_at": "09:00", "closes_at": "17:00", **fields}), "en")


def test_describe_weekly_in_english():
    assert describe(WEEKDAYS_9_TO_5, "en") == "Mondays to Fridays, 09:00–17:00"
    assert describe_en(freq="WEEKLY", byday="SA,SU") == "Saturdays and Sundays, 09:00–17:00"
    assert describe_en(freq="WEEKLY", byday="MO,WE,FR") == "Mondays, Wednesdays and Fridays, 09:00–17:00"
    assert describe_en(freq="WEEKLY", byday="FR,SA,SU,MO") == "Fridays to Mondays, 09:00–17:00"
    assert describe_en(freq="WEEKLY", byday="MO,TU,WE,SA") == "Mondays to Wednesdays and Saturdays, 09:00–17:00"
    assert describe_en(freq="WEEKLY", byday="SU,SA,FR,TH,WE,TU,MO") == "Every day, 09:00–17:00"
    assert describe_en(freq="WEEKLY", dtstart="2026-11-25") == "Wednesdays, 09:00–17:00, from Nov. 25, 2026"
    assert (
        describe_en(freq="WEEKLY", interval=2, byday="TU", dtstart="2026-01-06")
        == "Tuesdays, every other week, 09:00–17:00, from Jan. 6, 2026"
    )
    assert (
        describe_en(freq="WEEKLY", interval=3, byday="TU", dtstart="2026-01-06")
        == "Tuesdays, every 3 weeks, 09:00–17:00, from Jan. 6, 2026"
    )


def test_describe_week_numbers_in_english():
    assert describe_en(freq="WEEKLY", byweekno="41,42") == "Every day in weeks 41 and 42 of the year, 09:00–17:00"
    assert (
        describe_en(freq="WEEKLY", byday="SA", byweekno="-1") == "Saturdays in the last week of the year, 09:00–17:00"
    )


def test_open_intervals_week_numbers_without_byday_open_every_day_of_those_weeks():
    schedule = Schedule(freq="WEEKLY", byweekno="1", opens_at="10:00", closes_at="12:00")
    assert opening_days([schedule], dt.date(2025, 12, 20), dt.date(2026, 1, 10)) == [
        dt.date(2025, 12, 29),
        dt.date(2025, 12, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 3),
        dt.date(2026, 1, 4),
    ]


def test_describe_monthly_in_english():
    assert (
        describe(Schedule(freq="MONTHLY", byday="1MO", opens_at="10:00", closes_at="12:00"), "en")
        == "First Monday of the month, 10:00–12:00"
    )
    assert describe_en(freq="MONTHLY", byday="-1FR,1MO,3MO") == (
        "First Monday, third Monday and last Friday of the month, 09:00–17:00"
    )
    assert describe_en(freq="MONTHLY", byday="-2WE") == "Second-to-last Wednesday of the month, 09:00–17:00"
    assert describe_en(freq="MONTHLY", bymonthday="15,1") == "Days 1 and 15 of the month, 09:00–17:00"
    assert describe_en(freq="MONTHLY", bymonthday="-1") == "Last day of the month, 09:00–17:00"
    assert describe_en(freq="MONTHLY", bymonthday="1,-1") == "Day 1 and last day of the month, 09:00–17:00"
    assert describe_en(freq="MONTHLY", byday="FR", bymonthday="13") == (
        "Fridays falling on day 13 of the month, 09:00–17:00"
    )
    assert (
        describe_en(freq="MONTHLY", interval=2, byday="1TU", dtstart="2026-01-01")
        == "First Tuesday of the month, every other month, 09:00–17:00, from Jan. 1, 2026"
    )


def test_describe_bounds_hours_and_zones_in_english():
    assert describe_en(byday="MO", opens_at="22:00", closes_at="06:00") == "Mondays, 22:00–06:00"
    assert describe_en(opens_at="00:00", closes_at="00:00") == "Every day, open 24 hours"
    assert describe_en(valid_from="2026-12-05", valid_to="2026-12-05") == "Dec. 5, 2026, 09:00–17:00"
    assert (
        describe_en(freq="WEEKLY", byday="MO", count=4, dtstart="2026-03-02")
        == "Mondays, 09:00–17:00, 4 times, from March 2, 2026"
    )
    assert (
        describe_en(freq="WEEKLY", byday="MO", valid_from="2026-03-02", until="2026-06-30", valid_to="2026-12-31")
        == "Mondays, 09:00–17:00, from March 2, 2026 to June 30, 2026"
    )
    assert describe(
        Schedule(freq="WEEKLY", byday="MO", valid_from="2026-03-02", opens_at="09:00", closes_at="17:00"),
        "en",
        today=dt.date(2026, 11, 23),
    ) == ("Mondays, 09:00–17:00")
    assert describe_en(freq="WEEKLY", byday="MO", timezone=-5) == "Mondays, 09:00–17:00 (UTC-05:00)"
    assert describe_en(freq="WEEKLY", byday="MO", opens_at="09:30+05:30", closes_at="17:00+05:30") == (
        "Mondays, 09:30–17:00 (UTC+05:30)"
    )


def test_describe_without_hours_gives_the_publishers_text():
    schedule = Schedule(description="By appointment: call first")
    assert describe(schedule, "en") == "By appointment: call first"
    assert describe(Schedule(), "en") == ""


def test_describe_the_spec_example():
    (row,) = csv.DictReader((HSDS / "csv" / "schedules.csv").read_text(encoding="utf-8").splitlines())
    assert describe(row, "en") == (
        "Thursdays and Fridays in weeks 41 and 42 of the year, 10:00–18:00 (UTC+03:00), 3 times, on Jan. 1, 2005"
    )


def test_describe_in_spanish_goes_through_gettext():
    english = describe(
        Schedule(freq="MONTHLY", byday="1MO", valid_to="2027-01-31", opens_at="10:00", closes_at="12:00"), "en"
    )
    spanish = describe(
        Schedule(freq="MONTHLY", byday="1MO", valid_to="2027-01-31", opens_at="10:00", closes_at="12:00"), "es"
    )
    # Weekday and month names come from Django's Spanish catalog; the rest follows when civicloop's is translated.
    assert "lunes" in spanish
    assert "enero" in spanish
    assert "Monday" not in spanish
    assert "10:00–12:00" in spanish
    assert spanish != english


# --- validation -------------------------------------------------------------------------------------


def test_validate_accepts_the_spec_examples():
    rows = list(csv.DictReader((HSDS / "csv" / "schedules.csv").read_text(encoding="utf-8").splitlines()))
    location = json.loads((HSDS / "location.json").read_text(encoding="utf-8"))
    assert [validate(schedule) for schedule in [*rows, *location["schedules"]]] == [[], []]
    window = (utc(2005, 1, 1), utc(2005, 12, 31))
    assert open_intervals([*rows, *location["schedules"]], *window, tz=UTC) == []  # 1 Jan 2005 is a Saturday


def test_validate_accepts_model_values():
    schedule = Schedule(
        freq="MONTHLY",
        byday="2TU",
        dtstart=dt.date(2026, 1, 1),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        until=dt.date(2026, 12, 31),
        count=Decimal(10),
        interval=Decimal(1),
        timezone=Decimal("-3"),
        opens_at=dt.time(9, 30),
        closes_at=dt.time(12, 0),
    )
    assert validate(schedule) == []
    assert opening_days(
        [schedule], dt.date(2026, 1, 1), dt.date(2026, 2, 28), tz=dt.timezone(dt.timedelta(hours=-3))
    ) == [
        dt.date(2026, 1, 13),
        dt.date(2026, 2, 10),
    ]


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"freq": "DAILY"}, "freq", "Expected WEEKLY or MONTHLY"),
        ({"freq": "weekly"}, "freq", "Expected WEEKLY or MONTHLY"),
        ({"freq": "WEEKLY", "byday": "MO,XX"}, "byday", "'XX'"),
        ({"freq": "WEEKLY", "byday": "MO;TU"}, "byday", "'MO;TU'"),
        ({"freq": "WEEKLY", "byday": "1MO"}, "byday", "needs freq MONTHLY"),
        ({"freq": "MONTHLY", "byday": "6MO"}, "byday", "at most five"),
        ({"freq": "MONTHLY", "byday": "0MO"}, "byday", "'0MO'"),
        ({"freq": "MONTHLY", "bymonthday": "32"}, "bymonthday", "1 to 31"),
        ({"freq": "MONTHLY", "bymonthday": "0"}, "bymonthday", "1 to 31"),
        ({"byweekno": "54"}, "byweekno", "1 to 53"),
        ({"byyearday": "two"}, "byyearday", "1 to 366"),
        ({"wkst": "XX"}, "wkst", "MO, TU"),
        ({"interval": "0"}, "interval", "1 or more"),
        ({"interval": "1.5"}, "interval", "1 or more"),
        ({"count": "-1"}, "count", "1 or more"),
        ({"count": "many"}, "count", "Expected a number"),
        ({"timezone": "15"}, "timezone", "between -12 and 14"),
        ({"timezone": "5.33"}, "timezone", "between -12 and 14"),
        ({"timezone": "CET"}, "timezone", "Expected a number"),
        ({"dtstart": "01/02/2026"}, "dtstart", "YYYY-MM-DD"),
        ({"valid_from": "2026-02-30"}, "valid_from", "YYYY-MM-DD"),
        ({"until": "soon"}, "until", "YYYY-MM-DD"),
        ({"valid_from": "2026-02-01", "valid_to": "2026-01-31"}, "valid_to", "before valid_from"),
        ({"opens_at": "9am"}, "opens_at", "HH:MM"),
        ({"closes_at": "17:60"}, "closes_at", "HH:MM"),
        ({"opens_at": "24:00"}, "opens_at", "HH:MM"),
        ({"closes_at": None}, "closes_at", "required when opens_at"),
        ({"opens_at": ""}, "opens_at", "required when closes_at"),
        ({"freq": "WEEKLY", "byday": "MO", "interval": 2}, "dtstart", "interval"),
        ({"freq": "WEEKLY", "byday": "MO", "count": 3}, "dtstart", "count"),
        ({"freq": "WEEKLY"}, "dtstart", "WEEKLY"),
        ({"freq": "MONTHLY"}, "dtstart", "MONTHLY"),
    ],
)
def test_validate_names_the_field(fields, field, fragment):
    schedule = Schedule(**{"opens_at": "09:00", "closes_at": "17:00", **fields})
    errors = validate(schedule)
    assert [name for name, _message in errors] == [field]
    assert fragment in errors[0][1]
    with pytest.raises(ScheduleError, match=fragment) as caught:
        open_intervals([schedule], utc(2026, 1, 1), utc(2026, 1, 2), tz=UTC)
    assert caught.value.field == field


def test_validate_lists_every_error():
    schedule = Schedule(freq="YEARLY", interval="x", wkst="MON", opens_at="25:00", closes_at="17:00")
    assert [field for field, _message in validate(schedule)] == ["freq", "wkst", "interval", "opens_at"]


def test_validate_accepts_a_dict_row():
    assert validate({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00:00", "closes_at": "17:00:00"}) == []
    assert validate({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00:00"}) == [
        ("closes_at", "closes_at is required when opens_at is set.")
    ]


def test_open_intervals_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        open_intervals([WEEKDAYS_9_TO_5], dt.datetime(2026, 1, 1), utc(2026, 1, 2), tz=UTC)  # noqa: DTZ001


# --- properties -------------------------------------------------------------------------------------

property_settings = hypothesis_settings(max_examples=80, deadline=None)
day_codes = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def schedules(draw) -> Schedule:
    freq = draw(st.sampled_from([None, "WEEKLY", "MONTHLY"]))
    fields = {"opens_at": draw(times), "closes_at": draw(times), "freq": freq}
    if freq == "MONTHLY" and draw(st.booleans()):
        ordinals = draw(st.lists(st.sampled_from([1, 2, 3, 4, 5, -1, -2]), min_size=1, max_size=2))
        fields["byday"] = ",".join(f"{n}{draw(st.sampled_from(day_codes))}" for n in ordinals)
    elif draw(st.booleans()):
        fields["byday"] = ",".join(draw(st.lists(st.sampled_from(day_codes), min_size=1, max_size=4, unique=True)))
    if freq == "MONTHLY" and draw(st.booleans()):
        fields["bymonthday"] = ",".join(str(n) for n in draw(st.lists(st.integers(1, 28), min_size=1, max_size=3)))
    fields["dtstart"] = draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
    fields["interval"] = draw(st.integers(1, 4))
    fields["wkst"] = draw(st.sampled_from(day_codes))
    return Schedule(**fields)


moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
zones = st.sampled_from([MADRID, SANTIAGO, JAKARTA])


@property_settings
@given(items=st.lists(schedules(), min_size=1, max_size=3), moment=moments, tz=zones)
def test_is_open_iff_inside_an_open_interval(items, moment, tz):
    window = open_intervals(items, moment - dt.timedelta(days=3), moment + dt.timedelta(days=3), tz=tz)
    assert all(a.end < b.start for a, b in itertools.pairwise(window))  # sorted, merged
    assert all(interval.start < interval.end for interval in window)
    assert is_open(items, moment, tz=tz) == any(start <= moment < end for start, end in window)


@property_settings
@given(items=st.lists(schedules(), min_size=1, max_size=3), moment=moments, tz=zones)
def test_next_opening_agrees_with_is_open(items, moment, tz):
    status = next_opening(items, moment, tz=tz, horizon_days=60)
    assert (status is not None and status.open_now) == is_open(items, moment, tz=tz)
    if status is not None and not status.open_now:
        assert status.opens_at > moment
        assert is_open(items, status.opens_at, tz=tz)
        assert not is_open(items, status.opens_at - dt.timedelta(minutes=1), tz=tz)
    if status is not None and status.closes_at is not None:
        assert not is_open(items, status.closes_at, tz=tz)
        assert is_open(items, status.closes_at - dt.timedelta(minutes=1), tz=tz)


@st.composite
def satisfiable_rules(draw) -> Schedule:
    """Rules dateutil can evaluate as a reference: it searches forever for one that never matches."""
    freq = draw(st.sampled_from([None, "WEEKLY", "MONTHLY"]))
    fields = {"freq": freq, "dtstart": draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))}
    fields["interval"] = draw(st.integers(1, 4))
    fields["wkst"] = draw(st.sampled_from(day_codes))
    if draw(st.booleans()):
        fields["byday"] = ",".join(draw(st.lists(st.sampled_from(day_codes), min_size=1, max_size=4, unique=True)))
    if freq == "MONTHLY" and draw(st.booleans()):
        fields["bymonthday"] = ",".join(
            str(n) for n in draw(st.lists(st.integers(-28, 28).filter(bool), min_size=1, max_size=3))
        )
    elif freq == "MONTHLY" and draw(st.booleans()):
        ordinals = draw(st.lists(st.sampled_from([1, 2, 3, 4, -1, -2, -3, -4]), min_size=1, max_size=3))
        fields["byday"] = ",".join(f"{n}{draw(st.sampled_from(day_codes))}" for n in ordinals)
    if freq == "WEEKLY" and draw(st.booleans()):
        fields["interval"] = 1
        fields["byweekno"] = ",".join(
            str(n) for n in draw(st.lists(st.sampled_from([1, 2, 26, 52, 53, -1, -2, -53]), min_size=1, max_size=3))
        )
    return Schedule(**fields)


@hypothesis_settings(max_examples=40, deadline=None)  # dateutil, the reference, is slow on rare week numbers
@given(schedule=satisfiable_rules(), first=st.dates(dt.date(2026, 1, 1), dt.date(2029, 12, 31)))
def test_open_intervals_dates_match_dateutil_from_dtstart(schedule, first):
    """The dates are the ones dateutil gives iterating from dtstart, though we walk from later periods."""
    last = first + dt.timedelta(days=40)
    weekdays = [
        rrule.weekday(day_codes.index(token[-2:]), int(token[:-2]) if token[:-2] else None)
        for token in (schedule.byday or "").split(",")
        if token
    ]
    numbers = {
        field: [int(n) for n in getattr(schedule, field).split(",")] if getattr(schedule, field) else None
        for field in ("bymonthday", "byweekno")
    }
    expected = [
        day.date()
        for day in rrule.rrule(
            {None: rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}[schedule.freq],
            dtstart=dt.datetime.combine(schedule.dtstart, dt.time()),
            until=dt.datetime.combine(last, dt.time()),
            interval=schedule.interval,
            wkst=day_codes.index(schedule.wkst),
            byweekday=weekdays or None,
            **numbers,
        )
        if day.date() >= first
    ]
    assert opening_days([dataclasses.replace(schedule, opens_at="10:00", closes_at="11:00")], first, last) == expected


def test_open_intervals_rule_that_never_matches_ends():
    # dateutil alone would search such rules until the year 9999.
    never = [
        Schedule(freq="MONTHLY", byday="5MO", bymonthday="1", opens_at="10:00", closes_at="12:00"),
        Schedule(interval=7, byday="TU", dtstart="2026-11-23", opens_at="10:00", closes_at="12:00"),  # Mondays only
        Schedule(
            freq="MONTHLY", interval=12, bymonthday="30", dtstart="2026-02-01", opens_at="10:00", closes_at="12:00"
        ),
    ]
    started = time.monotonic()
    assert open_intervals(never, utc(2026, 1, 1), utc(2027, 1, 1), tz=MADRID) == []
    assert next_opening(never, utc(2026, 11, 23), tz=MADRID) is None
    assert time.monotonic() - started < 5


def test_open_intervals_time_fold_is_ignored():
    # A datetime.time with fold=1 still means the first 02:30 when Madrid's clocks fall back.
    schedule = Schedule(opens_at=dt.time(2, 30, fold=1), closes_at=dt.time(5, 0, fold=1))
    (interval,) = open_intervals([schedule], at(MADRID, 2026, 10, 25), at(MADRID, 2026, 10, 25, 12), tz=MADRID)
    assert interval == Interval(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4))
