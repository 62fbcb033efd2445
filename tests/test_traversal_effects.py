"""Slant and width from pixel moments, and their rank correlation with a swept code, on known images."""

import numpy as np
import pytest

from keras_infogan.codes import mnist_spec
from keras_infogan.evaluation.traversal_effects import (shape_measures, slant_and_width_pair, strongest_effects,
                                                       traversal_effects)


def _canvas(n=1):
    return -np.ones((n, 28, 28, 1), np.float32)  # all dark, in the generator's [-1, 1]


def test_a_vertical_bar_has_no_slant_and_the_width_of_its_columns():
    images = _canvas()
    images[0, 4:24, 10:15] = 1.0  # 5 columns of full ink
    measures = shape_measures(images)
    assert measures["slant"][0] == pytest.approx(0.0, abs=1e-12)
    assert measures["width"][0] == pytest.approx(np.sqrt((5 ** 2 - 1) / 12))  # std of 5 equally spaced columns
    assert measures["ink"][0] == pytest.approx(5 * 20 / 784)


@pytest.mark.parametrize("shear", [1, -1, 2])
def test_a_sheared_line_has_the_slant_of_its_shear_and_no_width(shear):
    """x = 14 + shear * (y0 - y): one pixel per row, leaning right for shear > 0 (rows go downward)."""
    images = _canvas()
    for row in range(8, 20):
        images[0, row, 14 + shear * (14 - row)] = 1.0
    measures = shape_measures(images)
    assert measures["slant"][0] == pytest.approx(shear)
    assert measures["width"][0] == pytest.approx(0.0, abs=1e-6)


def test_half_ink_counts_half_and_dark_images_give_nan():
    images = _canvas(2)
    images[0, 5:10, 5:10] = 0.0  # half ink
    measures = shape_measures(images)
    assert measures["ink"][0] == pytest.approx(0.5 * 25 / 784)
    assert np.isnan(measures["slant"][1]) and measures["ink"][1] == 0.0
    with pytest.raises(ValueError, match=r"\[n, H, W, C\]"):
        shape_measures(np.zeros((28, 28)))


class _BarModel:
    """A 'generator' whose first continuous code shears a bar and whose second widens it."""

    latent_spec = mnist_spec()

    def generate(self, z, codes):
        _, slant_code, width_code = codes
        images = _canvas(len(z))
        for index, (shear, widen) in enumerate(zip(slant_code, width_code)):
            half = 1 + int(round(1.5 * (widen + 2)))  # 1 to 7 pixels each side
            for row in range(6, 22):
                centre = 14 + int(round(shear * 2 * (14 - row) / 8))
                images[index, row, max(centre - half, 0):centre + half + 1] = 1.0
        return images


def test_the_sweep_finds_which_code_slants_and_which_widens():
    effects = traversal_effects(_BarModel(), rows=4, seed=1)
    assert set(effects) == {"cont0", "cont1"}  # the categorical code is not swept
    # shearing keeps the deskewed width (a row with no variation is left out: NaN when all are)
    assert effects["cont0"]["slant"] > 0.95 and not abs(effects["cont0"]["width"]) >= 0.5
    assert effects["cont1"]["width"] > 0.95 and not abs(effects["cont1"]["slant"]) >= 0.5
    assert effects["cont1"]["ink"] > 0.95 and effects["cont0"]["rows"] == 4
    assert strongest_effects(effects) == {"slant": ("cont0", effects["cont0"]["slant"]),
                                          "width": ("cont1", effects["cont1"]["width"])}


def test_bad_sweeps_are_refused():
    with pytest.raises(ValueError, match="at least 3 code values"):
        traversal_effects(_BarModel(), values=[0.0, 1.0])
    with pytest.raises(ValueError, match="rows must be at least 1"):
        traversal_effects(_BarModel(), rows=0)


def test_a_slant_and_width_pair_needs_two_different_codes_over_the_threshold():
    both_in_one = {"cont0": {"slant": -0.95, "width": 0.9}, "cont1": {"slant": 0.3, "width": 0.5}}
    assert not slant_and_width_pair(both_in_one)  # one code doing both is not the paper's pair
    assert slant_and_width_pair(dict(both_in_one, cont1={"slant": 0.3, "width": -0.81}))  # the sign does not matter
    assert not slant_and_width_pair(dict(both_in_one, cont1={"slant": 0.3, "width": -0.79}))
    assert slant_and_width_pair(dict(both_in_one, cont1={"slant": 0.3, "width": -0.79}), threshold=0.7)
    nan = float("nan")  # a measure no row could rank
    assert not slant_and_width_pair({"cont0": {"slant": 0.9, "width": nan}, "cont1": {"slant": nan, "width": nan}})
