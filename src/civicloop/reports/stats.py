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

import bisect
import datetime as dt
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypeVar

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


# --- Distributions of durations for the performance rollups ----------------------------------

#: Values below this are kept in buckets of width 1 (exact); above, 64 buckets per power of two.
_EXACT_BELOW = 128
_SUB_BUCKETS = 64
#: A distribution of at most this many values is stored as the values themselves (exact).
DISTRIBUTION_EXACT_MAX = 32
#: The largest error of a percentile estimated from buckets, relative to the exact value.
DISTRIBUTION_RELATIVE_ERROR = Fraction(1, _SUB_BUCKETS)


def bucket_of(value: int) -> int:
    """The bucket of an integer (microseconds): order-preserving, each bucket [lo, hi) with
    hi − lo ≤ lo / 64 (log-linear, like HdrHistogram); exact below 128."""
    if value < 0:
        return -1 - bucket_of(-1 - value)
    if value < _EXACT_BELOW:
        return value
    shift = value.bit_length() - 7
    return shift * _SUB_BUCKETS + (value >> shift)


def bucket_bounds(bucket: int) -> tuple[int, int]:
    """[lo, hi): the integers in bucket (the inverse of `bucket_of`)."""
    if bucket < 0:
        lo, hi = bucket_bounds(-1 - bucket)
        return -hi, -lo
    if bucket < _EXACT_BELOW:
        return bucket, bucket + 1
    shift = bucket // _SUB_BUCKETS - 1
    mantissa = bucket - shift * _SUB_BUCKETS
    return mantissa << shift, (mantissa + 1) << shift


class Distribution:
    """Durations (integers, microseconds) that can be merged: the values themselves while there
    are few (exact percentiles, the same as `percentile`), else counts per `bucket_of` bucket,
    kept dense (counts[i] is bucket offset + i) so merging is a C-level zip of two lists
    (percentiles within `DISTRIBUTION_RELATIVE_ERROR` of the exact value)."""

    __slots__ = ("counts", "offset", "values")

    def __init__(self, values: list[int] | None = None, *, offset: int = 0, counts: list[int] | None = None) -> None:
        self.values: list[int] | None = None if counts is not None else (values if values is not None else [])
        self.offset = offset
        self.counts: list[int] = counts if counts is not None else []

    @classmethod
    def bucketed(cls) -> Distribution:
        return cls(counts=[])

    @property
    def count(self) -> int:
        return len(self.values) if self.values is not None else sum(self.counts)

    @property
    def is_exact(self) -> bool:
        return self.values is not None

    def add(self, value: int) -> None:
        if self.values is not None:
            self.values.append(value)
        else:
            self._add_counts(bucket_of(value), [1])

    def _add_counts(self, offset: int, counts: list[int]) -> None:
        if not counts:
            return
        if not self.counts:
            self.offset, self.counts = offset, list(counts)
            return
        if offset < self.offset:
            self.counts[:0] = [0] * (self.offset - offset)
            self.offset = offset
        start = offset - self.offset
        end = start + len(counts)
        if end > len(self.counts):
            self.counts.extend([0] * (end - len(self.counts)))
        self.counts[start:end] = map(operator.add, self.counts[start:end], counts)

    @staticmethod
    def _dense(values: list[int]) -> tuple[int, list[int]]:
        buckets = [bucket_of(value) for value in values]
        if not buckets:
            return 0, []
        low = min(buckets)
        counts = [0] * (max(buckets) - low + 1)
        for bucket in buckets:
            counts[bucket - low] += 1
        return low, counts

    def _to_buckets(self) -> None:
        if self.values is not None:
            self.offset, self.counts = self._dense(self.values)
            self.values = None

    def merge(self, other: Distribution, *, exact_max: int | None = None) -> None:
        """Add other's values; the result stays exact while both are and (with exact_max) it is small."""
        if (
            self.values is not None
            and other.values is not None
            and (exact_max is None or len(self.values) + len(other.values) <= exact_max)
        ):
            self.values.extend(other.values)
            return
        self._to_buckets()
        if other.values is not None:
            self._add_counts(*self._dense(other.values))
        else:
            self._add_counts(other.offset, other.counts)

    def limit(self, exact_max: int = DISTRIBUTION_EXACT_MAX) -> Distribution:
        """Kept as values only while there are at most exact_max of them (for storage)."""
        if self.values is not None and len(self.values) > exact_max:
            self._to_buckets()
        return self

    def to_json(self) -> dict[str, Any]:
        if self.values is not None:
            return {"values": sorted(self.values)}
        return {"offset": self.offset, "counts": self.counts}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Distribution:
        if "values" in data:
            return cls(values=list(data["values"]))
        return cls(offset=data["offset"], counts=list(data["counts"]))

    def percentile(self, p: Fraction) -> dt.timedelta | None:
        """The p-quantile as `percentile_duration`: exact from values; from buckets each of the two
        nearest ranks is placed evenly inside its bucket, so the error is below one bucket's width."""
        value = percentile(self.values, p) if self.values is not None else self._bucket_percentile(p)
        return None if value is None else dt.timedelta(microseconds=round(value))

    def _rank_value(self, cumulative: list[int], rank: int) -> Fraction:
        index = bisect.bisect_right(cumulative, rank)
        before = cumulative[index - 1] if index else 0
        count = self.counts[index]
        lo, hi = bucket_bounds(self.offset + index)
        if hi - lo == 1:  # values 1 wide are exact
            return Fraction(lo)
        return lo + Fraction((hi - lo) * (2 * (rank - before) + 1), 2 * count)

    def _bucket_percentile(self, p: Fraction) -> Fraction | None:
        if not 0 <= p <= 1:
            raise ValueError("A percentile lies between 0 and 1.")
        cumulative = list(itertools.accumulate(self.counts))
        total = cumulative[-1] if cumulative else 0
        if total == 0:
            return None
        position = p * (total - 1)
        lower, upper = math.floor(position), math.ceil(position)
        low = self._rank_value(cumulative, lower)
        high = low if upper == lower else self._rank_value(cumulative, upper)
        return low + (high - low) * (position - lower)
