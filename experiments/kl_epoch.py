"""Score runs by the epoch whose consistency KL is lowest (MNIST, held-out protocol).

    python experiments/kl_epoch.py /tmp/study/augfake30/seed4 /tmp/study/augfake25/seed6 --first 10 --last 25

Every argument is a run folder (e.g. of `experiments/seed_study.py train`) whose
metrics.csv has the training KL `q_consistency` (no label) and the held-out accuracy
`eval_acc_cat0` of every epoch. For each run it keeps the epoch with the lowest KL
among epochs `--first` to `--last` (1-based, both included; shorter runs use what
they have) and prints that epoch, its KL and its held-out accuracy beside the last
epoch's and the best one's; then the mean of the kept accuracies, and for every pair
of runs (two starts of the budgeted design) the kept accuracy of the run whose kept
KL is lower.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
from restart_replay import read_run  # this folder is on sys.path when the script runs


def kept_epoch(kl: list[float], first: int, last: int) -> int:
    """0-based index of the lowest KL among 1-based epochs first..last."""
    window = kl[first - 1:last]
    if not window:
        raise SystemExit(f"no epoch in {first}..{last}: the run has {len(kl)} epochs")
    return first - 1 + int(np.argmin(window))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--first", type=int, default=10)
    parser.add_argument("--last", type=int, default=25)
    args = parser.parse_args()
    kept = {}
    print("run: kept epoch (KL) -> held-out accuracy | last epoch | best epoch")
    for folder in map(Path, args.runs):
        run = read_run(folder)
        kl, accuracy = run["kl"], run["accuracy"]
        end = min(args.last, len(kl))
        epoch = kept_epoch(kl, args.first, end)
        best = int(np.argmax(accuracy[:end]))
        kept[str(folder)] = (kl[epoch], accuracy[epoch])
        print(f"{folder}: epoch {epoch + 1} ({kl[epoch]:.4f}) -> {accuracy[epoch]:.4f} | epoch {end}: "
              f"{accuracy[end - 1]:.4f} | epoch {best + 1}: {accuracy[best]:.4f}")
    print(f"mean kept accuracy over {len(kept)} runs: {np.mean([a for _, a in kept.values()]):.4f}")
    for one, two in itertools.combinations(kept, 2):
        pick = min((one, two), key=lambda run: kept[run][0])
        print(f"pair {Path(one).name} + {Path(two).name}: keeps {Path(pick).name}, {kept[pick][1]:.4f}")


if __name__ == "__main__":
    main()
