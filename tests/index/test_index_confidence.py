"""The 95% t interval of an index: the table of critical values and the interval of known samples."""

from __future__ import annotations

import math

import pytest

from bot.counting.confidence import T_975, estimate, t_critical


def _t_cdf(x: float, df: int, steps: int = 20_000) -> float:
    """P(T ≤ x) for Student's t with ``df`` degrees of freedom, by Simpson's rule on the density (0 … x)."""
    norm = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def density(t: float) -> float:
        return norm * (1 + t * t / df) ** (-(df + 1) / 2)

    h = x / steps
    total = density(0) + density(x)
    total += sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return 0.5 + total * h / 3


@pytest.mark.parametrize("df", sorted(T_975))
def test_every_tabulated_value_is_the_975_quantile_to_three_places(df: int) -> None:
    assert _t_cdf(T_975[df] - 0.0005, df) < 0.975 < _t_cdf(T_975[df] + 0.0005, df)


@pytest.mark.parametrize(
    ("df", "value"), [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (29, 2.045), (120, 1.980), (10**6, 1.960)]
)
def test_known_critical_values(df: int, value: float) -> None:
    assert t_critical(df) == value


def test_between_tabulated_values_the_interval_is_never_too_narrow() -> None:
    for df in range(31, 1001):
        assert _t_cdf(t_critical(df) + 0.0005, df, steps=2_000) > 0.975, df
    with pytest.raises(ValueError, match="degree of freedom"):
        t_critical(0)


def test_interval_of_a_known_sample() -> None:
    # 4, 5, 3: mean 4, s = 1, half-width 4.303 · 1/√3 = 2.484
    found = estimate([4.0, 5.0, 3.0])
    assert found.n == 3 and found.mean == 4.0
    assert found.low == pytest.approx(4 - 4.303 / math.sqrt(3)) and found.high == pytest.approx(
        4 + 4.303 / math.sqrt(3)
    )
    same = estimate([3.0, 3.0, 3.0, 3.0])
    assert (same.low, same.high) == (3.0, 3.0)
    single = estimate([2.0])
    assert (single.mean, single.low, single.high) == (2.0, None, None)
    with pytest.raises(ValueError, match="no values"):
        estimate([])
