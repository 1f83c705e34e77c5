"""Small, exact statistics for the public performance page (no scipy, no numpy).

- `percentile` interpolates linearly between the two nearest ranks, exactly like PostgreSQL's
  `percentile_cont` (and numpy's default), so SQLite (computed here) and PostgreSQL (computed
  in SQL) publish the same figures: durations 1..10 h → median 5.5 h, 90th percentile 9.1 h.
- `t_critical_95` is the two-sided 95% critical value of Student's t: a table for 1–30 degrees
  of freedom, above that the Cornish–Fisher expansion around the normal value (error < 1e-5).
- `mean_confidence_interval` works from n, Σx and Σx², which SQL sums exactly as integers.
- Published numbers are `Decimal`s rounded half up, so a page and a CSV never differ by a
  rounding mode.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

# Two-sided 95% (upper 0.975 quantile) critical values of Student's t for 1..30 degrees of freedom.
_T_975 = (
    12.706205,
    4.302653,
    3.182446,
    2.776445,
    2.570582,
    2.446912,
    2.364624,
    2.306004,
    2.262157,
    2.228139,
    2.200985,
    2.178813,
    2.160369,
    2.144787,
    2.131450,
    2.119905,
    2.109816,
    2.100922,
    2.093024,
    2.085963,
    2.079614,
    2.073873,
    2.068658,
    2.063899,
    2.059539,
    2.055529,
    2.051831,
    2.048407,
    2.045230,
    2.042272,
)
_Z_975 = 1.959963984540054


def t_critical_95(df: int) -> float:
    """The t value with 2.5% of the distribution above it, for df degrees of freedom (df ≥ 1)."""
    if df < 1:
        raise ValueError("A t critical value needs at least one degree of freedom.")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z = _Z_975
    # Cornish–Fisher expansion of the t quantile in powers of 1/df (Abramowitz & Stegun 26.7.5).
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def percentile(values: Sequence[int], p: Fraction) -> Fraction | None:
    """The p-quantile (0 ≤ p ≤ 1) of values by linear interpolation, as `percentile_cont` does.

    Integers in, an exact fraction out: with values sorted, position p·(n − 1) between
    ranks ⌊·⌋ and ⌈·⌉. No values → None.
    """
    if not 0 <= p <= 1:
        raise ValueError("A percentile lies between 0 and 1.")
    if not values:
        return None
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def percentile_duration(durations: Sequence[dt.timedelta], p: Fraction) -> dt.timedelta | None:
    """`percentile` of durations, to the microsecond (PostgreSQL's interval precision)."""
    value = percentile([d // dt.timedelta(microseconds=1) for d in durations], p)
    if value is None:
        return None
    return dt.timedelta(microseconds=round(value))


def round_half_up(value: Decimal | Fraction | int, places: int) -> Decimal:
    """value rounded to places decimals, halves away from zero (what people expect on paper)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, places: int = 1) -> Decimal | None:
    """part as a percentage of whole; None when whole is 0 (a share of nothing is not 0%)."""
    if whole == 0:
        return None
    return round_half_up(Fraction(part * 100, whole), places)


def hours(duration: dt.timedelta | None, places: int = 1) -> Decimal | None:
    """A duration in hours, rounded; None stays None."""
    if duration is None:
        return None
    return round_half_up(Fraction(duration // dt.timedelta(microseconds=1), 3_600_000_000), places)


@dataclass(frozen=True)
class MeanInterval:
    """A sample mean with its 95% confidence interval (low/high None when n < 2)."""

    n: int
    mean: float
    low: float | None
    high: float | None


def mean_confidence_interval(
    n: int, total: int, total_of_squares: int, *, bounds: tuple[float, float] | None = None
) -> MeanInterval | None:
    """Mean and t-based 95% confidence interval from n, Σx and Σx² (None when n is 0).

    The interval is mean ± t(n − 1) · s / √n with s the sample standard deviation. With n < 2
    there is no spread to estimate, so no interval. bounds cut the interval to the ends of the
    scale (a 1–5 rating cannot average 5.3).
    """
    if n <= 0:
        return None
    mean = Fraction(total, n)
    if n < 2:
        return MeanInterval(n=n, mean=float(mean), low=None, high=None)
    variance = (Fraction(total_of_squares) - n * mean * mean) / (n - 1)
    half_width = t_critical_95(n - 1) * math.sqrt(max(variance, Fraction(0))) / math.sqrt(n)
    low, high = float(mean) - half_width, float(mean) + half_width
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return MeanInterval(n=n, mean=float(mean), low=low, high=high)


def competition_ranks(items: Sequence[tuple[K, V | None]], *, better: Callable[[V, V], bool]) -> dict[K, int]:
    """Standard competition ranks ("1, 2, 2, 4"): equal values share a rank, the next rank skips.

    items are (key, value); a None value is not ranked. better(a, b) says a ranks before b.
    """
    ranked = [(key, value) for key, value in items if value is not None]
    ranks: dict[K, int] = {}
    for key, value in ranked:
        ranks[key] = 1 + sum(1 for _, other in ranked if better(other, value))
    return ranks
