"""The evaluation report end to end: evaluate_run and the `evaluate` command on tiny offline data."""

import json
import math
import re

import pytest

from keras_infogan import TrainConfig, train
from keras_infogan.__main__ import main
from keras_infogan.evaluation.report import EvalData, EvalSettings, evaluate_run

TINY = EvalSettings(num_samples=100, few_label_sizes=(2, 5), few_label_draws=2)


@pytest.fixture(scope="module")
def runs(tiny_mnist_dir, tmp_path_factory):
    """An InfoGAN run and a GAN-baseline run (info_weight 0), one epoch each on tiny data."""
    root = tmp_path_factory.mktemp("runs")
    for name, baseline in (("infogan", "none"), ("baseline", "probe")):
        train(TrainConfig(data_dir=str(tiny_mnist_dir), epochs=1, batch_size=32, eval_split=None,
                          baseline=baseline), root / name, verbose=0)
    return root


@pytest.fixture(scope="module")
def judge_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("judges")


@pytest.fixture(scope="module")
def report(runs, tiny_mnist_dir, judge_cache):
    data = EvalData.load("mnist", str(tiny_mnist_dir))
    return evaluate_run(runs / "infogan", data, baseline=runs / "baseline", judge_cache=judge_cache, settings=TINY)


def test_report_has_every_section_for_both_runs(report):
    assert list(report["runs"]) == ["InfoGAN", "GAN baseline"]
    assert report["data"]["test_images"] == 64 and report["data"]["train_images"] == 256
    for label, run in report["runs"].items():
        assert run["info_weight"] == (1.0 if label == "InfoGAN" else 0.0) and run["probe"] == (label != "InfoGAN")
        assert set(run["traversal_effects"]) == {"cont0", "cont1"}
        for effects in run["traversal_effects"].values():
            assert all(-1.0 <= effects[m] <= 1.0 or math.isnan(effects[m]) for m in ("slant", "width", "ink"))
        assert run["train_steps"] == 8
        for clustering in (run["clustering"]["cat0"], run["kmeans"]):
            assert 0.0 <= clustering["accuracy"] <= 1.0 and -1.0 <= clustering["ari"] <= 1.0
            assert sum(map(sum, clustering["confusion"])) == 64
        assert set(run["few_label"]) == {"2", "5"}
        for results in run["few_label"].values():
            assert set(results) == {"features", "pixels"} and len(results["pixels"]["accuracies"]) == 2
        info = run["information"]
        assert info["cat0"]["entropy"] == pytest.approx(math.log(10))
        assert info["cat0"]["lower_bound"] <= math.log(10) + 1e-6
        assert "r2" in info["cont0"] and "recovery_accuracy" in info["cat0"]
        quality = run["sample_quality"]
        assert sum(quality["class_shares"]) == pytest.approx(1.0)
        assert quality["classifier_score"] >= 1.0 - 1e-6 and quality["frechet_floor"] >= 0.0
        assert 0.0 <= quality["judge_accuracy"] <= 1.0
        assert len(quality["per_value"]["cat0"]["majority"]) == 10


def test_report_files_and_pictures_are_written(report, runs):
    folder = runs / "infogan"
    assert json.loads((folder / "report.json").read_text()) == json.loads(json.dumps(report))
    markdown = (folder / "report.md").read_text()
    for heading in ("## Clustering of real test images", "## Few-label classification", "## Mutual information",
                    "## What the continuous codes do", "## Sample quality", "## Latent traversals"):
        assert heading in markdown
    assert "| Q trains D's trunk | yes | no (probe) |" in markdown
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert {"info_curves.png", "traversal_cat0.png", "baseline_traversal_cat0.png", "traversal_cont0.png",
            "traversal_cont1.png", "confusion_q_cat0.png", "confusion_kmeans.png"} <= set(pictures)
    for name in pictures:
        assert (folder / name).stat().st_size > 500, name


def test_cli_evaluate_writes_the_report(runs, tiny_mnist_dir, judge_cache, tmp_path, capsys):
    out = tmp_path / "report"
    main(["evaluate", str(runs / "infogan"), "--data-dir", str(tiny_mnist_dir), "--out", str(out),
          "--num-samples", "50", "--few-label-sizes", "2", "--few-label-draws", "1",
          "--judge-cache", str(judge_cache)])
    printed = capsys.readouterr().out
    assert "InfoGAN: code cat0 on mnist test (64 images): accuracy" in printed
    assert "k-means++ on D features: accuracy" in printed
    assert json.loads((out / "report.json").read_text())["settings"]["num_samples"] == 50
    assert (out / "report.md").exists() and not (out / "baseline_traversal_cat0.png").exists()


@pytest.mark.parametrize("argv, message", [
    (["--num-samples", "1"], "num_samples must be at least 2"),
    (["--few-label-sizes", "0"], "few_label_sizes"),
    (["--few-label-sizes", "50"], "smallest class has"),
    (["--baseline", "/nonexistent"], "no model at"),
])
def test_cli_evaluate_reports_bad_settings(argv, message, runs, tiny_mnist_dir, tmp_path):
    with pytest.raises(SystemExit, match=message):
        main(["evaluate", str(runs / "infogan"), "--data-dir", str(tiny_mnist_dir), "--out", str(tmp_path),
              "--num-samples", "50", "--judge-cache", str(tmp_path / "judges")] + argv)
