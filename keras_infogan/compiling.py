"""compile() of `InfoGAN`, as a mixin: its two optimizers, loss scaling and strategy checks.

It needs from the model: the networks `generator`, `trunk`, `d_head` and `q_head`,
and Keras's `_distribute_strategy` (the strategy the model was created under).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_infogan import replicas


class CompileMixin:
    """compile, compile_from_config, get_compile_config, d_variables, mixed_float16."""

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
        if kwargs.get("jit_compile") is True and replicas.multi_replica(strategy):
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
                replicas.check_optimizer_strategy(name, optimizer, strategy)
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

    def get_compile_config(self) -> dict | None:
        if not self.compiled:
            return None
        return {"d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
                "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer)}

    def compile_from_config(self, config: dict) -> None:
        self.compile(d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
                     g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]))

