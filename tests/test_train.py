"""End to end: train() and the CLI on tiny offline data, the TFDS path on mock data."""

import csv
import json
import math

import pytest
import tensorflow_datasets as tfds

from keras_infogan import TrainConfig, train
from keras_infogan.__main__ import main


def _tiny_config(data_dir, **overrides):
    values = dict(data_dir=str(data_dir), epochs=2, batch_size=32, eval_split="test")
    values.update(overrides)
    return TrainConfig(**values)


def test_eval_split_none_skips_scoring(tiny_mnist_dir, tmp_path):
    main(["train", "--data-dir", str(tiny_mnist_dir), "--epochs", "1", "--batch-size", "128",
          "--eval-split", "none", "--out", str(tmp_path / "run")])
    assert json.loads((tmp_path / "run" / "config.json").read_text())["eval_split"] is None
    assert "eval_acc_cat0" not in (tmp_path / "run" / "metrics.csv").read_text()


def test_train_writes_the_run_folder(tiny_mnist_dir, tmp_path):
    run = tmp_path / "run"
    model = train(_tiny_config(tiny_mnist_dir), run, verbose=0)
    assert {p.name for p in run.iterdir()} >= {
        "config.json", "metrics.csv", "model.keras", "traversal_epoch001.png", "traversal_epoch002.png"}
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [row["epoch"] for row in rows] == ["0", "1"]
    for row in rows:
        assert 0.0 <= float(row["eval_acc_cat0"]) <= 1.0
        assert float(row["mi_cat0"]) <= math.log(10) + 1e-6
        assert float(row["elapsed_s"]) > 0
    assert json.loads((run / "config.json").read_text())["batch_size"] == 32
    assert int(model.d_optimizer.iterations) == 2 * (256 // 32)


def test_cli_train_then_evaluate(tiny_mnist_dir, tmp_path, capsys):
    run = tmp_path / "cli_run"
    main(["train", "--data-dir", str(tiny_mnist_dir), "--epochs", "1", "--batch-size", "64",
          "--eval-split", "test[:32]", "--out", str(run), "--cont-weight", "0.5", "--learn-stddev"])
    assert (run / "model.keras").exists() and (run / "traversal_epoch001.png").exists()
    saved = json.loads((run / "config.json").read_text())
    assert saved["eval_split"] == "test[:32]" and saved["learn_stddev"] is True and saved["cont_weight"] == 0.5
    assert "unsupervised accuracy of code cat0 on test[:32]:" in capsys.readouterr().out
    main(["evaluate", str(run), "--data-dir", str(tiny_mnist_dir), "--split", "test", "--num-samples", "50",
          "--few-label-sizes", "2", "--few-label-draws", "1", "--judge-cache", str(tmp_path / "judges")])
    out = capsys.readouterr().out
    assert "code cat0 on mnist test (64 images): accuracy" in out and "NMI" in out


@pytest.mark.parametrize("argv, match", [
    (["train", "--data-dir", "/nonexistent", "--epochs", "1"], "error: .*nonexistent"),
    (["train", "--epochs", "0"], "epochs must be at least 1"),
    (["train", "--batch-size", "512"], "fewer than one batch"),
    (["train", "--noise", "cauchy"], "noise prior"),
    (["evaluate", "/nonexistent/run"], "no model at"),
])
def test_cli_reports_bad_input_clearly(argv, match, tiny_mnist_dir, tmp_path):
    if argv[0] == "train":
        argv = argv + ["--out", str(tmp_path / "bad")]
        if "--data-dir" not in argv:
            argv += ["--data-dir", str(tiny_mnist_dir)]
    with pytest.raises(SystemExit, match=match):
        main(argv)


def test_train_through_tfds_offline(tmp_path):
    with tfds.testing.mock_data(num_examples=64):
        model = train(TrainConfig(epochs=1, batch_size=32), tmp_path / "tfds_run", verbose=0)
    assert int(model.d_optimizer.iterations) == 2
    assert (tmp_path / "tfds_run" / "model.keras").exists()
