"""Does an early, label-free criterion predict which seeds end well? (MNIST, held-out protocol)

    python experiments/seed_study.py train --seeds 0 1 2 3 4 5 --epochs 10 --out /tmp/study
    python experiments/seed_study.py analyse /tmp/study
    python experiments/seed_study.py restarts /tmp/study --epoch 3 --size 4 [--final 0=0.805 1=0.706 ...]

`train` trains one MNIST InfoGAN per seed on `train[:17690]`, scored after every
epoch on the 2,000 held-out training images `train[17690:]` (all of them, every
epoch), and saves after every epoch Q's categorical posterior on a fixed sample of
2,000 *training* images (`train[:2000]`, unlabeled use only) as
`<out>/seed<S>/posteriors.npz` (one array per epoch). Extra TrainConfig fields:
`--set field=value ...` (the default config otherwise, with the plain step,
`jit_compile=False`, so runs are comparable with docs/mnist_experiments.md).

`analyse` computes, for every epoch e and seed, label-free criteria from the
posteriors (none looks at a label), and prints the Spearman rank correlation over
seeds between each criterion at epoch e and the held-out accuracy after the last
epoch (and, for comparison, that of the held-out
accuracy at epoch e itself):
- `mi`: H(mean_x p(c|x)) - mean_x H(p(c|x)) on the training sample (the mutual
  information between x and Q's category, as in regularised information maximisation);
- `balance`: entropy of the histogram of argmax p(c|x) (nats; ln 10 = 2.303 is even);
- `consensus`: mean NMI between this seed's argmax partition of the sample and every
  other seed's at the same epoch (the medoid of the seeds' partitions scores highest).

`restarts` replays `--restarts K` offline: for every group of `--size` K seeds it
picks the one with the highest consensus within the group at `--epoch`, as
`keras_infogan.restarts` does, and compares the pick's final held-out accuracy
with the group's mean (what a single run of a random seed gets on average) and
best. `--final SEED=ACC` gives final accuracies measured elsewhere (e.g. by
longer runs of the same seeds), else the last epoch of each run is used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
SAMPLE = 2000
CRITERIA = ("mi", "balance", "consensus")


def train_seeds(seeds, epochs: int, out: Path, data_dir: str, overrides: dict) -> None:
    import keras

    from keras_infogan import TrainConfig, train
    from keras_infogan.data import load_images

    class PosteriorDump(keras.callbacks.Callback):
        """Saves Q's categorical posterior on the training sample after every epoch."""

        def __init__(self, images, path: Path):
            super().__init__()
            self.images, self.path, self.saved = images.astype("float32") / 127.5 - 1.0, path, {}

        def on_epoch_end(self, epoch, logs=None):
            self.saved[f"epoch{epoch + 1:03d}"] = self.model.encode(self.images)["cat0"]["probs"]
            np.savez_compressed(self.path, **self.saved)

    sample = load_images("mnist", f"train[:{SAMPLE}]", data_dir=data_dir).images
    values = dict(data="mnist", data_dir=data_dir, train_split="train[:17690]", eval_split="train[17690:]",
                  eval_images=0, epochs=epochs, jit_compile=False)
    values.update(overrides)
    for seed in seeds:
        folder = out / f"seed{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        train(TrainConfig(seed=seed, **values), folder, verbose=2,
              callbacks=[PosteriorDump(sample, folder / "posteriors.npz")])


def _entropy(p: np.ndarray, axis=-1) -> np.ndarray:
    return -np.sum(p * np.log(np.clip(p, 1e-12, 1.0)), axis=axis)


def criteria(posteriors: dict[int, np.ndarray]) -> dict[int, dict[str, float]]:
    """{seed: {criterion: value}} from each seed's posteriors [n, K] at one epoch."""
    from keras_infogan.restart_criteria import consensus_scores

    seeds = list(posteriors)
    hard = [posteriors[seed].argmax(-1) for seed in seeds]
    consensus = consensus_scores(hard) if len(seeds) > 1 else [float("nan")]
    scores = {}
    for seed, labels, agreement in zip(seeds, hard, consensus):
        p = posteriors[seed]
        counts = np.bincount(labels, minlength=p.shape[1]) / len(p)
        scores[seed] = {"mi": float(_entropy(p.mean(0)) - _entropy(p).mean()), "balance": float(_entropy(counts)),
                        "consensus": agreement}
    return scores


def analyse(out: Path) -> None:
    from scipy import stats

    runs = {int(folder.name[4:]): folder for folder in sorted(out.glob("seed*"))
            if (folder / "posteriors.npz").exists() and (folder / "metrics.csv").exists()}
    accuracy = {seed: [float(row["eval_acc_cat0"]) for row in csv.DictReader((folder / "metrics.csv").open())]
                for seed, folder in runs.items()}
    loaded = {seed: dict(np.load(folder / "posteriors.npz")) for seed, folder in runs.items()}
    epochs = max(len(values) for values in accuracy.values())
    unfinished = sorted(seed for seed in runs if len(accuracy[seed]) < epochs)
    if unfinished:
        print(f"left out, fewer than {epochs} epochs so far: seeds {unfinished}")
        runs = {seed: folder for seed, folder in runs.items() if seed not in unfinished}
    final = {seed: accuracy[seed][epochs - 1] for seed in runs}
    print(f"seeds {sorted(runs)}; held-out accuracy after epoch {epochs}: "
          + ", ".join(f"{seed}: {final[seed]:.3f}" for seed in sorted(runs)))
    table = {}
    print(f"\n| epoch | " + " | ".join(f"rho({name}, final acc)" for name in CRITERIA)
          + " | rho(acc now, final acc), with labels | held-out acc at this epoch, by seed |\n|---|"
          + "---|" * (len(CRITERIA) + 2))
    for epoch in range(1, epochs + 1):
        key = f"epoch{epoch:03d}"
        scores = criteria({seed: loaded[seed][key] for seed in runs if key in loaded[seed]})
        table[key] = scores
        seeds = sorted(scores)
        rhos = [stats.spearmanr([scores[s][name] for s in seeds], [final[s] for s in seeds]).statistic
                for name in CRITERIA]
        rhos.append(stats.spearmanr([accuracy[s][epoch - 1] for s in seeds], [final[s] for s in seeds]).statistic)
        print(f"| {epoch} | " + " | ".join(f"{rho:+.2f}" for rho in rhos) + " | "
              + ", ".join(f"{accuracy[s][epoch - 1]:.3f}" for s in seeds) + " |")
    (out / "criteria.json").write_text(json.dumps({"final_accuracy": final, "criteria": table}, indent=2))
    print(f"\nper-seed values: {out / 'criteria.json'}")


def replay_restarts(out: Path, epoch: int, size: int, final: dict[int, float]) -> None:
    import itertools

    from keras_infogan.restart_criteria import consensus_scores

    runs = {int(folder.name[4:]): np.load(folder / "posteriors.npz")[f"epoch{epoch:03d}"]
            for folder in sorted(out.glob("seed*")) if (folder / "posteriors.npz").exists()}
    if not final:
        final = {seed: float(list(csv.DictReader((out / f"seed{seed}" / "metrics.csv").open()))[-1]["eval_acc_cat0"])
                 for seed in runs}
    seeds = sorted(set(runs) & set(final))
    print(f"seeds {seeds}, final held-out accuracy " + ", ".join(f"{s}: {final[s]:.3f}" for s in seeds))
    print(f"consensus of all {len(seeds)} at epoch {epoch}: "
          + ", ".join(f"{s}: {c:.3f}" for s, c in zip(seeds, consensus_scores([runs[s].argmax(-1) for s in seeds]))))
    picks, means, bests = [], [], []
    print(f"\n| group | consensus at epoch {epoch} | pick | pick's final acc | group mean | group best |\n"
          + "|---" * 6 + "|")
    for group in itertools.combinations(seeds, size):
        scores = consensus_scores([runs[s].argmax(-1) for s in group])
        pick = group[int(np.argmax(scores))]
        picks.append(final[pick]), means.append(np.mean([final[s] for s in group]))
        bests.append(max(final[s] for s in group))
        print(f"| {group} | {' '.join(f'{c:.3f}' for c in scores)} | {pick} | {final[pick]:.3f} | {means[-1]:.3f} "
              f"| {bests[-1]:.3f} |")
    hits = sum(p == b for p, b in zip(picks, bests))
    print(f"\n{len(picks)} groups of {size}: mean final accuracy of the pick {np.mean(picks):.3f}, of a random "
          f"member {np.mean(means):.3f}, of the best member {np.mean(bests):.3f}; the pick is the best in "
          f"{hits} of {len(picks)}; lowest pick {min(picks):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("train", help="train the seeds (one after another)")
    run.add_argument("--seeds", type=int, nargs="+", required=True)
    run.add_argument("--epochs", type=int, default=10)
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--data-dir", default=str(DEFAULT_DATA))
    run.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="TrainConfig overrides")
    study = commands.add_parser("analyse", help="criteria against final held-out accuracy")
    study.add_argument("out", type=Path)
    replay = commands.add_parser("restarts", help="replay --restarts over every group of seeds")
    replay.add_argument("out", type=Path)
    replay.add_argument("--epoch", type=int, default=3, help="the starts' length (epochs)")
    replay.add_argument("--size", type=int, default=4, help="starts per restarts run")
    replay.add_argument("--final", nargs="*", default=[], metavar="SEED=ACC", help="final held-out accuracies")
    args = parser.parse_args()
    if args.command == "train":
        from common import config_overrides

        train_seeds(args.seeds, args.epochs, args.out, args.data_dir, config_overrides(args.set))
    elif args.command == "restarts":
        final = {int(seed): float(acc) for seed, acc in (item.split("=") for item in args.final)}
        replay_restarts(args.out, args.epoch, args.size, final)
    else:
        analyse(args.out)


if __name__ == "__main__":
    main()
