"""Writing IDX files (the MNIST format) for tests."""

import gzip
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray, magic: int | None = None,
              drop_bytes: int = 0) -> Path:
    """Writes a uint8 array as an IDX file (gzipped when `path` ends in .gz).

    `magic` overrides the standard one (2049 for 1-D, 2051 for 3-D); `drop_bytes`
    cuts that many bytes off the end to simulate a truncated file.
    """
    array = np.asarray(array, np.uint8)
    magic = {1: 2049, 3: 2051}[array.ndim] if magic is None else magic
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    data = header + array.tobytes()
    data = data[:len(data) - drop_bytes]
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_split(folder: Path, images: np.ndarray, labels: np.ndarray, prefix: str = "train",
                gz: bool = True) -> Path:
    """Writes `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]`."""
    ext = ".gz" if gz else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels)
    return folder


def write_bar_mnist(folder: Path, train_size: int, test_size: int, seed: int = 0) -> Path:
    """Synthetic MNIST-format train/t10k splits: class k is a white horizontal bar
    at rows 2k+2..2k+3 (easy to tell apart, no download needed)."""
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", train_size), ("t10k", test_size)):
        labels = rng.integers(0, 10, n)
        images = np.zeros((n, 28, 28), np.uint8)
        for i, label in enumerate(labels):
            images[i, 2 + 2 * label: 4 + 2 * label, 4:24] = 255
        write_split(folder, images, labels, prefix)
    return folder
