"""Out-of-distribution test images made here: noise, and letters rendered with pillow.

Both come as uint8 [n, H, W, C] like the package's data. Letters are drawn the way
MNIST digits were prepared: white strokes on black, the glyph scaled so its longer
side is 20/28 of the image and centred by its centre of mass.
"""

from __future__ import annotations

import string

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

LETTERS = string.ascii_uppercase + string.ascii_lowercase


def noise_images(n: int, shape=(28, 28, 1), seed: int = 0) -> np.ndarray:
    """n images of independent uniform pixels in 0..255."""
    return np.random.default_rng(seed).integers(0, 256, size=(n, *shape), dtype=np.uint8)


def letter_images(n: int, shape=(28, 28, 1), seed: int = 0, letters: str = LETTERS) -> np.ndarray:
    """n letters drawn at random from `letters` (default: A-Z and a-z), each with a random
    stroke width (1x, 2x or 3x) and rotation (-15 to 15 degrees), in pillow's built-in font."""
    height, width, channels = shape
    if n < 1 or not letters:
        raise ValueError(f"letter_images needs n >= 1 and at least one letter, got n={n}, letters={letters!r}")
    rng = np.random.default_rng(seed)
    font = ImageFont.load_default(size=96)
    out = np.zeros((n, height, width, channels), np.uint8)
    for i in range(n):
        glyph = Image.new("L", (160, 160))
        ImageDraw.Draw(glyph).text((80, 80), letters[rng.integers(len(letters))], fill=255, font=font, anchor="mm")
        thickness = int(rng.choice([1, 3, 5]))
        if thickness > 1:
            glyph = glyph.filter(ImageFilter.MaxFilter(thickness))
        glyph = glyph.rotate(float(rng.uniform(-15, 15)), resample=Image.BILINEAR)
        out[i, :, :, :] = _mnist_layout(glyph, height, width)[:, :, None]
    return out


def _mnist_layout(glyph: Image.Image, height: int, width: int) -> np.ndarray:
    """The glyph's bounding box scaled to 20/28 of the frame and centred by mass."""
    box = glyph.getbbox()
    glyph = glyph.crop(box)
    scale = min(height, width) * 20 / 28 / max(glyph.size)
    size = (max(1, round(glyph.size[0] * scale)), max(1, round(glyph.size[1] * scale)))
    small = np.asarray(glyph.resize(size, Image.LANCZOS), np.float64)
    rows, cols = np.indices(small.shape)
    mass = small.sum()
    centre_row, centre_col = (rows * small).sum() / mass, (cols * small).sum() / mass
    top = int(round(height / 2 - centre_row))
    left = int(round(width / 2 - centre_col))
    top = min(max(top, 0), height - small.shape[0])
    left = min(max(left, 0), width - small.shape[1])
    frame = np.zeros((height, width))
    frame[top:top + small.shape[0], left:left + small.shape[1]] = small
    return np.clip(frame, 0, 255).astype(np.uint8)
