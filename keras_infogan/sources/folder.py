"""A folder of images: PNG, JPEG, BMP and GIF (first frame), searched recursively.

Files are read in sorted path order. When the images sit in subfolders of the
folder, the names of its first-level subfolders are the classes: sorted names
get ids 0..K-1, as `keras.utils.image_dataset_from_directory` infers them
(every non-hidden subfolder is a class). Images directly in the folder and in
subfolders at once are an error; hidden files and folders (".name") are skipped,
and so are files of other types. A folder has one split, "train", which takes
slices ("train[:90%]").

Pillow decodes the images, so that every error names its file. Gray images have
one channel, gray+alpha two, palette images become RGB (RGBA with transparency),
16-bit gray is scaled to 8 bits, CMYK and YCbCr become RGB.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from keras_infogan.sources import ImageData, ReadOptions, count_images
from keras_infogan.sources.convert import ImageStack
from keras_infogan.sources.splits import single_split_rows

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")  # as image_dataset_from_directory
_KEPT_MODES = ("L", "LA", "RGB", "RGBA")
_SIXTEEN_BIT_MODES = ("I", "I;16", "I;16B", "I;16L")


def read_folder(folder: Path, split: str, options: ReadOptions) -> ImageData:
    """Reads the images of `folder` (see the module docstring)."""
    files, class_names = list_images(folder)
    rows = single_split_rows(split, len(files), f"folder {folder}")
    chosen = files[rows]
    stack = ImageStack(options.image_shape, options.fit)
    for path in chosen:
        stack.add(decode_image(path)[np.newaxis], name_of=lambda i, path=path: str(path))
    labels = None
    if class_names is not None:
        ids = {name: index for index, name in enumerate(class_names)}
        labels = np.array([ids[path.relative_to(folder).parts[0]] for path in chosen], np.int64)
    count = count_images(len(chosen), len(files))
    description = f"folder {folder} ({count})" if split == "train" else f"folder {folder} split {split} ({count})"
    return ImageData(stack.result(), labels, None if class_names is None else len(class_names), class_names,
                     description)


def list_images(folder: Path) -> tuple[list[Path], tuple[str, ...] | None]:
    """The image files of `folder` in sorted order, and the class names (None: images
    are directly in the folder, unlabeled)."""
    top, nested, others = [], [], []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.suffix.lower() not in IMAGE_EXTENSIONS:
            others.append(relative)
        else:
            (top if len(relative.parts) == 1 else nested).append(path)
    if top and nested:
        first_nested = min(nested, key=lambda p: p.relative_to(folder).parts)
        raise ValueError(f"folder {folder} has images both directly in it ({min(top).name}, ...) and in subfolders "
                         f"({first_nested.relative_to(folder)}, ...): put all of them in class subfolders (labeled) "
                         f"or all directly in the folder (unlabeled).")
    if not top and not nested:
        note = f"; it holds only other files ({len(others)}, e.g. {min(others)})" if others else ""
        raise ValueError(f"no images in folder {folder}: no {', '.join(IMAGE_EXTENSIONS)} files in it or its "
                         f"subfolders{note}.")
    if top:
        return sorted(top), None
    class_names = tuple(sorted(path.name for path in folder.iterdir()
                               if path.is_dir() and not path.name.startswith(".")))
    return sorted(nested, key=lambda p: p.relative_to(folder).parts), class_names


def decode_image(path: Path) -> np.ndarray:
    """The pixels of one image file: uint8 [H, W, C], C in 1..4 (see the module docstring)."""
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty (0 bytes), not an image.")
    with _opened(path) as image:
        return _pixels(image, path)


def _opened(path: Path) -> Image.Image:
    """The image of `path`, opened and decoded (the first frame of an animated GIF)."""
    image = None
    try:
        image = Image.open(path)
        image.load()
        return image
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        if image is not None:
            image.close()
        raise ValueError(f"{path}: cannot read the image ({type(err).__name__}: {err}).") from err


def _pixels(image: Image.Image, path: Path) -> np.ndarray:
    """A loaded Pillow image as uint8 [H, W, C]."""
    if image.mode in _SIXTEEN_BIT_MODES:
        pixels = np.clip(np.rint(np.asarray(image, np.float32) / 257), 0, 255).astype(np.uint8)
    else:
        if image.mode not in _KEPT_MODES:
            transparent = image.mode in ("P", "PA") and ("transparency" in image.info or image.mode == "PA")
            target = "L" if image.mode == "1" else "RGBA" if transparent else "RGB"
            try:
                image = image.convert(target)
            except ValueError as err:
                raise ValueError(f"{path}: unsupported image mode {image.mode!r} ({err}).") from err
        pixels = np.asarray(image, np.uint8)
    return pixels[..., np.newaxis] if pixels.ndim == 2 else pixels
