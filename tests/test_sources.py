"""Tests for keras_infogan.sources: folders of images, arrays, tf.data, IDX folders,
conversion to one shape, and one clear error for every bad input (TFDS: test_sources_tfds.py)."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from idx_files import write_idx, write_split

from keras_infogan.data import load_arrays, load_dataset, load_images
from keras_infogan.sources import ImageData, has_split, read_source, source_splits
from keras_infogan.sources.convert import ImageStack, aspect_crop, to_channels

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


# ---------------------------------------------------------------- helpers

def save(path: Path, pixels, **kwargs) -> Path:
    """Writes uint8 pixels [H, W] or [H, W, C] (or a Pillow image) as an image file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(np.asarray(pixels, np.uint8))
    image.save(path, **kwargs)
    return path


def constant(height: int, width: int, value) -> np.ndarray:
    """An image [H, W] (value an int) or [H, W, C] (value a tuple) of one colour."""
    value = np.asarray(value, np.uint8)
    return np.broadcast_to(value, (height, width, *value.shape)).copy()


def image_folder(root: Path, files: dict[str, np.ndarray | bytes]) -> Path:
    """Writes files (relative path -> pixels, or raw bytes) below root."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        if isinstance(content, bytes):
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(content)
        else:
            save(root / relative, content)
    return root


# ---------------------------------------------------------------- folders of images

def test_folder_gray_pngs_sorted_unlabeled(tmp_path):
    folder = image_folder(tmp_path, {f"img{k}.png": constant(8, 6, 10 * k) for k in (3, 1, 2, 0)})
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden.png").write_bytes(b"skipped")
    data = read_source(folder)
    assert isinstance(data, ImageData)
    assert data.images.shape == (4, 8, 6, 1) and data.images.dtype == np.uint8
    np.testing.assert_array_equal(data.images[:, 0, 0, 0], [0, 10, 20, 30])  # sorted file names
    assert data.labels is None and data.num_classes is None and data.class_names is None
    assert data.description == f"folder {folder} (4 images)"
    assert read_source(str(folder)).images.shape == (4, 8, 6, 1)  # str and Path alike


def test_folder_labels_from_subfolders(tmp_path):
    folder = image_folder(tmp_path, {
        "dog/a.png": constant(4, 4, 2), "cat/b.png": constant(4, 4, 1), "cat/a.png": constant(4, 4, 1),
        "ant/x.png": constant(4, 4, 0), "dog/puppies/deep.png": constant(4, 4, 2), ".cache/z.png": constant(4, 4, 9),
    })
    data = read_source(folder)
    assert data.class_names == ("ant", "cat", "dog") and data.num_classes == 3
    np.testing.assert_array_equal(data.labels, [0, 1, 1, 2, 2])
    assert data.labels.dtype == np.int64
    np.testing.assert_array_equal(data.images[:, 0, 0, 0], data.labels)  # every image is its class id
    # The same ids as Keras infers from the same folder.
    keras_ds = keras.utils.image_dataset_from_directory(folder, image_size=(4, 4), shuffle=False, batch_size=8,
                                                        color_mode="grayscale", verbose=False)
    assert tuple(keras_ds.class_names) == data.class_names
    assert sorted(np.concatenate([y for _, y in keras_ds])) == sorted(data.labels)


def test_folder_slices(tmp_path):
    folder = image_folder(tmp_path, {f"c{k % 2}/{k}.png": constant(4, 4, k) for k in range(10)})
    head = read_source(folder, "train[:80%]")
    tail = read_source(folder, "train[80%:]")
    assert len(head.images) == 8 and len(tail.images) == 2
    assert head.num_classes == tail.num_classes == 2  # of the whole folder
    assert tail.description == f"folder {folder} split train[80%:] (2 of 10 images)"
    assert source_splits(folder) == ("train",)
    assert has_split(folder, "train[:10%]") and not has_split(folder, "test")


def test_folder_formats(tmp_path):
    """PNG (gray, RGB, RGBA, 16-bit), JPEG, BMP, palette and GIF (first frame) to one RGB shape."""
    frames = [Image.fromarray(constant(6, 6, c)) for c in (RED, BLUE)]
    frames[0].save(tmp_path / "e_anim.gif", save_all=True, append_images=frames[1:])
    image_folder(tmp_path, {
        "a_gray.png": constant(6, 6, 77), "b_rgb.bmp": constant(6, 6, GREEN), "c_rgba.png": constant(6, 6, (*BLUE, 10)),
        "d_photo.jpg": constant(6, 6, (200, 100, 50)), "f_gray16.png": constant(6, 6, 0),
    })
    save(tmp_path / "f_gray16.png", Image.fromarray(np.full((6, 6), 257 * 40, np.uint16)))
    save(tmp_path / "g_palette.png", Image.fromarray(constant(6, 6, RED)).convert("P"))
    data = read_source(tmp_path, image_shape=(6, 6, 3))
    corners = data.images[:, 0, 0]
    np.testing.assert_array_equal(corners[[0, 1, 2, 4, 5, 6]], [(77, 77, 77), GREEN, BLUE, RED, (40, 40, 40), RED])
    np.testing.assert_allclose(corners[3], (200, 100, 50), atol=3)  # JPEG is lossy
    resized = read_source(tmp_path, image_shape=(3, 3, 3)).images  # gray and colour, resized in groups
    np.testing.assert_array_equal(resized[[0, 1, 2, 4, 5, 6]], data.images[[0, 1, 2, 4, 5, 6], :3, :3])
    # Kept as they are, the channel counts differ: one error naming the file and the fix.
    with pytest.raises(ValueError, match=r"b_rgb.bmp is 6x6x3 but .*a_gray.png is 6x6x1; pass image_shape="):
        read_source(tmp_path)


def test_folder_mixed_sizes(tmp_path):
    image_folder(tmp_path, {"a.png": constant(8, 8, 1), "b.png": constant(8, 8, 2), "c.png": constant(12, 16, 3)})
    with pytest.raises(ValueError, match=r"c.png is 12x16x1 but .*a.png is 8x8x1; pass image_shape=\(height"):
        read_source(tmp_path)
    data = read_source(tmp_path, image_shape=(4, 4, 1))
    np.testing.assert_array_equal(data.images[:, :, :, 0], np.ones((3, 4, 4)) * np.arange(1, 4)[:, None, None])


# ---------------------------------------------------------------- conversion, known answers

def test_luma_of_known_colours():
    colours = np.array([[[RED, GREEN, BLUE, (255, 255, 255), (0, 0, 0), (10, 20, 30)]]], np.uint8)
    gray = to_channels(colours, 1, "colours")[0, 0, :, 0]
    # 0.299 R + 0.587 G + 0.114 B, rounded; the same as Pillow's "L" conversion.
    np.testing.assert_array_equal(gray, [76, 150, 29, 255, 0, 18])
    pillow = np.asarray(Image.fromarray(colours[0]).convert("L"))[0]
    np.testing.assert_array_equal(gray, pillow)


def test_channels_repeat_and_alpha():
    gray = np.arange(6, dtype=np.uint8).reshape(1, 2, 3, 1)
    rgb = to_channels(gray, 3, "x")
    assert rgb.shape == (1, 2, 3, 3)
    for channel in range(3):
        np.testing.assert_array_equal(rgb[..., channel], gray[..., 0])
    gray_alpha = np.concatenate([gray, np.full_like(gray, 9)], axis=-1)
    np.testing.assert_array_equal(to_channels(gray_alpha, 1, "x"), gray)
    rgba = np.concatenate([rgb, np.full_like(gray, 9)], axis=-1)
    np.testing.assert_array_equal(to_channels(rgba, 3, "x"), rgb)
    with pytest.raises(ValueError, match=r"images\[0\] has 5 channels, which cannot be converted to 3"):
        read_source(np.zeros((2, 4, 4, 5), np.uint8), image_shape=(4, 4, 3))


def test_centre_crop_picks_the_middle():
    pixels = np.arange(6 * 8, dtype=np.uint8).reshape(1, 6, 8, 1)
    cropped = read_source(pixels, image_shape=(4, 4, 1), fit="crop").images
    np.testing.assert_array_equal(cropped[0, ..., 0], pixels[0, 1:5, 2:6, 0])


def test_resize_constant_stays_constant_and_crops_to_aspect():
    data = read_source(np.full((2, 30, 20, 3), 123, np.uint8), image_shape=(8, 8, 3))
    assert data.images.shape == (2, 8, 8, 3) and np.all(data.images == 123)
    # 10x20 -> 5x5: the centred 10x10 square (columns 5..14) is kept, the black borders are cut.
    wide = np.zeros((1, 10, 20, 1), np.uint8)
    wide[:, :, 5:15] = 200
    assert aspect_crop(10, 20, 5, 5) == (slice(0, 10), slice(5, 15))
    np.testing.assert_array_equal(read_source(wide, image_shape=(5, 5, 1)).images, np.full((1, 5, 5, 1), 200))


def test_resize_matches_keras_crop_to_aspect_ratio():
    pixels = np.random.default_rng(0).integers(0, 256, (3, 21, 34, 3), dtype=np.uint8)
    ours = read_source(pixels, image_shape=(12, 10, 3)).images
    theirs = keras.ops.image.resize(pixels.astype(np.float32), (12, 10), crop_to_aspect_ratio=True, antialias=True)
    np.testing.assert_array_equal(ours, np.clip(np.rint(keras.ops.convert_to_numpy(theirs)), 0, 255))


def test_matching_shape_is_not_copied():
    pixels = np.zeros((60, 28, 28, 1), np.uint8)
    assert np.shares_memory(read_source(pixels, image_shape=(28, 28, 1)).images, pixels)
    stack = ImageStack((4, 4, 1))
    for k in range(5):  # one image at a time, two sizes: resized in order
        stack.add(np.full((1, 8 if k % 2 else 6, 6, 1), k, np.uint8), name_of=str)
    np.testing.assert_array_equal(stack.result()[:, 0, 0, 0], range(5))


def test_crop_smaller_than_target(tmp_path):
    image_folder(tmp_path, {"big.png": constant(20, 20, 1), "small.png": constant(10, 12, 1)})
    with pytest.raises(ValueError, match=r"small.png is 10x12, smaller than the target 16x16: fit='crop'"):
        read_source(tmp_path, image_shape=(16, 16, 1), fit="crop")
    with pytest.raises(ValueError, match=r"images\[0\] is 4x4, smaller than the target 5x5"):
        read_source(np.zeros((2, 4, 4), np.uint8), image_shape=(5, 5, 1), fit="crop")


@pytest.mark.parametrize("image_shape, fit, match", [
    ((8, 8, 2), "resize", "1 \\(gray\\) or 3 \\(RGB\\) channels, got 2"),
    ((8, 8), "resize", "image_shape must be \\(height, width, channels\\)"),
    ((8, None, 1), "resize", "image_shape must be"),
    ((8, 8, 1), "stretch", "fit must be one of \\('resize', 'crop'\\), got 'stretch'"),
])
def test_bad_target(image_shape, fit, match):
    with pytest.raises(ValueError, match=match):
        read_source(np.zeros((2, 8, 8), np.uint8), image_shape=image_shape, fit=fit)


# ---------------------------------------------------------------- arrays and tf.data

def test_arrays_uint8_and_floats():
    pixels = np.arange(4 * 3 * 2, dtype=np.uint8).reshape(4, 3, 2)
    data = read_source(pixels)
    assert data.images.shape == (4, 3, 2, 1) and data.labels is None
    assert data.description == "arrays (4 images)"
    floats = np.array([0.0, 0.5, 1.0, 0.2], np.float32).reshape(1, 2, 2)
    np.testing.assert_array_equal(read_source(floats).images.ravel(), [0, 128, 255, 51])
    with pytest.raises(ValueError, match=r"float pixels must be in \[0, 1\], found values in \[-1, 1\]; accepted: "
                                         r"uint8 pixels 0..255, or floats in \[0, 1\]"):
        read_source(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 2, 2))
    with pytest.raises(ValueError, match=r"integer pixels must be in 0..255, found values in \[0, 300\]"):
        read_source(np.array([[[0, 300]]]))


def test_arrays_with_labels():
    pixels, labels = np.zeros((10, 4, 4, 3), np.uint8), np.arange(10) % 7
    data = read_source((pixels, labels), "train[:3]")
    assert data.labels.tolist() == [0, 1, 2] and data.labels.dtype == np.int64
    assert data.num_classes == 7  # from all labels, not only the slice
    assert data.description == "arrays (3 of 10 images)"
    images, got_labels = load_arrays([pixels, labels])
    assert images.shape == (10, 4, 4, 3) and len(got_labels) == 10
    with pytest.raises(ValueError, match="labels and images have different lengths: 10 images but 9 labels"):
        read_source((pixels, labels[:9]))
    with pytest.raises(ValueError, match="labels must be integers"):
        read_source((pixels, labels.astype(np.float32)))
    with pytest.raises(ValueError, match="labels must be 0 or more, found -1 at index 2"):
        read_source((pixels, np.array([0, 1, -1] + [0] * 7)))
    with pytest.raises(ValueError, match=r"must be \[N, H, W\] or \[N, H, W, C\], got shape \(4, 4\)"):
        read_source(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"Unknown split 'test' in 'test\[:5\]' for arrays: its only split is 'train'"):
        read_source((pixels, labels), "test[:5]")


def test_tf_dataset_elements():
    pixels = np.arange(6 * 8 * 8, dtype=np.uint8).reshape(6, 8, 8, 1)
    labels = np.array([0, 1, 2, 0, 1, 2])
    unbatched = tf.data.Dataset.from_tensor_slices((pixels, labels))
    data = read_source(unbatched)
    np.testing.assert_array_equal(data.images, pixels)
    assert data.labels.tolist() == labels.tolist() and data.num_classes == 3
    assert data.description == "tf.data.Dataset (6 images)"
    batched_dicts = tf.data.Dataset.from_tensor_slices({"image": pixels[..., 0] / 255, "label": labels}).batch(4)
    data = read_source(batched_dicts, "train[2:]")
    np.testing.assert_array_equal(data.images, pixels[2:])
    assert data.labels.tolist() == [2, 0, 1, 2]
    images_only = tf.data.Dataset.from_tensor_slices(np.repeat(pixels, 3, axis=-1)).batch(5)
    data = read_source(images_only, image_shape=(2, 2, 1))
    assert data.images.shape == (6, 2, 2, 1) and data.labels is None
    single_gray = tf.data.Dataset.from_tensor_slices(pixels[..., 0])  # elements [8, 8]
    np.testing.assert_array_equal(read_source(single_gray).images, pixels)
    with pytest.raises(ValueError, match="infinite"):
        read_source(unbatched.repeat())
    with pytest.raises(ValueError, match=r"dicts with keys \['pixels'\]; expected an 'image' key"):
        read_source(tf.data.Dataset.from_tensor_slices({"pixels": pixels}))


# ---------------------------------------------------------------- IDX folders

def test_idx_folder_as_source(tmp_path):
    pixels = np.arange(10, dtype=np.uint8)[:, None, None] * np.ones((1, 5, 6), np.uint8)
    write_split(tmp_path, pixels, np.arange(10) % 4, "train")
    write_split(tmp_path, pixels[:3], np.array([3, 2, 1]), "t10k")
    write_idx(tmp_path / "extra-images-idx3-ubyte", pixels[:2])  # no labels file
    assert source_splits(tmp_path) == ("extra", "test", "train")
    assert has_split(tmp_path, "test[:50%]") and not has_split(tmp_path, "validation")
    data = read_source(tmp_path, "train[:2]")
    assert data.images.shape == (2, 5, 6, 1) and data.labels.tolist() == [0, 1]
    assert data.num_classes == 4  # max label + 1 of the whole file, not of the slice
    assert data.description == f"IDX files in {tmp_path} split train[:2]"
    extra = read_source(tmp_path, "extra")
    assert extra.labels is None and extra.num_classes is None and len(extra.images) == 2
    # 28x28 is not required for a folder that is not named as mnist.
    with pytest.raises(ValueError, match=r"Unknown split 't10k' .* known splits: \['extra', 'test', 'train'\]"):
        read_source(tmp_path, "t10k")


def test_mnist_idx_with_conversion(tiny_mnist_dir):
    data = load_images("mnist", "test", data_dir=tiny_mnist_dir, image_shape=(32, 32, 3))
    assert data.images.shape == (64, 32, 32, 3) and data.num_classes == 10
    assert data.description == f"mnist IDX files in {tiny_mnist_dir} split test"
    assert source_splits("mnist", data_dir=tiny_mnist_dir) == ("test", "train")
    assert has_split("mnist", "test", data_dir=str(tiny_mnist_dir))


# ---------------------------------------------------------------- load_dataset on any source

def test_load_dataset_image_size_and_channels(tmp_path):
    image_folder(tmp_path, {f"{cls}/{k}.png": constant(10, 12, (k, 0, 0)) for cls in "ab" for k in range(4)})
    ds = load_dataset(tmp_path, batch_size=4, image_size=6, channels=1, with_labels=True, shuffle=False)
    assert ds.element_spec[0] == tf.TensorSpec((4, 6, 6, 1), tf.float32)
    assert [y.numpy().tolist() for _, y in ds] == [[0, 0, 0, 0], [1, 1, 1, 1]]
    ds = load_dataset(tmp_path, batch_size=2, image_size=(5, 8), fit="crop")
    assert ds.element_spec == tf.TensorSpec((2, 5, 8, 3), tf.float32)
    with pytest.raises(ValueError, match=r"with_labels=True, but arrays \(3 images\) has no labels"):
        load_dataset(np.zeros((3, 4, 4), np.uint8), batch_size=1, with_labels=True)


# ---------------------------------------------------------------- bad inputs

def test_empty_folder(tmp_path):
    with pytest.raises(ValueError, match=f"no images in folder {tmp_path}: no .bmp, .gif, .jpeg, .jpg, .png files"):
        read_source(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "scan.tif").write_bytes(b"II*")
    with pytest.raises(ValueError, match=r"it holds only other files \(1, e.g. sub/scan.tif\)"):
        read_source(tmp_path)


def test_unreadable_and_zero_byte_images(tmp_path):
    image_folder(tmp_path, {"a.png": constant(4, 4, 1), "b.png": b"\x89PNG not really"})
    with pytest.raises(ValueError, match=r"b.png: cannot read the image \(UnidentifiedImageError"):
        read_source(tmp_path)
    (tmp_path / "b.png").unlink()
    truncated = tmp_path / "c.jpg"
    save(truncated, constant(64, 64, RED))
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"c.jpg: cannot read the image \(OSError"):
        read_source(tmp_path)
    truncated.write_bytes(b"")
    with pytest.raises(ValueError, match=r"c.jpg is empty \(0 bytes\), not an image"):
        read_source(tmp_path)


def test_images_at_top_and_in_subfolders(tmp_path):
    image_folder(tmp_path, {"top.png": constant(4, 4, 1), "cats/a.png": constant(4, 4, 1)})
    with pytest.raises(ValueError, match=r"has images both directly in it \(top.png, ...\) and in subfolders "
                                         r"\(cats/a.png, ...\)"):
        read_source(tmp_path)


def test_bad_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="/no/such/folder does not exist: it is neither a folder nor a TFDS"):
        read_source("/no/such/folder")
    with pytest.raises(FileNotFoundError, match="neither a folder nor a TFDS dataset name"):
        read_source(tmp_path / "missing")
    file = save(tmp_path / "one.png", constant(4, 4, 1))
    with pytest.raises(ValueError, match="one.png is a file, not a folder: pass the folder"):
        read_source(file)
    with pytest.raises(ValueError, match="data_dir is for TFDS dataset names only, not for folder"):
        read_source(tmp_path, data_dir=tmp_path)
    with pytest.raises(ValueError, match="image_feature is for TFDS dataset names only, not for arrays"):
        read_source(np.zeros((2, 4, 4), np.uint8), image_feature="image")
    for nothing in (3, ""):
        with pytest.raises(ValueError, match=f"cannot read images from {nothing!r}: pass a TFDS name, a folder"):
            read_source(nothing)


def test_empty_split(tmp_path):
    image_folder(tmp_path, {"a.png": constant(4, 4, 1)})
    with pytest.raises(ValueError, match=r"split train\[1:\] \(0 of 1 image\) is an empty dataset"):
        read_source(tmp_path, "train[1:]")
