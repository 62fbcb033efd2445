"""Facts about the datasets we know by name; no source needs to be listed here.

A known name gets extra checks when it is read from IDX files (image shape,
label range, labels required), and `keras_infogan.evaluation` looks up the
number of classes of the data it scores.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping


@dataclasses.dataclass(frozen=True)
class KnownDataset:
    """What we know about one dataset.

    Args:
        image_shape: (H, W, C) of one stored image.
        num_classes: labels are in 0..num_classes-1.
        tfds_name: its TFDS name.
        idx_prefix: split name -> file prefix of its IDX files, e.g. "test" -> "t10k"
            for `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz`; empty
            when the dataset is not distributed as IDX files.
    """

    image_shape: tuple[int, int, int]
    num_classes: int
    tfds_name: str
    idx_prefix: Mapping[str, str] = dataclasses.field(default_factory=dict)


# File prefixes of the original MNIST distribution (Fashion-MNIST uses the same names).
MNIST_IDX_PREFIX = {"train": "train", "test": "t10k"}

KNOWN_DATASETS: dict[str, KnownDataset] = {
    "mnist": KnownDataset((28, 28, 1), 10, "mnist", MNIST_IDX_PREFIX),
    "fashion_mnist": KnownDataset((28, 28, 1), 10, "fashion_mnist", MNIST_IDX_PREFIX),
    "svhn_cropped": KnownDataset((32, 32, 3), 10, "svhn_cropped"),
    "cifar10": KnownDataset((32, 32, 3), 10, "cifar10"),
}


def known_dataset(name: str) -> KnownDataset | None:
    """The entry of a TFDS name, also with a version ("mnist:3.0.1"), or None."""
    return KNOWN_DATASETS.get(name.split(":")[0])
