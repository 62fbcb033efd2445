"""The evaluation report of a trained run: numbers (report.json), a readable
report.md, and the figures, written into the run folder.

`evaluate_model` computes the numbers of one model; `evaluate_run` loads one run
(and optionally a GAN-baseline run for comparison), evaluates it, and writes
everything. Every number is computed on the test split, except where the
method itself says otherwise (k-means centres and few-label classifiers are
fitted on the training split; sample quality compares generated images with real ones).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import keras
import numpy as np

from keras_infogan.data import load_images
from keras_infogan.sources.known import known_dataset
from keras_infogan.evaluation.categorical import categorical_reports
from keras_infogan.evaluation.code_recovery import information_estimates
from keras_infogan.evaluation.features import discriminator_features
from keras_infogan.evaluation.few_label import few_label_accuracy
from keras_infogan.evaluation.judge import judge_predict, load_or_train_judge, sample_quality
from keras_infogan.evaluation.kmeans import kmeans_report
from keras_infogan.evaluation.plots import plot_confusion, plot_info_curves, read_info_curve
from keras_infogan.evaluation.report_markdown import markdown_report
from keras_infogan.evaluation.sample_scores import classifier_score
from keras_infogan.evaluation.traversal_effects import traversal_effects
from keras_infogan.loading import check_model_file, load_infogan, run_model_path  # noqa: F401  (re-exported)
from keras_infogan.pictures import save_png, traversal_grids
from keras_infogan.restarts import restarts_summary
from keras_infogan.run_folder import INFO_CURVE_FILE

REPORT_JSON, REPORT_MD = "report.json", "report.md"


# The judge (a small classifier standing in for Inception) is trained only where it
# has been checked to be a good one: digit-like 28x28 grayscale datasets.
JUDGED_DATASETS = ("mnist", "fashion_mnist")


@dataclasses.dataclass(frozen=True)
class EvalData:
    """Real images of both splits: uint8 [n, H, W, C] and int labels [n], or None where
    the data has no labels (then only the label-free sections are computed)."""

    dataset: str
    data_dir: str | None
    train_split: str
    test_split: str
    train_images: np.ndarray
    train_labels: np.ndarray | None
    test_images: np.ndarray
    test_labels: np.ndarray | None

    @classmethod
    def load(cls, dataset: str = "mnist", data_dir: str | None = None, train_split: str = "train",
             test_split: str = "test", image_shape: tuple | None = None, fit: str = "resize") -> "EvalData":
        """Read both splits of `dataset` (any source of `keras_infogan.data.load_images`),
        converted to `image_shape` (the model's) when given."""
        read = dict(image_shape=image_shape, fit=fit, data_dir=data_dir)
        train, test = (load_images(dataset, split, **read) for split in (train_split, test_split))
        return cls(str(dataset), data_dir, train_split, test_split, train.images, train.labels,
                   test.images, test.labels)

    @property
    def labeled(self) -> bool:
        return self.train_labels is not None and self.test_labels is not None

    def judge_skip_reason(self) -> str | None:
        """Why the judge cannot score this data, or None when it can."""
        name = self.dataset.split(":")[0]
        if known_dataset(name) is None or name not in JUDGED_DATASETS:
            return (f"the judge classifier is only trained for {', '.join(JUDGED_DATASETS)}; "
                    f"{self.dataset} is not one of them")
        if not self.labeled:
            return f"{self.dataset} has no labels to train the judge on"
        return None


@dataclasses.dataclass(frozen=True)
class EvalSettings:
    """How much work the evaluation does (defaults: the full report)."""

    num_samples: int = 10_000
    few_label_sizes: tuple[int, ...] = (10, 100)
    few_label_draws: int = 5
    seed: int = 0

    def __post_init__(self):
        if self.num_samples < 2:
            raise ValueError(f"num_samples must be at least 2, got {self.num_samples}")
        if not self.few_label_sizes or min(self.few_label_sizes) < 1:
            raise ValueError(f"few_label_sizes must be positive counts, got {self.few_label_sizes}")
        if self.few_label_draws < 1:
            raise ValueError(f"few_label_draws must be at least 1, got {self.few_label_draws}")


def evaluate_model(model, data: EvalData, judge: keras.Model | None,
                   settings: EvalSettings = EvalSettings()) -> dict:
    """All numbers of the report for one trained InfoGAN (a JSON-ready dict).

    Sections that need what the data or model lacks are left out, and
    `report["skipped"]` says why: clustering needs labels and a categorical code,
    k-means and few-label learning need labels, sample quality needs a judge.
    """
    report = {"skipped": {}}
    if not data.labeled:
        for section in ("clustering", "kmeans", "few_label"):
            report["skipped"][section] = f"{data.dataset} has no labels"
    elif not model.latent_spec.categorical_codes():
        report["skipped"]["clustering"] = "the model has no categorical code"
    if data.labeled and model.latent_spec.categorical_codes():
        report["clustering"] = {name: clustering.to_dict() for name, clustering
                                in categorical_reports(model, data.test_images, data.test_labels).items()}
    if data.labeled:
        train_features = discriminator_features(model, data.train_images)
        test_features = discriminator_features(model, data.test_images)
        report["kmeans"] = kmeans_report(train_features, test_features, data.test_labels,
                                         seed=settings.seed).to_dict()
        report["few_label"] = _few_label(train_features, test_features, data, settings)
    report["information"] = information_estimates(model, settings.num_samples, settings.seed)
    if any(code.kind != "categorical" for code in model.latent_spec.codes):
        report["traversal_effects"] = traversal_effects(model, seed=settings.seed)
    if judge is None:
        report["skipped"]["sample_quality"] = data.judge_skip_reason() or "no judge was given"
    else:
        report["sample_quality"] = _sample_quality(model, data, judge, settings)
    return report


def _sample_quality(model, data: EvalData, judge: keras.Model, settings: EvalSettings) -> dict:
    """The judge's scores of the model's samples, with the judge's own test accuracy
    and the classifier score of real test images as references."""
    train_images, test_images = data.train_images / 255.0, data.test_images / 255.0
    quality = {}
    for code in model.latent_spec.categorical_codes():
        scores = sample_quality(model, judge, train_images, test_images, num_samples=settings.num_samples,
                                seed=settings.seed, code=code.name).to_dict()
        quality.setdefault("per_value", {})[code.name] = {"majority": scores.pop("majority"),
                                                         "purity": scores.pop("purity")}
        scores.pop("code")
        quality.update(scores)
    test_probs = judge_predict(judge, test_images)[0]
    quality["judge_accuracy"] = float(np.mean(test_probs.argmax(axis=1) == data.test_labels))
    quality["real_classifier_score"] = classifier_score(test_probs)
    return quality


def _few_label(train_features, test_features, data: EvalData, settings: EvalSettings) -> dict:
    """{per_class: {"features": result, "pixels": result}} for the D features and raw pixels."""
    pixels = [images.reshape(len(images), -1) / 255.0 for images in (data.train_images, data.test_images)]
    results = {}
    for per_class in settings.few_label_sizes:
        results[str(per_class)] = {
            name: few_label_accuracy(train_x, data.train_labels, test_x, data.test_labels, per_class,
                                     settings.few_label_draws, settings.seed).to_dict()
            for name, (train_x, test_x) in {"features": (train_features, test_features),
                                            "pixels": tuple(pixels)}.items()}
    return results


def write_figures(model, report: dict, out_dir: Path, prefix: str = "", seed: int = 0) -> dict[str, str]:
    """Figure 2 panels (one PNG per code) and the confusion matrices of one model;
    returns {figure key: file name}."""
    noise = model.latent_spec.sample_noise(10, (seed, 1)).numpy()
    figures = {}
    for code, (_, grid) in zip(model.latent_spec.codes, traversal_grids(model, noise)):
        name = f"{prefix}traversal_{code.name}.png"
        save_png(grid, out_dir / name)
        figures[f"traversal_{code.name}"] = name
    confusions = {f"q_{code}": (entry, f"argmax Q({code}|x)") for code, entry in report.get("clustering", {}).items()}
    if "kmeans" in report:
        confusions["kmeans"] = (report["kmeans"], "k-means++ on D features")
    for key, (entry, title) in confusions.items():
        name = f"{prefix}confusion_{key}.png"
        columns = [entry["mapping"].get(str(cluster), "-") for cluster in entry["column_clusters"]]
        plot_confusion(np.array(entry["confusion"]), out_dir / name,
                       f"{title}: accuracy {entry['accuracy']:.3f}", columns)
        figures[f"confusion_{key}"] = name
    return figures


def evaluate_run(run: str | Path, data: EvalData, baseline: str | Path | None = None,
                 out_dir: str | Path | None = None, judge_cache: str | Path | None = None,
                 settings: EvalSettings = EvalSettings()) -> dict:
    """Evaluate the run folder `run` (and the GAN-baseline run `baseline`, if given)
    and write report.json, report.md and the figures into `out_dir` (default: `run`).

    The judge is trained on `data`'s training split once and cached in `judge_cache`
    (only for `JUDGED_DATASETS`; elsewhere sample quality is skipped, saying why).
    Returns the report dict that is written to report.json.
    """
    smallest = int(np.bincount(data.train_labels).min()) if data.labeled else None
    if smallest is not None and max(settings.few_label_sizes) > smallest:
        raise ValueError(f"few_label_sizes {settings.few_label_sizes} ask for more labeled images per class than "
                         f"{data.train_split} has: its smallest class has {smallest}")
    run = Path(run)
    out_dir = Path(out_dir) if out_dir is not None else run
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = {"InfoGAN": run} if baseline is None else {"InfoGAN": run, "GAN baseline": Path(baseline)}
    models = {label: load_run_model(folder) for label, folder in runs.items()}
    judge = None if data.judge_skip_reason() else load_or_train_judge(
        data.dataset, data.train_split, data_dir=data.data_dir, cache_dir=judge_cache, seed=settings.seed)
    report = {"data": {"dataset": data.dataset, "train_split": data.train_split, "train_images": len(data.train_images),
                       "test_split": data.test_split, "test_images": len(data.test_images), "labeled": data.labeled},
              "settings": dataclasses.asdict(settings), "runs": {}}
    for index, (label, model) in enumerate(models.items()):
        entry = {"folder": str(runs[label]), "info_weight": model.info_weight, "probe": model.probe,
                 "train_steps": int(model.d_optimizer.iterations) if model.compiled else None}
        entry["restarts"] = restarts_summary(runs[label]) if runs[label].is_dir() else None
        entry.update(evaluate_model(model, data, judge, settings))
        entry["figures"] = write_figures(model, entry, out_dir, prefix="" if index == 0 else "baseline_",
                                         seed=settings.seed)
        report["runs"][label] = entry
    report["figures"] = _info_curve_figure(runs, models["InfoGAN"], out_dir)
    (out_dir / REPORT_JSON).write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / REPORT_MD).write_text(markdown_report(report))
    return report


def _info_curve_figure(runs: dict[str, Path], model, out_dir: Path) -> dict[str, str]:
    """The L_I-over-training plot of every run that has an info_curve.csv."""
    curves = {label: read_info_curve(folder / INFO_CURVE_FILE) for label, folder in runs.items()
              if (folder / INFO_CURVE_FILE).exists()}
    if not curves:
        return {}
    entropies = {code.name: code.entropy() for code in model.latent_spec.codes}
    plot_info_curves(curves, entropies, out_dir / "info_curves.png")
    return {"info_curves": "info_curves.png"}


def load_run_model(run: str | Path):
    """The InfoGAN saved in a run folder or at a .keras path (one clear error for a bad file)."""
    return load_infogan(run)
