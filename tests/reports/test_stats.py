import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from civicloop.reports.stats import (
    competition_ranks,
    hours,
    mean_confidence_interval,
    percent,
    percentile,
    percentile_duration,
    round_half_up,
    t_critical_95,
)


def test_percentile_interpolates_like_percentile_cont():
    values = list(range(1, 11))

    assert percentile(values, Fraction(1, 2)) == Fraction(11, 2)
    assert percentile(values, Fraction(9, 10)) == Fraction(91, 10)
    assert percentile(values, Fraction(0)) == 1
    assert percentile(values, Fraction(1)) == 10


def test_percentile_unsorted_input_is_sorted_first():
    assert percentile([30, 1, 4, 2, 8, 6], Fraction(1, 2)) == 5
    assert percentile([30, 1, 4, 2, 8, 6], Fraction(9, 10)) == 19


def test_percentile_single_value_is_that_value():
    assert percentile([7], Fraction(9, 10)) == 7


def test_percentile_no_values_is_none():
    assert percentile([], Fraction(1, 2)) is None


def test_percentile_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1, 2], Fraction(3, 2))


def test_percentile_duration_hours_one_to_ten():
    durations = [dt.timedelta(hours=h) for h in range(1, 11)]

    assert percentile_duration(durations, Fraction(1, 2)) == dt.timedelta(hours=5, minutes=30)
    assert percentile_duration(durations, Fraction(9, 10)) == dt.timedelta(hours=9, minutes=6)
    assert percentile_duration([], Fraction(1, 2)) is None


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        (1, 12.7062),
        (2, 4.3027),
        (3, 3.1824),
        (4, 2.7764),
        (9, 2.2622),
        (10, 2.2281),
        (20, 2.0860),
        (29, 2.0452),
        (30, 2.0423),
        (31, 2.0395),
        (40, 2.0211),
        (60, 2.0003),
        (120, 1.9799),
        (1000, 1.9623),
    ],
)
def test_t_critical_95_matches_published_tables(df, expected):
    assert t_critical_95(df) == pytest.approx(expected, abs=1e-4)


def test_t_critical_95_approaches_the_normal_value():
    assert t_critical_95(10**7) == pytest.approx(1.959964, abs=1e-6)


def test_t_critical_95_decreases_with_degrees_of_freedom():
    values = [t_critical_95(df) for df in range(1, 500)]

    assert values == sorted(values, reverse=True)


def test_t_critical_95_zero_degrees_of_freedom_is_refused():
    with pytest.raises(ValueError, match="at least one degree"):
        t_critical_95(0)


def test_mean_confidence_interval_ratings_4_5_3():
    result = mean_confidence_interval(3, 12, 50)

    # mean 4, s = 1, t(2) = 4.302653: 4 ± 2.484138
    assert result.mean == 4
    assert result.low == pytest.approx(1.515862, abs=1e-6)
    assert result.high == pytest.approx(6.484138, abs=1e-6)


def test_mean_confidence_interval_bounds_cut_to_the_scale():
    result = mean_confidence_interval(3, 12, 50, bounds=(1.0, 5.0))

    assert (result.low, result.high) == (pytest.approx(1.515862, abs=1e-6), 5.0)


def test_mean_confidence_interval_one_value_has_no_interval():
    result = mean_confidence_interval(1, 4, 16)

    assert (result.n, result.mean, result.low, result.high) == (1, 4.0, None, None)


def test_mean_confidence_interval_no_values_is_none():
    assert mean_confidence_interval(0, 0, 0) is None


def test_mean_confidence_interval_equal_values_has_zero_width():
    result = mean_confidence_interval(4, 12, 36)

    assert (result.mean, result.low, result.high) == (3.0, 3.0, 3.0)


def test_percent_rounds_half_up_and_none_for_nothing():
    assert percent(5, 7) == Decimal("71.4")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3, not banker's 6.2
    assert percent(0, 3) == Decimal("0.0")
    assert percent(0, 0) is None


def test_hours_rounds_to_one_decimal():
    assert hours(dt.timedelta(hours=5, minutes=30)) == Decimal("5.5")
    assert hours(dt.timedelta(minutes=3)) == Decimal("0.1")  # 0.05 h rounds up
    assert hours(None) is None


def test_round_half_up_fraction():
    assert round_half_up(Fraction(1, 8), 2) == Decimal("0.13")


def test_competition_ranks_ties_share_a_rank_and_skip_the_next():
    ranks = competition_ranks(
        [("a", Decimal(50)), ("b", Decimal(70)), ("c", Decimal(50)), ("d", Decimal(10)), ("e", None)],
        better=lambda x, y: x > y,
    )

    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}
