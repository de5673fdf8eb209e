"""A mean with its 95% confidence interval, for the small samples an index has (a handful of NGOs per municipality).

The interval is Student's t: ``mean ± t(0.975, n-1) · s / √n`` with ``s`` the sample standard deviation. The
critical values come from :data:`T_975`, the standard two-sided 95% table (scipy is not a dependency; the test
checks every entry against the t distribution integrated numerically). Between tabulated degrees of freedom the
value of the nearest lower one is used: slightly larger than the exact value, so the interval is never narrower
than it should be. Beyond the table the normal 1.96 is used.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["T_975", "Estimate", "estimate", "t_critical"]

T_975: dict[int, float] = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    21: 2.080,
    22: 2.074,
    23: 2.069,
    24: 2.064,
    25: 2.060,
    26: 2.056,
    27: 2.052,
    28: 2.048,
    29: 2.045,
    30: 2.042,
    40: 2.021,
    50: 2.009,
    60: 2.000,
    80: 1.990,
    100: 1.984,
    120: 1.980,
    1000: 1.962,
}
"""The 0.975 quantile of Student's t by degrees of freedom (two-sided 95%)."""

_DFS = sorted(T_975)
_NORMAL = 1.960


def t_critical(df: int) -> float:
    """The two-sided 95% critical value of t with ``df`` (≥ 1) degrees of freedom (module docstring)."""
    if df < 1:
        raise ValueError("a t interval needs at least one degree of freedom (two values)")
    if df > _DFS[-1]:
        return _NORMAL
    return T_975[_DFS[bisect_right(_DFS, df) - 1]]


@dataclass(frozen=True, slots=True)
class Estimate:
    """``n`` values, their mean and the 95% interval ``[low, high]`` (None for a single value)."""

    n: int
    mean: float
    low: float | None
    high: float | None


def estimate(values: Sequence[float]) -> Estimate:
    """The mean of ``values`` (at least one) with its t interval (module docstring)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values to estimate from")
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(1, mean, None, None)
    variance = math.fsum((value - mean) ** 2 for value in values) / (n - 1)
    half = t_critical(n - 1) * math.sqrt(variance / n)
    return Estimate(n, mean, mean - half, mean + half)
