"""Every preset end to end on mock or generated images, and what runs downstream of a
training run for any latent spec: several categorical codes, none, RGB, 64x64, no labels."""

import csv
import json

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from keras_infogan import train
from keras_infogan.__main__ import main
from keras_infogan.evaluation.report import EvalData, EvalSettings, evaluate_run
from keras_infogan.presets import PRESETS, choose_preset, preset_config

TFDS_PRESETS = ["mnist", "fashion_mnist", "svhn", "celeba"]
FOLDER_PRESETS = ["faces", "chairs"]


@pytest.fixture(scope="module")
def render_folder(tmp_path_factory):
    """24 unlabeled renderings of mixed sizes and modes (grayscale, RGB, RGBA), as faces and chairs users have."""
    folder = tmp_path_factory.mktemp("renderings")
    rng = np.random.default_rng(0)
    for index in range(24):
        size = (70, 80) if index % 2 else (96, 96)
        mode = ("L", "RGB", "RGBA")[index % 3]
        pixels = rng.integers(0, 256, (size[1], size[0], len(mode)), dtype=np.uint8)
        Image.fromarray(pixels.squeeze(-1) if mode == "L" else pixels, mode).save(folder / f"r{index:02d}.png")
    return folder


def _train_preset(name, out, render_folder):
    overrides = dict(epochs=1, batch_size=8, train_split="train[:16]", seed=1)
    if name in FOLDER_PRESETS:
        return train(preset_config(name, data=str(render_folder), **overrides), out, verbose=0)
    with tfds.testing.mock_data(num_examples=16):
        return train(preset_config(name, eval_split="auto" if name != "celeba" else None, **overrides),
                     out, verbose=0)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, render_folder):
    """Run folders of every preset after 2 steps: {preset: (model, folder)}."""
    root = tmp_path_factory.mktemp("presets")
    return {name: (_train_preset(name, root / name, render_folder), root / name) for name in PRESETS}


@pytest.mark.parametrize("name", TFDS_PRESETS + FOLDER_PRESETS)
def test_every_preset_trains_end_to_end(trained, name):
    model, folder = trained[name]
    config = PRESETS[name]
    assert model.image_shape == config.image_shape()
    assert int(model.d_optimizer.iterations) == 2
    assert model.sample(2).shape == (2, *config.image_shape())
    saved = json.loads((folder / "config.json").read_text())
    assert (saved["architecture"], saved["codes"]) == (config.architecture, config.codes)
    row = list(csv.DictReader((folder / "metrics.csv").open()))[-1]
    assert {f"mi_{code}" for code in model.latent_spec.names} <= set(row)
    scored = {key for key in row if key.startswith("eval_acc_")}
    labeled = name in ("mnist", "fashion_mnist", "svhn")  # celeb_a has no class label, the renderings no subfolders
    assert scored == ({f"eval_acc_{c.name}" for c in model.latent_spec.categorical_codes()} if labeled else set())
    picture = Image.open(folder / "traversal_epoch001.png")
    height, width = config.image_shape()[:2]
    columns = sum(c.num_categories if c.kind == "categorical" else 10 for c in model.latent_spec.codes)
    assert picture.width > columns * width  # one panel per code, side by side
    assert picture.height > 10 * height
    assert (folder / "model.keras").exists()


def test_svhn_export_has_one_input_per_code(trained, tmp_path):
    model, _ = trained["svhn"]  # 4 categorical + 4 continuous codes, RGB 32x32
    exported = tf.saved_model.load(str(model.export_serving(tmp_path / "svhn")))
    generate = exported.signatures["generate"]
    inputs = generate.structured_input_signature[1]
    assert set(inputs) == {"z", "cat0", "cat1", "cat2", "cat3", "cont0", "cont1", "cont2", "cont3"}
    codes = {f"cat{i}": tf.constant([i, 9], tf.int32) for i in range(4)}
    codes.update({f"cont{i}": tf.constant([0.5, -0.5]) for i in range(4)})
    z = np.random.default_rng(0).uniform(-1, 1, (2, 124)).astype("float32")
    images = generate(z=tf.constant(z), **codes)["images"].numpy()
    expected = (model.generate(z, [codes[n].numpy() for n in model.latent_spec.names]) + 1) / 2
    np.testing.assert_allclose(images, expected, atol=1e-5)
    encoded = exported.signatures["encode"](images=tf.constant(images))
    assert {f"cat{i}_id" for i in range(4)} | {f"cont{i}_mean" for i in range(4)} <= set(encoded)


def test_report_on_unlabeled_data_says_what_it_skipped(trained, tmp_path):
    _, folder = trained["celeba"]  # ten 10-way codes, RGB, no labels
    with tfds.testing.mock_data(num_examples=16):
        data = EvalData.load("celeb_a", None, "train", "test", image_shape=(32, 32, 3))
        report = evaluate_run(folder, data, out_dir=tmp_path, settings=EvalSettings(num_samples=64))
    run = report["runs"]["InfoGAN"]
    assert set(run["skipped"]) == {"clustering", "kmeans", "few_label", "sample_quality"}
    assert "celeb_a is not one of them" in run["skipped"]["sample_quality"]
    assert set(run["information"]) == {f"cat{i}" for i in range(10)}
    text = (tmp_path / "report.md").read_text()
    assert "## Not computed" in text and "kmeans: celeb_a has no labels" in text
    assert "Clustering" not in text


def test_report_without_a_categorical_code(trained, tmp_path, render_folder):
    _, folder = trained["faces"]  # five continuous codes, grayscale 32x32, unlabeled folder
    data = EvalData.load(str(render_folder), None, "train[:12]", "train[12:]", image_shape=(32, 32, 1))
    report = evaluate_run(folder, data, out_dir=tmp_path, settings=EvalSettings(num_samples=64))
    run = report["runs"]["InfoGAN"]
    assert set(run["information"]) == {f"cont{i}" for i in range(5)}
    assert sorted(run["figures"]) == [f"traversal_cont{i}" for i in range(5)]


def test_cli_picks_the_closest_network_for_a_folder(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(8):
        Image.fromarray(np.full((60, 60, 3), index * 30, np.uint8)).save(folder / f"p{index}.jpg")
    out = tmp_path / "run"
    main(["train", "--data", str(folder), "--epochs", "1", "--batch-size", "8", "--codes", "cat3,cont:0.5",
          "--noise-dim", "8", "--out", str(out)])
    assert "preset chairs: its networks take 64x64x1 images, the closest to the 60x60x3 images" in capsys.readouterr().out
    saved = json.loads((out / "config.json").read_text())
    assert (saved["architecture"], saved["codes"], saved["noise_dim"]) == ("chairs", "cat3,cont:0.5", 8)
    assert saved["data"] == str(folder)


def test_mixed_sizes_pick_the_network_of_the_first_image(render_folder):
    lines = []
    assert choose_preset(str(render_folder), "train[5:]", log=lines.append) == "chairs"  # r00.png is 96x96x1
    assert lines == [f"preset chairs: its networks take 64x64x1 images, the closest to the 96x96x1 images of "
                     f"{render_folder} (name another with --preset)"]
    assert choose_preset("svhn_cropped") == "svhn" and choose_preset(None) == "mnist"


def test_bad_data_stops_before_the_run_folder_is_touched(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SystemExit, match=f"error: no images in folder {empty}"):
        main(["train", "--data", str(empty), "--preset", "mnist", "--out", str(tmp_path / "run")])
    assert not (tmp_path / "run").exists()
