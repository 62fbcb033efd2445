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
        nets = build_networks(architecture, self.latent_spec.input_dim, self.latent_spec.num_params)
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
                g_optimizer: keras.optimizers.Optimizer | None = None, **kwargs):
        """Set the two optimizers (defaults: the paper's Adam, lr 2e-4 for D/Q and
        1e-3 for G, beta_1 = 0.5) and build their state. Other keyword arguments
        (`jit_compile`, `steps_per_execution`, `run_eagerly`) go to `keras.Model.compile`.
        """
        super().compile(optimizer=None, **kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(1e-3, beta_1=0.5)
        self.d_optimizer.build(self.d_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self) -> list:
        return list(self.trackers.values())

    def call(self, latent, training: bool = False):
        """Generator input [n, input_dim] -> images [n, H, W, C] in [-1, 1]."""
        return self.generator(latent, training=training)

    def train_step(self, data):
        real = _images_of(data)
        n = tf.shape(real)[0]
        spec = self.latent_spec

        z, values = spec.sample(n, self._step_seed(_D_STREAM))
        with tf.GradientTape() as tape:
            fake = self.generator(spec.generator_input(z, values), training=True)
            real_features, fake_features = self._trunk_features(real, fake)
            real_logits = self.d_head(real_features, training=True)
            fake_logits = self.d_head(fake_features, training=True)
            d_loss = _average(losses.discriminator_loss(real_logits, fake_logits))
            info, bounds = losses.information_loss(spec, values, self.q_head(fake_features, training=True))
            info_loss = _average(info)
            d_total = d_loss + info_loss
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_total, self.d_variables), self.d_variables))

        z, g_values = spec.sample(n, self._step_seed(_G_STREAM))
        g_variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            g_fake = self.generator(spec.generator_input(z, g_values), training=True)
            g_features = (self._trunk_features(real, g_fake)[1] if self.joint_batches
                          else self.trunk(g_fake, training=True))
            g_loss = _average(losses.generator_loss(self.d_head(g_features, training=True)))
            g_info, _ = losses.information_loss(spec, g_values, self.q_head(g_features, training=True))
            g_total = g_loss + self._info_reward_scale() * _average(g_info)
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_total, g_variables), g_variables))

        return self._update_metrics(d_loss, g_loss, info_loss, bounds, real_logits, fake_logits)

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
            _average(losses.discriminator_loss(real_logits, fake_logits)),
            _average(losses.generator_loss(fake_logits)), _average(info), bounds,
            real_logits, fake_logits)

    def _update_metrics(self, d_loss, g_loss, info_loss, bounds, real_logits, fake_logits) -> dict:
        updates = {"d_loss": d_loss, "g_loss": g_loss, "info_loss": info_loss,
                   "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                   "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}
        updates.update({f"mi_{name}": tf.reduce_mean(bound)
                        for name, bound in zip(self.latent_spec.names, bounds)})
        for name, value in updates.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _step_seed(self, stream: int) -> tf.Tensor:
        """Stateless seed [2] unique to (base seed, step, replica, stream)."""
        seed = tf.constant([self.seed, 0], tf.int32)
        step = tf.cast(self.d_optimizer.iterations, tf.int32)
        replica = tf.distribute.get_replica_context()
        replica_id = replica.replica_id_in_sync_group if replica is not None else 0
        for data in (step, replica_id, stream):
            seed = tf.random.experimental.stateless_fold_in(seed, tf.cast(data, tf.int32))
        return seed

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

    def export_serving(self, path, version: int | None = None) -> Path:
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


def _images_of(data):
    """Accept `images` or `(images, labels, ...)` batches; labels are ignored."""
    return data[0] if isinstance(data, (tuple, list)) else data


def _average(per_example) -> tf.Tensor:
    """Mean over the global batch (correct under tf.distribute)."""
    return tf.nn.compute_average_loss(per_example)
