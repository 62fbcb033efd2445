"""`generate`: code settings -> a picture. Known answers: every tile of a grid equals the
image `model.generate` makes from the z and codes the layout promises (z and the
unmentioned codes from `latent_spec.sample(n, (seed, 0))`), on small untrained InfoGANs."""

import io

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_infogan import Categorical, InfoGAN, LatentSpec, Uniform
from keras_infogan.__main__ import main
from keras_infogan.generate import (describe_grid, generate_picture, grid_latents, parse_code_setting,
                                    parse_settings, sweep_grid)
from keras_infogan.loading import load_infogan

PAD = 2  # image_grid's padding
ONE_CAT = LatentSpec(noise_dim=4, codes=(Categorical(10), Uniform(), Uniform()))
TWO_CATS = LatentSpec(noise_dim=4, codes=(Categorical(3), Categorical(5), Uniform()))
CONT_ONLY = LatentSpec(noise_dim=4, codes=(Uniform(), Uniform(-2.0, 2.0)), noise="normal")


@pytest.fixture(scope="module")
def models():
    keras.utils.set_random_seed(0)
    return {name: InfoGAN(spec, architecture="mnist")
            for name, spec in (("one_cat", ONE_CAT), ("two_cats", TWO_CATS), ("cont_only", CONT_ONLY))}


def _tiles(grid: np.ndarray, rows: int, cols: int, height: int = 28, width: int = 28) -> np.ndarray:
    """The tiles of an image_grid, [rows, cols, H, W, C], after checking its pixel size."""
    assert grid.shape[:2] == (rows * height + (rows + 1) * PAD, cols * width + (cols + 1) * PAD)
    return np.stack([np.stack([grid[PAD + r * (height + PAD):PAD + r * (height + PAD) + height,
                                    PAD + c * (width + PAD):PAD + c * (width + PAD) + width]
                               for c in range(cols)]) for r in range(rows)])


def _expected_tiles(model, tile_inputs, rows: int, cols: int) -> np.ndarray:
    """uint8 tiles [rows, cols, 28, 28, 1] of model.generate on one (z, [code values]) per tile."""
    z = np.stack([tile_z for tile_z, _ in tile_inputs])
    codes = [np.array([values[i] for _, values in tile_inputs]) for i in range(len(model.latent_spec.codes))]
    codes = [c.astype(np.int32) if code.kind == "categorical" else c.astype(np.float32)
             for c, code in zip(codes, model.latent_spec.codes)]
    images = np.round(np.clip((model.generate(z, codes) + 1) / 2, 0, 1) * 255).astype(np.uint8)
    return images.reshape(rows, cols, 28, 28, 1)


def _prior_draw(spec, n: int, seed: int):
    z, values = spec.sample(n, tf.constant([seed, 0]))
    return z.numpy(), [v.numpy() for v in values]


def test_parse_code_setting_known_values():
    assert parse_code_setting("cat0=7", ONE_CAT)[0] == "cat0"
    np.testing.assert_array_equal(parse_code_setting("cat0=7", ONE_CAT)[1], [7])
    for text in ("cat0=all", "cat0=*", " cat0 = ALL "):
        np.testing.assert_array_equal(parse_code_setting(text, ONE_CAT)[1], np.arange(10))
    np.testing.assert_array_equal(parse_code_setting("cont0=0.5", ONE_CAT)[1], [0.5])
    name, values = parse_code_setting("cont1=-2:2:9", ONE_CAT)
    assert name == "cont1" and values.dtype == np.float32
    np.testing.assert_allclose(values, [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])
    assert list(parse_settings(["cont1=-1:1:3", "cat0=2"], ONE_CAT)) == ["cont1", "cat0"]


@pytest.mark.parametrize("settings, message", [
    (["cat3=1"], r"unknown code 'cat3' in 'cat3=1'; this model's codes: cat0 \(10 categories\), "
                 r"cont0 \(continuous\), cont1 \(continuous\)"),
    (["cat0=10"], r"category 10 of cat0 is out of range: cat0 has 10 categories, 0\.\.9"),
    (["cat0=-1"], r"category -1 of cat0 is out of range"),
    (["cat0=seven"], r"cat0 is a categorical code: give a category 0\.\.9 or 'all', got 'seven'"),
    (["cat0=7.5"], r"cat0 is a categorical code: give a category 0\.\.9 or 'all', got '7\.5'"),
    (["cont0=abc"], r"cont0 is a continuous code: 'abc' is not a number \(give a value like cont0=0\.5 "
                    r"or a sweep like cont0=-2:2:9\)"),
    (["cont0=a:2:5"], r"cont0 is a continuous code: 'a' is not a number"),
    (["cont0=nan"], r"cont0 values must be finite, got 'nan'"),
    (["cont0=-2:2:1"], r"sweep of cont0 needs a whole number of steps >= 2, got '1'"),
    (["cont0=-2:2:x"], r"sweep of cont0 needs a whole number of steps >= 2, got 'x'"),
    (["cont0=2:-2:5"], r"sweep of cont0 needs LOW < HIGH, got '2:-2:5'"),
    (["cont0=1:1:5"], r"sweep of cont0 needs LOW < HIGH, got '1:1:5'"),
    (["cont0=-2:2"], r"sweep of cont0 must be LOW:HIGH:STEPS \(e\.g\. cont0=-2:2:9\), got '-2:2'"),
    (["cat0"], r"code setting 'cat0' must look like NAME=VALUE \(e\.g\. cat0=7, cat0=all"),
    (["=7"], r"code setting '=7' must look like NAME=VALUE"),
    (["cont0="], r"code setting 'cont0=' must look like NAME=VALUE"),
    (["cat0=7", "cat0=3"], r"code cat0 is set twice: 'cat0=7' and 'cat0=3'"),
    (["cat0=all", "cont0=-1:1:3"], r"only one code can be swept per picture, got sweeps of cat0 and cont0; "
                                   r"fix the others to one value"),
])
def test_bad_settings_name_the_problem(settings, message):
    with pytest.raises(ValueError, match=message):
        parse_settings(settings, ONE_CAT)


def test_bad_rows_and_seed(models):
    with pytest.raises(ValueError, match=r"rows must be a whole number >= 1, got 0"):
        sweep_grid(models["one_cat"], ["cont0=-1:1:3"], rows=0)
    with pytest.raises(ValueError, match=r"seed must be a whole number in \[0, 2\*\*31 - 1\], got -1"):
        sweep_grid(models["one_cat"], [], rows=2, seed=-1)


def test_sweep_rows_hold_noise_and_unset_codes_fixed(models):
    """cat0=7 fixed, cont0 swept: tile (r, c) is G(z[r], 7, sweep[c], cont1[r])."""
    model, rows, sweep = models["one_cat"], 3, np.linspace(-2, 2, 9)
    grid = sweep_grid(model, ["cat0=7", "cont0=-2:2:9"], rows=rows, seed=5)
    assert grid.shape == (3 * 28 + 4 * PAD, 9 * 28 + 10 * PAD, 1) and grid.dtype == np.uint8
    z, drawn = _prior_draw(ONE_CAT, rows, 5)
    expected = _expected_tiles(model, [(z[r], (7, v, drawn[2][r])) for r in range(rows) for v in sweep], rows, 9)
    tiles = _tiles(grid, rows, 9)
    np.testing.assert_array_equal(tiles, expected)
    assert not np.array_equal(tiles[0, 0], tiles[0, -1]) and not np.array_equal(tiles[0, 0], tiles[1, 0])
    other = sweep_grid(model, ["cat0=3", "cont0=-2:2:9"], rows=rows, seed=5)
    assert not np.array_equal(other, grid)  # the fixed category reaches the generator


def test_categorical_sweep_with_two_categorical_codes(models):
    """cat1=all with cat0=2: columns are cat1's 5 categories; cont0 drawn per row."""
    model, rows = models["two_cats"], 2
    grid = sweep_grid(model, ["cat1=*", "cat0=2"], rows=rows, seed=1)
    z, drawn = _prior_draw(TWO_CATS, rows, 1)
    expected = _expected_tiles(model, [(z[r], (2, k, drawn[2][r])) for r in range(rows) for k in range(5)], rows, 5)
    np.testing.assert_array_equal(_tiles(grid, rows, 5), expected)
    assert describe_grid(TWO_CATS, ["cat1=*", "cat0=2"], rows, 1) == (
        "2 rows x 5 columns; columns: cat1 categories 0..4; rows: noise z and cont0 drawn with seed 1; "
        "fixed: cat0=2")


def test_no_sweep_is_rows_by_rows_samples(models):
    """No settings: exactly model.sample(rows * rows, seed); a fixed code overrides its draw."""
    model, rows = models["cont_only"], 3
    samples = np.round(np.clip((model.sample(rows * rows, seed=4) + 1) / 2, 0, 1) * 255).astype(np.uint8)
    np.testing.assert_array_equal(_tiles(sweep_grid(model, [], rows=rows, seed=4), rows, rows),
                                  samples.reshape(rows, rows, 28, 28, 1))
    z, drawn = _prior_draw(CONT_ONLY, rows * rows, 4)
    expected = _expected_tiles(model, [(z[i], (drawn[0][i], 1.5)) for i in range(rows * rows)], rows, rows)
    np.testing.assert_array_equal(_tiles(sweep_grid(model, ["cont1=1.5"], rows=rows, seed=4), rows, rows), expected)
    assert describe_grid(CONT_ONLY, ["cont1=1.5"], rows, 4) == (
        "3 rows x 3 columns of samples (noise z and cont0 drawn per tile with seed 4); fixed: cont1=1.5")


def test_rgb_and_other_image_sizes():
    """Only latent_spec and generate are used: a stand-in generator of RGB 5 x 7 images."""
    class Stub:
        latent_spec = CONT_ONLY
        weights = np.random.default_rng(0).normal(size=(CONT_ONLY.input_dim, 5 * 7 * 3)).astype(np.float32)

        def generate(self, z, codes):
            return np.tanh(InfoGAN.latent_input(self, z, codes) @ self.weights).reshape(-1, 5, 7, 3)

    stub = Stub()
    grid = sweep_grid(stub, ["cont0=-1:1:4"], rows=2, seed=3)
    z, drawn = _prior_draw(CONT_ONLY, 2, 3)
    codes = [np.tile(np.linspace(-1, 1, 4, dtype=np.float32), 2), np.repeat(drawn[1], 4)]
    images = np.round(np.clip((stub.generate(np.repeat(z, 4, axis=0), codes) + 1) / 2, 0, 1) * 255)
    np.testing.assert_array_equal(_tiles(grid, 2, 4, 5, 7), images.astype(np.uint8).reshape(2, 4, 5, 7, 3))


def test_grid_latents_layout():
    z, codes, cols = grid_latents(ONE_CAT, parse_settings(["cont1=-1:1:4", "cat0=9"], ONE_CAT), rows=2, seed=0)
    assert cols == 4 and z.shape == (8, 4) and [c.shape for c in codes] == [(8,)] * 3
    assert np.array_equal(z[0], z[3]) and not np.array_equal(z[3], z[4])
    np.testing.assert_array_equal(codes[0], [9] * 8)
    np.testing.assert_allclose(codes[2], [-1, -1 / 3, 1 / 3, 1] * 2, rtol=1e-6)
    assert len(set(codes[1][:4])) == 1 and codes[1][0] != codes[1][4]


def _png_bytes(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_png_bytes(models):
    model = models["one_cat"]
    first = _png_bytes(generate_picture(model, ["cat0=all"], rows=2, seed=7))
    assert _png_bytes(generate_picture(model, ["cat0=all"], rows=2, seed=7)) == first
    assert _png_bytes(generate_picture(model, ["cat0=all"], rows=2, seed=8)) != first


def test_cli_writes_the_picture(models, tmp_path, capsys):
    run, png = tmp_path / "run", tmp_path / "pictures" / "sweep.png"
    run.mkdir()
    model = models["one_cat"]
    model.compile()
    model.save(run / "model.keras")

    main(["generate", str(run), "--code", "cont0=-2:2:5", "--rows", "3", "--out", str(png)])
    printed = capsys.readouterr().out
    assert f"wrote {png}" in printed
    assert ("grid: 3 rows x 5 columns; columns: cont0 from -2 to 2 in 5 steps; rows: noise z, cat0 and "
            "cont1 drawn with seed 0") in printed
    written = np.asarray(Image.open(png))
    grid = sweep_grid(model, ["cont0=-2:2:5"], rows=3, seed=0)
    assert grid.shape == (3 * 28 + 4 * PAD, 5 * 28 + 6 * PAD, 1)
    loaded = load_infogan(run, compile=False)
    np.testing.assert_array_equal(written, np.asarray(generate_picture(loaded, ["cont0=-2:2:5"], 3, 0)))
    gap, (height, width) = 8, grid.shape[:2]  # labelled_panels puts the grid at the bottom left
    assert written.shape[0] > height + 2 * gap and written.shape[1] >= width + 2 * gap
    np.testing.assert_array_equal(written[-gap - height:-gap, gap:gap + width], np.repeat(grid, 3, axis=-1))

    main(["generate", str(run / "model.keras"), "--code", "cat0=1", "--rows", "2"])  # default --out
    assert f"wrote {run / 'generated.png'}" in capsys.readouterr().out
    assert Image.open(run / "generated.png").size[1] > 2 * 28

    with pytest.raises(SystemExit, match=r"^error: unknown code 'cat9' in 'cat9=1'; this model's codes: cat0"):
        main(["generate", str(run), "--code", "cat9=1"])
    with pytest.raises(SystemExit, match=r"^error: no model at"):
        main(["generate", str(tmp_path / "missing")])
