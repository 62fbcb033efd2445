"""IDX files (the MNIST format): `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]`.

The split "train" is the prefix "train", "test" is "t10k" (the original MNIST and
Fashion-MNIST names), and any other prefix present is a split of its own name.
A labels file is optional, except for a known dataset ("mnist" given with
`data_dir`), whose image shape and label range are checked too. num_classes is
the known dataset's, else max label + 1 over the whole labels file.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from keras_infogan.sources import ImageData, ReadOptions
from keras_infogan.sources.convert import ImageStack
from keras_infogan.sources.known import KnownDataset
from keras_infogan.sources.splits import check_split_name, parse_split, split_rows

IMAGES_SUFFIX = "-images-idx3-ubyte"
LABELS_SUFFIX = "-labels-idx1-ubyte"
_IMAGES_MAGIC = 2051  # IDX header: unsigned bytes, 3 dims (N, H, W)
_LABELS_MAGIC = 2049  # IDX header: unsigned bytes, 1 dim (N,)
_MAGIC_KIND = {_IMAGES_MAGIC: "images", _LABELS_MAGIC: "labels"}
_SPLIT_OF_PREFIX = {"t10k": "test"}


def has_idx_files(folder: Path) -> bool:
    """Whether `folder` holds at least one IDX images file."""
    return bool(_prefixes(folder))


def idx_splits(folder: Path, options: ReadOptions) -> tuple[str, ...]:
    """The splits whose images file is in `folder`, sorted."""
    return tuple(sorted(_SPLIT_OF_PREFIX.get(prefix, prefix) for prefix in _prefixes(folder)))


def read_idx_folder(folder: Path, split: str, options: ReadOptions) -> ImageData:
    """Reads one split of the IDX files in `folder` (see the module docstring)."""
    known = options.known
    spec = parse_split(split)
    prefixes = {_SPLIT_OF_PREFIX.get(prefix, prefix): prefix for prefix in _prefixes(folder)}
    if known is not None:
        prefixes = {**known.idx_prefix, **prefixes}
    name = f"{known.tfds_name} IDX files" if known is not None else "IDX files"
    check_split_name(spec, split, f"{name} in {folder}", prefixes)
    prefix = prefixes[spec.name]
    stems = [f"{prefix}{IMAGES_SUFFIX}"] + ([f"{prefix}{LABELS_SUFFIX}"] if known is not None else [])
    images_path = _find_idx_files(folder, stems, split)[0]
    labels_path = _find_idx_files(folder, [f"{prefix}{LABELS_SUFFIX}"], split, required=False)[0]
    images = _read_idx(images_path, _IMAGES_MAGIC)[..., np.newaxis]
    labels = None if labels_path is None else _read_idx(labels_path, _LABELS_MAGIC).astype(np.int64)
    if known is not None:
        _check_known(known, images, images_path)
    if labels is not None:
        _check_labels(known, images, labels, images_path, labels_path)
    rows = split_rows(spec, len(images), split)
    stack = ImageStack(options.image_shape, options.fit)
    stack.add(images[rows].copy(), name_of=lambda i: f"{images_path} image {rows.start + i}")
    num_classes = None
    if labels is not None:
        num_classes = known.num_classes if known is not None else int(labels.max(initial=-1)) + 1
    return ImageData(stack.result(), None if labels is None else labels[rows], num_classes,
                     None, f"{name} in {folder} split {split}")


def _prefixes(folder: Path) -> list[str]:
    """Prefixes of the IDX images files in `folder` ("train" for train-images-idx3-ubyte.gz)."""
    if not folder.is_dir():
        return []
    names = (path.name.removesuffix(".gz") for path in folder.iterdir())
    return sorted({name.removesuffix(IMAGES_SUFFIX) for name in names
                   if name.endswith(IMAGES_SUFFIX) and name != IMAGES_SUFFIX})


def _find_idx_files(folder: Path, stems: list[str], split: str, required: bool = True) -> list[Path | None]:
    """Finds `<stem>.gz` or `<stem>` in `folder` for every stem (None where absent and not required)."""
    found, missing = [], []
    for stem in stems:
        path = next((p for p in (folder / f"{stem}.gz", folder / stem) if p.is_file()), None)
        found.append(path)
        if path is None:
            missing.append(f"{stem}.gz")
    if missing and required:
        folder_note = "" if folder.is_dir() else " (the folder does not exist)"
        raise FileNotFoundError(
            f"Split {split!r} needs the IDX files {[f'{s}.gz' for s in stems]} (or the same names "
            f"without .gz) in {folder}{folder_note}; missing: {missing}.")
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


def _check_known(known: KnownDataset, images: np.ndarray, images_path: Path) -> None:
    if images.shape[1:] != known.image_shape:
        raise ValueError(f"{images_path}: images have shape {images.shape[1:]} but the dataset "
                         f"expects {known.image_shape}.")


def _check_labels(known: KnownDataset | None, images: np.ndarray, labels: np.ndarray,
                  images_path: Path, labels_path: Path) -> None:
    """Checks labels [N] for count and, for a known dataset, range."""
    if len(labels) != len(images):
        raise ValueError(f"Count mismatch: {images_path} has {len(images)} images but "
                         f"{labels_path} has {len(labels)} labels.")
    if known is None:
        return
    bad = np.flatnonzero(labels >= known.num_classes)
    if bad.size:
        raise ValueError(f"{labels_path}: {bad.size} labels outside 0..{known.num_classes - 1}, "
                         f"first {labels[bad[0]]} at index {bad[0]}.")
