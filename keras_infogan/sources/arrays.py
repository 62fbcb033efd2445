"""Images already in memory: NumPy arrays, or a `tf.data.Dataset` read into memory.

Images are uint8 [N, H, W] or [N, H, W, C] (other integer types are accepted
when their values are in 0..255), or floats in [0, 1], scaled to uint8 by
round(x * 255). Labels are integers [N], 0 or more; num_classes is max label + 1
over all of them. Arrays and datasets have one split, "train", which takes
slices ("train[:90%]").

A dataset's elements are images, `(images, labels)`, or dicts with an "image"
(or "images") key and optionally a "label" (or "labels") key; batched or not:
rank-4 images are batches, rank 2 a single gray image, and rank 3 a single image
[H, W, C] when its last dimension is 1..4, else a batch of gray images [B, H, W].
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import tensorflow as tf

from keras_infogan.sources import ImageData, ReadOptions, count_images
from keras_infogan.sources.convert import ImageStack
from keras_infogan.sources.splits import single_split_rows

_IMAGE_KEYS = ("image", "images")
_LABEL_KEYS = ("label", "labels")


def read_arrays(source, split: str, options: ReadOptions) -> ImageData:
    """Reads `images` or `(images, labels)` (see the module docstring)."""
    if isinstance(source, (tuple, list)):
        if len(source) != 2:
            raise ValueError(f"a {type(source).__name__} source must be (images, labels), got {len(source)} items.")
        images, labels = source
    else:
        images, labels = source, None
    images = as_images(np.asarray(images), "images")
    labels = None if labels is None else check_labels(labels, len(images))
    rows = single_split_rows(split, len(images), "arrays")
    stack = ImageStack(options.image_shape, options.fit)
    stack.add(to_uint8(images[rows], "images"), name_of=lambda i: f"images[{rows.start + i}]")
    return labeled(stack.result(), labels, rows, "arrays", len(images))


def read_tf_dataset(dataset: tf.data.Dataset, split: str, options: ReadOptions) -> ImageData:
    """Reads a finite `tf.data.Dataset` into memory (see the module docstring)."""
    if dataset.cardinality() == tf.data.INFINITE_CARDINALITY:
        raise ValueError("the tf.data.Dataset is infinite (repeat()?): pass a finite one.")
    image_key, label_key = _element_keys(dataset.element_spec)
    image_spec = tf.nest.flatten(dataset.element_spec)[0] if image_key is None else dataset.element_spec[image_key]
    batched = _is_batched(image_spec.shape)

    def batches():
        for element in dataset.as_numpy_iterator():
            images = element if image_key is None else element[image_key]
            labels = None if label_key is None else np.asarray(element[label_key])
            yield (images, labels) if batched else (images[np.newaxis], None if labels is None else labels[None])

    stack = ImageStack(options.image_shape, options.fit)
    images, labels = collect(batches(), stack, "dataset element")
    labels = None if labels is None else check_labels(labels, len(images))
    rows = single_split_rows(split, len(images), "a tf.data.Dataset")
    return labeled(images[rows], labels, rows, "tf.data.Dataset", len(images))


def collect(batches: Iterable[tuple[np.ndarray, np.ndarray | None]], stack: ImageStack,
            name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Adds every batch of images [B, H, W(, C)] to `stack`; returns all images and
    all labels (None when the batches have none). Errors name `f"{name} {index}"`."""
    labels, offset = [], 0
    for images, batch_labels in batches:
        images = to_uint8(as_images(np.asarray(images), name), f"{name}s {offset}..{offset + len(images) - 1}")
        stack.add(images, name_of=lambda i, offset=offset: f"{name} {offset + i}")
        labels.append(batch_labels)
        offset += len(images)
    has_labels = bool(labels) and labels[0] is not None
    return stack.result(), np.concatenate(labels) if has_labels else None


def as_images(images: np.ndarray, name: str) -> np.ndarray:
    """[N, H, W] or [N, H, W, C] -> [N, H, W, C]."""
    if images.ndim == 3:
        return images[..., np.newaxis]
    if images.ndim != 4:
        raise ValueError(f"{name} must be [N, H, W] or [N, H, W, C], got shape {images.shape}.")
    return images


def to_uint8(images: np.ndarray, name: str) -> np.ndarray:
    """uint8 pixels, from uint8, integers in 0..255, or floats in [0, 1]."""
    if images.dtype == np.uint8:
        return images
    accepted = "accepted: uint8 pixels 0..255, or floats in [0, 1] (for [-1, 1] images pass (x + 1) / 2)"
    is_float = np.issubdtype(images.dtype, np.floating)
    if not (is_float or np.issubdtype(images.dtype, np.integer)):
        raise ValueError(f"{name} have dtype {images.dtype}; {accepted}.")
    low, high = (images.min(), images.max()) if images.size else (0, 0)
    if is_float and not (low >= 0 and high <= 1):
        raise ValueError(f"{name}: float pixels must be in [0, 1], found values in [{low:g}, {high:g}]; {accepted}.")
    if not is_float and not (low >= 0 and high <= 255):
        raise ValueError(f"{name}: integer pixels must be in 0..255, found values in [{low}, {high}]; {accepted}.")
    return np.rint(images * 255).astype(np.uint8) if is_float else images.astype(np.uint8)


def check_labels(labels, num_images: int) -> np.ndarray:
    """Integer labels [N], N = num_images, all >= 0, as int64."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers [N], got dtype {labels.dtype} and shape {labels.shape}.")
    if len(labels) != num_images:
        raise ValueError(f"labels and images have different lengths: {num_images} images but {len(labels)} labels.")
    if len(labels) and labels.min() < 0:
        raise ValueError(f"labels must be 0 or more, found {labels.min()} at index {int(labels.argmin())}.")
    return labels.astype(np.int64, copy=False)


def labeled(images: np.ndarray, labels: np.ndarray | None, rows: slice, what: str, total: int) -> ImageData:
    """ImageData of the `rows` of a source of `total` images (`images` already sliced)."""
    num_classes = None if labels is None else int(labels.max(initial=-1)) + 1
    description = f"{what} ({count_images(len(images), total)})"
    return ImageData(images, None if labels is None else labels[rows], num_classes, None, description)


def _element_keys(spec) -> tuple[str | None, str | None]:
    """Keys of images and labels in a dataset element: (None, None) for images alone,
    (0, 1) for (images, labels), dict keys for dicts."""
    if isinstance(spec, dict):
        image_key = next((key for key in _IMAGE_KEYS if key in spec), None)
        if image_key is None:
            raise ValueError(f"the dataset's elements are dicts with keys {sorted(spec)}; expected an 'image' key "
                             f"(and optionally 'label').")
        return image_key, next((key for key in _LABEL_KEYS if key in spec), None)
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise ValueError(f"the dataset's elements are tuples of {len(spec)}; expected (images, labels).")
        return 0, 1
    return None, None


def _is_batched(shape: tf.TensorShape) -> bool:
    if shape.rank is None or shape.rank not in (2, 3, 4):
        raise ValueError(f"the dataset's images have shape {shape}; expected [H, W], [H, W, C], [B, H, W] or "
                         f"[B, H, W, C].")
    return shape.rank == 4 or (shape.rank == 3 and shape[-1] is not None and shape[-1] > 4)
