"""TensorBoard logging: `train(tensorboard=True)` and `train --tensorboard` write event
files with the epoch's losses, the MI bound of each code and the traversal picture."""

import io
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from keras_infogan import TrainConfig, train
from keras_infogan.__main__ import main


def _summaries(log_dir: Path) -> dict[str, list[tuple[int, np.ndarray, str]]]:
    """{tag: [(step, value tensor, plugin name)]} of every event file under log_dir."""
    files = sorted(log_dir.rglob("events.out.tfevents.*"))
    assert files, f"no event files in {log_dir}"
    found = {}
    for path in files:
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                found.setdefault(value.tag, []).append(
                    (event.step, tf.make_ndarray(value.tensor), value.metadata.plugin_data.plugin_name))
    return found


def test_train_writes_losses_mi_bounds_and_traversal_pictures(tiny_mnist_dir, tmp_path):
    config = TrainConfig(data_dir=str(tiny_mnist_dir), epochs=2, batch_size=64, eval_split="test",
                         tensorboard=True)
    train(config, tmp_path / "run", verbose=0)
    summaries = _summaries(tmp_path / "run" / "tensorboard")
    steps_per_epoch = 256 // 64
    for tag in ("d_loss", "g_loss", "info_loss", "mi_cat0", "mi_cont0", "mi_cont1", "d_real", "d_fake",
                "eval_acc_cat0", "eval_nmi_cat0", "elapsed_s"):
        assert tag in summaries, f"no scalar {tag!r}; tags: {sorted(summaries)}"
        assert [step for step, _, _ in summaries[tag]] == [steps_per_epoch, 2 * steps_per_epoch]
        assert summaries[tag][0][2] == "scalars"  # the first write of a tag carries its plugin
        assert all(np.isfinite(float(value)) for _, value, _ in summaries[tag])
    assert float(summaries["mi_cat0"][-1][1]) <= np.log(10) + 1e-5

    assert [step for step, _, _ in summaries["traversal"]] == [steps_per_epoch, 2 * steps_per_epoch]
    assert summaries["traversal"][0][2] == "images"
    width, height, png = summaries["traversal"][-1][1]  # the image plugin's layout: width, height, PNG
    picture = Image.open(io.BytesIO(png))
    assert picture.size == (int(width), int(height)) and picture.width > 2 * picture.height
    expected = Image.open(tmp_path / "run" / "traversal_epoch002.png").convert("RGB")
    assert np.array_equal(np.asarray(picture.convert("RGB")), np.asarray(expected))  # the same figure


def test_cli_flag_and_default(tiny_mnist_dir, tmp_path):
    main(["train", "--data-dir", str(tiny_mnist_dir), "--epochs", "1", "--batch-size", "128",
          "--eval-split", "none", "--tensorboard", "--out", str(tmp_path / "on")])
    summaries = _summaries(tmp_path / "on" / "tensorboard")
    assert {"d_loss", "g_loss", "mi_cat0", "traversal"} <= set(summaries)
    assert TrainConfig().tensorboard is False
