"""Latent codes written as text, for the command line and run configs.

A code list is comma-separated items, in generator-input order:

    cat<K>            a uniform categorical code with K >= 2 values
    cont              a continuous code with prior U(-1, 1)
    <item>:<lambda>   the same with its own weight lambda (>= 0) of the MI term

e.g. "cat10,cont,cont" (the paper's MNIST codes), "cat10:1,cat10:1,cont:0.5" or
"cont,cont,cont,cont,cont". Items without ":<lambda>" take the default weight of
their kind (`TrainConfig.cat_weight` / `cont_weight`). Codes are named by kind
and position as `LatentSpec` names them: cat0, cat1, ..., cont0, cont1, ...

Example:
    codes = parse_codes("cat10,cont:0.5", cat_weight=1.0, cont_weight=0.2)
    # (Categorical(10, weight=1.0), Uniform(-1, 1, weight=0.5))
    format_codes(codes)   # "cat10:1,cont:0.5"
"""

from __future__ import annotations

import math
import re

from keras_infogan.codes import Categorical, Uniform

_ITEM = re.compile(r"(?:cat(?P<k>\d+)|(?P<cont>cont))(?::(?P<weight>[^:,]+))?")
_SYNTAX = "comma-separated items cat<K> or cont, each optionally :<lambda>, e.g. 'cat10,cont,cont:0.5'"


def parse_codes(text: str, cat_weight: float = 1.0, cont_weight: float = 1.0,
                learn_stddev: bool = False) -> tuple:
    """Codes described by `text` (see the module docstring).

    Args:
        text: the code list, e.g. "cat10,cat10,cont,cont".
        cat_weight, cont_weight: lambda of items written without ":<lambda>".
        learn_stddev: whether Q learns sigma of the continuous codes.

    Returns:
        A tuple of `Categorical` / `Uniform` codes, unnamed (LatentSpec names them).

    Raises:
        ValueError: the text does not follow the syntax, names no code, or gives a
            category count below 2 or a weight that is not a finite number >= 0.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"latent codes must be {_SYNTAX}; got {text!r}")
    codes = []
    for position, raw in enumerate(text.split(",")):
        item = raw.strip().lower()
        match = _ITEM.fullmatch(item)
        if match is None:
            raise ValueError(f"latent code {position + 1} ({raw.strip()!r}) in {text!r} is not cat<K> or cont "
                             f"(optionally :<lambda>); codes are {_SYNTAX}")
        weight = _weight(match["weight"], cat_weight if match["k"] else cont_weight, raw, text)
        if match["k"]:
            if int(match["k"]) < 2:
                raise ValueError(f"latent code {raw.strip()!r} in {text!r} needs at least 2 categories")
            codes.append(Categorical(int(match["k"]), weight=weight))
        else:
            codes.append(Uniform(-1.0, 1.0, weight=weight, learn_stddev=learn_stddev))
    return tuple(codes)


def format_codes(codes) -> str:
    """The text `parse_codes` reads back to the same kinds, sizes and weights
    (continuous codes must have the prior U(-1, 1))."""
    items = []
    for code in codes:
        if code.kind == "categorical":
            items.append(f"cat{code.num_categories}:{code.weight:g}")
        elif (code.low, code.high) == (-1.0, 1.0):
            items.append(f"cont:{code.weight:g}")
        else:
            raise ValueError(f"code {code.name!r} has prior U({code.low}, {code.high}); the text form "
                             f"only writes U(-1, 1)")
    return ",".join(items)


def _weight(text: str | None, default: float, raw: str, full: str) -> float:
    if text is None:
        return float(default)
    try:
        weight = float(text)
    except ValueError:
        weight = float("nan")
    if not math.isfinite(weight) or weight < 0:
        raise ValueError(f"latent code {raw.strip()!r} in {full!r}: lambda must be a finite number >= 0, "
                         f"got {text!r}")
    return weight
