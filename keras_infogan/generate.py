"""Pictures from code settings, for people who want pictures, not code.

A code setting fixes one latent code or sweeps it across the columns of a grid:

    cat0=7          categorical code cat0 fixed at category 7
    cat0=all        (or cat0=*) every category of cat0, one per column
    cont0=0.5       continuous code cont0 fixed at 0.5
    cont0=-2:2:9    9 evenly spaced values from -2 to 2 inclusive, one per column

Grid layout (`sweep_grid`):
  - One swept code: `rows` x (number of swept values). Row r holds noise z[r] and,
    for every code not mentioned, a value drawn from its prior for that row; the
    whole row shares them, so along a row only the swept code changes.
  - No swept code: `rows` x `rows` independent samples (each tile its own z and
    own draws of the unmentioned codes) with the fixed codes held fixed.
  Fixed codes take their value in every tile. The draw is
  `latent_spec.sample(n, (seed, 0))` with n = rows (a sweep) or rows * rows (no
  sweep), as in `InfoGAN.sample`: the same seed gives the same picture, and with no
  settings at all the grid shows exactly `model.sample(rows * rows, seed)`.

Example:
    model = load_infogan("runs/mnist", compile=False)
    picture = generate_picture(model, ["cat0=7", "cont0=-2:2:9"], rows=8, seed=0)
    save_png(picture, "seven.png")   # 8 rows of sevens, cont0 from -2 to 2 along each
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import tensorflow as tf
from PIL import Image

from keras_infogan.codes import LatentSpec
from keras_infogan.data import unscale_images
from keras_infogan.pictures import image_grid, labelled_panels

_EXAMPLES = "e.g. cat0=7, cat0=all, cont0=0.5, cont0=-2:2:9"
_ALL = ("all", "*")


def parse_code_setting(text: str, spec: LatentSpec) -> tuple[str, np.ndarray]:
    """Parse one NAME=VALUE code setting against the model's latent spec.

    Args:
        text: "cat0=7", "cat0=all" / "cat0=*", "cont0=0.5" or "cont0=LOW:HIGH:STEPS"
            (spaces around the name and value are ignored).
        spec: the model's `LatentSpec` (its code names and sizes).

    Returns:
        (code name, values): one value for a fixed code, two or more for a sweep;
        int32 category ids for a categorical code, float32 for a continuous one.

    Raises:
        ValueError: naming the problem (malformed text, unknown code, category out of
            range, value not a number, sweep with fewer than 2 steps or LOW >= HIGH).

    Example:
        parse_code_setting("cont0=-2:2:5", mnist_spec())  # ("cont0", [-2., -1., 0., 1., 2.])
    """
    name, equals, value = (part.strip() for part in str(text).partition("="))
    if not equals or not name or not value:
        raise ValueError(f"code setting {text!r} must look like NAME=VALUE ({_EXAMPLES})")
    codes = {code.name: code for code in spec.codes}
    if name not in codes:
        known = ", ".join(f"{code.name} ({code.num_categories} categories)" if code.kind == "categorical"
                          else f"{code.name} (continuous)" for code in spec.codes)
        raise ValueError(f"unknown code {name!r} in {text!r}; this model's codes: {known}")
    code = codes[name]
    if code.kind == "categorical":
        return name, _categories(code, value)
    if ":" in value:
        return name, _sweep(name, value)
    return name, np.array([_number(name, value)], np.float32)


def _categories(code, value: str) -> np.ndarray:
    last = code.num_categories - 1
    if value.lower() in _ALL:
        return np.arange(code.num_categories, dtype=np.int32)
    try:
        category = int(value)
    except ValueError:
        raise ValueError(f"{code.name} is a categorical code: give a category 0..{last} or 'all', "
                         f"got {value!r}") from None
    if not 0 <= category <= last:
        raise ValueError(f"category {category} of {code.name} is out of range: {code.name} has "
                         f"{code.num_categories} categories, 0..{last}")
    return np.array([category], np.int32)


def _number(name: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{name} is a continuous code: {text!r} is not a number (give a value like "
                         f"{name}=0.5 or a sweep like {name}=-2:2:9)") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} values must be finite, got {text!r}")
    return number


def _sweep(name: str, value: str) -> np.ndarray:
    parts = [part.strip() for part in value.split(":")]
    if len(parts) != 3:
        raise ValueError(f"sweep of {name} must be LOW:HIGH:STEPS (e.g. {name}=-2:2:9), got {value!r}")
    low, high = _number(name, parts[0]), _number(name, parts[1])
    try:
        steps = int(parts[2])
    except ValueError:
        steps = 0
    if steps < 2:
        raise ValueError(f"sweep of {name} needs a whole number of steps >= 2, got {parts[2]!r}")
    if low >= high:
        raise ValueError(f"sweep of {name} needs LOW < HIGH, got {value!r}")
    return np.linspace(low, high, steps, dtype=np.float32)


def parse_settings(texts: Sequence[str], spec: LatentSpec) -> dict[str, np.ndarray]:
    """Parse several code settings: {code name: values}, in the order given.

    Raises:
        ValueError: a bad setting (see `parse_code_setting`), a code set twice, or
            more than one swept code.

    Example:
        parse_settings(["cat0=7", "cont0=-2:2:9"], mnist_spec())
    """
    if isinstance(texts, str):
        texts = [texts]
    settings, given = {}, {}
    for text in texts:
        name, values = parse_code_setting(text, spec)
        if name in settings:
            raise ValueError(f"code {name} is set twice: {given[name]!r} and {text!r}")
        settings[name], given[name] = values, text
    swept = [name for name, values in settings.items() if len(values) > 1]
    if len(swept) > 1:
        raise ValueError(f"only one code can be swept per picture, got sweeps of {' and '.join(swept)}; "
                         f"fix the others to one value")
    return settings


def _swept(settings: dict) -> tuple[str, np.ndarray] | None:
    return next(((name, values) for name, values in settings.items() if len(values) > 1), None)


def _check_grid_args(rows: int, seed: int) -> None:
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        raise ValueError(f"rows must be a whole number >= 1, got {rows!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be a whole number in [0, 2**31 - 1], got {seed!r}")


def grid_latents(spec: LatentSpec, settings: dict, rows: int, seed: int):
    """The generator inputs of a grid, tiles in row-major order (layout: module docstring).

    Args:
        spec: the model's `LatentSpec`.
        settings: {code name: values} from `parse_settings`.
        rows, seed: grid rows (>= 1) and the seed of z and the unmentioned codes.

    Returns:
        (z float32 [rows * cols, noise_dim], one array per code [rows * cols], cols).
    """
    _check_grid_args(rows, seed)
    swept = _swept(settings)
    cols = len(swept[1]) if swept else rows
    repeat = cols if swept else 1  # tiles per draw: a sweep shares one draw along each row
    z, drawn = spec.sample(rows * cols // repeat, tf.constant([int(seed), 0], tf.int32))
    z = np.repeat(z.numpy(), repeat, axis=0)
    codes = []
    for code, values in zip(spec.codes, drawn):
        given = settings.get(code.name)
        if given is None:
            codes.append(np.repeat(values.numpy(), repeat))
        elif len(given) == 1:
            codes.append(np.full(len(z), given[0], given.dtype))
        else:
            codes.append(np.tile(given, rows))
    return z, codes, cols


def sweep_grid(model, settings: Sequence[str], rows: int = 8, seed: int = 0) -> np.ndarray:
    """A grid of generated images: columns = the swept code's values, rows = noise rows.

    Args:
        model: an `InfoGAN` (anything with `latent_spec` and `generate(z, codes)`
            returning images [n, H, W, C] in [-1, 1], C 1 or 3).
        settings: code settings such as ["cat0=7", "cont0=-2:2:9"] (see
            `parse_code_setting`); at most one sweep; unmentioned codes are drawn.
        rows: noise rows (>= 1); with no sweep the grid is rows x rows samples.
        seed: seed of z and the unmentioned codes; the same seed, the same grid.

    Returns:
        uint8 [rows*H + (rows+1)*2, cols*W + (cols+1)*2, C] (`pictures.image_grid`).

    Example:
        grid = sweep_grid(model, ["cat0=7", "cont0=-2:2:9"], rows=8)  # 8 x 9 sevens
    """
    z, codes, cols = grid_latents(model.latent_spec, parse_settings(settings, model.latent_spec), rows, seed)
    images = unscale_images(model.generate(z, codes)).numpy()
    return image_grid(images, rows, cols)


def setting_text(name: str, values: np.ndarray) -> str:
    """The canonical text of a parsed setting: cat0=7, cat0=all, cont0=0.5, cont0=-2:2:9."""
    if len(values) == 1:
        return f"{name}={values[0]:g}"
    if np.issubdtype(values.dtype, np.integer):
        return f"{name}=all"
    return f"{name}={values[0]:g}:{values[-1]:g}:{len(values)}"


def describe_grid(spec: LatentSpec, settings: Sequence[str], rows: int = 8, seed: int = 0) -> str:
    """One line stating a grid's layout, e.g. "8 rows x 9 columns; columns: cont0 from
    -2 to 2 in 9 steps; rows: noise z and cont1 drawn with seed 0; fixed: cat0=7"."""
    _check_grid_args(rows, seed)
    parsed = parse_settings(settings, spec)
    drawn = ["noise z"] + [name for name in spec.names if name not in parsed]
    drawn = " and ".join([", ".join(drawn[:-1]), drawn[-1]] if len(drawn) > 1 else drawn)
    swept = _swept(parsed)
    if swept is None:
        parts = [f"{rows} rows x {rows} columns of samples ({drawn} drawn per tile with seed {seed})"]
    else:
        name, values = swept
        columns = (f"{name} categories 0..{len(values) - 1}" if np.issubdtype(values.dtype, np.integer)
                   else f"{name} from {values[0]:g} to {values[-1]:g} in {len(values)} steps")
        parts = [f"{rows} rows x {len(values)} columns", f"columns: {columns}",
                 f"rows: {drawn} drawn with seed {seed}"]
    fixed = [setting_text(name, values) for name, values in parsed.items() if len(values) == 1]
    if fixed:
        parts.append("fixed: " + ", ".join(fixed))
    return "; ".join(parts)


def generate_picture(model, settings: Sequence[str], rows: int = 8, seed: int = 0) -> Image.Image:
    """`sweep_grid` under a title line stating the settings and the seed (an RGB image).

    Example:
        save_png(generate_picture(model, ["cat0=all"], rows=4, seed=1), "digits.png")
    """
    grid = sweep_grid(model, settings, rows, seed)
    parsed = parse_settings(settings, model.latent_spec)
    title = "  ".join([setting_text(name, values) for name, values in parsed.items()] + [f"seed={seed}"])
    return labelled_panels([(title, grid)])
