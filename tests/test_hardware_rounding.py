"""Rounding onto a grid: gold values, idempotence, on-grid results, unbiased stochastic rounding."""
import numpy as np
import pytest

from tpneuro.hardware import chain, round_mantissa, round_nearest, round_stochastic


class FixedUniform:
    """Stand-in generator that returns a chosen u (brian2's fake_randn idea) so stochastic rounding
    has exact expected outputs."""

    def __init__(self, u: float):
        self.u = u

    def random(self, shape):
        return np.full(shape, self.u)


def test_round_nearest_gold_values():
    """s = 0.25 (exact in binary). x / s = [0.4, 0.52, -1.2, 0.5, 1.5, 4.0] -> rint with ties to even
    = [0, 1, -1, 0, 2, 4] -> q = [0, 0.25, -0.25, 0, 0.5, 1.0]."""
    x = np.array([0.1, 0.13, -0.3, 0.125, 0.375, 1.0])
    np.testing.assert_array_equal(round_nearest(x, 0.25), [0.0, 0.25, -0.25, 0.0, 0.5, 1.0])


def test_round_stochastic_gold_values_with_fixed_u():
    """q = s * floor(x / s + u). With u = 0.5: x / s = [0.4, 0.52, -1.2, 0.5] -> floor([0.9, 1.02,
    -0.7, 1.0]) = [0, 1, -1, 1]; with u = 0: plain floor -> [0, 0, -2, 0]."""
    x = np.array([0.1, 0.13, -0.3, 0.125])
    np.testing.assert_array_equal(round_stochastic(x, 0.25, FixedUniform(0.5)), [0.0, 0.25, -0.25, 0.25])
    np.testing.assert_array_equal(round_stochastic(x, 0.25, FixedUniform(0.0)), [0.0, 0.0, -0.5, 0.0])


@pytest.mark.parametrize("step", [0.25, 0.1, 1 / 127, 3.0])
def test_rounding_is_idempotent_and_on_grid(step):
    x = np.random.default_rng(0).normal(scale=5.0, size=2000)
    rng = np.random.default_rng(1)
    for q in (round_nearest(x, step), round_stochastic(x, step, rng)):
        levels = q / step
        np.testing.assert_allclose(levels, np.rint(levels), rtol=0, atol=1e-9)
        np.testing.assert_array_equal(round_nearest(q, step), q)
        np.testing.assert_array_equal(round_stochastic(q, step, rng), q)
    assert np.all(np.abs(round_nearest(x, step) - x) <= step / 2 + 1e-12)


def test_stochastic_rounding_is_unbiased():
    """E[q] = x. For x = 0.3 s, q / s is Bernoulli(0.3): the mean of N draws has standard error
    sqrt(0.3 * 0.7 / N); over many random x, the mean error has standard error std(q - x) / sqrt(N).
    Both means must lie within 5 standard errors of the truth."""
    rng = np.random.default_rng(42)
    n, s = 200_000, 0.1
    q = round_stochastic(np.full(n, 0.3 * s), s, rng)
    assert abs(q.mean() / s - 0.3) < 5 * np.sqrt(0.3 * 0.7 / n)
    x = rng.uniform(-3, 3, size=n)
    err = round_stochastic(x, s, rng) - x
    assert abs(err.mean()) < 5 * err.std() / np.sqrt(n)
    assert np.all(np.abs(err) < s)


def test_round_mantissa_gold_values():
    """0.3 = 1.2 * 2^-2: 1 bit -> 1 * 2^-2 = 0.25; 3 bits -> rint(1.2 * 4) / 4 * 2^-2 = 5/16 = 0.3125.
    0.75 = 1.5 * 2^-1 with 1 bit: rint(1.5) = 2 (tie to even) -> 2 * 2^-1 = 1.0. Sign is kept."""
    assert round_mantissa(0.3, 1) == 0.25
    assert round_mantissa(0.3, 3) == 0.3125
    assert round_mantissa(0.75, 1) == 1.0
    assert round_mantissa(-0.3, 3) == -0.3125
    assert round_mantissa(0.0, 3) == 0.0
    assert round_mantissa(2.0 ** -20 * 5, 3) == 2.0 ** -20 * 5


def test_bad_step_is_refused():
    with pytest.raises(ValueError, match="the grid step must be positive, got 0"):
        round_nearest(np.ones(2), 0)


def test_chain_applies_in_order_and_empty_chain_is_identity():
    """chain(f, g)(x) = g(f(x)): (x + 1) * 2 differs from x * 2 + 1, so the order is visible."""
    x = np.array([1.0, 2.0])
    add_one = lambda v, rng: v + 1  # noqa: E731
    double = lambda v, rng: v * 2  # noqa: E731
    np.testing.assert_array_equal(chain(add_one, double)(x, None), [4.0, 6.0])
    np.testing.assert_array_equal(chain(double, add_one)(x, None), [3.0, 5.0])
    assert chain()(x, None) is x
