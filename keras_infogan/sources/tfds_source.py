"""Any TFDS image dataset by name ("mnist", "svhn_cropped", "celeb_a", "cifar10:3.0.2", ...).

The image and the label are found in the builder's `info.features`: the one
`tfds.features.Image` feature (`image_feature=` picks one of several); the label
is `label_feature` if given ("none": no labels), else the ClassLabel named
"label", else the only ClassLabel; a dataset without ClassLabel is unlabeled
(celeb_a), and one with several and none named "label" (dsprites) needs
`label_feature=`. Data that is not prepared in the data folder is downloaded
(`download_and_prepare`); where that fails, as it does offline, one error says
so and names the other sources.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

from keras_infogan.sources import ImageData, ReadOptions, not_found
from keras_infogan.sources.arrays import collect
from keras_infogan.sources.convert import ImageStack

_CHUNK = 8192  # examples per batch when reading a split into memory
_PROBED_SPLITS = ("train", "test", "validation")  # split names tried when the metadata has none
_NO_LABELS = "none"


def read_tfds(name: str, split: str, options: ReadOptions) -> ImageData:
    """Reads one split of the TFDS dataset `name` (see the module docstring)."""
    import tensorflow_datasets as tfds  # here: TFDS is slow to import and only this source needs it

    builder = _builder(name, options.data_dir)
    image_key = _image_feature(builder, name, options.image_feature)
    label_key = _label_feature(builder, name, options.label_feature)
    _prepare(builder, name, split)
    description = f"tfds {name} split {split}"
    try:
        dataset = builder.as_dataset(split=split, shuffle_files=False)
    except (ValueError, KeyError) as err:
        raise ValueError(f"{description}: {err}") from err
    dataset = dataset.map(lambda example: (example[image_key], example[label_key] if label_key else 0))
    # Read in chunks: `batch_size=-1` needs the split size in the dataset's metadata.
    fixed_shape = None not in builder.info.features[image_key].shape
    batches = tfds.as_numpy(dataset.batch(_CHUNK) if fixed_shape else dataset.batch(1))
    images, labels = collect(batches, ImageStack(options.image_shape, options.fit), f"{description} example")
    if label_key is None:
        return ImageData(images, None, None, None, description)
    feature = builder.info.features[label_key]
    return ImageData(images, labels.astype(np.int64), feature.num_classes, tuple(feature.names), description)


def tfds_splits(name: str, options: ReadOptions) -> tuple[str, ...]:
    """The splits of the prepared data; without split metadata (as under
    `tfds.testing.mock_data`), the common names whose dataset can be made; none
    when the data is absent."""
    builder = _builder(name, options.data_dir)
    if builder.info.splits:
        return tuple(sorted(builder.info.splits))
    found = []
    for split in _PROBED_SPLITS:
        try:
            builder.as_dataset(split=split)
        except Exception:  # noqa: BLE001 - absent data raises AssertionError, unknown splits ValueError/KeyError
            continue
        found.append(split)
    return tuple(found)


def _builder(name: str, data_dir: Path | None):
    import tensorflow_datasets as tfds

    try:
        return tfds.builder(name, data_dir=None if data_dir is None else str(data_dir))
    except tfds.core.DatasetNotFoundError as err:
        raise _unknown(name) from err
    except (ValueError, AssertionError) as err:  # bad name syntax, unknown version or config
        if str(err).startswith("Parsing builder name string"):
            raise _unknown(name) from err
        raise ValueError(f"TFDS dataset {name!r}: {err}") from err


def _unknown(name: str) -> Exception:
    """The error for a name TFDS does not know, with close matches."""
    from tensorflow_datasets.core.load import list_builders

    if "/" in name:  # a relative path more likely than a dataset/config name
        return not_found(name)
    matches = difflib.get_close_matches(name.split(":")[0], list_builders(with_community_datasets=False), n=3)
    hint = f" (close TFDS names: {', '.join(matches)})" if matches else ""
    return ValueError(f"unknown TFDS dataset {name!r}{hint}, and no folder of that name exists; pass a TFDS name, "
                      f"a folder of images, a folder of IDX files or arrays.")


def _image_feature(builder, name: str, requested: str | None) -> str:
    import tensorflow_datasets as tfds

    features = builder.info.features
    images = [key for key, feature in features.items() if isinstance(feature, tfds.features.Image)]
    if requested is not None and requested not in images:
        raise ValueError(f"TFDS dataset {name!r} has no Image feature {requested!r}; its Image features: {images}.")
    if requested is not None or len(images) == 1:
        return requested or images[0]
    if not images:
        raise ValueError(f"TFDS dataset {name!r} has no Image feature (its features: {list(features)}); only image "
                         f"datasets can be read.")
    raise ValueError(f"TFDS dataset {name!r} has several Image features {images}; choose one with image_feature=.")


def _label_feature(builder, name: str, requested: str | None) -> str | None:
    import tensorflow_datasets as tfds

    labels = [key for key, feature in builder.info.features.items() if isinstance(feature, tfds.features.ClassLabel)]
    if requested is not None and requested.lower() == _NO_LABELS:
        return None
    if requested is not None and requested not in labels:
        raise ValueError(f"TFDS dataset {name!r} has no ClassLabel feature {requested!r}; its ClassLabel features: "
                         f"{labels} (label_feature='none': no labels).")
    if requested is not None:
        return requested
    if "label" in labels or len(labels) == 1:
        return "label" if "label" in labels else labels[0]
    if not labels:
        return None
    raise ValueError(f"TFDS dataset {name!r} has several ClassLabel features {labels} and none named 'label'; choose "
                     f"one with label_feature= (or label_feature='none': no labels).")


def _prepare(builder, name: str, split: str) -> None:
    """Downloads and prepares the data if it is not in the data folder yet (and cannot
    be read otherwise, as under `tfds.testing.mock_data`)."""
    if builder.is_prepared() or _readable(builder, split):
        return
    offline = _offline()
    if offline:  # fail at once: TFDS would retry every URL for minutes before giving up
        raise FileNotFoundError(
            f"TFDS dataset {name!r} is not in {builder.data_dir} and needs a download, but this machine cannot "
            f"reach the internet ({offline}); pass a folder of images, a folder of IDX files (for mnist: "
            f"data_dir=) or NumPy arrays instead.")
    try:
        builder.download_and_prepare()
    except Exception as err:  # noqa: BLE001 - a failed download surfaces as many types
        raise FileNotFoundError(
            f"TFDS dataset {name!r} is not in {builder.data_dir} and needs a download, which failed "
            f"({type(err).__name__}: {err}); without internet, pass a folder of images, a folder of IDX files "
            f"(for mnist: data_dir=) or NumPy arrays instead.") from err


def _readable(builder, split: str) -> bool:
    try:
        builder.as_dataset(split=split)
    except Exception:  # noqa: BLE001 - absent data raises AssertionError, other failures come again later
        return False
    return True


_PROBE_HOST = ("storage.googleapis.com", 443)  # where TFDS keeps most datasets and its checksums


def _offline() -> str | None:
    """Why the internet looks unreachable (a 5 s TCP probe), or None when it is reachable."""
    import socket

    try:
        socket.create_connection(_PROBE_HOST, timeout=5).close()
    except OSError as err:
        return f"{_PROBE_HOST[0]}: {err}"
    return None
