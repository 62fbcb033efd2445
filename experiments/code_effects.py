"""What the continuous codes of several trained runs do: slant / width / ink correlations per code.

    python experiments/code_effects.py /tmp/study/cons1/seed0 /tmp/study/cons1/seed1 ...

For each run folder (or .keras file) prints, per continuous code, the Spearman
correlations of `keras_infogan.evaluation.traversal_effects` (the code swept
from -2 to 2, 100 rows) and whether the run has the pair issue 12 asks for (`slant_and_width_pair`): one
code with |corr(slant)| >= 0.8 and another with |corr(width)| >= 0.8. Needs no
labels and no data, only the models; the last line counts the runs with a pair.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="run folders or .keras files")
    args = parser.parse_args(argv)
    from keras_infogan.evaluation.traversal_effects import PAIR_THRESHOLD, slant_and_width_pair, traversal_effects
    from keras_infogan.loading import load_infogan, run_model_path

    pairs = 0
    for run in args.runs:
        effects = traversal_effects(load_infogan(run_model_path(run), compile=False))
        pair = slant_and_width_pair(effects)
        pairs += pair
        cells = "  ".join(f"{code}: slant {entry['slant']:+.2f} width {entry['width']:+.2f} ink {entry['ink']:+.2f}"
                          for code, entry in effects.items())
        print(f"{run}  {cells}  pair: {'yes' if pair else 'no'}", flush=True)
    print(f"{pairs} of {len(args.runs)} runs have a slant code and a different width code "
          f"(|corr| >= {PAIR_THRESHOLD})")


if __name__ == "__main__":
    main()
