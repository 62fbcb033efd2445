"""How much information each latent code carries: the bound L_I on generated samples."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def information_estimates(model, num_samples: int = 10_000, seed: int = 0,
                          batch_size: int = 500) -> dict[str, dict]:
    """Monte Carlo estimates over `num_samples` draws (z, c) ~ prior, x = G(z, c),
    inference-mode networks. For each code:

    - `lower_bound`: L_I = E[log Q(c|x)] + H(c) in nats, with `std_error` (of the mean);
    - `entropy`: H(c) in nats (differential entropy for continuous codes, so it
      can be negative and the bound is not capped by it);
    - categorical codes: `recovery_accuracy`, the share with argmax Q(c|x) = c;
    - continuous codes: `r2`, R^2 of the posterior mean as a predictor of c.
    """
    if num_samples < 2:
        raise ValueError(f"num_samples must be at least 2, got {num_samples}")
    spec = model.latent_spec
    z, values = spec.sample(num_samples, tf.constant([seed, 3]))
    images = model.generate(z.numpy(), [v.numpy() for v in values], batch_size=batch_size)
    params = model.q_params(images, batch_size)
    estimates = {}
    for code, code_values, code_params in zip(spec.codes, values, spec.split_params(params)):
        bound = code.info_lower_bound(code_values, code_params).numpy()
        entry = {"kind": code.kind, "lower_bound": float(bound.mean()),
                 "std_error": float(bound.std(ddof=1) / np.sqrt(num_samples)),
                 "entropy": float(code.entropy())}
        posterior = code.posterior(code_params)
        truth = code_values.numpy()
        if code.kind == "categorical":
            entry["recovery_accuracy"] = float(np.mean(np.argmax(code_params.numpy(), -1) == truth))
        else:
            mean = posterior.mean().numpy()
            entry["r2"] = float(1.0 - np.sum((truth - mean) ** 2) / np.sum((truth - truth.mean()) ** 2))
        estimates[code.name] = entry
    return estimates
