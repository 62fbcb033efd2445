"""Command line: `python -m keras_infogan {train,evaluate,export,generate,score} ...` (see --help)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_infogan.configs import BASELINES, IMAGE_FITS, LR_SCHEDULES, STRATEGIES, TrainConfig  # noqa: E402
from keras_infogan.objectives import GAN_LOSSES, PENALTIES, UPDATES  # noqa: E402
from keras_infogan.presets import PRESETS, choose_preset, preset_config  # noqa: E402
from keras_infogan.restart_criteria import CRITERIA  # noqa: E402

_HELP = {
    "data": "training images: a TFDS name (mnist, svhn_cropped, celeb_a, ...), a folder of images "
            "(searched recursively; subfolder names become labels) or a folder of IDX files",
    "data_dir": "with a TFDS name: folder holding its IDX files (e.g. MNIST's *-ubyte.gz), else TFDS's data folder",
    "architecture": "network family, one per table of the paper's Appendix C; images are converted to its "
                    "size and channels",
    "image_fit": "how images reach the networks' size: resize (centre-crop to the aspect ratio, then resize) "
                 "or crop (centre-crop only)",
    "image_feature": "TFDS image feature to read, when the dataset has several",
    "label_feature": "TFDS class-label feature to read, when the dataset has several ('none': no labels)",
    "train_split": "split to train on, TFDS syntax, e.g. 'train' or 'train[:17690]' (a folder's split is 'train')",
    "eval_split": "labeled split scored after each epoch (unsupervised accuracy, NMI); auto: 'test' when "
                  "the data has one; 'none' to skip",
    "exclude_labels": "classes left out of the training and scoring splits, comma-separated ids or folder "
                      "class names, e.g. 7 (novelty detection: keras_infogan.anomaly); needs labels",
    "codes": "latent codes, comma-separated cat<K> or cont, each optionally :<lambda>, "
             "e.g. cat10,cat10,cont:0.5",
    "noise_dim": "width of the incompressible noise z",
    "noise": "prior of z: uniform (U(-1,1)) or normal",
    "noise_scale": "z enters the generator multiplied by this (1: the paper; below 1 the codes weigh more)",
    "cat_weight": "lambda of categorical codes written without :<lambda>",
    "cont_weight": "lambda of continuous codes written without :<lambda>",
    "learn_stddev": "let Q learn sigma of the continuous codes (default: fixed at 1)",
    "epochs": "passes over the training split",
    "batch_size": "images per step (the global batch, split across replicas)",
    "seed": "seed of weights, shuffling, noise and codes",
    "d_learning_rate": "Adam learning rate of D, the shared trunk and Q",
    "g_learning_rate": "Adam learning rate of G",
    "beta_1": "Adam beta_1 of both optimizers",
    "lr_schedule": "constant, or cosine: both learning rates decay to 0 over the run",
    "eval_images": "score epochs before the last on a fixed sample of this many EVAL_SPLIT images, the last "
                   "epoch on all (0: all, every epoch)",
    "jit_compile": "--jit-compile: compile the train step with XLA (one replica only); --no-jit-compile: never; "
                   "neither: auto, i.e. time a few steps both ways at start-up and keep the faster (runs of "
                   "1,000+ steps; recorded in OUT/xla_choice.json)",
    "joint_batches": "pass real and fake images through D's batch norm as one batch",
    "info_weight": "multiplier of G's mutual-information reward (0: none; Q's loss still trains D's trunk)",
    "baseline": "train a GAN baseline, whose G gets no MI reward: probe (Q learns on stop_gradient trunk "
                "features, so D and G play a plain GAN and Q only measures) or shared-trunk (as --info-weight "
                "0: Q's loss still trains D's trunk); none: InfoGAN",
    "consistency": "weight of Q's augmentation consistency on real images (beyond the paper; 0: off; 0 when "
                   "--baseline probe): Q's categories should survive small rotations, shifts, zooms and strokes",
    "consistency_vat": "with --consistency: also move each augmented image this far (L2, pixels in [-1, 1]) in the "
                       "direction Q's categories change most (virtual adversarial training; 0: off)",
    "augment_fakes": "Q reads the categorical codes from slightly rotated, shifted, zoomed and restroked fakes, "
                     "for Q's loss and G's MI reward alike (beyond the paper; not with --baseline probe)",
    "restarts": "train this many short starts (1: none) and continue the best by --restart-criterion, all within "
                "EPOCHS epochs of steps (a preset's restarts become 1 when --epochs is given without --restarts)",
    "restart_epochs": "epochs of each start when --restarts > 1",
    "restart_criterion": "how starts are scored without labels: consensus (>= 3 starts: the one whose categories "
                         "the others agree with most) or consistency (needs --consistency: the lowest consistency KL "
                         "over its last epoch)",
    "info_delay_epochs": "epochs before G is rewarded for mutual information",
    "info_ramp_epochs": "epochs over which G's MI reward then ramps up linearly",
    "gan_loss": "the adversarial game (docs/objectives.md): non_saturating, minimax, maximum_likelihood, hinge, "
                "least_squares, or wasserstein_gp (needs --penalty wgan_gp and --gradient-penalty > 0, e.g. 10)",
    "gradient_penalty": "weight of the gradient penalty on D (R1's gamma, WGAN-GP's lambda); 0: none",
    "penalty": "kind of gradient penalty: r1 (gamma/2 E||grad D(x)||^2 on real images) or wgan_gp "
               "(lambda E(||grad D(x_hat)|| - 1)^2 on real-fake interpolates)",
    "label_smoothing": "D's target for real images, one-sided (fakes keep 0), e.g. 0.9; 1: none "
                       "(not with hinge or wasserstein_gp)",
    "d_steps": "D/Q steps, one batch each, per G step",
    "update": "alternating (G steps on fresh noise after D's update) or same_minibatch (both players' "
              "gradients from the same generated batch)",
    "strategy": "tf.distribute strategy: auto (MirroredStrategy on 2+ GPUs, else one device), default, "
                "mirrored, multiworker (cluster from TF_CONFIG; only the chief writes OUT) or tpu; "
                "--batch-size is the global batch",
    "mixed_precision": "compute in float16 (mixed_float16 policy) with dynamic loss scaling",
    "deterministic_data": "input batches in a fixed order for a given seed (tf.data deterministic)",
    "tensorboard": "also write TensorBoard logs (losses, MI bounds, traversal pictures) to OUT/tensorboard/",
    "checkpoint_every_steps": "also checkpoint every N steps, not only after every epoch (0: epochs only)",
    "keep_checkpoints": "how many of the newest checkpoints to keep in OUT/checkpoints/",
}

_CHOICES = {"baseline": BASELINES, "lr_schedule": LR_SCHEDULES, "strategy": STRATEGIES, "image_fit": IMAGE_FITS,
            "gan_loss": tuple(GAN_LOSSES), "penalty": PENALTIES, "update": UPDATES,
            "restart_criterion": tuple(sorted(CRITERIA)),
            "architecture": tuple(sorted({config.architecture for config in PRESETS.values()}))}
_OPTIONAL_TEXT = ("data_dir", "eval_split", "image_feature", "label_feature")  # str or None


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field; a flag not given keeps the preset's value."""
    defaults = PRESETS["mnist"]
    for field in dataclasses.fields(TrainConfig):
        flags = ["--" + field.name.replace("_", "-")] + (["--dataset"] if field.name == "data" else [])
        default = getattr(defaults, field.name)
        help_text = f"{_HELP[field.name]} (mnist preset: {default})"
        kwargs = dict(dest=field.name, default=argparse.SUPPRESS, help=help_text)
        if isinstance(default, bool) or field.name == "jit_compile":
            parser.add_argument(*flags, action=argparse.BooleanOptionalAction, **kwargs)
        elif field.name in _OPTIONAL_TEXT:
            parser.add_argument(*flags, **kwargs)
        else:
            parser.add_argument(*flags, type=type(default), choices=_CHOICES.get(field.name), **kwargs)


def _config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The named preset (or the one `choose_preset` picks for --data) with the given flags applied."""
    values = {field.name: getattr(args, field.name) for field in dataclasses.fields(TrainConfig)
              if hasattr(args, field.name)}
    for name in ("data_dir", "eval_split", "image_feature"):  # label_feature "none" means: no labels
        if values.get(name) in ("", "none", "None"):
            values[name] = None
    preset = args.preset or choose_preset(values.get("data"), values.get("train_split", "train"),
                                          values.get("data_dir"))
    return preset_config(preset, **values)


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
    train.add_argument("--preset", choices=sorted(PRESETS), default=None,
                       help="start from this preset's settings; other flags override them (default: the preset "
                            "made for --data, else the one whose networks fit --data's image size best)")
    _add_config_flags(train)

    evaluate = commands.add_parser(
        "evaluate", help="write a trained run's evaluation report (report.md, report.json, figures)",
        description="Evaluate a trained run on real labeled data: clustering by the categorical code and by "
                    "k-means++ on D features, few-label classification, the MI bound of each code, sample "
                    "quality judged by a cached MNIST classifier, and the paper's Figure 1 and 2 pictures. "
                    "Writes report.json, report.md and PNG figures into the run folder (or --out).")
    evaluate.add_argument("run", type=Path, help="run folder holding model.keras (and info_curve.csv)")
    evaluate.add_argument("--baseline", type=Path, default=None,
                          help="a GAN-baseline run folder (trained with --baseline probe or shared-trunk) to "
                               "report beside RUN")
    evaluate.add_argument("--data", "--dataset", dest="data", default=None,
                          help="real images to score on, any --data source of train (default: the run's "
                               "config.json data, else mnist)")
    evaluate.add_argument("--data-dir", default=None,
                          help="with a TFDS name: folder of its IDX files (default: the run's config.json data_dir)")
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
                                             "(serving_default), generate_from_seed, encode and discriminate, "
                                             "and score when the run folder holds anomaly_scorer.npz (written "
                                             "by the score command).")
    export.add_argument("run", type=Path, help="run folder holding model.keras (or a .keras file)")
    export.add_argument("--out", type=Path, default=None,
                        help="model folder TF Serving watches (default: saved_models/<run folder name>)")
    export.add_argument("--version", type=int, default=None,
                        help="version folder to write, a positive int (default: the next free version)")
    generate = commands.add_parser(
        "generate", help="draw a picture of a trained run's images with chosen latent codes",
        description="Draw a grid of generated images. Each --code NAME=VALUE fixes a code (cat0=7, cont0=0.5) "
                    "or sweeps it across the columns (cat0=all or cat0=*: every category; cont0=-2:2:9: 9 evenly "
                    "spaced values from -2 to 2). At most one code is swept; rows are fixed noise rows, and codes "
                    "not given are drawn per row from their priors, so only the swept code changes along a row. "
                    "With no sweep: ROWS x ROWS samples with the fixed codes.")
    generate.add_argument("run", type=Path, help="run folder holding model.keras (or a .keras file)")
    generate.add_argument("--code", action="append", default=[], metavar="NAME=VALUE",
                          help="fix or sweep one code; repeat for several (codes are named cat0, cat1, ..., "
                               "cont0, ...)")
    generate.add_argument("--rows", type=int, default=8, help="noise rows of the grid (default: 8)")
    generate.add_argument("--seed", type=int, default=0, help="seed of the noise and the codes not given (default: 0)")
    generate.add_argument("--out", type=Path, default=None,
                          help="PNG to write (default: RUN/generated.png, or generated.png beside a .keras file)")
    score = commands.add_parser(
        "score", help="score images for how little they fit a trained run (anomaly / novelty detection)",
        description="Score every image of --data/--split with the run's anomaly signals (keras_infogan.anomaly: "
                    "discriminator, q_entropy, kmeans_distance, feature_gaussian) and their standardised average "
                    "'anomaly'; higher = more anomalous. Writes one CSV row per image (index, label if any, each "
                    "score). The scorer is RUN/anomaly_scorer.npz; without one it is first fitted on the run's "
                    "own training images and saved there (then `export` adds a score signature).")
    score.add_argument("run", type=Path, help="run folder holding model.keras and config.json")
    score.add_argument("--data", "--dataset", dest="data", default=None,
                       help="images to score, any --data source of train (default: the run's config.json data)")
    score.add_argument("--data-dir", default=None,
                       help="with a TFDS name: folder of its IDX files (default: the run's, when --data is not given)")
    score.add_argument("--split", default="test", help="split to score (default: test; a folder's is 'train')")
    score.add_argument("--out", type=Path, default=None, help="CSV to write (default: RUN/scores_<split>.csv)")
    score.add_argument("--refit", action="store_true",
                       help="fit the scorer again on the run's training images, replacing RUN/anomaly_scorer.npz")
    score.add_argument("--seed", type=int, default=0, help="seed of the k-means++ fit (default: 0)")
    return parser


def _run_train(args: argparse.Namespace) -> None:
    from keras_infogan.train import train

    config = _config_from_args(args)
    # A progress bar redrawn on every step on a terminal; one line per epoch into a log file.
    train(config, args.out, resume=args.resume, overwrite=args.overwrite, verbose=1 if sys.stdout.isatty() else 2)
    print(f"wrote {args.out}/model.keras, metrics.csv and traversal pictures")
    metrics = args.out / "metrics.csv"  # the whole run's, also when this process only resumed its end
    final = list(csv.DictReader(metrics.open()))[-1:] if metrics.exists() else []
    split = "test" if config.eval_split == "auto" else config.eval_split  # "auto" scores only a "test" split
    for key in sorted(k for row in final for k in row if k.startswith("eval_acc_")):
        print(f"unsupervised accuracy of code {key[len('eval_acc_'):]} on {split}: "
              f"{float(final[0][key]):.4f}")


def _run_evaluate(args: argparse.Namespace) -> None:
    from keras_infogan.evaluation.report import REPORT_MD, EvalData, EvalSettings, evaluate_run
    from keras_infogan.loading import check_model_file

    for run in (args.run, args.baseline):  # before any data is loaded: a bad file fails at once
        if run is not None:
            check_model_file(run)
    settings = EvalSettings(num_samples=args.num_samples, few_label_sizes=tuple(args.few_label_sizes),
                            few_label_draws=args.few_label_draws, seed=args.seed)
    from keras_infogan.run_data import saved_run_config

    run_config = saved_run_config(args.run)
    data_dir = args.data_dir if args.data_dir is not None or args.data is not None else run_config.data_dir
    data = EvalData.load(args.data or run_config.data, data_dir, args.train_split, args.split,
                         image_shape=run_config.image_shape(), fit=run_config.image_fit)
    report = evaluate_run(args.run, data, baseline=args.baseline, out_dir=args.out,
                          judge_cache=args.judge_cache, settings=settings)
    for label, run in report["runs"].items():
        for name, clustering in run.get("clustering", {}).items():
            print(f"{label}: code {name} on {data.dataset} {args.split} ({len(data.test_images)} images): "
                  f"accuracy {clustering['accuracy']:.4f}  NMI {clustering['nmi']:.4f}  ARI {clustering['ari']:.4f}")
        if "kmeans" in run:
            kmeans = run["kmeans"]
            print(f"{label}: k-means++ on D features: accuracy {kmeans['accuracy']:.4f}  NMI {kmeans['nmi']:.4f}")
        for section, reason in run["skipped"].items():
            print(f"{label}: no {section.replace('_', ' ')}: {reason}")
    print(f"wrote {(args.out or args.run) / REPORT_MD}, report.json and figures")


def _run_export(args: argparse.Namespace) -> None:
    from keras_infogan.anomaly import SCORER_FILE, load_scorer
    from keras_infogan.export import SCORE_SIGNATURE, SIGNATURES
    from keras_infogan.loading import load_infogan

    run_dir = args.run if args.run.is_dir() else args.run.parent
    model = load_infogan(args.run, compile=False)
    scorer = load_scorer(run_dir / SCORER_FILE, model) if (run_dir / SCORER_FILE).exists() else None
    written = model.export_serving(args.out or Path("saved_models") / run_dir.resolve().name, args.version,
                                   scorer=scorer)
    print(f"wrote {written}")
    names = SIGNATURES + ((SCORE_SIGNATURE,) if scorer is not None else ())
    print("signatures: " + ", ".join(f"{name} (serving_default)" if name == "generate" else name for name in names))
    if scorer is None:
        print(f"no {SCORER_FILE} in {run_dir}: no score signature (run `python -m keras_infogan score` first)")


def _run_score(args: argparse.Namespace) -> None:
    from keras_infogan.anomaly.run import score_run

    scores = score_run(args.run, data=args.data, split=args.split, out=args.out, data_dir=args.data_dir,
                       refit=args.refit, seed=args.seed)
    order = scores["anomaly"].argsort()[::-1][:5]
    print("most anomalous: " + ", ".join(f"#{i} ({scores['anomaly'][i]:.2f})" for i in order))


def _run_generate(args: argparse.Namespace) -> None:
    from keras_infogan.generate import describe_grid, generate_picture
    from keras_infogan.loading import load_infogan
    from keras_infogan.pictures import save_png

    model = load_infogan(args.run, compile=False)
    picture = generate_picture(model, args.code, args.rows, args.seed)
    out = args.out or (args.run if args.run.is_dir() else args.run.parent) / "generated.png"
    print(f"wrote {save_png(picture, out)}")
    print(f"grid: {describe_grid(model.latent_spec, args.code, args.rows, args.seed)}")


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        {"train": _run_train, "evaluate": _run_evaluate, "export": _run_export,
         "generate": _run_generate, "score": _run_score}[args.command](args)
    except (ValueError, OSError) as error:
        raise SystemExit(f"error: {error}") from error


if __name__ == "__main__":
    main(sys.argv[1:])
