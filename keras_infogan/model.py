"""InfoGAN as a Keras model: `compile()`, `fit(dataset)`, `evaluate()`, save/load.

One training step, top to bottom:
  1. D/Q step: draw (z, c), make G(z, c); D learns real vs fake (the chosen game's
     D loss, plus a gradient penalty if any); the shared trunk and Q head learn to
     recover c from G(z, c) (minimise -sum lambda_i L_I).
  2. G step (every `d_steps`-th step): draw fresh (z, c); G minimises the game's G
     loss (by default the non-saturating -log D(G(z, c))) plus -sum lambda_i L_I,
     the MI gradient flowing back through Q and the trunk. With
     update="same_minibatch" G's loss is taken on step 1's fakes instead.
The games, penalties and schedules are in `keras_infogan.objectives`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_infogan import losses, objectives, replicas
from keras_infogan.codes import LatentSpec, mnist_spec
from keras_infogan.compiling import CompileMixin
from keras_infogan.graph_release import releases_custom_gradients
from keras_infogan.inference import InferenceMixin
from keras_infogan.nets import build_networks, image_shape
from keras_infogan.objectives import augmented_fakes, consistency, penalties
from keras_infogan.replicas import step_seed

# Seed streams: the two draws of one step, evaluation, WGAN-GP's interpolation, augmentation, VAT's start,
# and the augmented fakes of the D/Q step and of the G step.
_D_STREAM, _G_STREAM, _TEST_STREAM, _PENALTY_STREAM, _AUGMENT_STREAM, _VAT_STREAM = 0, 1, 2, 3, 4, 5
_D_FAKES_STREAM, _G_FAKES_STREAM = 6, 7


@keras.saving.register_keras_serializable(package="keras_infogan")
class InfoGAN(CompileMixin, InferenceMixin, keras.Model):
    """InfoGAN (Chen et al. 2016) with a shared D/Q trunk.

    Args:
        latent_spec: the noise and codes (`LatentSpec` or its config dict);
            defaults to the paper's MNIST codes (10-way categorical, 2 x U(-1, 1)).
        architecture: network family from `keras_infogan.nets` ("mnist").
        seed: base seed of the noise and codes drawn during training.
        joint_batches: pass real and fake images through the trunk as one batch,
            so batch norm normalises both with the same statistics (in the G step
            too); False runs separate real and fake batches (DCGAN style).
        info_weight: multiplier of the MI reward in G's loss; 0: G is not rewarded
            (Q's loss still trains the shared trunk: the "shared-trunk" baseline).
        probe: Q learns from `stop_gradient` of the trunk features and G gets no MI
            reward (info_weight must be 0): trunk, D and G play a plain GAN and Q
            only measures how much of c survives in G(z, c) (the "probe" baseline).
        info_delay_steps, info_ramp_steps: G's MI reward is 0 for the first
            `info_delay_steps` steps, then rises linearly to `info_weight` over
            `info_ramp_steps` steps (Q and the trunk always train on it).
        gan_loss, gradient_penalty, penalty, label_smoothing, d_steps, update: the
            adversarial game and its tricks (docs/objectives.md): a key of
            `objectives.GAN_LOSSES`; weight (0: none) and kind ("r1", "wgan_gp") of
            a gradient penalty on D; the real images' target (one-sided smoothing,
            1: none); D/Q steps (one batch each) per G step; "alternating" (G steps
            on fresh noise after D's update) or "same_minibatch" (G's loss on the
            D/Q step's fakes). Checked by `objectives.check_settings` (ValueError).
        consistency, consistency_vat: weight of Q's augmentation consistency on real
            images (`objectives.consistency`; beyond the paper; 0: off; not with probe)
            and the length of its adversarial step (0: random augmentations only).
        augment_fakes: Q (in the D/Q loss and in G's reward) reads the categorical
            codes from augmented fakes (`objectives.augmented_fakes`; beyond the paper;
            not with probe); the mi_<code> metrics of those codes then measure that.

    Metrics: d_loss (the game's D loss), g_loss (mean over the G steps taken, 0
    before the first), info_loss, mi_<code>, d_real and d_fake (mean sigma(D) in a
    probability game, else D's mean raw output), with a penalty d_penalty, with
    consistency q_consistency (the mean KL; train steps only).

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
                 info_delay_steps: int = 0, info_ramp_steps: int = 0, gan_loss: str = "non_saturating",
                 gradient_penalty: float = 0.0, penalty: str = "r1", label_smoothing: float = 1.0,
                 d_steps: int = 1, update: str = "alternating", probe: bool = False, consistency: float = 0.0,
                 consistency_vat: float = 0.0, augment_fakes: bool = False, **kwargs):
        super().__init__(**kwargs)
        objectives.check_settings(gan_loss, gradient_penalty, penalty, label_smoothing, d_steps, update)
        self.gan_loss, self.objective, self.penalty = gan_loss, objectives.GAN_LOSSES[gan_loss], penalty
        self.gradient_penalty, self.label_smoothing = float(gradient_penalty), float(label_smoothing)
        self.d_steps, self.update = int(d_steps), update
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
        if probe and info_weight:
            raise ValueError(f"a probe Q (probe=True) gives G no MI reward: info_weight must be 0, got {info_weight}")
        objectives.consistency.check_settings(consistency, consistency_vat, probe)
        self.info_weight, self.probe, self.consistency = float(info_weight), bool(probe), float(consistency)
        self.consistency_vat = float(consistency_vat)
        augmented_fakes.check_settings(augment_fakes, self.latent_spec, probe)
        self.augment_fakes = bool(augment_fakes)
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
                         + ["d_real", "d_fake"] + (["d_penalty"] if self.gradient_penalty else [])
                         + (["q_consistency"] if self.consistency else [])}

    @property
    def metrics(self) -> list:
        return list(self.trackers.values())

    def call(self, latent, training: bool = False):
        """Generator input [n, input_dim] -> images [n, H, W, C] in [-1, 1]."""
        return self.generator(latent, training=training)

    @releases_custom_gradients  # else the train step it traces outlives the model (keras_infogan.graph_release)
    def fit(self, *args, **kwargs):
        """`keras.Model.fit`, after which the train-step graph it traced is freed with the model."""
        return super().fit(*args, **kwargs)

    def train_step(self, data):
        """One D/Q step, then a G step every `d_steps`-th step, on this replica's part
        of the global batch.

        Losses are averaged over the global batch (`replicas.global_mean`), so the
        optimizers' sum of the replicas' gradients is the global-batch mean's gradient.
        Each loss is scaled by its optimizer's `scale_loss` inside the tape (a no-op
        unless the optimizer is a LossScaleOptimizer, which unscales the gradients).
        """
        real = _images_of(data)
        n = tf.shape(real)[0]
        spec = self.latent_spec
        same_minibatch = self.update == "same_minibatch"

        z, values = spec.sample(n, self._step_seed(_D_STREAM))
        with tf.GradientTape(persistent=same_minibatch or bool(self.consistency) or self.augment_fakes) as tape:
            fake = self.generator(spec.generator_input(z, values), training=True)
            real_features, fake_features = self._trunk_features(real, fake)
            real_logits = self.d_head(real_features, training=True)
            fake_logits = self.d_head(fake_features, training=True)
            d_losses = self.objective.discriminator(real_logits, fake_logits, self.label_smoothing)
            q_input = tf.stop_gradient(fake_features) if self.probe else fake_features  # a probe leaves D alone
            info, moved, bounds = self._information(values, fake, self.q_head(q_input, training=True),
                                                    _D_FAKES_STREAM)
            d_total = replicas.global_mean(d_losses) + replicas.global_mean(info)
            separate = []  # losses given a backward pass of their own: see replicas.sum_gradients
            if moved is not None:  # the categorical codes' part, read on augmented fakes
                separate.append(self.d_optimizer.scale_loss(replicas.global_mean(moved)))
                info = info + moved  # the whole information loss, for G's reward and the metric
            if self.gradient_penalty:
                penalty = self._penalty(real, fake)
                d_total += replicas.global_mean(penalty)
            if self.consistency:  # Q's categories on real images, unchanged by small augmentations
                kl = consistency.term(self.trunk, self.q_head, spec, real, real_features,
                                      self._step_seed(_AUGMENT_STREAM), self._step_seed(_VAT_STREAM),
                                      self.consistency_vat)
                separate.append(self.d_optimizer.scale_loss(self.consistency * replicas.global_mean(kl)))
            d_total = self.d_optimizer.scale_loss(d_total)
            if same_minibatch:  # G's loss on these fakes, through D as it is before its update
                g_losses = self.objective.generator(fake_logits)
                g_total = self._g_total(g_losses, info, d_updates=self.d_optimizer.iterations + 1)
        d_grads = replicas.sum_gradients(tape.gradient(d_total, self.d_variables),
                                         *(tape.gradient(loss, self.d_variables) for loss in separate))
        g_grads = tape.gradient(g_total, self.generator.trainable_variables) if same_minibatch else None
        replicas.apply_gradients(self.d_optimizer, d_grads, self.d_variables)

        if same_minibatch:
            self._every_d_steps(self._apply_g, g_grads, g_losses)
        else:
            self._every_d_steps(self._g_step, real)
        replicas.average_over_replicas(self.moving_statistics)  # identical batch-norm statistics everywhere

        # Metrics take this replica's means; Keras averages them over the replicas.
        means = {"d_loss": tf.reduce_mean(d_losses), "info_loss": tf.reduce_mean(info)}
        if self.gradient_penalty:
            means["d_penalty"] = tf.reduce_mean(penalty)
        if self.consistency:
            means["q_consistency"] = tf.reduce_mean(kl)
        return self._update_metrics(means, bounds, real_logits, fake_logits)

    def _g_step(self, real) -> None:
        """G's step on fresh (z, c): the game's G loss plus the MI reward."""
        spec = self.latent_spec
        z, values = spec.sample(tf.shape(real)[0], self._step_seed(_G_STREAM))
        with tf.GradientTape() as tape:
            fake = self.generator(spec.generator_input(z, values), training=True)
            features = (self._trunk_features(real, fake)[1] if self.joint_batches
                        else self.trunk(fake, training=True))
            g_losses = self.objective.generator(self.d_head(features, training=True))
            info, moved, _ = self._information(values, fake, self.q_head(features, training=True), _G_FAKES_STREAM)
            g_total = self._g_total(g_losses, info if moved is None else info + moved)
        self._apply_g(tape.gradient(g_total, self.generator.trainable_variables), g_losses)

    def _information(self, values, fake, fake_params, stream: int) -> tuple:
        """(info [n], moved [n] or None, bounds): -sum lambda_i L_I with Q read on the fakes;
        with augment_fakes, the categorical codes' part read on augmented fakes (their
        augmentations from `stream`) is `moved` instead (`objectives.augmented_fakes`)."""
        if not self.augment_fakes:
            info, bounds = losses.information_loss(self.latent_spec, values, fake_params)
            return info, None, bounds
        return augmented_fakes.information(self.trunk, self.q_head, self.latent_spec, values, fake, fake_params,
                                           self._step_seed(stream))

    def _g_total(self, g_losses, info, d_updates=None) -> tf.Tensor:
        """G's scaled loss: the game's G loss plus the MI reward, global-batch means."""
        reward = self._info_reward_scale(d_updates) * replicas.global_mean(info)
        return self.g_optimizer.scale_loss(replicas.global_mean(g_losses) + reward)

    def _apply_g(self, grads, g_losses) -> None:
        """Apply G's gradients and track its loss (so g_loss averages the G steps taken)."""
        replicas.apply_gradients(self.g_optimizer, grads, self.generator.trainable_variables)
        self.trackers["g_loss"].update_state(tf.reduce_mean(g_losses))

    def _every_d_steps(self, g_step, *args) -> None:
        """g_step(*args) once D's optimizer has taken d_steps x (G's steps + 1) steps: on
        every d_steps-th train step, so D advances d_steps times per G step (a step that
        loss scaling skips is made up by the next one). With d_steps 1: always."""
        if self.d_steps == 1:
            g_step(*args)
            return
        due = self.d_optimizer.iterations >= self.d_steps * (self.g_optimizer.iterations + 1)
        replicas.run_if(due, g_step, *args)

    def _penalty(self, real, fake, training: bool = True) -> tf.Tensor:
        """weight x D's gradient penalty per example [n] (`objectives.penalties`), D in
        `training` mode on the penalty's own batch (the moving statistics it would
        update are put back); the inner gradient is scaled by D's loss scale."""
        moving = self.trunk.non_trainable_variables + self.d_head.non_trainable_variables
        kept = [tf.identity(variable.value) for variable in moving]

        def critic(images):
            return self.d_head(self.trunk(images, training=training), training=training)

        per_example = penalties.penalty(self.penalty, critic, real, tf.stop_gradient(fake),
                                        self._step_seed(_PENALTY_STREAM),
                                        scale=self.d_optimizer.scale_loss(tf.constant(1.0)))
        for variable, value in zip(moving, kept):
            variable.assign(value)
        return self.gradient_penalty * per_example

    @property
    def moving_statistics(self) -> list:
        """The non-trainable variables of the networks (batch norm moving means and variances).

        Keras 3 creates them with aggregation "none", so under a strategy each replica
        updates its own copy from its own batches; `train_step` sets them to their mean
        over the replicas after every step, which equals updating with the mean of the
        replicas' batch statistics (tf.keras's MEAN aggregation)."""
        return [v for net in (self.generator, self.trunk, self.d_head, self.q_head)
                for v in net.non_trainable_variables]

    def _info_reward_scale(self, d_updates=None) -> tf.Tensor:
        """Multiplier of G's MI reward at this step: info_weight, ramped in linearly
        from 0 between steps info_delay_steps and info_delay_steps + info_ramp_steps.
        The step is D's optimizer's (after this step's D update: `d_updates`)."""
        d_updates = self.d_optimizer.iterations if d_updates is None else d_updates
        step = tf.cast(d_updates, tf.float32) - float(self.info_delay_steps)
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
        d_losses = self.objective.discriminator(real_logits, fake_logits, self.label_smoothing)
        means = {"d_loss": tf.reduce_mean(d_losses), "g_loss": tf.reduce_mean(self.objective.generator(fake_logits)),
                 "info_loss": tf.reduce_mean(info)}
        if self.gradient_penalty:
            means["d_penalty"] = tf.reduce_mean(self._penalty(real, fake, training=False))
        return self._update_metrics(means, bounds, real_logits, fake_logits)

    def _update_metrics(self, means: dict, bounds, real_logits, fake_logits) -> dict:
        """Update the trackers with this replica's batch means (`means` by tracker name,
        the MI bounds, D's outputs on real and fake images); return the running means."""
        updates = dict(means, d_real=tf.reduce_mean(self.objective.d_output(real_logits)),
                       d_fake=tf.reduce_mean(self.objective.d_output(fake_logits)))
        updates.update({f"mi_{name}": tf.reduce_mean(bound)
                        for name, bound in zip(self.latent_spec.names, bounds)})
        for name, value in updates.items():
            self.trackers[name].update_state(value)
        results = {name: tracker.result() for name, tracker in self.trackers.items()}
        if replicas.multi_worker(tf.distribute.get_strategy()):
            # Keras reduces step outputs across workers with strategy.reduce(MEAN, axis=0),
            # which fails on scalars (tensorflow/tensorflow#72388): give them a batch axis.
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results

    def _step_seed(self, stream: int) -> tf.Tensor:
        """Stateless seed [2] unique to (base seed, step, replica, stream): see `step_seed`."""
        replica = tf.distribute.get_replica_context()
        replica_id = replica.replica_id_in_sync_group if replica is not None else 0
        return step_seed(self.seed, self.d_optimizer.iterations, replica_id, stream)

    # ---- serialization ----

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"latent_spec": self.latent_spec.get_config(),
                       "architecture": self.architecture, "seed": self.seed,
                       "joint_batches": self.joint_batches, "info_weight": self.info_weight,
                       "info_delay_steps": self.info_delay_steps, "info_ramp_steps": self.info_ramp_steps,
                       "gan_loss": self.gan_loss, "gradient_penalty": self.gradient_penalty,
                       "penalty": self.penalty, "label_smoothing": self.label_smoothing,
                       "d_steps": self.d_steps, "update": self.update, "probe": self.probe,
                       "consistency": self.consistency, "consistency_vat": self.consistency_vat,
                       "augment_fakes": self.augment_fakes})
        return config

    @classmethod
    def from_config(cls, config: dict) -> "InfoGAN":
        return cls(**config)  # a config saved before a setting existed gets its default


def _images_of(data):
    """Accept `images` or `(images, labels, ...)` batches; labels are ignored."""
    return data[0] if isinstance(data, (tuple, list)) else data

