"""Image datasets for InfoGAN training: MNIST-style grayscale digits.

Two sources give the same arrays:

* `data_dir=None`: `tfds.load(...)` (downloads on first use; TFDS parses the split).
* `data_dir="folder"`: the standard IDX files in that folder, e.g. for MNIST
  `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
  `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz` (the same names
  without `.gz` are accepted too). Split strings are parsed here.

Split strings follow TFDS syntax: `"train"`, `"test"`, `"train[:17690]"`,
`"train[17690:]"`, `"train[:90%]"`, `"test[10%:]"`, negative bounds count from
the end. For IDX files a percent bound p becomes `round(p * N / 100)` (Python
rounding, as TFDS's default "closest" rounding); both bounds must use the same
unit, and shard slices (`[:2shard]`), sums (`"train+test"`) and `"all"` are not
supported there.

Images are uint8 [N, H, W, C] on disk and float32 [B, H, W, C] in [-1, 1] (the
generator's tanh range) in the `tf.data` pipeline; labels are int64.
"""

from __future__ import annotations

import dataclasses
import gzip
import re
import zlib
from pathlib import Path
from typing import Mapping, NamedTuple

import numpy as np
import tensorflow as tf

_IMAGES_MAGIC = 2051  # IDX header: unsigned bytes, 3 dims (N, H, W)
_LABELS_MAGIC = 2049  # IDX header: unsigned bytes, 1 dim (N,)
_MAGIC_KIND = {_IMAGES_MAGIC: "images", _LABELS_MAGIC: "labels"}
_TFDS_CHUNK = 8192  # examples per batch when reading a TFDS split into memory


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """What the loaders need to know about one dataset.

    Args:
        image_shape: (H, W, C) of one image. IDX files hold grayscale images, so
            C is 1 for datasets read from IDX files.
        num_classes: labels are in 0..num_classes-1.
        tfds_name: name for `tfds.load` (used when `data_dir` is None).
        idx_prefix: split name -> file prefix of its IDX files, e.g. "test" -> "t10k"
            for `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz`.
    """

    image_shape: tuple[int, int, int]
    num_classes: int
    tfds_name: str
    idx_prefix: Mapping[str, str]


# File prefixes of the original MNIST distribution (Fashion-MNIST uses the same names).
_MNIST_IDX_PREFIX = {"train": "train", "test": "t10k"}

DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo(image_shape=(28, 28, 1), num_classes=10, tfds_name="mnist",
                         idx_prefix=_MNIST_IDX_PREFIX),
}


class _SplitSpec(NamedTuple):
    """A parsed split string: split name and optional slice bounds."""

    name: str
    start: float | None
    stop: float | None
    percent: bool


_SPLIT_RE = re.compile(r"(?P<name>\w+)(?:\[(?P<start>[^:\[\]]*):(?P<stop>[^:\[\]]*)\])?")
_BOUND_RE = re.compile(r"(?P<pct>-?\d+(?:\.\d+)?)%|(?P<abs>-?\d+)")


def scale_images(images: np.ndarray | tf.Tensor) -> tf.Tensor:
    """Maps uint8 pixels [..., H, W, C] in 0..255 to float32 in [-1, 1] (x / 127.5 - 1)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def unscale_images(images: np.ndarray | tf.Tensor) -> tf.Tensor:
    """Maps images [..., H, W, C] in [-1, 1] to float32 in [0, 1] ((x + 1) / 2, clipped)."""
    return tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) / 2.0, 0.0, 1.0)


def load_arrays(name: str = "mnist", split: str = "train",
                data_dir: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Loads a whole split into memory.

    Args:
        name: a key of `DATASETS`.
        split: TFDS-style split string, e.g. "train", "train[:90%]", "test[:100]".
        data_dir: folder with the dataset's IDX files; None loads through TFDS.

    Returns:
        images uint8 [N, H, W, C] and labels int64 [N], N >= 1.

    Raises:
        ValueError: unknown dataset or split, bad slice, invalid file contents,
            or an empty result.
        FileNotFoundError: an IDX file is missing from `data_dir`.
    """
    info = _dataset_info(name)
    if data_dir is None:
        images, labels = _load_tfds(info, split)
    else:
        images, labels = _load_idx(name, info, split, Path(data_dir))
    if len(images) == 0:
        raise ValueError(f"Split {split!r} of dataset {name!r} is an empty dataset (0 examples).")
    return images, labels


def load_dataset(name: str = "mnist", split: str = "train", batch_size: int = 64,
                 data_dir: str | None = None, shuffle: bool = True, seed: int | None = None,
                 drop_remainder: bool = True, with_labels: bool = False,
                 repeat: bool = False, deterministic: bool = True) -> tf.data.Dataset:
    """Builds a batched `tf.data` pipeline over one split (see `load_arrays` for the args).

    Args:
        batch_size: examples per batch, at least 1.
        shuffle: reshuffle the whole split every epoch.
        seed: shuffle seed; the same seed gives the same order of epochs.
        drop_remainder: drop the last partial batch (keeps the batch dim static).
        with_labels: yield (images, labels) instead of images.
        repeat: repeat forever; each pass over the split is a new shuffle.
        deterministic: yield batches in order (tf.data `Options.deterministic`), so
            `seed` fixes the order; False lets the parallel scaling of batches
            finish out of order (it never waits for a slow batch).

    Returns:
        A dataset of float32 images [B, H, W, C] in [-1, 1], or of
        (images, int64 labels [B]) when `with_labels`. Its auto-shard policy is
        DATA, for use with `tf.distribute`: every worker reads the same shuffled
        batches (same seed) and keeps its own slice of each, so a multi-worker run
        needs a seed.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    images, labels = load_arrays(name, split, data_dir)
    if drop_remainder and len(images) < batch_size:
        raise ValueError(
            f"Split {split!r} of dataset {name!r} has {len(images)} examples, fewer than one batch "
            f"of batch_size={batch_size} (drop_remainder=True); use a smaller batch_size.")
    return _pipeline(images, labels, batch_size=batch_size, shuffle=shuffle, seed=seed,
                     drop_remainder=drop_remainder, with_labels=with_labels, repeat=repeat,
                     deterministic=deterministic)


_PARALLEL_BATCHES = 2  # batches scaled at once
_PREFETCH_BATCHES = 2  # batches ready ahead of the training step


def _pipeline(images: np.ndarray, labels: np.ndarray, *, batch_size: int, shuffle: bool,
              seed: int | None, drop_remainder: bool, with_labels: bool,
              repeat: bool, deterministic: bool = True) -> tf.data.Dataset:
    """uint8 images [N, H, W, C] and int64 labels [N] -> batched, scaled dataset.

    The source tensors already live in memory, so there is nothing worth
    `cache()`-ing; images stay uint8 through the shuffle buffer (4x smaller than
    float32) and are scaled once per batch, which is cheaper than per example;
    `prefetch` prepares the next batches while a step runs
    (`benchmarks/throughput.py` measures how long steps wait for data).

    tf.data's autotuning is off and the parallelism fixed: its optimisation thread
    sleeps in doubling periods (10 ms, 20 ms, ... 10.24 s, ...), and deleting an
    iterator, which `fit` does at the end of every epoch, waits for the current
    sleep to end. That rounded every epoch up to a multiple of ~10 s (measured: 30,
    60 and 90 steps took 10.2, 10.2 and 20.5 s), while this pipeline needs well
    under 1% of a step's time.
    """
    ds = tf.data.Dataset.from_tensor_slices((images, labels) if with_labels else images)
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if with_labels:
        ds = ds.map(lambda x, y: (scale_images(x), y), num_parallel_calls=_PARALLEL_BATCHES)
    else:
        ds = ds.map(scale_images, num_parallel_calls=_PARALLEL_BATCHES)
    return ds.prefetch(_PREFETCH_BATCHES).with_options(pipeline_options(deterministic))


def pipeline_options(deterministic: bool = True) -> tf.data.Options:
    """Options of every training pipeline: autotune off (see `_pipeline`), DATA
    auto-sharding for `tf.distribute`, and `deterministic` output order."""
    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.deterministic = deterministic
    return options


def _dataset_info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; known datasets: {sorted(DATASETS)}.")
    return DATASETS[name]


def _load_tfds(info: DatasetInfo, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Reads a split through TFDS as numpy: uint8 [N, H, W, C], int64 [N]."""
    # Imported here: TFDS is slow to import and only this source needs it.
    import tensorflow_datasets as tfds

    # Read in chunks: `batch_size=-1` needs the split size in the dataset's metadata.
    chunks = list(tfds.as_numpy(
        tfds.load(info.tfds_name, split=split, as_supervised=True).batch(_TFDS_CHUNK)))
    if not chunks:
        return np.zeros((0, *info.image_shape), np.uint8), np.zeros((0,), np.int64)
    images = np.concatenate([chunk_images for chunk_images, _ in chunks])
    labels = np.concatenate([chunk_labels for _, chunk_labels in chunks])
    source = f"tfds.load({info.tfds_name!r}, split={split!r})"
    _check_arrays(info, images, labels, source, source)
    return images.astype(np.uint8, copy=False), labels.astype(np.int64, copy=False)


def _load_idx(name: str, info: DatasetInfo, split: str,
              data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Reads a split from IDX files and slices it: uint8 [N, H, W, 1], int64 [N]."""
    spec = _parse_split(split)
    if spec.name not in info.idx_prefix:
        raise ValueError(f"Unknown split {spec.name!r} in {split!r} for dataset {name!r}; "
                         f"known splits: {sorted(info.idx_prefix)}.")
    prefix = info.idx_prefix[spec.name]
    images_path, labels_path = _find_idx_files(
        data_dir, [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"], split)
    images = _read_idx(images_path, _IMAGES_MAGIC)[..., np.newaxis]
    labels = _read_idx(labels_path, _LABELS_MAGIC)
    _check_arrays(info, images, labels, str(images_path), str(labels_path))
    rows = _slice(spec, len(images), split)
    return images[rows].copy(), labels[rows].astype(np.int64)


def _parse_split(split: str) -> _SplitSpec:
    """'train[10%:-5%]' -> _SplitSpec('train', 10.0, -5.0, percent=True)."""
    match = _SPLIT_RE.fullmatch(split)
    if match is None:
        raise ValueError(f"Bad split syntax {split!r}; expected e.g. 'train', 'train[:1000]', "
                         f"'train[90%:]' or 'test[10%:20%]'.")
    values, units = [], set()
    for text in (match["start"], match["stop"]):
        if not text:
            values.append(None)
            continue
        bound = _BOUND_RE.fullmatch(text)
        if bound is None:
            raise ValueError(f"Bad slice bound {text!r} in split {split!r}; expected an integer "
                             f"like 100 or -100, or a percentage like 90% or 12.5%.")
        values.append(float(bound["pct"]) if bound["pct"] else int(bound["abs"]))
        units.add(bool(bound["pct"]))
    if len(units) > 1:
        raise ValueError(f"Bad split syntax {split!r}: both bounds must be absolute or both "
                         f"percentages.")
    return _SplitSpec(match["name"], values[0], values[1], percent=units == {True})


def _slice(spec: _SplitSpec, num_examples: int, split: str) -> slice:
    """Resolves the bounds of `spec` for a split of `num_examples` rows."""
    limit = 100 if spec.percent else num_examples
    valid = "-100%..100%" if spec.percent else f"-{limit}..{limit} for {num_examples} examples"
    indices = []
    for bound, default in ((spec.start, 0), (spec.stop, num_examples)):
        if bound is None:
            indices.append(default)
            continue
        if abs(bound) > limit:
            raise ValueError(f"Slice bound {bound:g} in split {split!r} is out of range "
                             f"{valid}.")
        index = round(bound * num_examples / 100) if spec.percent else bound
        indices.append(index + num_examples if index < 0 else index)
    return slice(*indices)


def _find_idx_files(data_dir: Path, stems: list[str], split: str) -> list[Path]:
    """Finds `<stem>.gz` or `<stem>` in `data_dir` for every stem."""
    found, missing = [], []
    for stem in stems:
        path = next((p for p in (data_dir / f"{stem}.gz", data_dir / stem) if p.is_file()), None)
        found.append(path)
        if path is None:
            missing.append(f"{stem}.gz")
    if missing:
        folder_note = "" if data_dir.is_dir() else " (the folder does not exist)"
        raise FileNotFoundError(
            f"Split {split!r} needs the IDX files {[f'{s}.gz' for s in stems]} (or the same names "
            f"without .gz) in {data_dir}{folder_note}; missing: {missing}.")
    return found


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """Reads an unsigned-byte IDX file (gzipped if it ends in .gz) into uint8 [dims...]."""
    kind = _MAGIC_KIND[magic]
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise ValueError(
            f"{path}: cannot decompress ({err}); the file is truncated or not gzip.") from err
    if len(raw) < 4:
        raise ValueError(f"{path}: only {len(raw)} bytes, too short for an IDX header.")
    found_magic = int.from_bytes(raw[:4], "big")
    if found_magic != magic:
        raise ValueError(f"{path}: wrong magic number {found_magic}, expected {magic} "
                         f"(IDX {kind} file).")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{path}: truncated header, {len(raw)} bytes for {ndim} dimensions.")
    dims = tuple(int.from_bytes(raw[i:i + 4], "big") for i in range(4, header_size, 4))
    expected, actual = int(np.prod(dims)), len(raw) - header_size
    if actual != expected:
        problem = "truncated data" if actual < expected else "unexpected trailing data"
        raise ValueError(f"{path}: {problem}; the header's dims {dims} need {expected} data bytes "
                         f"but the file has {actual}.")
    return np.frombuffer(raw, np.uint8, offset=header_size).reshape(dims)


def _check_arrays(info: DatasetInfo, images: np.ndarray, labels: np.ndarray,
                  images_source: str, labels_source: str) -> None:
    """Checks images [N, H, W, C] against `info`, and labels [N] for count and range."""
    if images.shape[1:] != info.image_shape:
        raise ValueError(f"{images_source}: images have shape {images.shape[1:]} but the dataset "
                         f"expects {info.image_shape}.")
    if len(labels) != len(images):
        raise ValueError(f"Count mismatch: {images_source} has {len(images)} images but "
                         f"{labels_source} has {len(labels)} labels.")
    bad = np.flatnonzero((labels < 0) | (labels >= info.num_classes))
    if bad.size:
        raise ValueError(f"{labels_source}: {bad.size} labels outside 0..{info.num_classes - 1}, "
                         f"first {labels[bad[0]]} at index {bad[0]}.")
