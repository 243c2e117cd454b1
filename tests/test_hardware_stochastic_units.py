"""Unit functions shared with the Lee et al. (2015) stochastic and discrete networks."""
import numpy as np

from tpneuro.hardware import quantized_unit, sign_unit, stochastic_binary, stochastic_binary_straight_through


def test_stochastic_binary_is_bernoulli_of_the_clipped_rate():
    """P(1) = clip(h, 0, 1): each column's mean over N samples lies within 5 * sqrt(p(1-p)/N) of p
    (exactly 0 and 1 for rates clipped at the ends)."""
    rates = np.array([-0.5, 0.0, 0.1, 0.5, 0.9, 1.0, 1.5])
    n = 40_000
    samples = stochastic_binary(np.tile(rates, (n, 1)), np.random.default_rng(0))
    assert set(np.unique(samples)) <= {0.0, 1.0}
    p = np.clip(rates, 0, 1)
    assert np.all(np.abs(samples.mean(axis=0) - p) <= 5 * np.sqrt(p * (1 - p) / n))


def test_straight_through_derivative_matches_the_derivative_of_the_mean():
    """d E[Bern(h)] / dh = d clip(h, 0, 1) / dh, checked by central finite differences away from the kinks."""
    h = np.array([-0.3, 0.2, 0.5, 0.95, 1.4])
    eps = 1e-6
    finite = (np.clip(h + eps, 0, 1) - np.clip(h - eps, 0, 1)) / (2 * eps)
    np.testing.assert_allclose(stochastic_binary_straight_through(h), finite, atol=1e-9)
    np.testing.assert_array_equal(stochastic_binary_straight_through(h), [0.0, 1.0, 1.0, 1.0, 0.0])


def test_sign_unit_is_binary_with_sign_of_zero_positive():
    np.testing.assert_array_equal(sign_unit(np.array([-2.0, -0.0, 0.0, 3.0, -1e-12])), [-1, 1, 1, 1, -1])


def test_quantized_unit_gold_values():
    """2 bits on [0, 1]: levels 0, 1/3, 2/3, 1 (s = 1/3). h * 3 = [clipped 0, 0.3, 0.6, 1.5, 2.7, clipped 3]
    -> rint (ties to even) = [0, 0, 1, 2, 3, 3]."""
    out = quantized_unit(np.array([-1.0, 0.1, 0.2, 0.5, 0.9, 2.0]), bits=2, lo=0.0, hi=1.0)
    np.testing.assert_allclose(out, [0, 0, 1 / 3, 2 / 3, 1, 1], rtol=0, atol=1e-15)
    signed = quantized_unit(np.array([-0.9, 0.1]), bits=1, lo=-1.0, hi=1.0)
    np.testing.assert_array_equal(signed, [-1.0, 1.0])
