"""Tabulate finished MNIST runs for docs/mnist_experiments.md: scores per epoch, steps, time, report figures.

    python experiments/final_runs.py runs/final_r4_s0 runs/final_r4_s1 runs/final_r4_s2

For each run folder (after `python -m keras_infogan evaluate RUN`): its eval-split
accuracy, NMI and ARI of the first categorical code after every epoch (metrics.csv;
with restarts, those of the continued start, whose first epochs are its start's),
the steps of the whole run (every start counted, from restarts.json) and its
training seconds (the runs' own `elapsed_s` clocks: the continued start's plus the
other starts'), each start's criterion score and last accuracy, the most confused
digit pairs and the traversal effects of each continuous code (report.json). Reads
files only.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def _rows(folder: Path) -> list[dict]:
    with (folder / "metrics.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def summarise(folder: Path, code: str = "cat0") -> dict:
    rows = _rows(folder)
    per_epoch = {measure: [float(row[f"eval_{measure}_{code}"]) for row in rows] for measure in ("acc", "nmi", "ari")}
    seconds = float(rows[-1]["elapsed_s"])
    restarts_path = folder / "restarts.json"
    if restarts_path.exists():
        state = json.loads(restarts_path.read_text())
        steps = state["total_steps"]
        others = [start for k, start in enumerate(state["starts"]) if k != state["winner"]]
        seconds += sum(float(_rows(folder / start["folder"])[-1]["elapsed_s"]) for start in others)
        seed = state["starts"][state["winner"]]["seed"]
        starts = [{"seed": start["seed"], "score": start.get("score", start.get("consensus")),
                   "acc": float(_rows(folder / start["folder"])[-1][f"eval_acc_{code}"])} for start in state["starts"]]
    else:
        config = json.loads((folder / "config.json").read_text())
        steps = max((int(path.stem.split("-")[1]) for path in (folder / "checkpoints").glob("ckpt-*.index")),
                    default=None)  # the last checkpoint is taken at the last step
        seed, starts = config["seed"], None
    report = json.loads((folder / "report.json").read_text())["runs"]["InfoGAN"] \
        if (folder / "report.json").exists() else {}
    return {"folder": str(folder), "seed": seed, "steps": steps, "seconds": seconds, "starts": starts, **per_epoch,
            "confused": report.get("clustering", {}).get(code, {}).get("most_confused"),
            "effects": report.get("traversal_effects")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=Path, nargs="+", help="finished run folders")
    parser.add_argument("--code", default="cat0", help="the categorical code scored")
    args = parser.parse_args()
    summaries = [summarise(folder, args.code) for folder in args.runs]
    print("| run | seed continued | final acc / NMI / ARI | steps (all starts) | training time |\n"
          + "|---" * 5 + "|")
    for s in summaries:
        print(f"| `{s['folder']}` | {s['seed']} | {s['acc'][-1]:.3f} / {s['nmi'][-1]:.3f} / {s['ari'][-1]:.3f} "
              f"| {s['steps']} | {s['seconds'] / 60:.1f} min |")
    for s in summaries:
        print(f"\n{s['folder']}:")
        for measure in ("acc", "nmi", "ari"):
            print(f"  {measure} by epoch: " + " ".join(f"{v:.3f}".lstrip("0") for v in s[measure]))
        if s["starts"]:  # the criterion's score (no labels) beside each start's accuracy (labels: reporting only)
            print("  starts (seed: score, final acc): "
                  + ", ".join(f"{t['seed']}: {t['score']:+.3f}, {t['acc']:.3f}" for t in s["starts"]))
        if s["confused"]:
            print("  most confused (true->predicted: count): "
                  + ", ".join(f"{t}->{p}: {c}" for t, p, c in s["confused"]))
        for code, entry in (s["effects"] or {}).items():
            print(f"  traversal {code}: " + ", ".join(f"{m} {entry[m]:+.3f}" for m in ("slant", "width", "ink")))


if __name__ == "__main__":
    main()
