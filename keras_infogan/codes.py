"""Latent code specifications written as data.

A `LatentSpec` lists the incompressible noise z and the structured codes c that
feed the generator. Each code knows its prior, how many raw outputs the Q head
needs for it, the posterior Q(c|x) built from those outputs, its entropy H(c),
and its term of the mutual-information lower bound

    L_I(c) = E[log Q(c|x)] + H(c)     (nats; <= I(c; G(z, c)))

All tensors are float32 unless stated; `n` is the batch size.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Sequence, Union

import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions

# Learned log-sigma is clipped to this range so one confident Q output cannot
# send log Q(c|x) to +inf (sigma in [0.0067, 7.4]).
_LOG_STDDEV_RANGE = (-5.0, 2.0)


@dataclasses.dataclass(frozen=True)
class Categorical:
    """A uniform categorical code with `num_categories` values (e.g. digit identity).

    Args:
        num_categories: number of values, at least 2.
        weight: lambda, the weight of this code's MI term (>= 0).
        name: metric/output name; `LatentSpec` assigns "cat<i>" when None.
    """

    num_categories: int
    weight: float = 1.0
    name: str | None = None

    kind = "categorical"

    def __post_init__(self):
        if isinstance(self.num_categories, bool) or not isinstance(self.num_categories, int):
            raise TypeError(f"Categorical.num_categories must be an int, got {self.num_categories!r}")
        if self.num_categories < 2:
            raise ValueError(
                f"Categorical code needs at least 2 categories, got {self.num_categories}")
        _check_weight(self.weight)

    @property
    def input_dim(self) -> int:
        """Width of this code in the generator input (one-hot)."""
        return self.num_categories

    @property
    def num_params(self) -> int:
        """Raw Q outputs for this code: one logit per category."""
        return self.num_categories

    def prior(self) -> tfd.Distribution:
        return tfd.Categorical(logits=tf.zeros([self.num_categories]), dtype=tf.int32)

    def sample(self, n, seed) -> tf.Tensor:
        """Stateless draw of int32 category ids [n]."""
        return self.prior().sample(n, seed=seed)

    def to_input(self, values) -> tf.Tensor:
        """int ids [n] -> one-hot float32 [n, num_categories]."""
        return tf.one_hot(tf.cast(values, tf.int32), self.num_categories)

    def posterior(self, params) -> tfd.Distribution:
        """Q(c|x) from logits [n, num_categories]; batch shape [n]."""
        return tfd.Categorical(logits=params, dtype=tf.int32)

    def entropy(self) -> float:
        """H(c) = ln(num_categories) nats."""
        return math.log(self.num_categories)

    def log_likelihood(self, values, params) -> tf.Tensor:
        """log Q(c|x) per example [n] for int ids [n] and logits [n, k]."""
        return self.posterior(params).log_prob(tf.cast(values, tf.int32))

    def info_lower_bound(self, values, params) -> tf.Tensor:
        """Per-example L_I terms [n]: log Q(c|x) + H(c); their mean is the bound."""
        return self.log_likelihood(values, params) + self.entropy()


@dataclasses.dataclass(frozen=True)
class Uniform:
    """A continuous code with prior U(low, high) and a Gaussian posterior Q.

    Q(c|x) = Normal(mean, sigma); sigma is fixed at 1 (`learn_stddev=False`, the
    InfoGAN paper's MNIST setting, making -log Q a scaled squared error) or read
    from a second Q output as log sigma (`learn_stddev=True`).

    Args:
        low, high: prior support, low < high.
        weight: lambda for this code (>= 0).
        learn_stddev: whether Q predicts log sigma as well as the mean.
        name: metric/output name; `LatentSpec` assigns "cont<i>" when None.
    """

    low: float = -1.0
    high: float = 1.0
    weight: float = 1.0
    learn_stddev: bool = False
    name: str | None = None

    kind = "continuous"

    def __post_init__(self):
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"Uniform code bounds must be finite, got low={self.low}, high={self.high}")
        if self.low >= self.high:
            raise ValueError(f"Uniform code needs low < high, got low={self.low}, high={self.high}")
        _check_weight(self.weight)

    @property
    def input_dim(self) -> int:
        return 1

    @property
    def num_params(self) -> int:
        """Raw Q outputs: the mean, plus log sigma when learned."""
        return 2 if self.learn_stddev else 1

    def prior(self) -> tfd.Distribution:
        return tfd.Uniform(low=float(self.low), high=float(self.high))

    def sample(self, n, seed) -> tf.Tensor:
        """Stateless draw of float32 values [n]."""
        return self.prior().sample(n, seed=seed)

    def to_input(self, values) -> tf.Tensor:
        """values [n] -> float32 [n, 1]."""
        return tf.reshape(tf.cast(values, tf.float32), [-1, 1])

    def posterior(self, params) -> tfd.Distribution:
        """Q(c|x) = Normal(mean, sigma) from params [n, num_params]; batch shape [n]."""
        params = tf.cast(params, tf.float32)
        mean = params[:, 0]
        if self.learn_stddev:
            log_stddev = tf.clip_by_value(params[:, 1], *_LOG_STDDEV_RANGE)
            stddev = tf.exp(log_stddev)
        else:
            stddev = tf.ones_like(mean)
        return tfd.Normal(loc=mean, scale=stddev)

    def entropy(self) -> float:
        """H(c) = ln(high - low) nats (differential entropy; ln 2 for U(-1, 1))."""
        return math.log(self.high - self.low)

    def log_likelihood(self, values, params) -> tf.Tensor:
        """log Q(c|x) per example [n]."""
        return self.posterior(params).log_prob(tf.cast(values, tf.float32))

    def info_lower_bound(self, values, params) -> tf.Tensor:
        """Per-example L_I terms [n]: log Q(c|x) + H(c)."""
        return self.log_likelihood(values, params) + self.entropy()


Code = Union[Categorical, Uniform]
_CODE_TYPES = {"categorical": Categorical, "continuous": Uniform}
_NAME_PREFIX = {"categorical": "cat", "continuous": "cont"}
NOISE_PRIORS = ("uniform", "normal")


def _check_weight(weight: float) -> None:
    if not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
        raise ValueError(f"code weight (lambda) must be a finite number >= 0, got {weight!r}")


@dataclasses.dataclass(frozen=True)
class LatentSpec:
    """Generator input: noise z [n, noise_dim] and the codes, in order.

    Args:
        noise_dim: width of the incompressible noise z (>= 1).
        codes: at least one `Categorical` / `Uniform` code; unnamed codes are
            named "cat0", "cat1", ... and "cont0", "cont1", ... by kind.
        noise: prior of z, "uniform" (U(-1, 1), as in the paper's code) or "normal".
        noise_scale: z enters the generator multiplied by this (> 0; 1 as in the
            paper): below 1 the codes weigh more in G's first layer from the start.

    Example:
        spec = LatentSpec(noise_dim=62, codes=(Categorical(10), Uniform(), Uniform()))
        z, values = spec.sample(64, seed=(0, 1))
        generator_input = spec.generator_input(z, values)   # [64, 74]
    """

    noise_dim: int = 62
    codes: tuple = ()
    noise: str = "uniform"
    noise_scale: float = 1.0

    def __post_init__(self):
        if isinstance(self.noise_dim, bool) or not isinstance(self.noise_dim, int) or self.noise_dim < 1:
            raise ValueError(f"noise_dim must be an int >= 1, got {self.noise_dim!r}")
        if self.noise not in NOISE_PRIORS:
            raise ValueError(f"noise prior must be one of {NOISE_PRIORS}, got {self.noise!r}")
        if isinstance(self.noise_scale, bool) or not isinstance(self.noise_scale, (int, float)) \
                or not math.isfinite(self.noise_scale) or self.noise_scale <= 0:
            raise ValueError(f"noise_scale must be a finite number > 0, got {self.noise_scale!r}")
        codes = tuple(self.codes)
        if not codes:
            raise ValueError("LatentSpec needs at least one latent code (InfoGAN without codes is a plain GAN)")
        for code in codes:
            if not isinstance(code, (Categorical, Uniform)):
                raise TypeError(f"codes must be Categorical or Uniform instances, got {code!r}")
        object.__setattr__(self, "codes", _named(codes))

    @property
    def names(self) -> list[str]:
        return [code.name for code in self.codes]

    @property
    def input_dim(self) -> int:
        """Generator input width: noise_dim + sum of code input widths."""
        return self.noise_dim + sum(code.input_dim for code in self.codes)

    @property
    def num_params(self) -> int:
        """Total Q head outputs."""
        return sum(code.num_params for code in self.codes)

    def categorical_codes(self) -> list[Categorical]:
        return [code for code in self.codes if code.kind == "categorical"]

    def sample_noise(self, n, seed) -> tf.Tensor:
        """Stateless draw of z [n, noise_dim]."""
        shape = tf.stack([n, self.noise_dim])
        if self.noise == "uniform":
            return tf.random.stateless_uniform(shape, seed, minval=-1.0, maxval=1.0)
        return tf.random.stateless_normal(shape, seed)

    def sample(self, n, seed) -> tuple[tf.Tensor, list[tf.Tensor]]:
        """Stateless draw of (z [n, noise_dim], one value tensor [n] per code).

        `seed` is a shape-[2] int tensor or pair; the same seed gives the same draw.
        """
        seeds = tfp.random.split_seed(tf.cast(seed, tf.int32), n=len(self.codes) + 1)
        z = self.sample_noise(n, seeds[0])
        return z, [code.sample(n, s) for code, s in zip(self.codes, seeds[1:])]

    def generator_input(self, z, values: Sequence) -> tf.Tensor:
        """Concatenate z [n, noise_dim] and the code values -> [n, input_dim]."""
        if len(values) != len(self.codes):
            raise ValueError(f"expected {len(self.codes)} code values ({self.names}), got {len(values)}")
        parts = [tf.cast(z, tf.float32) * self.noise_scale] + [c.to_input(v) for c, v in zip(self.codes, values)]
        return tf.concat(parts, axis=-1)

    def split_params(self, params) -> list[tf.Tensor]:
        """Q head output [n, num_params] -> one [n, code.num_params] tensor per code."""
        return tf.split(params, [code.num_params for code in self.codes], axis=-1)

    def info_lower_bounds(self, values: Sequence, params) -> list[tf.Tensor]:
        """Per-example L_I terms, one [n] tensor per code (nats)."""
        return [code.info_lower_bound(v, p)
                for code, v, p in zip(self.codes, values, self.split_params(params))]

    def get_config(self) -> dict:
        return {
            "noise_dim": self.noise_dim,
            "noise": self.noise,
            "noise_scale": self.noise_scale,
            "codes": [dict(dataclasses.asdict(code), kind=code.kind) for code in self.codes],
        }

    @classmethod
    def from_config(cls, config: dict) -> "LatentSpec":
        codes = []
        for code_config in config["codes"]:
            code_config = dict(code_config)
            kind = code_config.pop("kind")
            if kind not in _CODE_TYPES:
                raise ValueError(f"unknown code kind {kind!r}; known: {sorted(_CODE_TYPES)}")
            codes.append(_CODE_TYPES[kind](**code_config))
        return cls(noise_dim=config["noise_dim"], codes=tuple(codes), noise=config.get("noise", "uniform"),
                   noise_scale=config.get("noise_scale", 1.0))


def _named(codes: tuple) -> tuple:
    """Give unnamed codes kind-numbered names and reject duplicate names."""
    counters = {kind: 0 for kind in _NAME_PREFIX}
    named = []
    for code in codes:
        if code.name is None:
            code = dataclasses.replace(code, name=f"{_NAME_PREFIX[code.kind]}{counters[code.kind]}")
        counters[code.kind] += 1
        named.append(code)
    names = [code.name for code in named]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"latent code names must be unique, repeated: {duplicates}")
    return tuple(named)


def mnist_spec(cat_weight: float = 1.0, cont_weight: float = 0.2, learn_stddev: bool = False,
               noise_dim: int = 62, noise: str = "uniform") -> LatentSpec:
    """The paper's MNIST codes: one 10-way categorical and two U(-1, 1) codes.

    lambda is 1 for the categorical code as in the paper; 0.2 for the continuous
    codes (sigma fixed at 1) clustered digits better than the paper's 1 in our
    tuning runs (docs/mnist_experiments.md).
    """
    return LatentSpec(
        noise_dim=noise_dim,
        codes=(Categorical(10, weight=cat_weight),
               Uniform(-1.0, 1.0, weight=cont_weight, learn_stddev=learn_stddev),
               Uniform(-1.0, 1.0, weight=cont_weight, learn_stddev=learn_stddev)),
        noise=noise,
    )
