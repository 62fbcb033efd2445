"""InfoGAN as a Keras model: `compile()`, `fit(dataset)`, `evaluate()`, save/load.

One training step, top to bottom:
  1. D/Q step: draw (z, c), make G(z, c); D learns real vs fake; the shared trunk
     and Q head learn to recover c from G(z, c) (minimise -sum lambda_i L_I).
  2. G step: draw fresh (z, c); G minimises the non-saturating loss -log D(G(z, c))
     plus -sum lambda_i L_I, the MI gradient flowing back through Q and the trunk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_infogan import export, losses
from keras_infogan.codes import LatentSpec, mnist_spec
from keras_infogan.nets import build_networks, image_shape

# Seed streams: the two draws of one step, and evaluation.
_D_STREAM, _G_STREAM, _TEST_STREAM = 0, 1, 2


@keras.saving.register_keras_serializable(package="keras_infogan")
class InfoGAN(keras.Model):
    """InfoGAN (Chen et al. 2016) with a shared D/Q trunk.

    Args:
        latent_spec: the noise and codes (`LatentSpec` or its config dict);
            defaults to the paper's MNIST codes (10-way categorical, 2 x U(-1, 1)).
        architecture: network family from `keras_infogan.nets` ("mnist").
        seed: base seed of the noise and codes drawn during training.
        joint_batches: pass real and fake images through the trunk as one batch,
            so batch norm normalises both with the same statistics (in the G step
            too); False runs separate real and fake batches (DCGAN style).
        info_weight: multiplier of the MI reward in G's loss; 0 gives the GAN
            baseline of the paper's Figure 1 (Q still learns, G is not rewarded).
        info_delay_steps, info_ramp_steps: G's MI reward is 0 for the first
            `info_delay_steps` steps, then rises linearly to `info_weight` over
            `info_ramp_steps` steps (Q and the trunk always train on it).

    Example:
        model = InfoGAN(mnist_spec())
        model.compile()                       # Adam, paper learning rates
        model.fit(load_dataset("mnist", batch_size=64), epochs=5)
        images = model.sample(16, seed=0)     # [16, 28, 28, 1] in [-1, 1]

    Distributed training: create and compile the model under a strategy's scope
    (`with strategy.scope(): model = InfoGAN(); model.compile()`), then `fit` as
    usual; each batch is the global batch, split across the replicas. Losses are
    averaged over the global batch, every replica draws its own noise and codes,
    and batch norm uses each replica's own batch statistics (not synchronised
    batch norm); the moving statistics are averaged over the replicas after every
    step, so all replicas keep identical variables.

    Mixed precision: `InfoGAN(..., dtype="mixed_float16")` (or build under that
    global policy) computes in float16 with float32 variables, heads and generator
    output; `compile` then wraps both optimizers in
    `keras.optimizers.LossScaleOptimizer` (dynamic loss scaling: a step whose
    gradients overflow is skipped and the scale halved). Saved models keep the policy.
    """

    def __init__(self, latent_spec: LatentSpec | dict | None = None, architecture: str = "mnist",
                 seed: int = 0, joint_batches: bool = False, info_weight: float = 1.0,
                 info_delay_steps: int = 0, info_ramp_steps: int = 0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(latent_spec, dict):
            latent_spec = LatentSpec.from_config(latent_spec)
        self.latent_spec = latent_spec if latent_spec is not None else mnist_spec()
        if not isinstance(self.latent_spec, LatentSpec):
            raise TypeError(f"latent_spec must be a LatentSpec or its config dict, got {latent_spec!r}")
        self.architecture = architecture
        self.seed = int(seed)
        self.joint_batches = bool(joint_batches)
        if not info_weight >= 0:
            raise ValueError(f"info_weight must be >= 0, got {info_weight}")
        if info_delay_steps < 0 or info_ramp_steps < 0:
            raise ValueError(f"info_delay_steps and info_ramp_steps must be >= 0, "
                             f"got {info_delay_steps} and {info_ramp_steps}")
        self.info_weight = float(info_weight)
        self.info_delay_steps, self.info_ramp_steps = int(info_delay_steps), int(info_ramp_steps)
        self.image_shape = tuple(image_shape(architecture))
        # The networks take the model's dtype policy (the global one unless `dtype` is
        # given, e.g. by a saved mixed-precision model's config).
        previous_policy = keras.config.dtype_policy()
        keras.config.set_dtype_policy(self.dtype_policy)
        try:
            nets = build_networks(architecture, self.latent_spec.input_dim, self.latent_spec.num_params)
        finally:
            keras.config.set_dtype_policy(previous_policy)
        self.generator, self.trunk = nets.generator, nets.trunk
        self.d_head, self.q_head = nets.d_head, nets.q_head
        self.built = True
        self.trackers = {name: keras.metrics.Mean(name=name) for name in
                         ["d_loss", "g_loss", "info_loss"]
                         + [f"mi_{code_name}" for code_name in self.latent_spec.names]
                         + ["d_real", "d_fake"]}

    @property
    def d_variables(self) -> list:
        """What the D/Q optimizer trains: shared trunk, D head and Q head."""
        return (self.trunk.trainable_variables + self.d_head.trainable_variables
                + self.q_head.trainable_variables)

    def compile(self, d_optimizer: keras.optimizers.Optimizer | None = None,
                g_optimizer: keras.optimizers.Optimizer | None = None, auto_scale_loss: bool = True,
                **kwargs):
        """Set the two optimizers (defaults: the paper's Adam, lr 2e-4 for D/Q and
        1e-3 for G, beta_1 = 0.5) and build their state under the model's
        distribution strategy. Other keyword arguments (`jit_compile`,
        `steps_per_execution`, `run_eagerly`) go to `keras.Model.compile`.

        With `auto_scale_loss` and networks built under the "mixed_float16" policy,
        each optimizer that is not already a `keras.optimizers.LossScaleOptimizer`
        is wrapped in one.

        Raises:
            ValueError: `jit_compile=True` with a multi-replica strategy (other than
                TPUStrategy, which always compiles), a strategy in scope that is not the
                one the model was created under, or an optimizer created under another
                strategy's scope.
        """
        strategy = self._check_strategy_scope()
        if kwargs.get("jit_compile") is True and _multi_replica(strategy):
            raise ValueError(
                f"jit_compile=True does not work with {type(strategy).__name__} over "
                f"{strategy.num_replicas_in_sync} replicas: Keras compiles the whole step across the "
                f"replicas' devices into one XLA program, which then fails with \"Trying to access "
                f"resource ... located in device ...:1 from device ...:0\". Use XLA on one device, "
                f"or the strategy without XLA.")
        with strategy.scope():
            super().compile(optimizer=None, **kwargs)
            d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
            g_optimizer = g_optimizer or keras.optimizers.Adam(1e-3, beta_1=0.5)
            if auto_scale_loss and self.mixed_float16:
                d_optimizer, g_optimizer = (
                    opt if isinstance(opt, keras.optimizers.LossScaleOptimizer)
                    else keras.optimizers.LossScaleOptimizer(opt) for opt in (d_optimizer, g_optimizer))
            for name, optimizer in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
                _check_optimizer_strategy(name, optimizer, strategy)
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
            self.d_optimizer.build(self.d_variables)
            self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def mixed_float16(self) -> bool:
        """Whether the networks compute in float16 (built under "mixed_float16")."""
        return any(net.compute_dtype == "float16" for net in (self.generator, self.trunk))

    def _check_strategy_scope(self) -> tf.distribute.Strategy:
        """The model's strategy, or a clear error when a different one is in scope."""
        created_under = self._distribute_strategy  # set by Keras at creation (None: default)
        if tf.distribute.has_strategy() and tf.distribute.get_strategy() is not created_under:
            raise ValueError(
                f"this InfoGAN was created {'outside any' if created_under is None else 'under another'} "
                f"strategy scope, but compile() runs under {type(tf.distribute.get_strategy()).__name__}'s "
                f"scope; create the model under the same `with strategy.scope():` block")
        return self.distribute_strategy

    @property
    def metrics(self) -> list:
        return list(self.trackers.values())

    def call(self, latent, training: bool = False):
        """Generator input [n, input_dim] -> images [n, H, W, C] in [-1, 1]."""
        return self.generator(latent, training=training)

    def train_step(self, data):
        """One D/Q step then one G step on this replica's part of the global batch.

        Losses are averaged over the global batch (`_average`), so the optimizers'
        sum of the replicas' gradients is the gradient of the global-batch mean.
        Each loss is scaled by its optimizer's `scale_loss` inside the tape (a no-op
        unless the optimizer is a LossScaleOptimizer, which unscales the gradients).
        """
        real = _images_of(data)
        n = tf.shape(real)[0]
        spec = self.latent_spec

        z, values = spec.sample(n, self._step_seed(_D_STREAM))
        with tf.GradientTape() as tape:
            fake = self.generator(spec.generator_input(z, values), training=True)
            real_features, fake_features = self._trunk_features(real, fake)
            real_logits = self.d_head(real_features, training=True)
            fake_logits = self.d_head(fake_features, training=True)
            d_losses = losses.discriminator_loss(real_logits, fake_logits)
            info, bounds = losses.information_loss(spec, values, self.q_head(fake_features, training=True))
            d_total = self.d_optimizer.scale_loss(_average(d_losses) + _average(info))
        self._apply(self.d_optimizer, tape.gradient(d_total, self.d_variables), self.d_variables)

        z, g_values = spec.sample(n, self._step_seed(_G_STREAM))
        g_variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            g_fake = self.generator(spec.generator_input(z, g_values), training=True)
            g_features = (self._trunk_features(real, g_fake)[1] if self.joint_batches
                          else self.trunk(g_fake, training=True))
            g_losses = losses.generator_loss(self.d_head(g_features, training=True))
            g_info, _ = losses.information_loss(spec, g_values, self.q_head(g_features, training=True))
            g_total = self.g_optimizer.scale_loss(
                _average(g_losses) + self._info_reward_scale() * _average(g_info))
        self._apply(self.g_optimizer, tape.gradient(g_total, g_variables), g_variables)
        self._average_moving_statistics()

        # Metrics take this replica's means; Keras averages them over the replicas.
        return self._update_metrics(tf.reduce_mean(d_losses), tf.reduce_mean(g_losses), tf.reduce_mean(info),
                                    bounds, real_logits, fake_logits)

    def _apply(self, optimizer, grads, variables) -> None:
        """`optimizer.apply_gradients`; with loss scaling over several replicas, an
        overflow on any replica makes every replica skip the step (Keras decides on
        each replica's own gradients, or on the first replica's only)."""
        replica = tf.distribute.get_replica_context()
        if (isinstance(optimizer, keras.optimizers.LossScaleOptimizer) and replica is not None
                and replica.num_replicas_in_sync > 1):
            overflow = tf.cast(tf.logical_not(optimizer.check_finite(grads)), tf.float32)
            poison = tf.where(replica.all_reduce("SUM", overflow) > 0, float("nan"), 0.0)
            grads = [g if g is None else g + tf.cast(poison, g.dtype) for g in grads]
        optimizer.apply_gradients(zip(grads, variables))

    def _average_moving_statistics(self) -> None:
        """Set every replica's batch-norm moving statistics to their mean over the replicas.

        Keras 3 creates them with aggregation "none", so under a strategy each
        replica updates its own copy from its own batches and the copies drift
        apart (a saved model keeps the first replica's). The mean of the replicas'
        updates equals updating with the mean of their batch statistics, as
        tf.keras's MEAN aggregation did. One all-reduce per step; nothing on one replica.
        """
        replica = tf.distribute.get_replica_context()
        if replica is None or replica.num_replicas_in_sync == 1:
            return
        moving = self.moving_statistics
        local = [tf.identity(v.value) for v in moving]  # tensors: all_reduce of variables has no destinations
        for variable, value in zip(moving, replica.all_reduce("MEAN", local)):
            variable.assign(value)

    @property
    def moving_statistics(self) -> list:
        """The non-trainable variables of the networks (batch norm moving means and variances)."""
        return [v for net in (self.generator, self.trunk, self.d_head, self.q_head)
                for v in net.non_trainable_variables]

    def _info_reward_scale(self) -> tf.Tensor:
        """Multiplier of G's MI reward at this step: info_weight, ramped in linearly
        from 0 between steps info_delay_steps and info_delay_steps + info_ramp_steps."""
        step = tf.cast(self.d_optimizer.iterations, tf.float32) - float(self.info_delay_steps)
        ramp = tf.clip_by_value((step + 1.0) / float(max(self.info_ramp_steps, 1)), 0.0, 1.0)
        return self.info_weight * ramp

    def _trunk_features(self, real, fake) -> tuple:
        """Training-mode trunk features of real and fake images, each [n, feature_dim]."""
        if not self.joint_batches:
            return self.trunk(real, training=True), self.trunk(fake, training=True)
        features = self.trunk(tf.concat([real, fake], axis=0), training=True)
        return tf.split(features, 2, axis=0)

    def test_step(self, data):
        """The same losses on held-out real images, with inference-mode networks."""
        real = _images_of(data)
        spec = self.latent_spec
        z, values = spec.sample(tf.shape(real)[0], self._step_seed(_TEST_STREAM))
        fake = self.generator(spec.generator_input(z, values), training=False)
        real_logits = self.d_head(self.trunk(real, training=False), training=False)
        fake_features = self.trunk(fake, training=False)
        fake_logits = self.d_head(fake_features, training=False)
        info, bounds = losses.information_loss(spec, values, self.q_head(fake_features, training=False))
        return self._update_metrics(
            tf.reduce_mean(losses.discriminator_loss(real_logits, fake_logits)),
            tf.reduce_mean(losses.generator_loss(fake_logits)), tf.reduce_mean(info), bounds,
            real_logits, fake_logits)

    def _update_metrics(self, d_loss, g_loss, info_loss, bounds, real_logits, fake_logits) -> dict:
        """Update the trackers with this replica's batch means; return the running means."""
        updates = {"d_loss": d_loss, "g_loss": g_loss, "info_loss": info_loss,
                   "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                   "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}
        updates.update({f"mi_{name}": tf.reduce_mean(bound)
                        for name, bound in zip(self.latent_spec.names, bounds)})
        for name, value in updates.items():
            self.trackers[name].update_state(value)
        results = {name: tracker.result() for name, tracker in self.trackers.items()}
        if _multi_worker(tf.distribute.get_strategy()):
            # Keras reduces step outputs across workers with strategy.reduce(MEAN, axis=0),
            # which fails on scalars (tensorflow/tensorflow#72388): give them a batch axis.
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results

    def _step_seed(self, stream: int) -> tf.Tensor:
        """Stateless seed [2] unique to (base seed, step, replica, stream): see `step_seed`."""
        replica = tf.distribute.get_replica_context()
        replica_id = replica.replica_id_in_sync_group if replica is not None else 0
        return step_seed(self.seed, self.d_optimizer.iterations, replica_id, stream)

    # ---- inference API (numpy in, numpy out) ----

    def generate(self, z, codes: Sequence, batch_size: int = 256) -> np.ndarray:
        """Images [n, H, W, C] in [-1, 1] from noise z [n, noise_dim] and one
        array per code (categorical: int ids [n]; continuous: floats [n])."""
        latent = self.latent_input(z, codes)
        return self.generator.predict(latent, batch_size=batch_size, verbose=0)

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n images [n, H, W, C] in [-1, 1] from the priors; the same seed gives
        the same images (the draw is `latent_spec.sample(n, (seed, 0))`)."""
        if n < 1:
            raise ValueError(f"sample needs n >= 1, got {n}")
        z, values = self.latent_spec.sample(n, tf.constant([seed, 0]))
        return self.generate(z.numpy(), [v.numpy() for v in values])

    def latent_input(self, z, codes: Sequence) -> np.ndarray:
        """Validate (z, codes) and assemble the generator input [n, input_dim]."""
        spec = self.latent_spec
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != spec.noise_dim:
            raise ValueError(f"z must have shape [n, {spec.noise_dim}], got {z.shape}")
        if len(codes) != len(spec.codes):
            raise ValueError(f"expected {len(spec.codes)} code arrays ({spec.names}), got {len(codes)}")
        checked = []
        for code, values in zip(spec.codes, codes):
            values = np.asarray(values)
            if values.shape != (z.shape[0],):
                raise ValueError(f"code {code.name!r} must have shape [{z.shape[0]}] to match z, got {values.shape}")
            if code.kind == "categorical":
                if not np.issubdtype(values.dtype, np.integer):
                    raise ValueError(f"code {code.name!r} takes integer category ids, got dtype {values.dtype}")
                if values.size and (values.min() < 0 or values.max() >= code.num_categories):
                    raise ValueError(f"code {code.name!r} ids must lie in [0, {code.num_categories - 1}], "
                                     f"got min {values.min()} max {values.max()}")
            elif not np.all(np.isfinite(values)):
                raise ValueError(f"code {code.name!r} has non-finite values")
            checked.append(values)
        return spec.generator_input(z, checked).numpy()

    def encode(self, images, batch_size: int = 256) -> dict:
        """Posterior parameters of each code for images [n, H, W, C] in [-1, 1].

        Returns {code name: {"probs": [n, k], "logits": [n, k]}} for categorical
        codes and {code name: {"mean": [n], "stddev": [n]}} for continuous ones.
        """
        params = self.q_params(images, batch_size)
        encoded = {}
        for code, code_params in zip(self.latent_spec.codes, self.latent_spec.split_params(params)):
            posterior = code.posterior(code_params)
            if code.kind == "categorical":
                encoded[code.name] = {"logits": code_params.numpy(),
                                      "probs": posterior.probs_parameter().numpy()}
            else:
                encoded[code.name] = {"mean": posterior.mean().numpy(),
                                      "stddev": posterior.stddev().numpy()}
        return encoded

    def q_params(self, images, batch_size: int = 256) -> np.ndarray:
        """Raw Q-head outputs [n, num_params] for images [n, H, W, C] in [-1, 1]
        (split them per code with `latent_spec.split_params`)."""
        return self.q_head.predict(self.features(images, batch_size), batch_size=batch_size, verbose=0)

    def features(self, images, batch_size: int = 256) -> np.ndarray:
        """Shared-trunk features [n, feature_dim] of images [n, H, W, C] in [-1, 1]."""
        return self.trunk.predict(self.check_images(images), batch_size=batch_size, verbose=0)

    def check_images(self, images) -> np.ndarray:
        """Return images as float32 [n, H, W, C], or raise naming the problem."""
        images = np.asarray(images)
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(f"images must have shape [n, {', '.join(map(str, self.image_shape))}], "
                             f"got {images.shape}")
        if images.shape[0] == 0:
            raise ValueError("images is empty")
        if not np.issubdtype(images.dtype, np.floating):
            raise ValueError(f"images must be floats in [-1, 1] (scale uint8 pixels with "
                             f"keras_infogan.data.scale_images), got dtype {images.dtype}")
        low, high = float(images.min()), float(images.max())
        if not (np.isfinite(low) and np.isfinite(high)) or low < -1.001 or high > 1.001:
            raise ValueError(f"images must lie in [-1, 1] (the generator's range), got [{low:.3g}, {high:.3g}]")
        return images.astype(np.float32)

    def export_serving(self, path, version: int | None = None) -> Path | None:
        """Write a TF Serving SavedModel to `path/<version>/` and return that folder
        (signatures generate, generate_from_seed, encode, discriminate; see
        `keras_infogan.export`)."""
        return export.export_serving(self, path, version)

    # ---- serialization ----

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"latent_spec": self.latent_spec.get_config(),
                       "architecture": self.architecture, "seed": self.seed,
                       "joint_batches": self.joint_batches, "info_weight": self.info_weight,
                       "info_delay_steps": self.info_delay_steps, "info_ramp_steps": self.info_ramp_steps})
        return config

    @classmethod
    def from_config(cls, config: dict) -> "InfoGAN":
        return cls(**config)

    def get_compile_config(self) -> dict | None:
        if not self.compiled:
            return None
        return {"d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
                "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer)}

    def compile_from_config(self, config: dict) -> None:
        self.compile(d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
                     g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]))


def step_seed(base_seed, step, replica_id, stream) -> tf.Tensor:
    """The stateless seed [2] of one draw: base seed, then the optimizer step, the
    replica's id in the sync group (0 on one device) and the stream (0: D/Q step,
    1: G step, 2: test step) folded in. Replicas thus draw different noise and codes."""
    seed = tf.constant([int(base_seed), 0], tf.int32)
    for data in (step, replica_id, stream):
        seed = tf.random.experimental.stateless_fold_in(seed, tf.cast(data, tf.int32))
    return seed


def _multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """A MultiWorkerMirroredStrategy over more than one worker (as Keras tests it)."""
    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


def _multi_replica(strategy: tf.distribute.Strategy) -> bool:
    """More than one replica, on devices XLA cannot span (TPUStrategy always compiles)."""
    return strategy.num_replicas_in_sync > 1 and not isinstance(strategy, tf.distribute.TPUStrategy)


def _check_optimizer_strategy(name: str, optimizer, strategy: tf.distribute.Strategy) -> None:
    """Keras optimizers remember the strategy in scope when they were created."""
    for opt in (optimizer, getattr(optimizer, "inner_optimizer", None)):
        created_under = getattr(opt, "_distribution_strategy", strategy)
        if opt is not None and created_under is not strategy:
            raise ValueError(
                f"{name} ({type(opt).__name__}) was created under {type(created_under).__name__}, "
                f"but the model trains under {type(strategy).__name__}; create the optimizers inside "
                f"the same `with strategy.scope():` block as the model")


def _images_of(data):
    """Accept `images` or `(images, labels, ...)` batches; labels are ignored."""
    return data[0] if isinstance(data, (tuple, list)) else data


def _average(per_example) -> tf.Tensor:
    """Mean over the global batch (correct under tf.distribute)."""
    return tf.nn.compute_average_loss(per_example)
