import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from civicloop.core.calendar import (
    WorkingCalendar,
    add_working_days,
    add_working_hours,
    is_working_time,
    next_working_moment,
    working_time_between,
)
from civicloop.core.models import Holiday, Jurisdiction
from tests.factories import JurisdictionFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SANTIAGO = ZoneInfo("America/Santiago")
MADRID = ZoneInfo("Europe/Madrid")
JAKARTA = ZoneInfo("Asia/Jakarta")
ALL_DAY = {str(day): [["00:00", "24:00"]] for day in range(7)}
LUNCH_BREAK = {str(day): [["08:00", "12:00"], ["13:00", "17:00"]] for day in range(5)}

# 2024-06-03 is a Monday; Santiago is on UTC-4 in June.


def at(tz: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


@pytest.fixture
def santiago() -> Jurisdiction:
    """Monday–Friday 08:00–16:00 (the model's default) in Santiago."""
    return JurisdictionFactory(time_zone="America/Santiago")


# add_working_hours: office hours, weekends, holidays


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        pytest.param(at(SANTIAGO, 2024, 6, 3, 9), 3, at(SANTIAGO, 2024, 6, 3, 12), id="inside-hours"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 14), 4, at(SANTIAGO, 2024, 6, 4, 10), id="into-next-day"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 6), 1, at(SANTIAGO, 2024, 6, 3, 9), id="before-opening"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 18), 1, at(SANTIAGO, 2024, 6, 4, 9), id="after-closing"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 16), 1, at(SANTIAGO, 2024, 6, 4, 9), id="at-closing"),
        pytest.param(at(SANTIAGO, 2024, 6, 7, 15), 2, at(SANTIAGO, 2024, 6, 10, 9), id="friday-to-monday"),
        pytest.param(at(SANTIAGO, 2024, 6, 8, 10), 1, at(SANTIAGO, 2024, 6, 10, 9), id="on-saturday"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 8), 8, at(SANTIAGO, 2024, 6, 3, 16), id="ends-at-closing"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 8), 40, at(SANTIAGO, 2024, 6, 7, 16), id="whole-week"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 9), 0.25, at(SANTIAGO, 2024, 6, 3, 9, 15), id="fractional"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 9, 30), 0, at(SANTIAGO, 2024, 6, 3, 9, 30), id="zero-inside"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 17), 0, at(SANTIAGO, 2024, 6, 4, 8), id="zero-outside"),
    ],
)
def test_add_working_hours_on_office_hours(santiago, start, amount, expected):
    assert add_working_hours(santiago, start, amount) == expected


def test_add_working_hours_returns_utc(santiago):
    result = add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 9), 1)
    assert (result.tzinfo, result) == (UTC, dt.datetime(2024, 6, 3, 14, tzinfo=UTC))


def test_add_working_hours_skips_holidays(santiago):
    Holiday.objects.create(jurisdiction=santiago, date=dt.date(2024, 6, 4), name="Feriado")
    assert add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 15), 2) == at(SANTIAGO, 2024, 6, 5, 9)


def test_add_working_hours_starting_on_a_holiday_waits_for_the_next_working_day(santiago):
    Holiday.objects.create(jurisdiction=santiago, date=dt.date(2024, 6, 3), name="Feriado")
    assert add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 10), 1) == at(SANTIAGO, 2024, 6, 4, 9)


def test_add_working_hours_ignores_other_jurisdictions_holidays(santiago):
    Holiday.objects.create(jurisdiction=JurisdictionFactory(), date=dt.date(2024, 6, 4), name="Elsewhere")
    assert add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 15), 2) == at(SANTIAGO, 2024, 6, 4, 9)


def test_add_working_hours_reads_holidays_with_one_query(santiago, django_assert_num_queries):
    Holiday.objects.create(jurisdiction=santiago, date=dt.date(2024, 6, 4), name="Feriado")
    with django_assert_num_queries(1):
        add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 8), 400)


def test_working_calendar_reads_holidays_once_for_several_deadlines(santiago, django_assert_num_queries):
    Holiday.objects.create(jurisdiction=santiago, date=dt.date(2024, 6, 4), name="Feriado")
    start = at(SANTIAGO, 2024, 6, 3, 15)
    with django_assert_num_queries(1):
        calendar = WorkingCalendar(santiago, start)
        deadlines = [calendar.add_working_hours(2), calendar.add_working_days(1), calendar.add_working_days(0)]
    assert deadlines == [at(SANTIAGO, 2024, 6, 5, 9), at(SANTIAGO, 2024, 6, 5, 16), at(SANTIAGO, 2024, 6, 3, 16)]


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        pytest.param(at(SANTIAGO, 2024, 6, 3, 11), 2, at(SANTIAGO, 2024, 6, 3, 14), id="across-lunch"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 12, 30), 0.5, at(SANTIAGO, 2024, 6, 3, 13, 30), id="start-at-lunch"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 8), 4, at(SANTIAGO, 2024, 6, 3, 12), id="ends-at-lunch"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 12), 0, at(SANTIAGO, 2024, 6, 3, 13), id="zero-at-lunch"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 16), 2, at(SANTIAGO, 2024, 6, 4, 9), id="into-next-day"),
    ],
)
def test_add_working_hours_with_a_lunch_break(start, amount, expected):
    jurisdiction = JurisdictionFactory(time_zone="America/Santiago", working_hours=LUNCH_BREAK)
    assert add_working_hours(jurisdiction, start, amount) == expected


def test_add_working_hours_depends_on_the_jurisdictions_time_zone():
    jakarta = JurisdictionFactory(time_zone="Asia/Jakarta")
    santiago = JurisdictionFactory(time_zone="America/Santiago")
    moment = dt.datetime(2024, 6, 3, 3, tzinfo=UTC)  # Monday 10:00 in Jakarta, Sunday 23:00 in Santiago

    assert add_working_hours(jakarta, moment, 1) == at(JAKARTA, 2024, 6, 3, 11)
    assert add_working_hours(santiago, moment, 1) == at(SANTIAGO, 2024, 6, 3, 9)


def test_add_working_hours_accepts_a_start_in_any_zone(santiago):
    start = dt.datetime(2024, 6, 3, 13, tzinfo=UTC)  # 09:00 in Santiago
    assert add_working_hours(santiago, start, 1) == at(SANTIAGO, 2024, 6, 3, 10)


# Daylight saving time: intervals are wall-clock times, durations are absolute.


def test_add_working_hours_across_madrid_spring_forward():
    madrid = JurisdictionFactory(time_zone="Europe/Madrid", working_hours=ALL_DAY)
    day_start = at(MADRID, 2024, 3, 31, 0)  # clocks go 02:00 → 03:00: the day has 23 hours

    assert add_working_hours(madrid, day_start, 23) == at(MADRID, 2024, 4, 1, 0)
    assert add_working_hours(madrid, day_start, 24) == at(MADRID, 2024, 4, 1, 1)
    assert add_working_hours(madrid, day_start, 3) == at(MADRID, 2024, 3, 31, 4)
    assert working_time_between(madrid, day_start, at(MADRID, 2024, 4, 1, 0)) == hours(23)


def test_add_working_hours_across_madrid_fall_back():
    madrid = JurisdictionFactory(time_zone="Europe/Madrid", working_hours=ALL_DAY)
    day_start = at(MADRID, 2024, 10, 27, 0)  # clocks go 03:00 → 02:00: the day has 25 hours

    assert add_working_hours(madrid, day_start, 25) == at(MADRID, 2024, 10, 28, 0)
    assert add_working_hours(madrid, day_start, 24) == at(MADRID, 2024, 10, 27, 23)
    assert add_working_hours(madrid, day_start, 3) == dt.datetime(2024, 10, 27, 1, tzinfo=UTC)  # 02:00 the 2nd time
    assert working_time_between(madrid, day_start, at(MADRID, 2024, 10, 28, 0)) == hours(25)


def test_add_working_hours_with_an_office_interval_spanning_the_madrid_change():
    # Sunday 2024-03-31, 01:00 CET (00:00 UTC) to 04:00 CEST (02:00 UTC): two real hours.
    madrid = JurisdictionFactory(time_zone="Europe/Madrid", working_hours={"6": [["01:00", "04:00"]]})
    opening = dt.datetime(2024, 3, 31, 0, tzinfo=UTC)

    assert add_working_hours(madrid, opening, 2) == dt.datetime(2024, 3, 31, 2, tzinfo=UTC)
    assert add_working_hours(madrid, opening, 2.5) == at(MADRID, 2024, 4, 7, 1, 30)


def test_an_interval_opening_in_the_skipped_hour_opens_when_the_clocks_have_changed():
    madrid = JurisdictionFactory(
        time_zone="Europe/Madrid", working_hours={"6": [["02:10", "02:20"], ["02:30", "05:00"]]}
    )
    # 02:10–02:20 lies wholly in the skipped hour and vanishes; 02:30 means 03:00 CEST.
    saturday = at(MADRID, 2024, 3, 30, 12)

    assert next_working_moment(madrid, saturday) == at(MADRID, 2024, 3, 31, 3)
    assert add_working_hours(madrid, saturday, 2) == at(MADRID, 2024, 3, 31, 5)


def test_add_working_hours_across_santiago_spring_forward():
    # Sunday 2024-09-08 starts at 01:00: midnight does not exist, the day has 23 hours.
    santiago = JurisdictionFactory(time_zone="America/Santiago", working_hours=ALL_DAY)
    saturday_evening = at(SANTIAGO, 2024, 9, 7, 22)

    assert add_working_hours(santiago, saturday_evening, 4) == at(SANTIAGO, 2024, 9, 8, 3)
    assert working_time_between(santiago, at(SANTIAGO, 2024, 9, 8, 1), at(SANTIAGO, 2024, 9, 9, 0)) == hours(23)
    assert is_working_time(santiago, dt.datetime(2024, 9, 8, 4, tzinfo=UTC))


def test_add_working_hours_across_santiago_fall_back():
    # Saturday 2024-04-06: 23:00–24:00 happens twice, the day has 25 hours.
    santiago = JurisdictionFactory(time_zone="America/Santiago", working_hours=ALL_DAY)
    day_start = at(SANTIAGO, 2024, 4, 6, 0)

    assert add_working_hours(santiago, day_start, 25) == at(SANTIAGO, 2024, 4, 7, 0)
    assert working_time_between(santiago, day_start, at(SANTIAGO, 2024, 4, 7, 0)) == hours(25)


def test_office_hours_on_a_santiago_change_weekend_keep_their_length():
    santiago = JurisdictionFactory(time_zone="America/Santiago", working_hours={"6": [["08:00", "16:00"]]})
    for sunday in (dt.date(2024, 4, 7), dt.date(2024, 9, 8)):
        opening = at(SANTIAGO, sunday.year, sunday.month, sunday.day, 8)
        assert add_working_hours(santiago, opening, 8) == opening + hours(8)


# is_working_time and next_working_moment


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(SANTIAGO, 2024, 6, 3, 8), True),
        (at(SANTIAGO, 2024, 6, 3, 15, 59), True),
        (at(SANTIAGO, 2024, 6, 3, 16), False),
        (at(SANTIAGO, 2024, 6, 3, 7, 59), False),
        (at(SANTIAGO, 2024, 6, 8, 10), False),
    ],
)
def test_is_working_time(santiago, moment, expected):
    assert is_working_time(santiago, moment) is expected


def test_is_working_time_is_false_on_a_holiday(santiago):
    Holiday.objects.create(jurisdiction=santiago, date=dt.date(2024, 6, 3), name="Feriado")
    assert not is_working_time(santiago, at(SANTIAGO, 2024, 6, 3, 10))


def test_is_working_time_with_an_interval_ending_at_midnight():
    jurisdiction = JurisdictionFactory(time_zone="America/Santiago", working_hours={"0": [["20:00", "24:00"]]})
    assert is_working_time(jurisdiction, at(SANTIAGO, 2024, 6, 3, 23, 59))
    assert not is_working_time(jurisdiction, at(SANTIAGO, 2024, 6, 4, 0))


def test_next_working_moment(santiago):
    assert next_working_moment(santiago, at(SANTIAGO, 2024, 6, 3, 10)) == at(SANTIAGO, 2024, 6, 3, 10)
    assert next_working_moment(santiago, at(SANTIAGO, 2024, 6, 7, 16)) == at(SANTIAGO, 2024, 6, 10, 8)


# add_working_days


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(at(SANTIAGO, 2024, 6, 3, 10), 1, at(SANTIAGO, 2024, 6, 4, 16), id="next-day"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 7), 1, at(SANTIAGO, 2024, 6, 4, 16), id="receipt-day-never-counts"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 10), 5, at(SANTIAGO, 2024, 6, 10, 16), id="over-a-weekend"),
        pytest.param(at(SANTIAGO, 2024, 6, 7, 10), 1, at(SANTIAGO, 2024, 6, 10, 16), id="friday-to-monday"),
        pytest.param(at(SANTIAGO, 2024, 6, 8, 10), 1, at(SANTIAGO, 2024, 6, 10, 16), id="received-on-saturday"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 10), 0, at(SANTIAGO, 2024, 6, 3, 16), id="zero-before-closing"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 16), 0, at(SANTIAGO, 2024, 6, 4, 16), id="zero-at-closing"),
        pytest.param(at(SANTIAGO, 2024, 6, 3, 20), 0, at(SANTIAGO, 2024, 6, 4, 16), id="zero-after-closing"),
        pytest.param(at(SANTIAGO, 2024, 6, 8, 10), 0, at(SANTIAGO, 2024, 6, 10, 16), id="zero-on-saturday"),
    ],
)
def test_add_working_days(santiago, start, days, expected):
    assert add_working_days(santiago, start, days) == expected


def test_add_working_days_skips_holidays(santiago):
    Holiday.objects.create(jurisdiction=santiago, date=dt.date(2024, 6, 4), name="Feriado")
    Holiday.objects.create(jurisdiction=santiago, date=dt.date(2024, 6, 5), name="Feriado 2")
    assert add_working_days(santiago, at(SANTIAGO, 2024, 6, 3, 10), 2) == at(SANTIAGO, 2024, 6, 7, 16)


def test_add_working_days_ends_at_the_last_interval_of_the_day():
    jurisdiction = JurisdictionFactory(time_zone="America/Santiago", working_hours=LUNCH_BREAK)
    assert add_working_days(jurisdiction, at(SANTIAGO, 2024, 6, 3, 12, 30), 0) == at(SANTIAGO, 2024, 6, 3, 17)
    assert add_working_days(jurisdiction, at(SANTIAGO, 2024, 6, 3, 12, 30), 1) == at(SANTIAGO, 2024, 6, 4, 17)


def test_add_working_days_uses_the_local_date_of_receipt():
    jakarta = JurisdictionFactory(time_zone="Asia/Jakarta")
    santiago = JurisdictionFactory(time_zone="America/Santiago")
    moment = dt.datetime(2024, 6, 3, 3, tzinfo=UTC)  # Monday in Jakarta, Sunday in Santiago

    assert add_working_days(jakarta, moment, 1) == at(JAKARTA, 2024, 6, 4, 16)
    assert add_working_days(santiago, moment, 1) == at(SANTIAGO, 2024, 6, 3, 16)


def test_add_working_days_across_a_dst_change_closes_at_local_midnight():
    madrid = JurisdictionFactory(time_zone="Europe/Madrid", working_hours=ALL_DAY)
    assert add_working_days(madrid, at(MADRID, 2024, 3, 30, 10), 1) == at(MADRID, 2024, 4, 1, 0)


# Invalid input and broken calendars


def test_add_working_days_refuses_negative_days(santiago):
    with pytest.raises(ValueError, match="days must be zero or more, got -1"):
        add_working_days(santiago, at(SANTIAGO, 2024, 6, 3, 10), -1)


@pytest.mark.parametrize("days", [1.5, "2", True])
def test_add_working_days_refuses_non_integers(santiago, days):
    with pytest.raises(TypeError, match="whole number"):
        add_working_days(santiago, at(SANTIAGO, 2024, 6, 3, 10), days)


@pytest.mark.parametrize("amount", [-1, float("nan"), float("inf")])
def test_add_working_hours_refuses_bad_hours(santiago, amount):
    with pytest.raises(ValueError, match="hours must be a finite number of zero or more"):
        add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 10), amount)


def test_add_working_hours_refuses_non_numbers(santiago):
    with pytest.raises(TypeError, match="hours must be a number"):
        add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 10), "2")


@pytest.mark.parametrize(
    "call",
    [
        lambda j, moment: add_working_hours(j, moment, 1),
        lambda j, moment: add_working_days(j, moment, 1),
        is_working_time,
        next_working_moment,
    ],
)
def test_calendar_functions_refuse_naive_datetimes(santiago, call):
    with pytest.raises(ValueError, match="must be timezone-aware"):
        call(santiago, dt.datetime(2024, 6, 3, 10))  # noqa: DTZ001 - the point of the test


def test_a_calendar_without_working_hours_names_the_jurisdiction():
    jurisdiction = JurisdictionFactory(name="Nowhere", slug="nowhere", working_hours={"0": [], "1": []})
    with pytest.raises(ValueError, match=r"Nowhere \(nowhere\) has no working hours on any weekday"):
        add_working_hours(jurisdiction, at(SANTIAGO, 2024, 6, 3, 10), 1)


def test_a_calendar_with_holidays_forever_stops_searching():
    # Open on Mondays only, and every Monday for four years is a holiday.
    jurisdiction = JurisdictionFactory(
        name="Holiday Island", slug="holiday-island", working_hours={"0": [["08:00", "16:00"]]}
    )
    mondays = [dt.date(2024, 6, 3) + dt.timedelta(weeks=week) for week in range(4 * 53)]
    Holiday.objects.bulk_create(Holiday(jurisdiction=jurisdiction, date=day, name="Rest") for day in mondays)

    for call in (add_working_hours, add_working_days):
        with pytest.raises(
            ValueError, match=r"Holiday Island \(holiday-island\) has no working time between 2024-06-0"
        ):
            call(jurisdiction, at(SANTIAGO, 2024, 6, 3, 10), 1)
    with pytest.raises(ValueError, match="check its working hours and public holidays"):
        next_working_moment(jurisdiction, at(SANTIAGO, 2024, 6, 3, 10))


def test_a_calendar_with_invalid_stored_working_hours_says_so(santiago):
    Jurisdiction.objects.filter(pk=santiago.pk).update(working_hours={"0": [["16:00", "08:00"]]})
    santiago.refresh_from_db()
    with pytest.raises(ValueError, match=r"invalid working hours: Weekday 0: interval 16:00–08:00 must end after"):
        add_working_hours(santiago, at(SANTIAGO, 2024, 6, 3, 10), 1)


def test_working_time_between_is_signed(santiago):
    monday_9, tuesday_10 = at(SANTIAGO, 2024, 6, 3, 9), at(SANTIAGO, 2024, 6, 4, 10)
    assert working_time_between(santiago, monday_9, tuesday_10) == hours(9)
    assert working_time_between(santiago, tuesday_10, monday_9) == hours(-9)


# Properties, on three calendars: office hours with a lunch break and holidays in Santiago,
# round-the-clock in Madrid (both cross DST changes), plain office hours in Jakarta.

CALENDARS = {
    "santiago-lunch-holidays": ("America/Santiago", LUNCH_BREAK, [dt.date(2024, 9, 18), dt.date(2024, 9, 19)]),
    "madrid-all-day": ("Europe/Madrid", ALL_DAY, []),
    "jakarta-office": ("Asia/Jakarta", {str(day): [["07:30", "16:00"]] for day in range(5)}, [dt.date(2024, 8, 17)]),
}
starts = st.datetimes(
    min_value=dt.datetime(2024, 2, 20),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=dt.datetime(2024, 11, 10),  # noqa: DTZ001
    timezones=st.just(UTC),
)
minutes = st.integers(min_value=0, max_value=120 * 60)
property_settings = hypothesis_settings(max_examples=60, deadline=None)


def _calendar(name: str) -> Jurisdiction:
    time_zone, working_hours, holidays = CALENDARS[name]
    jurisdiction = JurisdictionFactory(time_zone=time_zone, working_hours=working_hours)
    for day in holidays:
        Holiday.objects.create(jurisdiction=jurisdiction, date=day, name="Holiday")
    return jurisdiction


@pytest.mark.parametrize("name", CALENDARS)
def test_add_working_hours_properties(name):
    jurisdiction = _calendar(name)

    @property_settings
    @given(start=starts, a=minutes, b=minutes.filter(bool))
    def check(start, a, b):
        result = add_working_hours(jurisdiction, start, a / 60)
        assert result >= start
        assert working_time_between(jurisdiction, start, result) == dt.timedelta(minutes=a)
        # Adding in two steps is adding once (b > 0: zero hours from a closing time is the next opening).
        assert add_working_hours(jurisdiction, result, b / 60) == add_working_hours(jurisdiction, start, (a + b) / 60)

    check()


@pytest.mark.parametrize("name", CALENDARS)
def test_add_working_hours_is_monotone(name):
    jurisdiction = _calendar(name)

    @property_settings
    @given(first=starts, second=starts, amount=minutes)
    def check(first, second, amount):
        early, late = sorted([first, second])
        assert add_working_hours(jurisdiction, early, amount / 60) <= add_working_hours(jurisdiction, late, amount / 60)

    check()


@pytest.mark.parametrize("name", CALENDARS)
def test_add_working_days_is_monotone(name):
    jurisdiction = _calendar(name)

    @property_settings
    @given(first=starts, second=starts, days=st.integers(min_value=0, max_value=30))
    def check(first, second, days):
        early, late = sorted([first, second])
        deadline = add_working_days(jurisdiction, early, days)
        assert early < deadline <= add_working_days(jurisdiction, late, days)
        # Each extra day adds a working day; 0 and 1 agree when receipt is after closing or on a day off.
        following = add_working_days(jurisdiction, early, days + 1)
        assert deadline < following if days else deadline <= following

    check()


@pytest.mark.parametrize("name", CALENDARS)
def test_working_calendar_gives_what_the_functions_give(name):
    jurisdiction = _calendar(name)

    @property_settings
    @given(start=starts, amount=minutes, days=st.integers(min_value=0, max_value=30))
    def check(start, amount, days):
        calendar = WorkingCalendar(jurisdiction, start)
        assert calendar.add_working_hours(amount / 60) == add_working_hours(jurisdiction, start, amount / 60)
        assert calendar.add_working_days(days) == add_working_days(jurisdiction, start, days)

    check()


def test_working_calendar_refuses_what_the_functions_refuse(santiago):
    calendar = WorkingCalendar(santiago, at(SANTIAGO, 2024, 6, 3, 9))
    with pytest.raises(ValueError, match="zero or more"):
        calendar.add_working_hours(-1)
    with pytest.raises(ValueError, match="zero or more"):
        calendar.add_working_days(-1)
    with pytest.raises(TypeError, match="whole number"):
        calendar.add_working_days(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone-aware"):
        WorkingCalendar(santiago, dt.datetime(2024, 6, 3, 9))  # noqa: DTZ001 — the naive moment under test
