"""The paper's Figure 1 over several seeds: L_I of each code during training, InfoGAN against baselines.

    python experiments/figure1.py --runs InfoGAN=runs/s0,runs/s1,runs/s2 \\
        --runs "probe baseline=runs/p0,runs/p1,runs/p2" --out docs/images/figure1_seeds.png

Each `--runs LABEL=FOLDER,FOLDER,...` is one group (one colour; one line per run
folder, from its info_curve.csv). With `--whole-budget`, a run trained with restarts
is drawn over all its steps (`keras_infogan.restarts.budget_info_curve`: every start's
curve end to end, the line broken between starts, then the continued winner's later
steps); without it, such a run shows its kept start only. Prints a Markdown
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

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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
    from keras_infogan.restarts import budget_info_curve
    from keras_infogan.run_folder import CONFIG_FILE, INFO_CURVE_FILE, METRICS_FILE

    groups = {}
    for item in args.runs:
        label, _, folders = item.partition("=")
        if not folders:
            raise SystemExit(f"--runs takes LABEL=FOLDER,..., got {item!r}")
        groups[label] = [Path(folder) for folder in folders.split(",")]
    first = next(iter(groups.values()))[0]
    spec = TrainConfig(**json.loads((first / CONFIG_FILE).read_text())).latent_spec()
    kept = {label: [read_info_curve(folder / INFO_CURVE_FILE) for folder in folders]
            for label, folders in groups.items()}
    drawn = ({label: [budget_info_curve(folder) for folder in folders] for label, folders in groups.items()}
             if args.whole_budget else kept)
    plot_info_curves(drawn, {code.name: code.entropy() for code in spec.codes}, args.out)
    print(f"wrote {args.out}\n")
    names = spec.names
    print("| group | run | " + " | ".join(f"L_I {name}, last 500 steps (kept run)" for name in names)
          + " | final acc | NMI | ARI |\n|---|---|" + "---|" * (len(names) + 3))
    for label, folders in groups.items():
        for folder, curve in zip(folders, kept[label]):
            tail = curve["step"] > curve["step"][-1] - 500
            rows = list(csv.DictReader((folder / METRICS_FILE).open()))
            last = rows[-1] if rows else {}
            scores = [last.get(f"eval_{kind}_cat0") for kind in ("acc", "nmi", "ari")]
            print(f"| {label} | `{folder}` | " + " | ".join(f"{curve[f'mi_{name}'][tail].mean():.3f}" for name in names)
                  + " | " + " | ".join(f"{float(v):.3f}" if v else "-" for v in scores) + " |")


if __name__ == "__main__":
    main()
