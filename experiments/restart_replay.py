"""Replay `--restart-criterion consistency` offline over finished runs (MNIST, held-out protocol).

    python experiments/restart_replay.py /tmp/study/cons1all/seed* /tmp/study/thr1/seed* --epoch 10 --sizes 2 3 4 5

Every argument is a run folder (e.g. of `experiments/seed_study.py train`) whose
metrics.csv has the training KL `q_consistency` and the held-out accuracy
`eval_acc_cat0` of every epoch. Runs of the same seed in different folders count
as different runs (each is its own draw of the arithmetic). Prints, for each epoch
up to `--epoch`, the Spearman correlation over runs between that epoch's KL and
the last epoch's accuracy; then, for every group of K runs, picks the run with the
lowest KL at `--epoch`, as `keras_infogan.restarts` does, and reports the picks'
mean final accuracy, how often the pick is weak (below `--weak`), and how often
every run of the group is weak (no criterion could then avoid a weak pick).
"""

from __future__ import annotations

import argparse
import csv
import itertools
from math import comb
from pathlib import Path

import numpy as np


def read_run(folder: Path) -> dict:
    """{"kl": [per epoch], "accuracy": [per epoch]} from a run folder's metrics.csv."""
    rows = list(csv.DictReader((folder / "metrics.csv").open()))
    try:
        return {"kl": [float(row["q_consistency"]) for row in rows],
                "accuracy": [float(row["eval_acc_cat0"]) for row in rows]}
    except (KeyError, ValueError):
        raise SystemExit(f"{folder}/metrics.csv has no q_consistency or eval_acc_cat0 in every row") from None


def read_runs(folders) -> dict[str, dict]:
    """{folder: read_run(folder)} for folders with complete metrics and the same number of epochs."""
    runs = {str(folder): read_run(folder) for folder in map(Path, folders)}
    lengths = {len(run["kl"]) for run in runs.values()}
    if len(lengths) != 1:
        raise SystemExit(f"the runs have different numbers of epochs: {sorted(lengths)}")
    return runs


def replay(runs: dict[str, dict], epoch: int, size: int, weak: float) -> dict:
    """The pick of every group of `size` runs: the lowest KL after `epoch` epochs."""
    picks = [runs[min(group, key=lambda name: runs[name]["kl"][epoch - 1])]["accuracy"][-1]
             for group in itertools.combinations(sorted(runs), size)]
    weak_runs = sum(run["accuracy"][-1] < weak for run in runs.values())
    return {"groups": len(picks), "mean": float(np.mean(picks)), "weak": float(np.mean([p < weak for p in picks])),
            "lowest": float(min(picks)), "all_weak": comb(weak_runs, size) / comb(len(runs), size)}


def main() -> None:
    from scipy import stats

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", help="run folders")
    parser.add_argument("--epoch", type=int, default=10, help="the starts' length in epochs (default 10)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 3, 4, 5], help="starts per restarts run")
    parser.add_argument("--weak", type=float, default=0.90, help="a final accuracy below this is weak (0.90)")
    args = parser.parse_args()
    runs = read_runs(args.runs)
    finals = [run["accuracy"][-1] for run in runs.values()]
    epochs = len(next(iter(runs.values()))["kl"])
    print(f"{len(runs)} runs of {epochs} epochs; "
          f"{sum(f < args.weak for f in finals)} end below {args.weak}; mean final accuracy {np.mean(finals):.3f}")
    rhos = [stats.spearmanr([run["kl"][e] for run in runs.values()], finals).statistic for e in range(args.epoch)]
    print("Spearman(KL after epoch e, final accuracy), e = 1..: " + " ".join(f"{rho:+.2f}" for rho in rhos))
    print("\n| starts | groups | pick's mean final accuracy | weak picks | groups with every run weak "
          "| lowest pick |\n|---|---|---|---|---|---|")
    for size in args.sizes:
        result = replay(runs, args.epoch, size, args.weak)
        print(f"| {size} | {result['groups']} | {result['mean']:.3f} | {100 * result['weak']:.0f}% | "
              f"{100 * result['all_weak']:.0f}% | {result['lowest']:.3f} |")


if __name__ == "__main__":
    main()
