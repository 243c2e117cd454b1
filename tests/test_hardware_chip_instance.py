"""A chip instance: weights on its grid, updates as its learning engine stores them, frozen mismatch,
per-trial noise and unit kinds; the ideal profile changes nothing."""
import numpy as np
import pytest
import yaml

from tpneuro.hardware import ChipInstance, load_profile

STEP = 1 / 128          # 8-bit sign_bit: n_max = 127, max_abs = 127/128 -> step exactly 2^-7


def sourced(value):
    return {"value": value, "source": "test profile", "confidence": "modeling_choice"}


def profile_from(tmp_path, name="chip", **sections):
    data = {"name": name, "description": "test chip"}
    data.update(sections)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_profile(path)


def eight_bit(rounding="nearest", **update_fields):
    weights = {"bits": sourced(8), "sign": "sign_bit", "max_abs": sourced(127 / 128), "rounding": "nearest"}
    return {"weights": weights, "updates": {"rounding": rounding, **update_fields}}


def test_quantize_weights_gold_values(tmp_path):
    """step 1/128: 0.3 * 128 = 38.4 -> 38/128 = 0.296875; -0.5 -> -64/128; 2.0 saturates at 127/128;
    0.0039 * 128 = 0.4992 -> 0."""
    chip = ChipInstance(profile_from(tmp_path, **eight_bit()), [4, 3, 2], seed=0)
    W = np.array([0.3, -0.5, 2.0, 0.0039])
    np.testing.assert_array_equal(chip.quantize_weights(W, 1, rng=None), [0.296875, -0.5, 127 / 128, 0.0])
    grid = chip.weight_grid(1)
    assert grid.step == STEP and grid.upper == 127 / 128 and grid.lower == -127 / 128


def test_nearest_rounding_loses_every_update_below_half_a_step(tmp_path):
    """W on the grid, |dW| < s/2: rint(n + dW/s) = n, so the weights never move, however many steps."""
    chip = ChipInstance(profile_from(tmp_path, **eight_bit("nearest")), [50, 40, 2], seed=0)
    rng = np.random.default_rng(0)
    W0 = chip.quantize_weights(rng.uniform(-0.5, 0.5, size=(40, 50)), 1, rng)
    W = W0
    for _ in range(100):
        W = chip.apply_update(W, rng.uniform(-0.49, 0.49, size=W.shape) * STEP, 1, rng)
    np.testing.assert_array_equal(W, W0)


def test_stochastic_rounding_keeps_learning_with_the_expected_drift(tmp_path):
    """dW = 0.1 s on every step: each step adds one level with probability 0.1, so after T = 200 steps
    W / s ~ Binomial(200, 0.1), mean 20, variance 18. The mean over N = 20000 weights must lie within
    5 standard errors (sqrt(18 / N)) of 20; nearest rounding leaves the same weights at 0."""
    rng = np.random.default_rng(1)
    stochastic = ChipInstance(profile_from(tmp_path, "s", **eight_bit("stochastic")), [2, 20000], seed=0)
    nearest = ChipInstance(profile_from(tmp_path, "n", **eight_bit("nearest")), [2, 20000], seed=0)
    W_s = W_n = np.zeros(20000)
    for _ in range(200):
        W_s = stochastic.apply_update(W_s, np.full(20000, 0.1 * STEP), 1, rng)
        W_n = nearest.apply_update(W_n, np.full(20000, 0.1 * STEP), 1, rng)
    assert abs(W_s.mean() / STEP - 20.0) < 5 * np.sqrt(18 / 20000)
    assert stochastic.weight_grid(1).contains(W_s)
    np.testing.assert_array_equal(W_n, 0.0)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_fraction_bits_drop_updates_below_their_resolution(tmp_path, sign):
    """fraction_bits f = 2 (resolution s/4), truncation towards zero: dW = +-0.2 s becomes 0 (never
    moves); dW = +-0.3 s becomes +-0.25 s, so the mean change is +-0.25 s with standard error
    sqrt(0.25 * 0.75 / N)."""
    chip = ChipInstance(profile_from(tmp_path, **eight_bit("stochastic", fraction_bits=sourced(2))),
                        [2, 50000], seed=0)
    rng = np.random.default_rng(2)
    zero = np.zeros(50000)
    np.testing.assert_array_equal(chip.apply_update(zero, np.full(50000, sign * 0.2 * STEP), 1, rng), 0.0)
    moved = chip.apply_update(zero, np.full(50000, sign * 0.3 * STEP), 1, rng) / STEP
    assert abs(moved.mean() - sign * 0.25) < 5 * np.sqrt(0.25 * 0.75 / 50000)


def test_update_bits_clip_one_change(tmp_path):
    """bits = 3, no fraction bits: one update moves at most (2^3 - 1) = 7 steps."""
    chip = ChipInstance(profile_from(tmp_path, **eight_bit("nearest", bits=sourced(3))), [2, 2], seed=0)
    out = chip.apply_update(np.zeros(2), np.array([100 * STEP, -2 * STEP]), 1, None)
    np.testing.assert_array_equal(out, [7 * STEP, -2 * STEP])


def test_learning_rate_is_rounded_to_its_mantissa_bits(tmp_path):
    """3 mantissa bits: 0.3 = 1.2 * 2^-2 -> 1.25 * 2^-2 = 0.3125."""
    chip = ChipInstance(profile_from(tmp_path, **eight_bit(learning_rate_bits=sourced(3))), [2, 2], seed=0)
    assert chip.quantize_learning_rate(0.3) == 0.3125


def test_loihi_shared_exponent_step_and_calibration():
    """loihi1: 8-bit sign_bit (n_max 127), power-of-two step. Default range 1: s = 2^ceil(log2(1/127))
    = 2^-6. Calibrated to max|W| = 0.3: s = 2^ceil(log2(0.3/127)) = 2^-8, and 0.3 * 256 = 76.8 -> 77/256."""
    chip = ChipInstance(load_profile("loihi1"), [3, 2], seed=0)
    assert chip.weight_grid(1).step == 2.0 ** -6
    W = np.array([[0.3, -0.1, 0.0], [0.05, 0.2, -0.3]])
    tuned = chip.calibrated([W])
    assert tuned.weight_max_abs == (0.3,) and tuned.weight_grid(1).step == 2.0 ** -8
    assert tuned.quantize_weights(W, 1, None)[0, 0] == 77 / 256
    rebuilt = ChipInstance(load_profile("loihi1"), [3, 2], seed=0, weight_max_abs=tuned.weight_max_abs)
    assert rebuilt.weight_grid(1) == tuned.weight_grid(1)


def test_feedback_weights_override_the_forward_format(tmp_path):
    sections = eight_bit()
    sections["feedback_weights"] = {"bits": sourced(4), "sign": "sign_bit", "max_abs": sourced(7 / 8),
                                    "rounding": "nearest"}
    chip = ChipInstance(profile_from(tmp_path, **sections), [3, 4, 2], seed=0)
    assert chip.weight_grid(2, "forward").step == STEP
    assert chip.weight_grid(2, "feedback").step == 1 / 8
    np.testing.assert_array_equal(chip.quantize_weights(np.array([0.3]), 2, None, pathway="feedback"), [0.25])


def mismatched(tmp_path, **noise):
    return profile_from(tmp_path, noise={k: sourced(v) for k, v in noise.items()})


def test_frozen_mismatch_is_reproducible_from_the_seed_and_differs_across_seeds(tmp_path):
    """gain = 1 + 0.1 z per unit: with 20000 units the sample mean is within 5 * 0.1 / sqrt(20000) of 1
    and the sample std within 5 * 0.1 / sqrt(2 * 20000) of 0.1."""
    profile = mismatched(tmp_path, gain_mismatch_sigma=0.1, offset_mismatch_sigma=0.05)
    a, b, c = (ChipInstance(profile, [3, 20000, 5], seed=s) for s in (7, 7, 8))
    gain, offset = a.mismatch.layer(1)
    np.testing.assert_array_equal(gain, b.mismatch.layer(1)[0])
    np.testing.assert_array_equal(offset, b.mismatch.layer(1)[1])
    assert not np.allclose(gain, c.mismatch.layer(1)[0])
    assert abs(gain.mean() - 1.0) < 5 * 0.1 / np.sqrt(20000)
    assert abs(gain.std() - 0.1) < 5 * 0.1 / np.sqrt(40000)
    h = np.random.default_rng(0).uniform(size=(4, 20000))
    out1 = a.activity(h, 1, np.random.default_rng(1))
    out2 = b.activity(h, 1, np.random.default_rng(2))
    np.testing.assert_array_equal(out1, out2)
    np.testing.assert_allclose(out1, h * gain + offset)


def test_per_trial_noise_is_fresh_every_call(tmp_path):
    chip = ChipInstance(mismatched(tmp_path, activity_sigma=0.2), [3, 1000, 5], seed=0)
    rng = np.random.default_rng(0)
    h = np.full((50, 1000), 0.5)
    first, second = chip.activity(h, 1, rng), chip.activity(h, 1, rng)
    assert not np.array_equal(first, second)
    noise = (first - h).ravel()
    assert abs(noise.std() - 0.2) < 5 * 0.2 / np.sqrt(2 * noise.size)


def test_stochastic_binary_units_on_hidden_layers_and_readout_untouched(tmp_path):
    """Hidden units emit Bern(0.3): mean within 5 * sqrt(0.21 / N) of 0.3; the output layer is read out."""
    chip = ChipInstance(profile_from(tmp_path, units={"kind": "stochastic_binary"}), [3, 400, 5], seed=0)
    rng = np.random.default_rng(3)
    spikes = chip.activity(np.full((500, 400), 0.3), 1, rng)
    assert set(np.unique(spikes)) == {0.0, 1.0}
    assert abs(spikes.mean() - 0.3) < 5 * np.sqrt(0.21 / spikes.size)
    out = np.full((2, 5), 0.3)
    assert chip.activity(out, 2, rng) is out


def test_ideal_profile_returns_inputs_bit_identical():
    chip = ChipInstance(load_profile("ideal"), [4, 3, 2], seed=0)
    rng = np.random.default_rng(0)
    W, dW, h = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)) * 1e-7, rng.uniform(size=(5, 3))
    assert chip.is_ideal
    assert chip.quantize_weights(W, 1, rng) is W
    assert chip.activity(h, 1, rng) is h
    updated = chip.apply_update(W, dW, 1, rng)
    assert updated.dtype == W.dtype and np.array_equal(updated, W + dW)
    assert chip.quantize_learning_rate(0.0123) == 0.0123
    assert chip.calibrated([W]) is chip


def test_misuse_is_refused_with_a_clear_message(tmp_path):
    chip = ChipInstance(profile_from(tmp_path, **eight_bit("stochastic")), [4, 3], seed=0)
    with pytest.raises(ValueError, match="layer 0 is outside 1..1 .layer 0 is the input"):
        chip.quantize_weights(np.zeros((3, 4)), 0, None)
    with pytest.raises(ValueError, match="stochastic rounding needs a numpy Generator"):
        chip.apply_update(np.zeros(3), np.zeros(3), 1, None)
    with pytest.raises(ValueError, match="layer 1 has 3 units, got activities of shape .2, 4."):
        chip.activity(np.zeros((2, 4)), 1, None)
    with pytest.raises(ValueError, match="fixes the forward weight range at max_abs"):
        ChipInstance(chip.profile, [4, 3], seed=0, weight_max_abs=[2.0])
    with pytest.raises(ValueError, match="pathway must be one of forward, feedback"):
        chip.weight_grid(1, "sideways")
