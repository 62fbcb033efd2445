"""Where images come from: every source is read into one `ImageData`.

    data = read_source("svhn_cropped", "train[:90%]", image_shape=(32, 32, 3))
    data = read_source("/data/chairs", image_shape=(64, 64, 1))   # folder; subfolder names are labels
    data = read_source((images, labels))                          # NumPy arrays
    data = read_source("mnist", "test", data_dir="../shared/data/mnist")  # the IDX files there

What `source` is decides how it is read (`SOURCES` names the reader of each kind):

* `np.ndarray`: images alone; a tuple or list `(images, labels)`: with labels
  (`sources.arrays`);
* `tf.data.Dataset`: read into memory; elements are images, `(images, labels)` or
  dicts with "image"/"label" keys, batched or not (`sources.arrays`);
* a folder (str or os.PathLike) holding IDX files `<prefix>-images-idx3-ubyte[.gz]`
  (`sources.idx`); any other folder: the images in it (`sources.folder`);
* any other str: a TFDS name such as "mnist", "celeb_a" or "cifar10:3.0.2"
  (`sources.tfds_source`). With `data_dir` it is always taken as a name: a
  `data_dir` holding IDX files is read as the IDX files of "mnist" or
  "fashion_mnist" (the offline path), any other `data_dir` is TFDS's data folder.

Folders, arrays and datasets have one split, "train", which takes slices
("train[:90%]"); IDX folders have "train", "test" (files "t10k-...") and one
split per other file prefix; TFDS datasets have their own.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from keras_infogan.sources.convert import check_target
from keras_infogan.sources.known import KNOWN_DATASETS, KnownDataset, known_dataset
from keras_infogan.sources.splits import SINGLE_SPLIT, split_name


@dataclasses.dataclass(frozen=True, eq=False)
class ImageData:
    """Images read from one split of a source.

    Args:
        images: uint8 [N, H, W, C].
        labels: int64 [N] in 0..num_classes-1, or None (unlabeled).
        num_classes: how many classes the labels come from (of the whole source,
            not only this split), or None.
        class_names: the name of each class id, or None.
        description: what was read, e.g. "tfds mnist split train" or
            "folder /x (10000 images)".
    """

    images: np.ndarray
    labels: np.ndarray | None
    num_classes: int | None
    class_names: tuple[str, ...] | None
    description: str


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """What a reader needs besides its source and split (see `read_source`)."""

    image_shape: tuple | None = None
    fit: str = "resize"
    data_dir: Path | None = None
    image_feature: str | None = None
    label_feature: str | None = None
    known: KnownDataset | None = None  # the known dataset IDX files are read as


class SourceKind(NamedTuple):
    """The reader of one kind of source: functions of a module of this package.

    `read(source, split, options) -> ImageData`; `splits(source, options) -> tuple`
    of split names, or None for the single split "train".
    """

    module: str
    read: str
    splits: str | None = None


SOURCES: dict[str, SourceKind] = {
    "arrays": SourceKind("arrays", "read_arrays"),
    "tf_data": SourceKind("arrays", "read_tf_dataset"),
    "idx": SourceKind("idx", "read_idx_folder", "idx_splits"),
    "folder": SourceKind("folder", "read_folder"),
    "tfds": SourceKind("tfds_source", "read_tfds", "tfds_splits"),
}


def read_source(source, split: str = "train", *, data_dir: str | os.PathLike | None = None, image_shape=None,
                fit: str = "resize", image_feature: str | None = None,
                label_feature: str | None = None) -> ImageData:
    """Reads one split of `source` into memory (see the module docstring for the kinds).

    Args:
        source: a TFDS name, a folder, arrays `images` or `(images, labels)`, or a
            `tf.data.Dataset`.
        split: split string in TFDS syntax, e.g. "train", "test[:10%]".
        data_dir: with a TFDS name only: a folder of that dataset's IDX files, or
            TFDS's data folder.
        image_shape: (H, W, C) to convert every image to (channels 1 or 3); None
            keeps the images as stored (they must then all have one shape).
        fit: "resize" (centre-crop to the aspect ratio, then resize) or "crop"
            (centre-crop only); see `keras_infogan.sources.convert`.
        image_feature, label_feature: TFDS only: which Image and ClassLabel
            features to read when there are several; label_feature="none": no labels.

    Raises:
        ValueError, FileNotFoundError: the message names the file or the problem.
    """
    options = ReadOptions(image_shape=check_target(image_shape, fit), fit=fit, image_feature=image_feature,
                          label_feature=label_feature)
    kind, target, options = _resolve(source, data_dir, options)
    data = _function(kind, "read")(target, split, options)
    if len(data.images) == 0:
        raise ValueError(f"{data.description} is an empty dataset (0 examples).")
    return data


def source_splits(source, data_dir: str | os.PathLike | None = None) -> tuple[str, ...]:
    """The split names `source` has; a TFDS dataset whose data is absent has none."""
    kind, target, options = _resolve(source, data_dir, ReadOptions())
    if SOURCES[kind].splits is None:
        return (SINGLE_SPLIT,)
    return _function(kind, "splits")(target, options)


def has_split(source, split: str, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether `source` has the split named in `split` (slices are not checked)."""
    return split_name(split) in source_splits(source, data_dir)


def count_images(chosen: int, total: int) -> str:
    """'10000 images', '1 image' or '9000 of 10000 images', for descriptions."""
    plural = "image" if total == 1 else "images"
    return f"{chosen} {plural}" if chosen == total else f"{chosen} of {total} {plural}"


def not_found(source) -> FileNotFoundError:
    """The error for a path that does not exist and is no TFDS name either."""
    return FileNotFoundError(f"{source} does not exist: it is neither a folder nor a TFDS dataset name.")


def _function(kind: str, role: str):
    entry = SOURCES[kind]
    module = importlib.import_module(f"{__name__}.{entry.module}")
    return getattr(module, getattr(entry, role))


def _looks_like_path(source) -> bool:
    text = os.fspath(source)
    return not isinstance(source, str) or text.startswith(("/", ".", "~")) or "\\" in text


def _resolve(source, data_dir, options: ReadOptions) -> tuple[str, object, ReadOptions]:
    """(kind, what the reader reads, options) for `source`."""
    if isinstance(source, (np.ndarray, tuple, list, tf.data.Dataset)):
        kind = "tf_data" if isinstance(source, tf.data.Dataset) else "arrays"
        what = "a tf.data.Dataset" if kind == "tf_data" else "arrays"
        return kind, source, _without_data_dir(options, data_dir, what)
    if not isinstance(source, (str, os.PathLike)) or not os.fspath(source):
        raise ValueError(f"cannot read images from {source!r}: pass a TFDS name, a folder, arrays "
                         f"(images or (images, labels)) or a tf.data.Dataset.")
    if data_dir is not None and not _looks_like_path(source):
        return _named_with_data_dir(str(source), Path(data_dir).expanduser(), options)
    path = Path(source).expanduser()
    if path.is_dir():
        from keras_infogan.sources.idx import has_idx_files

        kind = "idx" if has_idx_files(path) else "folder"
        return kind, path, _without_data_dir(options, data_dir, f"folder {path}")
    if path.exists():
        raise ValueError(f"{path} is a file, not a folder: pass the folder that holds the images or the IDX files "
                         f"(or read the file yourself and pass its arrays).")
    if _looks_like_path(source):
        raise not_found(source)
    return "tfds", str(source), options


def _named_with_data_dir(name: str, data_dir: Path, options: ReadOptions) -> tuple[str, object, ReadOptions]:
    """A TFDS name with `data_dir`: IDX files of a known dataset, or TFDS's data folder."""
    from keras_infogan.sources.idx import has_idx_files

    known = known_dataset(name)
    idx_known = known if known is not None and known.idx_prefix else None
    if data_dir.exists() and not data_dir.is_dir():
        raise ValueError(f"data_dir {data_dir} is a file, not a folder.")
    if idx_known is not None and (has_idx_files(data_dir) or not data_dir.exists()):
        return "idx", data_dir, dataclasses.replace(options, known=idx_known)
    if not data_dir.exists():
        raise FileNotFoundError(f"data_dir {data_dir} does not exist (the TFDS data folder for {name!r}).")
    if has_idx_files(data_dir):
        idx_names = sorted(key for key, value in KNOWN_DATASETS.items() if value.idx_prefix)
        raise ValueError(f"data_dir {data_dir} holds IDX files, but {name!r} is not read from IDX files (only "
                         f"{idx_names} are); to read these files, pass the folder itself as the source.")
    return "tfds", name, dataclasses.replace(options, data_dir=data_dir)


def _without_data_dir(options: ReadOptions, data_dir, what: str) -> ReadOptions:
    """Checks that no TFDS-only argument was given for a source of kind `what`."""
    extra = [name for name, value in (("data_dir", data_dir), ("image_feature", options.image_feature),
                                      ("label_feature", options.label_feature)) if value is not None]
    if extra:
        verb = "is" if len(extra) == 1 else "are"
        raise ValueError(f"{' and '.join(extra)} {verb} for TFDS dataset names only, not for {what}.")
    return options
