"""Command line: `python -m keras_infogan {train,evaluate} ...` (see --help)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_infogan.configs import PRESETS, TrainConfig  # noqa: E402

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
    "batch_size": "images per step",
    "seed": "seed of weights, shuffling, noise and codes",
    "d_learning_rate": "Adam learning rate of D, the shared trunk and Q",
    "g_learning_rate": "Adam learning rate of G",
    "beta_1": "Adam beta_1 of both optimizers",
    "lr_schedule": "constant, or cosine: both learning rates decay to 0 over the run",
    "jit_compile": "compile the train step with XLA",
    "joint_batches": "pass real and fake images through D's batch norm as one batch",
    "info_weight": "multiplier of G's mutual-information reward; 0 trains the GAN baseline",
    "info_delay_epochs": "epochs before G is rewarded for mutual information",
    "info_ramp_epochs": "epochs over which G's MI reward then ramps up linearly",
}


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
            parser.add_argument(flag, type=type(default), default=default, help=help_text)


def _config_from_args(args: argparse.Namespace) -> TrainConfig:
    values = {field.name: getattr(args, field.name) for field in dataclasses.fields(TrainConfig)}
    if values["eval_split"] in ("", "none", "None"):
        values["eval_split"] = None
    return TrainConfig(**values)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m keras_infogan", description="InfoGAN for Keras 3.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train an InfoGAN and write its run folder",
                                description="Train an InfoGAN. Writes OUT/config.json, OUT/metrics.csv, "
                                            "OUT/traversal_epochNNN.png every epoch and OUT/model.keras.")
    train.add_argument("--out", required=True, type=Path, help="run folder to write")
    _add_config_flags(train, PRESETS["mnist"])

    evaluate = commands.add_parser("evaluate", help="score a trained run's categorical code on labeled data",
                                   description="Unsupervised accuracy (Hungarian matching) and NMI of "
                                               "argmax Q(c|x) on real labeled images.")
    evaluate.add_argument("run", type=Path, help="run folder holding model.keras (or a .keras file)")
    evaluate.add_argument("--dataset", default="mnist", help="dataset name (default: mnist)")
    evaluate.add_argument("--data-dir", default=None, help="folder with IDX files; default: TFDS")
    evaluate.add_argument("--split", default="test", help="labeled split to score (default: test)")
    return parser


def _run_train(args: argparse.Namespace) -> None:
    from keras_infogan.train import train

    config = _config_from_args(args)
    model = train(config, args.out)
    print(f"wrote {args.out}/model.keras, metrics.csv and traversal pictures")
    final = model.history.history if model.history else {}
    for key in sorted(k for k in final if k.startswith("eval_acc_")):
        print(f"unsupervised accuracy of code {key[len('eval_acc_'):]} on {config.eval_split}: {final[key][-1]:.4f}")


def _run_evaluate(args: argparse.Namespace) -> None:
    import keras
    import numpy as np

    from keras_infogan.data import load_arrays
    from keras_infogan.evaluation.categorical import categorical_reports
    from keras_infogan.train import MODEL_FILE

    path = args.run / MODEL_FILE if args.run.is_dir() else args.run
    if not path.exists():
        raise SystemExit(f"error: no model at {path}")
    model = keras.saving.load_model(path)
    images, labels = load_arrays(args.dataset, args.split, args.data_dir)
    for name, report in categorical_reports(model, images, labels).items():
        print(f"code {name} on {args.dataset} {args.split} ({len(labels)} images): "
              f"accuracy {report.accuracy:.4f}  NMI {report.nmi:.4f}  ARI {report.ari:.4f}")
        print("  most confused (true -> predicted: count): "
              + ", ".join(f"{t}->{p}: {c}" for t, p, c in report.most_confused))
        print("  confusion (rows: true label, columns: matched cluster):")
        with np.printoptions(linewidth=200):
            print("  " + str(report.confusion).replace("\n", "\n  "))


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        {"train": _run_train, "evaluate": _run_evaluate}[args.command](args)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f"error: {error}") from error


if __name__ == "__main__":
    main(sys.argv[1:])
