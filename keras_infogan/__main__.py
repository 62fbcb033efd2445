"""Command line: `python -m keras_infogan {train,evaluate,export} ...` (see --help)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_infogan.configs import LR_SCHEDULES, PRESETS, STRATEGIES, TrainConfig  # noqa: E402

_HELP = {
    "dataset": "dataset name; also picks the networks",
    "data_dir": "folder with the dataset's IDX files (e.g. MNIST's *-ubyte.gz); default: TFDS",
    "train_split": "split to train on, TFDS syntax, e.g. 'train' or 'train[:17690]'",
    "eval_split": "labeled split scored after each epoch (unsupervised accuracy, NMI); 'none' to skip",
    "noise_dim": "width of the incompressible noise z",
    "noise": "prior of z: uniform (U(-1,1)) or normal",
    "cat_weight": "lambda of the categorical code",
    "cont_weight": "lambda of each continuous code",
    "learn_stddev": "let Q learn sigma of the continuous codes (default: fixed at 1)",
    "epochs": "passes over the training split",
    "batch_size": "images per step (the global batch, split across replicas)",
    "seed": "seed of weights, shuffling, noise and codes",
    "d_learning_rate": "Adam learning rate of D, the shared trunk and Q",
    "g_learning_rate": "Adam learning rate of G",
    "beta_1": "Adam beta_1 of both optimizers",
    "lr_schedule": "constant, or cosine: both learning rates decay to 0 over the run",
    "jit_compile": "compile the train step with XLA (one replica only; on CPU usually slower)",
    "joint_batches": "pass real and fake images through D's batch norm as one batch",
    "info_weight": "multiplier of G's mutual-information reward; 0 trains the GAN baseline",
    "info_delay_epochs": "epochs before G is rewarded for mutual information",
    "info_ramp_epochs": "epochs over which G's MI reward then ramps up linearly",
    "strategy": "tf.distribute strategy: auto (MirroredStrategy on 2+ GPUs, else one device), default, "
                "mirrored, multiworker (cluster from TF_CONFIG; only the chief writes OUT) or tpu; "
                "--batch-size is the global batch",
    "mixed_precision": "compute in float16 (mixed_float16 policy) with dynamic loss scaling",
    "deterministic_data": "input batches in a fixed order for a given seed (tf.data deterministic)",
    "tensorboard": "also write TensorBoard logs (losses, MI bounds, traversal pictures) to OUT/tensorboard/",
    "checkpoint_every_steps": "also checkpoint every N steps, not only after every epoch (0: epochs only)",
    "keep_checkpoints": "how many of the newest checkpoints to keep in OUT/checkpoints/",
}

_CHOICES = {"lr_schedule": LR_SCHEDULES, "strategy": STRATEGIES}


def _add_config_flags(parser: argparse.ArgumentParser, defaults: TrainConfig) -> None:
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        default = getattr(defaults, field.name)
        help_text = f"{_HELP[field.name]} (default: {default})"
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=help_text)
        elif field.name in ("data_dir", "eval_split"):
            parser.add_argument(flag, default=default, help=help_text)
        else:
            parser.add_argument(flag, type=type(default), default=default, help=help_text,
                                choices=_CHOICES.get(field.name))


def _config_from_args(args: argparse.Namespace) -> TrainConfig:
    values = {field.name: getattr(args, field.name) for field in dataclasses.fields(TrainConfig)}
    if values["eval_split"] in ("", "none", "None"):
        values["eval_split"] = None
    return TrainConfig(**values)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m keras_infogan", description="InfoGAN for Keras 3.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train", help="train an InfoGAN and write its run folder (resumes an unfinished one)",
        description="Train an InfoGAN. Writes OUT/config.json, and after every epoch OUT/metrics.csv, "
                    "OUT/traversal_epochNNN.png and a checkpoint in OUT/checkpoints/; OUT/model.keras at the "
                    "end. Run again on an unfinished OUT, it resumes from the last checkpoint, ending exactly "
                    "as an uninterrupted run would; it refuses a finished run, a run with another config, and "
                    "a folder another process is writing.")
    train.add_argument("--out", required=True, type=Path, help="run folder to write")
    train.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                       help="resume an unfinished run in OUT from its last checkpoint (default: on; "
                            "--no-resume refuses instead)")
    train.add_argument("--overwrite", action="store_true",
                       help="delete the run files in OUT (a finished or different run) and start again")
    _add_config_flags(train, PRESETS["mnist"])

    evaluate = commands.add_parser(
        "evaluate", help="write a trained run's evaluation report (report.md, report.json, figures)",
        description="Evaluate a trained run on real labeled data: clustering by the categorical code and by "
                    "k-means++ on D features, few-label classification, the MI bound of each code, sample "
                    "quality judged by a cached MNIST classifier, and the paper's Figure 1 and 2 pictures. "
                    "Writes report.json, report.md and PNG figures into the run folder (or --out).")
    evaluate.add_argument("run", type=Path, help="run folder holding model.keras (and info_curve.csv)")
    evaluate.add_argument("--baseline", type=Path, default=None,
                          help="a GAN-baseline run folder (trained with --info-weight 0) to report beside RUN")
    evaluate.add_argument("--dataset", default="mnist", help="dataset name (default: mnist)")
    evaluate.add_argument("--data-dir", default=None, help="folder with IDX files; default: TFDS")
    evaluate.add_argument("--split", default="test", help="labeled split every score is computed on (default: test)")
    evaluate.add_argument("--train-split", default="train",
                          help="labeled split for k-means centres, few-label classifiers and the judge (default: train)")
    evaluate.add_argument("--out", type=Path, default=None, help="folder for the report (default: RUN)")
    evaluate.add_argument("--num-samples", type=int, default=10_000,
                          help="generated samples for the MI and sample-quality estimates (default: 10000)")
    evaluate.add_argument("--few-label-sizes", type=int, nargs="+", default=[10, 100],
                          help="labeled training images per class for the few-label classifiers (default: 10 100)")
    evaluate.add_argument("--few-label-draws", type=int, default=5,
                          help="random labeled sets per few-label setting (default: 5)")
    evaluate.add_argument("--judge-cache", default=None,
                          help="folder caching the judge classifier (default: $KERAS_INFOGAN_CACHE/judges or "
                               "~/.cache/keras_infogan/judges)")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of samples, k-means and labeled draws")
    export = commands.add_parser("export", help="write a trained run as a TF Serving SavedModel",
                                 description="Export a trained InfoGAN as a SavedModel for TF Serving, in "
                                             "OUT/VERSION/saved_model.pb, with the signatures generate "
                                             "(serving_default), generate_from_seed, encode and discriminate.")
    export.add_argument("run", type=Path, help="run folder holding model.keras (or a .keras file)")
    export.add_argument("--out", type=Path, default=None,
                        help="model folder TF Serving watches (default: saved_models/<run folder name>)")
    export.add_argument("--version", type=int, default=None,
                        help="version folder to write, a positive int (default: the next free version)")
    return parser


def _run_train(args: argparse.Namespace) -> None:
    from keras_infogan.train import train

    config = _config_from_args(args)
    train(config, args.out, resume=args.resume, overwrite=args.overwrite)
    print(f"wrote {args.out}/model.keras, metrics.csv and traversal pictures")
    metrics = args.out / "metrics.csv"  # the whole run's, also when this process only resumed its end
    final = list(csv.DictReader(metrics.open()))[-1:] if metrics.exists() else []
    for key in sorted(k for row in final for k in row if k.startswith("eval_acc_")):
        print(f"unsupervised accuracy of code {key[len('eval_acc_'):]} on {config.eval_split}: "
              f"{float(final[0][key]):.4f}")


def _run_evaluate(args: argparse.Namespace) -> None:
    from keras_infogan.evaluation.report import REPORT_MD, EvalData, EvalSettings, evaluate_run
    from keras_infogan.loading import check_model_file

    for run in (args.run, args.baseline):  # before any data is loaded: a bad file fails at once
        if run is not None:
            check_model_file(run)
    settings = EvalSettings(num_samples=args.num_samples, few_label_sizes=tuple(args.few_label_sizes),
                            few_label_draws=args.few_label_draws, seed=args.seed)
    data = EvalData.load(args.dataset, args.data_dir, args.train_split, args.split)
    report = evaluate_run(args.run, data, baseline=args.baseline, out_dir=args.out,
                          judge_cache=args.judge_cache, settings=settings)
    for label, run in report["runs"].items():
        for name, clustering in run["clustering"].items():
            print(f"{label}: code {name} on {args.dataset} {args.split} ({len(data.test_labels)} images): "
                  f"accuracy {clustering['accuracy']:.4f}  NMI {clustering['nmi']:.4f}  ARI {clustering['ari']:.4f}")
        kmeans = run["kmeans"]
        print(f"{label}: k-means++ on D features: accuracy {kmeans['accuracy']:.4f}  NMI {kmeans['nmi']:.4f}")
    print(f"wrote {(args.out or args.run) / REPORT_MD}, report.json and figures")


def _run_export(args: argparse.Namespace) -> None:
    from keras_infogan.export import SIGNATURES
    from keras_infogan.loading import load_infogan

    run_dir = args.run if args.run.is_dir() else args.run.parent
    model = load_infogan(args.run, compile=False)
    written = model.export_serving(args.out or Path("saved_models") / run_dir.resolve().name, args.version)
    print(f"wrote {written}")
    print("signatures: " + ", ".join(f"{name} (serving_default)" if name == "generate" else name
                                     for name in SIGNATURES))


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        {"train": _run_train, "evaluate": _run_evaluate, "export": _run_export}[args.command](args)
    except (ValueError, OSError) as error:
        raise SystemExit(f"error: {error}") from error


if __name__ == "__main__":
    main(sys.argv[1:])
