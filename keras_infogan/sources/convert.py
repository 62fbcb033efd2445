"""Converting images to one shape (H, W, C): channels first, then size.

Channels: 1 -> 3 repeats the gray value; 3 -> 1 is ITU-R 601 luma
(0.299 R + 0.587 G + 0.114 B, rounded, as Pillow's "L" mode); the alpha channel
of gray+alpha (2) and RGBA (4) images is dropped; other counts are an error.

Size, `fit="resize"`: centre-crop to the target's aspect ratio, then a bilinear
resize with antialiasing (the same crop and resize as
`keras.ops.image.resize(..., crop_to_aspect_ratio=True, antialias=True)`),
rounded to uint8. `fit="crop"`: centre-crop only, no scaling; an image smaller
than the target is an error.

With no target (`image_shape=None`) images are kept as they are, and all of
them must then have one shape. Images that already have the target shape are
passed through without a copy.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

IMAGE_FITS = ("resize", "crop")
TARGET_CHANNELS = (1, 3)
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601
_RESIZE_CHUNK = 512  # images resized by one TensorFlow call

Target = tuple  # (H | None, W | None, C | None)
NameOf = Callable[[int], str]  # index in a block -> how errors name that image


def check_target(image_shape, fit: str = "resize") -> Target | None:
    """Validates `image_shape` (H, W, C) and `fit`; H and W may both be None (keep
    the stored size), C may be None (keep the stored channels)."""
    if fit not in IMAGE_FITS:
        raise ValueError(f"fit must be one of {IMAGE_FITS}, got {fit!r}.")
    if image_shape is None:
        return None
    shape = tuple(image_shape)
    valid = len(shape) == 3 and all(d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                                                  and d >= 1) for d in shape)
    if not valid or (shape[0] is None) != (shape[1] is None):
        raise ValueError(f"image_shape must be (height, width, channels) of positive integers (height and width "
                         f"both None: keep the stored size; channels None: keep them), got {image_shape!r}.")
    if shape[2] not in (None, *TARGET_CHANNELS):
        raise ValueError(f"image_shape must have 1 (gray) or 3 (RGB) channels, got {shape[2]}.")
    return tuple(None if d is None else int(d) for d in shape)


def describe(shape) -> str:
    """(28, 28, 1) -> '28x28x1'."""
    return "x".join(str(d) for d in shape)


def to_channels(images: np.ndarray, channels: int, name: str) -> np.ndarray:
    """uint8 [n, h, w, c] -> [n, h, w, channels]; `name` names the images in errors."""
    found = images.shape[-1]
    if found == channels:
        return images
    if found in (2, 4):  # gray+alpha, RGBA: drop alpha
        images = images[..., :-1]
    if images.shape[-1] == channels:
        return images
    if images.shape[-1] == 1 and channels == 3:
        return np.repeat(images, 3, axis=-1)
    if images.shape[-1] == 3 and channels == 1:
        return np.rint(images.astype(np.float32) @ _LUMA).astype(np.uint8)[..., np.newaxis]
    raise ValueError(f"{name} has {found} channels, which cannot be converted to {channels}: images need 1 (gray), "
                     f"2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels.")


def aspect_crop(height: int, width: int, target_height: int, target_width: int) -> tuple[slice, slice]:
    """Rows and columns of the centred crop with the target's aspect ratio (Keras's
    `crop_to_aspect_ratio` arithmetic, float32 and truncation included)."""
    crop_height = max(min(height, int(np.float32(width * target_height) / np.float32(target_width))), 1)
    crop_width = max(min(width, int(np.float32(height * target_width) / np.float32(target_height))), 1)
    top = int(np.float32(height - crop_height) / 2)
    left = int(np.float32(width - crop_width) / 2)
    return slice(top, top + crop_height), slice(left, left + crop_width)


def centre_crop(images: np.ndarray, height: int, width: int, name: str) -> np.ndarray:
    """The centred height x width window of uint8 [n, h, w, c] (no scaling)."""
    h, w = images.shape[1:3]
    if h < height or w < width:
        raise ValueError(f"{name} is {h}x{w}, smaller than the target {height}x{width}: fit='crop' only cuts "
                         f"images down; use fit='resize' to scale them.")
    top, left = (h - height) // 2, (w - width) // 2
    return images[:, top:top + height, left:left + width]


def resize(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear, antialiased resize of uint8 [n, h, w, c] to uint8 [n, height, width, c]."""
    out = []
    for start in range(0, len(images), _RESIZE_CHUNK):
        chunk = tf.image.resize(tf.cast(images[start:start + _RESIZE_CHUNK], tf.float32), (height, width),
                                method="bilinear", antialias=True)
        out.append(np.clip(np.rint(chunk.numpy()), 0, 255).astype(np.uint8))
    return out[0] if len(out) == 1 else np.concatenate(out)


class ImageStack:
    """Collects images, one at a time or in blocks, converted to one shape.

        stack = ImageStack((32, 32, 1), fit="resize")
        stack.add(block, name_of=lambda i: f"{path}")   # uint8 [n, h, w, c]
        images = stack.result()                          # uint8 [N, 32, 32, 1]

    Consecutive images of one size that need resizing are resized together.
    """

    def __init__(self, image_shape=None, fit: str = "resize"):
        self._target = check_target(image_shape, fit) or (None, None, None)
        self._fit = fit
        self._done: list[np.ndarray] = []
        self._pending: list[np.ndarray] = []  # cropped images of one shape, waiting to be resized
        self._first: tuple[str, tuple] | None = None  # name and shape of the first image

    def add(self, images: np.ndarray, name_of: NameOf) -> None:
        """Adds uint8 images [n, h, w, c]; `name_of(i)` names `images[i]` in errors."""
        if len(images) == 0:
            return
        height, width, channels = self._target
        if channels is not None:  # gray to RGB after resizing: a third of the work
            images = to_channels(images, 1 if channels == 3 and images.shape[-1] <= 2 else channels, name_of(0))
        self._check_same(images, name_of(0))
        if height is None or images.shape[1:3] == (height, width):
            self._append(images)
        elif self._fit == "crop":
            self._append(centre_crop(images, height, width, name_of(0)))
        else:
            rows, cols = aspect_crop(*images.shape[1:3], height, width)
            cropped = images[:, rows, cols]
            if self._pending and (self._pending[0].shape[1:] != cropped.shape[1:]
                                  or sum(map(len, self._pending)) >= _RESIZE_CHUNK):
                self._flush()
            self._pending.append(cropped)

    def result(self) -> np.ndarray:
        """All images added, in order: uint8 [N, H, W, C]."""
        self._flush()
        if not self._done:
            height, width, channels = self._target
            return np.zeros((0, height or 0, width or 0, channels or 0), np.uint8)
        return self._done[0] if len(self._done) == 1 else np.concatenate(self._done)

    def _append(self, images: np.ndarray) -> None:
        self._flush()
        self._done.append(self._expand(images))

    def _flush(self) -> None:
        if self._pending:
            pending = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
            self._done.append(self._expand(resize(pending, *self._target[:2])))
            self._pending = []

    def _expand(self, images: np.ndarray) -> np.ndarray:
        """Gray images to RGB when the target has 3 channels."""
        return images if self._target[2] != 3 else to_channels(images, 3, "images")

    def _check_same(self, images: np.ndarray, name: str) -> None:
        """Without a target size (or channel count) every image must share the first one's."""
        height, _, channels = self._target
        keep = [axis for axis, free in ((0, height is None), (1, height is None), (2, channels is None)) if free]
        shape = images.shape[1:]
        if self._first is None:
            self._first = (name, shape)
            return
        first_name, first_shape = self._first
        if any(shape[axis] != first_shape[axis] for axis in keep):
            raise ValueError(f"images differ in size or channels: {name} is {describe(shape)} but {first_name} is "
                             f"{describe(first_shape)}; pass image_shape=(height, width, channels) to convert "
                             f"them all to one shape.")
