"""Split strings in TFDS syntax, parsed and resolved to rows for the sources read here.

`"train"`, `"test"`, `"train[:17690]"`, `"train[17690:]"`, `"train[:90%]"`,
`"test[10%:]"`; negative bounds count from the end. A percent bound p becomes
`round(p * N / 100)` (Python rounding, as TFDS's default "closest" rounding);
both bounds must use the same unit. Shard slices (`[:2shard]`), sums
(`"train+test"`) and `"all"` are TFDS-only (TFDS parses its own split strings).
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

SINGLE_SPLIT = "train"  # the one split of a folder of images, of arrays and of a tf.data.Dataset


class SplitSpec(NamedTuple):
    """A parsed split string: split name and optional slice bounds."""

    name: str
    start: float | None
    stop: float | None
    percent: bool


_SPLIT_RE = re.compile(r"(?P<name>[\w-]+)(?:\[(?P<start>[^:\[\]]*):(?P<stop>[^:\[\]]*)\])?")
_BOUND_RE = re.compile(r"(?P<pct>-?\d+(?:\.\d+)?)%|(?P<abs>-?\d+)")
_NAME_RE = re.compile(r"[\w-]*")


def split_name(split: str) -> str:
    """The name part of a split string: "train[:90%]" -> "train" (no syntax check)."""
    return _NAME_RE.match(split).group()


def parse_split(split: str) -> SplitSpec:
    """'train[10%:-5%]' -> SplitSpec('train', 10.0, -5.0, percent=True)."""
    match = _SPLIT_RE.fullmatch(split)
    if match is None:
        raise ValueError(f"Bad split syntax {split!r}; expected e.g. 'train', 'train[:1000]', "
                         f"'train[90%:]' or 'test[10%:20%]'.")
    values, units = [], set()
    for text in (match["start"], match["stop"]):
        if not text:
            values.append(None)
            continue
        bound = _BOUND_RE.fullmatch(text)
        if bound is None:
            raise ValueError(f"Bad slice bound {text!r} in split {split!r}; expected an integer "
                             f"like 100 or -100, or a percentage like 90% or 12.5%.")
        values.append(float(bound["pct"]) if bound["pct"] else int(bound["abs"]))
        units.add(bool(bound["pct"]))
    if len(units) > 1:
        raise ValueError(f"Bad split syntax {split!r}: both bounds must be absolute or both "
                         f"percentages.")
    return SplitSpec(match["name"], values[0], values[1], percent=units == {True})


def split_rows(spec: SplitSpec, num_examples: int, split: str) -> slice:
    """Resolves the bounds of `spec` for a split of `num_examples` rows (start <= stop)."""
    limit = 100 if spec.percent else num_examples
    valid = "-100%..100%" if spec.percent else f"-{limit}..{limit} for {num_examples} examples"
    indices = []
    for bound, default in ((spec.start, 0), (spec.stop, num_examples)):
        if bound is None:
            indices.append(default)
            continue
        if abs(bound) > limit:
            raise ValueError(f"Slice bound {bound:g} in split {split!r} is out of range "
                             f"{valid}.")
        index = round(bound * num_examples / 100) if spec.percent else bound
        indices.append(index + num_examples if index < 0 else index)
    return slice(indices[0], max(indices))


def check_split_name(spec: SplitSpec, split: str, where: str, known: Sequence[str]) -> None:
    """Raises ValueError naming the known splits when `spec.name` is not one of them."""
    if spec.name in known:
        return
    if list(known) == [SINGLE_SPLIT]:
        raise ValueError(f"Unknown split {spec.name!r} in {split!r} for {where}: its only split is "
                         f"{SINGLE_SPLIT!r} (hold images out with a slice, e.g. 'train[:90%]' and "
                         f"'train[90%:]').")
    raise ValueError(f"Unknown split {spec.name!r} in {split!r} for {where}; known splits: "
                     f"{sorted(known)}.")


def single_split_rows(split: str, num_examples: int, where: str) -> slice:
    """The rows of `split` of a source whose only split is "train" (a folder, arrays)."""
    spec = parse_split(split)
    check_split_name(spec, split, where, [SINGLE_SPLIT])
    return split_rows(spec, num_examples, split)
