"""The paper's Figure 1 over several seeds: L_I of each code during training, InfoGAN against baselines.

    python experiments/figure1.py --runs InfoGAN=runs/s0,runs/s1,runs/s2 \\
        --runs "probe baseline=runs/p0,runs/p1,runs/p2" --out docs/images/figure1_seeds.png

Each `--runs LABEL=FOLDER,FOLDER,...` is one group (one colour; one line per run
folder, from its info_curve.csv). With `--whole-budget`, a run trained with restarts
is drawn over all its steps: every start's curve laid end to end (start k after k
starts' steps, the line broken between starts), then the continued winner's steps
past its start; without it, such a run shows its kept start only. Prints a Markdown
table with each run's final categorical-code accuracy, NMI and ARI on its eval split
(the last metrics.csv row) and the mean L_I of each code over the last 500 steps of
its kept run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def budget_curve(folder: Path) -> dict[str, np.ndarray]:
    """The L_I curve of the run in `folder` over its whole budget (see the module docstring)."""
    from keras_infogan.evaluation.plots import read_info_curve

    state_path = folder / "restarts.json"
    if not state_path.exists():
        return read_info_curve(folder / "info_curve.csv")
    state = json.loads(state_path.read_text())
    start_steps = state["start_epochs"] * state["steps_per_epoch"]
    pieces = [(read_info_curve(folder / start["folder"] / "info_curve.csv"), k * start_steps)
              for k, start in enumerate(state["starts"])]
    if state["winner_epochs"] > state["start_epochs"]:
        own = read_info_curve(folder / "info_curve.csv")
        later = own["step"] > start_steps
        pieces.append(({column: values[later] for column, values in own.items()},
                       (len(state["starts"]) - 1) * start_steps))
    joined = {column: [] for column in pieces[0][0]}
    for curve, offset in pieces:
        for column, values in curve.items():
            joined[column] += [values + offset if column == "step" else values, [np.nan]]
    return {column: np.concatenate(parts[:-1]) for column, parts in joined.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", action="append", required=True, metavar="LABEL=FOLDER,...",
                        help="a labelled group of run folders (repeat for each group)")
    parser.add_argument("--out", type=Path, required=True, help="PNG to write")
    parser.add_argument("--whole-budget", action="store_true",
                        help="draw a restarts run's starts end to end over its whole budget (default: its kept start)")
    args = parser.parse_args()

    from keras_infogan.configs import TrainConfig
    from keras_infogan.evaluation.plots import plot_info_curves, read_info_curve

    groups = {}
    for item in args.runs:
        label, _, folders = item.partition("=")
        if not folders:
            raise SystemExit(f"--runs takes LABEL=FOLDER,..., got {item!r}")
        groups[label] = [Path(folder) for folder in folders.split(",")]
    first = next(iter(groups.values()))[0]
    spec = TrainConfig(**json.loads((first / "config.json").read_text())).latent_spec()
    kept = {label: [read_info_curve(folder / "info_curve.csv") for folder in folders]
            for label, folders in groups.items()}
    drawn = ({label: [budget_curve(folder) for folder in folders] for label, folders in groups.items()}
             if args.whole_budget else kept)
    plot_info_curves(drawn, {code.name: code.entropy() for code in spec.codes}, args.out)
    print(f"wrote {args.out}\n")
    names = spec.names
    print("| group | run | " + " | ".join(f"L_I {name}, last 500 steps (kept run)" for name in names)
          + " | final acc | NMI | ARI |\n|---|---|" + "---|" * (len(names) + 3))
    for label, folders in groups.items():
        for folder, curve in zip(folders, kept[label]):
            tail = curve["step"] > curve["step"][-1] - 500
            rows = list(csv.DictReader((folder / "metrics.csv").open()))
            last = rows[-1] if rows else {}
            scores = [last.get(f"eval_{kind}_cat0") for kind in ("acc", "nmi", "ari")]
            print(f"| {label} | `{folder}` | " + " | ".join(f"{curve[f'mi_{name}'][tail].mean():.3f}" for name in names)
                  + " | " + " | ".join(f"{float(v):.3f}" if v else "-" for v in scores) + " |")


if __name__ == "__main__":
    main()
