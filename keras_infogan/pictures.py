"""Picture making with pillow: image grids, titled panels and InfoGAN latent
traversals (the layout of Figure 2 in Chen et al., 2016, "InfoGAN"), from any
generate function or from a model."""

from __future__ import annotations

import os
import pathlib
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from keras_infogan.data import unscale_images

_KINDS = ("categorical", "continuous")
_TITLE_MARGIN = 4  # pixels between a title and its grid


def image_grid(
    images: np.ndarray, rows: int, cols: int, pad: int = 2, pad_value: float = 1.0
) -> np.ndarray:
    """Tiles images [rows*cols, H, W, C] (floats in [0, 1], C 1 or 3) row-major into
    uint8 [rows*H + (rows+1)*pad, cols*W + (cols+1)*pad, C].

    `pad` pixels of `pad_value` separate the tiles and frame the grid. Values are
    clipped to [0, 1] and rounded to the nearest of 0..255.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must be [n, H, W, C] with C 1 or 3, got shape {images.shape}")
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols must be positive, got {rows} and {cols}")
    if images.shape[0] != rows * cols:
        raise ValueError(f"expected rows*cols = {rows * cols} images, got {images.shape[0]}")
    if pad < 0:
        raise ValueError(f"pad must be non-negative, got {pad}")
    if not 0.0 <= pad_value <= 1.0:
        raise ValueError(f"pad_value must be in [0, 1], got {pad_value}")
    _, height, width, channels = images.shape
    grid = np.full(
        (rows * height + (rows + 1) * pad, cols * width + (cols + 1) * pad, channels),
        pad_value, dtype=np.float32)
    for index, image in enumerate(images):
        top = pad + (index // cols) * (height + pad)
        left = pad + (index % cols) * (width + pad)
        grid[top:top + height, left:left + width] = image
    return np.round(np.clip(grid, 0.0, 1.0) * 255.0).astype(np.uint8)


def _from_array(array: np.ndarray) -> Image.Image:
    """uint8 [H, W] or [H, W, 1] -> grayscale image; uint8 [H, W, 3] -> RGB image."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"image arrays must be uint8, got {array.dtype}")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[-1] == 3)):
        raise ValueError(f"image arrays must be [H, W], [H, W, 1] or [H, W, 3], got {array.shape}")
    return Image.fromarray(array)


def labelled_panels(panels: list[tuple[str, np.ndarray]], gap: int = 8) -> Image.Image:
    """Places (title, uint8 grid [H, W] / [H, W, 1] / [H, W, 3]) panels left to right,
    top-aligned, each under its title (default PIL font, black) on white.

    `gap` pixels separate the panels and frame the picture. A slot is as wide as
    the wider of its grid and its title. Returns an RGB image.
    """
    if not panels:
        raise ValueError("labelled_panels needs at least one panel")
    if gap < 0:
        raise ValueError(f"gap must be non-negative, got {gap}")
    font = ImageFont.load_default()
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    boxes = [measure.textbbox((0, 0), title, font=font) for title, _ in panels]
    pictures = [_from_array(grid).convert("RGB") for _, grid in panels]
    title_height = max(box[3] for box in boxes) + _TITLE_MARGIN
    slots = [max(picture.width, box[2]) for picture, box in zip(pictures, boxes)]
    width = sum(slots) + gap * (len(panels) + 1)
    height = gap + title_height + max(picture.height for picture in pictures) + gap
    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    left = gap
    for (title, _), picture, slot in zip(panels, pictures, slots):
        draw.text((left, gap), title, fill="black", font=font)
        canvas.paste(picture, (left, gap + title_height))
        left += slot + gap
    return canvas


def save_png(image: Image.Image | np.ndarray, path: str | os.PathLike) -> pathlib.Path:
    """Writes a PIL image or a uint8 array [H, W] / [H, W, 1] / [H, W, 3] as PNG,
    creating parent directories; returns the path."""
    if isinstance(image, np.ndarray):
        image = _from_array(image)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")
    return path


def _check_code_kinds(code_kinds: list[tuple[str, str, int]]) -> None:
    if not code_kinds:
        raise ValueError("traversal_figure needs at least one latent code")
    for name, kind, size in code_kinds:
        if kind not in _KINDS:
            raise ValueError(f"code {name!r} has unknown kind {kind!r}; expected one of {_KINDS}")
        if kind == "categorical" and size < 2:
            raise ValueError(f"categorical code {name!r} needs at least 2 categories, got {size}")
        if kind == "continuous" and size != 1:
            raise ValueError(f"continuous code {name!r} must have size 1, got {size}")


def _neutral_codes(code_kinds: list[tuple[str, str, int]], n: int) -> list[np.ndarray]:
    """Every code at its neutral value for n examples: category 0 (int32), value 0 (float32)."""
    return [np.zeros(n, np.int32) if kind == "categorical" else np.zeros(n, np.float32)
            for _, kind, _ in code_kinds]


def traversal_figure(
    generate: Callable[[np.ndarray, list[np.ndarray]], np.ndarray],
    noise: np.ndarray,
    code_kinds: list[tuple[str, str, int]],
    sweep: tuple[float, float] = (-2.0, 2.0),
    steps: int = 10,
) -> Image.Image:
    """The panels of `traversal_panels`, titled and side by side (InfoGAN Figure 2)."""
    return labelled_panels(traversal_panels(generate, noise, code_kinds, sweep, steps))


def traversal_panels(
    generate: Callable[[np.ndarray, list[np.ndarray]], np.ndarray],
    noise: np.ndarray,
    code_kinds: list[tuple[str, str, int]],
    sweep: tuple[float, float] = (-2.0, 2.0),
    steps: int = 10,
) -> list[tuple[str, np.ndarray]]:
    """One (title, uint8 grid) panel per latent code (InfoGAN Figure 2).

    generate(z float32 [n, noise_dim], codes) -> images [n, H, W, C] in [0, 1],
    where codes has one array per entry of `code_kinds` = [(name, kind, size)]:
    int32 ids [n] for kind "categorical" (size = number of categories) and
    float32 values [n] for "continuous" (size 1). noise: float32 [rows, noise_dim].

    - Categorical code with k values: rows = noise rows, columns = values 0..k-1.
    - Continuous code: columns = `steps` values evenly spaced over `sweep`; rows =
      values 0..k-1 of the first categorical code, all with noise row 0 (with no
      categorical code, rows = noise rows).
    Codes not being varied sit at their neutral value (category 0, value 0).
    `generate` is called once per panel, images in row-major order.
    """
    noise = np.asarray(noise, dtype=np.float32)
    if noise.ndim != 2 or noise.shape[0] < 1:
        raise ValueError(f"noise must be [rows, noise_dim] with rows >= 1, got shape {noise.shape}")
    _check_code_kinds(code_kinds)
    low, high = float(sweep[0]), float(sweep[1])
    if low >= high:
        raise ValueError(f"sweep must be (low, high) with low < high, got {sweep}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")

    categorical = [i for i, (_, kind, _) in enumerate(code_kinds) if kind == "categorical"]
    values = np.linspace(low, high, steps, dtype=np.float32)
    panels = []
    for index, (name, kind, size) in enumerate(code_kinds):
        if kind == "categorical":
            rows, cols = noise.shape[0], size
            z = np.repeat(noise, cols, axis=0)
            codes = _neutral_codes(code_kinds, rows * cols)
            codes[index] = np.tile(np.arange(cols, dtype=np.int32), rows)
            title = f"{name}: columns = category"
        else:
            cols = steps
            if categorical:
                first = categorical[0]
                rows = code_kinds[first][2]
                z = np.repeat(noise[:1], rows * cols, axis=0)
                codes = _neutral_codes(code_kinds, rows * cols)
                codes[first] = np.repeat(np.arange(rows, dtype=np.int32), cols)
            else:
                rows = noise.shape[0]
                z = np.repeat(noise, cols, axis=0)
                codes = _neutral_codes(code_kinds, rows * cols)
            codes[index] = np.tile(values, rows)
            title = f"{name}: {low:g} -> {high:g}"
        images = np.asarray(generate(z, codes))
        panels.append((title, image_grid(images, rows, cols)))
    return panels


def traversal_grids(model, noise: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The paper's Figure 2 panels for `model`, one (title, uint8 grid) per code,
    with fixed noise [rows, noise_dim] (see `pictures.traversal_panels`)."""
    code_kinds = [(code.name, code.kind, code.input_dim) for code in model.latent_spec.codes]
    return traversal_panels(lambda z, codes: unscale_images(model.generate(z, codes)).numpy(),
                            noise, code_kinds)


def traversal_picture(model, noise: np.ndarray):
    """All Figure 2 panels of `model` side by side (a PIL image)."""
    return labelled_panels(traversal_grids(model, noise))
