"""What each continuous code does to a digit, measured: slant and width along a code sweep.

The paper (Figure 2) shows one MNIST continuous code turning the digit (slant)
and the other changing its width. Here that is a number: for each continuous
code, `rows` generator inputs (z and the other codes drawn from the priors, then
held fixed) are swept over `values` (-2 to 2 by default, beyond the training
range U(-1, 1) as in the paper); every image's slant and width are measured from
its pixel moments, and the Spearman rank correlation between the code value and
each measure is taken along every row and averaged over the rows.

Measures of one image, with ink I(x, y) = (pixel + 1) / 2 (x: column, to the
right; y: row, downward), centroid (x0, y0) and central moments
mu_pq = sum I (x - x0)^p (y - y0)^q / sum I:
- slant = -mu_11 / mu_02: the horizontal shift of the ink per row going up (the
  shear that deskewing removes); > 0 leans right, like /;
- width = sqrt(mu_20 - mu_11^2 / mu_02): the horizontal spread of the ink left
  once the slant is taken out (a leaning 1 is not wide), in pixels;
- ink = mean of I: how much of the image is ink (boldness).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from scipy import stats

MEASURES = ("slant", "width", "ink")
PAIR_THRESHOLD = 0.8  # |correlation| a code needs to count as a slant or width code (issue 12's target)


def shape_measures(images: np.ndarray) -> dict[str, np.ndarray]:
    """Slant, width (pixels) and ink of each image [n, H, W, C] in [-1, 1]
    (channels averaged; see the module docstring). An all-dark image gives NaN."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4:
        raise ValueError(f"images must have shape [n, H, W, C], got {images.shape}")
    ink = np.clip((images.mean(axis=-1) + 1.0) / 2.0, 0.0, 1.0)
    _, height, width = ink.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    mass = ink.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        moment = lambda field: (ink * field).sum(axis=(1, 2)) / mass  # noqa: E731
        x0, y0 = moment(xs), moment(ys)
        dx, dy = xs - x0[:, None, None], ys - y0[:, None, None]
        mu20, mu02, mu11 = moment(dx * dx), moment(dy * dy), moment(dx * dy)
        return {"slant": -mu11 / mu02, "width": np.sqrt(np.maximum(mu20 - mu11 ** 2 / mu02, 0.0)),
                "ink": ink.mean(axis=(1, 2))}


def traversal_effects(model, values=np.linspace(-2.0, 2.0, 9), rows: int = 100, seed: int = 0) -> dict:
    """For each continuous code: the mean over `rows` sweeps of the Spearman rank
    correlation between the code's value and each measure of `MEASURES`.

    Returns {code name: {"slant": r, "width": r, "ink": r, "rows": rows used}};
    a row whose measure does not vary (or has an all-dark image) is left out of
    that measure's mean (NaN if none is left).
    """
    spec = model.latent_spec
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != 1 or len(values) < 3:
        raise ValueError(f"values must be at least 3 code values, got {values!r}")
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    z, drawn = spec.sample(rows, tf.constant([seed, 5]))
    z, drawn = np.repeat(z.numpy(), len(values), axis=0), [np.repeat(v.numpy(), len(values)) for v in drawn]
    effects = {}
    for index, code in enumerate(spec.codes):
        if code.kind == "categorical":
            continue
        codes = list(drawn)
        codes[index] = np.tile(values, rows)
        measures = shape_measures(model.generate(z, codes))
        effects[code.name] = {name: _mean_row_correlation(values, measure.reshape(rows, len(values)))
                              for name, measure in measures.items()}
        effects[code.name]["rows"] = rows
    return effects


def strongest_effects(effects: dict) -> dict[str, tuple[str, float]]:
    """{measure: (code, correlation)}: for slant and width, the code with the largest |correlation|."""
    best = {}
    for measure in ("slant", "width"):
        scored = [(code, entry[measure]) for code, entry in effects.items() if np.isfinite(entry[measure])]
        if scored:
            best[measure] = max(scored, key=lambda item: abs(item[1]))
    return best


def slant_and_width_pair(effects: dict, threshold: float = PAIR_THRESHOLD) -> bool:
    """True when one code tracks slant and a *different* code tracks width, each with
    |correlation| >= `threshold` (the paper's Figure 2: rotation for one, width for another).

    Example:
        slant_and_width_pair({"cont0": {"slant": -0.9, "width": 0.1}, "cont1": {"slant": 0.2, "width": 0.85}})  # True
    """
    slant = {code for code, entry in effects.items() if abs(entry["slant"]) >= threshold}
    width = {code for code, entry in effects.items() if abs(entry["width"]) >= threshold}
    return any(a != b for a in slant for b in width)


def _mean_row_correlation(values: np.ndarray, table: np.ndarray) -> float:
    correlations = [stats.spearmanr(values, row).statistic for row in table
                    if np.all(np.isfinite(row)) and np.ptp(row) > 0]
    return float(np.mean(correlations)) if correlations else float("nan")
