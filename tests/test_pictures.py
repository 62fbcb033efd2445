import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

from keras_infogan.pictures import image_grid, labelled_panels, save_png, traversal_figure


def _find(figure: np.ndarray, grid: np.ndarray, pad: int = 2) -> tuple[int, int]:
    """Top-left corner of the one place where `grid` [h, w, 3] appears in `figure`."""
    key = grid[pad]  # first row through the tiles, not plain padding
    rows = sliding_window_view(figure, key.shape, axis=(1, 2))[:, :, 0]
    candidates = zip(*np.nonzero(np.all(rows == key, axis=(2, 3))))
    height, width = grid.shape[:2]
    hits = [(int(y) - pad, int(x)) for y, x in candidates
            if y >= pad and np.array_equal(figure[y - pad:y - pad + height, x:x + width], grid)]
    assert len(hits) == 1, f"expected one placement, found {hits}"
    return hits[0]


def _byte(value: float) -> int:
    return int(np.round(value * 255))


def test_image_grid_shape_arithmetic():
    images = np.zeros((6, 3, 5, 1), np.float32)
    assert image_grid(images, 2, 3).shape == (2 * 3 + 3 * 2, 3 * 5 + 4 * 2, 1)
    assert image_grid(images, 3, 2, pad=0).shape == (9, 10, 1)
    assert image_grid(np.zeros((4, 3, 5, 3)), 1, 4, pad=1).shape == (5, 4 * 5 + 5, 3)
    assert image_grid(images, 2, 3).dtype == np.uint8


@pytest.mark.parametrize("pad_value", [1.0, 0.0])
def test_image_grid_places_tiles_row_major(pad_value):
    rows, cols, height, width, pad = 2, 3, 3, 4, 2
    values = (np.arange(rows * cols) + 1) / 10  # tile i is filled with (i + 1) / 10
    images = np.ones((rows * cols, height, width, 1)) * values[:, None, None, None]
    grid = image_grid(images, rows, cols, pad=pad, pad_value=pad_value)
    covered = np.zeros(grid.shape[:2], bool)
    for index, value in enumerate(values):
        r, c = divmod(index, cols)
        top, left = pad + r * (height + pad), pad + c * (width + pad)
        tile = grid[top:top + height, left:left + width, 0]
        assert np.all(tile == _byte(value)), (index, tile)
        covered[top:top + height, left:left + width] = True
    assert np.all(grid[~covered] == _byte(pad_value))


def test_image_grid_clips_and_keeps_colour():
    images = np.zeros((2, 1, 1, 3))
    images[0, 0, 0] = [1.5, -0.5, 0.5]
    images[1, 0, 0] = [0.0, 1.0, 0.2]
    grid = image_grid(images, 1, 2, pad=0)
    np.testing.assert_array_equal(grid[0], [[255, 0, 128], [0, 255, 51]])


@pytest.mark.parametrize(
    "shape, rows, cols, kwargs, message",
    [
        ((5, 2, 2, 1), 2, 3, {}, "rows\\*cols"),
        ((6, 2, 2, 2), 2, 3, {}, "C 1 or 3"),
        ((6, 2, 2), 2, 3, {}, "C 1 or 3"),
        ((6, 2, 2, 1), 2, 3, {"pad": -1}, "pad"),
        ((6, 2, 2, 1), 2, 3, {"pad_value": 2.0}, "pad_value"),
        ((0, 2, 2, 1), 0, 3, {}, "positive"),
    ],
)
def test_image_grid_bad_inputs(shape, rows, cols, kwargs, message):
    with pytest.raises(ValueError, match=message):
        image_grid(np.zeros(shape), rows, cols, **kwargs)


def test_labelled_panels_places_grids_side_by_side_under_titles():
    gray = np.full((10, 20), 100, np.uint8)
    colour = np.zeros((15, 12, 3), np.uint8)
    colour[...] = [10, 200, 30]
    gray_channel = np.full((6, 6, 1), 50, np.uint8)
    figure = labelled_panels([("gray", gray), ("colour", colour), ("g1", gray_channel)], gap=8)
    assert figure.mode == "RGB"
    pixels = np.asarray(figure)

    gray_rgb = np.repeat(gray[..., None], 3, axis=2)
    y0, x0 = _find(pixels, gray_rgb, pad=0)
    y1, x1 = _find(pixels, colour, pad=0)
    y2, x2 = _find(pixels, np.repeat(gray_channel, 3, axis=2), pad=0)
    assert y0 == y1 == y2 > 8  # top-aligned, below the titles
    assert x0 == 8 and x1 >= x0 + 20 + 8 and x2 >= x1 + 12 + 8
    assert np.all(pixels[:8] == 255) and np.all(pixels[:, :8] == 255)  # white frame
    titles = pixels[8:y0, x0:x1]
    assert titles.min() < 128  # dark text was drawn above the grids
    assert np.all(pixels[y0 + 10:, x0:x0 + 20] == 255)  # white below the short grid


def test_labelled_panels_bad_inputs():
    with pytest.raises(ValueError, match="at least one"):
        labelled_panels([])
    with pytest.raises(ValueError, match="uint8"):
        labelled_panels([("x", np.zeros((4, 4), np.float32))])


def test_save_png_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    colour = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    path = save_png(colour, tmp_path / "a" / "b" / "colour.png")
    assert path == tmp_path / "a" / "b" / "colour.png" and path.is_file()
    np.testing.assert_array_equal(np.asarray(Image.open(path)), colour)

    gray = rng.integers(0, 256, (5, 4, 1), dtype=np.uint8)
    with Image.open(save_png(gray, str(tmp_path / "gray.png"))) as loaded:
        assert loaded.mode == "L"
        np.testing.assert_array_equal(np.asarray(loaded), gray[..., 0])

    image = Image.fromarray(colour)
    with Image.open(save_png(image, tmp_path / "pil.png")) as loaded:
        np.testing.assert_array_equal(np.asarray(loaded), colour)


# A fake generator that writes its inputs into 2x2 RGB tiles:
#   pixel (0, 0) = (cat0 / 2, cat1 / 1, z[:, 0])
#   pixel (0, 1) = ((cont0 + 2) / 4, (cont1 + 2) / 4, z[:, 1])
#   row 1 = 0.
CODES = [("cat0", "categorical", 3), ("cont0", "continuous", 1),
         ("cat1", "categorical", 2), ("cont1", "continuous", 1)]
SWEEP = np.linspace(-2.0, 2.0, 5)


def _tile(z, cat0=0, cat1=0, cont0=0.0, cont1=0.0):
    tile = np.zeros((2, 2, 3))
    tile[0, 0] = [cat0 / 2, cat1, z[0]]
    tile[0, 1] = [(cont0 + 2) / 4, (cont1 + 2) / 4, z[1]]
    return tile


def _recording_generator(calls):
    def generate(z, codes):
        calls.append((z.copy(), [code.copy() for code in codes]))
        names = [name for name, _, _ in CODES]
        return np.stack([_tile(z[i], **{name: code[i] for name, code in zip(names, codes)})
                         for i in range(len(z))])
    return generate


def _expected_grid(tiles, rows, cols):
    grid = image_grid(np.stack(tiles), rows, cols)
    assert grid.shape[-1] == 3
    return grid


def test_traversal_figure_layout():
    noise = np.array([[0.2, 0.1, 9.0], [0.6, 0.3, 9.0]], np.float32)
    calls = []
    figure = traversal_figure(_recording_generator(calls), noise, CODES, sweep=(-2, 2), steps=5)
    pixels = np.asarray(figure)
    z0, z1 = noise

    # categorical panels: rows = noise rows, columns = categories, others neutral
    cat0 = [_tile(z, cat0=c) for z in (z0, z1) for c in range(3)]
    cat1 = [_tile(z, cat1=c) for z in (z0, z1) for c in range(2)]
    # continuous panels: rows = cat0 values, all with noise row 0, columns sweep
    cont0 = [_tile(z0, cat0=r, cont0=v) for r in range(3) for v in SWEEP]
    cont1 = [_tile(z0, cat0=r, cont1=v) for r in range(3) for v in SWEEP]
    places = [_find(pixels, _expected_grid(cat0, 2, 3)),
              _find(pixels, _expected_grid(cont0, 3, 5)),
              _find(pixels, _expected_grid(cat1, 2, 2)),
              _find(pixels, _expected_grid(cont1, 3, 5))]
    assert len({y for y, _ in places}) == 1  # top-aligned
    assert [x for _, x in places] == sorted(x for _, x in places)  # in code order

    # generate saw the right z rows and dtypes, once per panel
    assert len(calls) == 4
    np.testing.assert_array_equal(calls[0][0], np.repeat(noise, 3, axis=0))
    np.testing.assert_array_equal(calls[2][0], np.repeat(noise, 2, axis=0))
    for index in (1, 3):
        z, codes = calls[index]
        assert z.shape == (15, 3) and np.all(z == noise[0])
        np.testing.assert_array_equal(codes[0], np.repeat(np.arange(3), 5))
        np.testing.assert_allclose(codes[index], np.tile(SWEEP, 3))
    for z, codes in calls:
        assert z.dtype == np.float32
        assert [code.dtype for code in codes] == [np.int32, np.float32, np.int32, np.float32]


def test_traversal_figure_without_categorical_code_uses_noise_rows():
    noise = np.array([[0.1, 0.0], [0.5, 0.0], [0.9, 0.0]], np.float32)
    calls = []

    def generate(z, codes):
        calls.append(z.copy())
        (cont,) = codes
        return np.stack([_tile(z[i], cont0=cont[i]) for i in range(len(z))])

    figure = traversal_figure(generate, noise, [("c", "continuous", 1)], sweep=(-1, 1), steps=4)
    expected = [_tile(z, cont0=v) for z in noise for v in np.linspace(-1, 1, 4)]
    _find(np.asarray(figure), _expected_grid(expected, 3, 4))
    np.testing.assert_array_equal(calls[0], np.repeat(noise, 4, axis=0))


def test_traversal_figure_grayscale_images():
    def generate(z, codes):
        return np.ones((len(z), 3, 3, 1)) * (codes[0][:, None, None, None] / 3)

    figure = traversal_figure(generate, np.zeros((2, 4), np.float32),
                              [("digit", "categorical", 4)])
    expected = image_grid(np.ones((8, 3, 3, 1)) * np.tile(np.arange(4) / 3, 2)[:, None, None, None],
                          2, 4)
    assert figure.mode == "RGB"
    _find(np.asarray(figure), np.repeat(expected, 3, axis=2))


def _never_called(z, codes):
    raise AssertionError("generate must not run on bad input")


@pytest.mark.parametrize(
    "noise_shape, codes, kwargs, message",
    [
        ((2, 3), [("x", "gaussian", 1)], {}, "unknown kind"),
        ((3,), [("x", "continuous", 1)], {}, "noise"),
        ((2, 3), [("x", "continuous", 1)], {"sweep": (1.0, 1.0)}, "sweep"),
        ((2, 3), [("x", "continuous", 1)], {"sweep": (2.0, -2.0)}, "sweep"),
        ((2, 3), [("x", "continuous", 1)], {"steps": 1}, "steps"),
        ((2, 3), [("x", "continuous", 2)], {}, "size 1"),
        ((2, 3), [("x", "categorical", 1)], {}, "at least 2"),
        ((2, 3), [], {}, "at least one"),
    ],
)
def test_traversal_figure_bad_inputs(noise_shape, codes, kwargs, message):
    with pytest.raises(ValueError, match=message):
        traversal_figure(_never_called, np.zeros(noise_shape, np.float32), codes, **kwargs)
