"""information_estimates: L_I, H(c), recovery accuracy and R^2 on cases with known answers."""

import math

import numpy as np
import pytest

from keras_infogan import InfoGAN, mnist_spec
from keras_infogan.evaluation.code_recovery import information_estimates

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class _CodeInPixels(InfoGAN):
    """G writes the codes into pixels; Q reads them back (perfectly, or not at all)."""

    def __init__(self, perfect: bool):
        super().__init__(mnist_spec(noise_dim=4))
        self.perfect = perfect

    def generate(self, z, codes, batch_size=256):
        images = np.zeros((len(z), 28, 28, 1), np.float32)
        images[:, 0, 0, 0] = np.asarray(codes[0]) / 10.0
        images[:, 0, 1, 0] = np.asarray(codes[1]) / 2.0
        images[:, 0, 2, 0] = np.asarray(codes[2]) / 2.0
        return images

    def q_params(self, images, batch_size=256):
        if not self.perfect:
            return np.zeros((len(images), 12), np.float32)
        category = np.rint(images[:, 0, 0, 0] * 10).astype(int)
        logits = 50.0 * np.eye(10, dtype=np.float32)[category]
        return np.concatenate([logits, images[:, 0, 1:3, 0] * 2.0], axis=1)


def test_a_perfect_q_reaches_the_entropy_and_recovers_every_code():
    estimates = information_estimates(_CodeInPixels(perfect=True), num_samples=2000)
    cat = estimates["cat0"]
    assert cat["entropy"] == pytest.approx(math.log(10))
    assert cat["lower_bound"] == pytest.approx(math.log(10), abs=1e-5)
    assert cat["recovery_accuracy"] == 1.0
    for name in ("cont0", "cont1"):
        # log N(c; c, 1) + ln 2, for sigma fixed at 1
        assert estimates[name]["lower_bound"] == pytest.approx(math.log(2) - HALF_LOG_2PI, abs=1e-5)
        assert estimates[name]["entropy"] == pytest.approx(math.log(2))
        assert estimates[name]["r2"] == pytest.approx(1.0, abs=1e-5)


def test_an_uninformed_q_gets_a_zero_categorical_bound_and_no_r2():
    estimates = information_estimates(_CodeInPixels(perfect=False), num_samples=20000)
    assert estimates["cat0"]["lower_bound"] == pytest.approx(0.0, abs=1e-6)
    # E[log N(c; 0, 1)] + ln 2 with E[c^2] = 1/3 for c ~ U(-1, 1)
    expected = math.log(2) - HALF_LOG_2PI - 1 / 6
    for name in ("cont0", "cont1"):
        entry = estimates[name]
        assert entry["lower_bound"] == pytest.approx(expected, abs=4 * entry["std_error"] + 1e-4)
        assert abs(entry["r2"]) < 0.01


def test_a_real_model_gives_a_bound_below_the_entropy():
    estimates = information_estimates(InfoGAN(mnist_spec(noise_dim=8)), num_samples=64)
    assert estimates["cat0"]["lower_bound"] <= math.log(10) + 1e-6
    assert set(estimates) == {"cat0", "cont0", "cont1"}


def test_too_few_samples_are_refused():
    with pytest.raises(ValueError, match="num_samples"):
        information_estimates(InfoGAN(mnist_spec(noise_dim=8)), num_samples=1)
