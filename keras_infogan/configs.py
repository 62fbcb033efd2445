"""Training configurations as plain data (`keras_infogan.presets` holds the ones we ship)."""

from __future__ import annotations

import dataclasses

from keras_infogan import restart_criteria
from keras_infogan.code_syntax import parse_codes
from keras_infogan.codes import LatentSpec
from keras_infogan.objectives import augmented_fakes, check_settings
from keras_infogan.objectives import consistency as consistency_term

IMAGE_FITS = ("resize", "crop")  # keras_infogan.sources.convert
LR_SCHEDULES = ("constant", "cosine")
BASELINES = ("none", "probe", "shared-trunk")
STRATEGIES = ("auto", "default", "mirrored", "multiworker", "tpu")  # keras_infogan.distribute.make_strategy


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything `train()` needs; every field is a CLI flag of the same name.

    Data and networks:
        data: the training images: a TFDS name ("mnist", "svhn_cropped", ...), a
            folder of images (subfolder names are labels), or a folder of IDX files
            (see `keras_infogan.data.load_images`).
        data_dir: with a TFDS name: a folder holding that dataset's IDX files (the
            offline path), else TFDS's own data folder; None: TFDS's default.
        architecture: network family of `keras_infogan.nets.ARCHITECTURES`; images
            are converted to its image shape (channels, then `image_fit`).
        image_fit: "resize" (centre-crop to the networks' aspect ratio, then resize)
            or "crop" (centre-crop only; smaller images are an error).
        image_feature, label_feature: TFDS feature names, when the dataset has
            several image or class-label features ("none": no labels).
        train_split: split trained on (TFDS syntax, e.g. "train[:17690]").
        eval_split: labeled split scored after every epoch; "auto": "test" when the
            data has one, else no scoring; None: no scoring.
        exclude_labels: comma-separated classes (ids, or a folder's class names)
            removed from the training and scoring splits, e.g. "7" to train on
            MNIST without sevens for novelty detection (`keras_infogan.anomaly`);
            "": none. Needs labeled data.
        eval_images: epochs before the last are scored on a fixed random sample
            of this many eval_split images, the last epoch on all of them (0:
            all, every epoch); see `keras_infogan.callbacks.ClusteringScores`.
    Latent codes:
        codes: the codes in generator-input order, e.g. "cat10,cont,cont" or
            "cat10:1,cont:0.5" (see `keras_infogan.code_syntax`).
        noise_dim, noise: width and prior ("uniform"/"normal") of z.
        noise_scale: z enters the generator multiplied by this (1: the paper).
        cat_weight, cont_weight: lambda of categorical / continuous codes written
            without their own ":<lambda>".
        learn_stddev: whether Q learns sigma of the continuous codes (else 1).
    Optimisation:
        epochs, batch_size, seed, d_learning_rate, g_learning_rate, beta_1.
            batch_size is the global batch, split across the replicas of a strategy.
        lr_schedule: "constant", or "cosine" (both learning rates decay to 0
            along a cosine over the whole run).
        joint_batches: real and fake images share one batch-norm batch in the trunk.
        info_weight: multiplier of G's MI reward (0: G is not rewarded; Q's loss
            still trains the shared trunk).
        baseline: "none" (InfoGAN), or a GAN baseline, whose G gets no MI reward:
            "probe" (Q learns from stop_gradient of the trunk features, so trunk, D
            and G play a plain GAN and Q only measures how much of c survives in
            G(z, c)) or "shared-trunk" (as info_weight 0: Q's loss still trains the
            trunk, so D's features depend on c). Either sets info_weight to 0;
            "probe" refuses the consistency term.
        restarts, restart_epochs, restart_criterion: with restarts K > 1, train K
            starts of restart_epochs epochs on their own seeds, score them without
            labels, and continue the best to epochs - (K - 1) * restart_epochs
            epochs (at least restart_epochs): the whole run costs `epochs` epochs
            of steps (`keras_infogan.restarts`). restart_criterion "consensus"
            (K >= 3): the start whose categories the others agree with most on
            unlabeled training images; "consistency" (K >= 2, needs the
            consistency term): the start with the lowest consistency KL over its
            last epoch (`keras_infogan.restart_criteria`).
        consistency: weight of Q's augmentation consistency on real images, an
            addition beyond the paper (`keras_infogan.objectives.consistency`): Q's
            categories on a real image should not change when it is slightly
            rotated, shifted, scaled or its strokes thickened. 0: off, as in the
            paper (this default and every preset but MNIST's). The MNIST preset uses
            1: it raised held-out accuracy on all six seeds compared with and without
            it (docs/mnist_experiments.md). `preset_config` sets it to 0 for the probe
            baseline, which refuses it.
        consistency_vat: with the consistency term, also move each augmented image
            by this L2 length (pixel units of [-1, 1]) in the direction Q's categories
            are most sensitive to (virtual adversarial training, as in IMSAT; one
            more trunk pass forward and backward per step). 0: off (the default).
        augment_fakes: Q reads the categorical codes from slightly rotated, shifted,
            zoomed and restroked fakes, in the D/Q loss and in G's MI reward alike
            (`keras_infogan.objectives.augmented_fakes`; beyond the paper; one more
            trunk pass forward and backward per step). Off (the default and every
            preset); refused with the probe baseline and without a categorical code.
        info_delay_epochs, info_ramp_epochs: G's MI reward is off for the first
            info_delay_epochs, then ramps linearly to info_weight over info_ramp_epochs.
    Adversarial game (`keras_infogan.objectives`, docs/objectives.md; the information
    term is the same in every game):
        gan_loss: "non_saturating", "minimax", "maximum_likelihood", "hinge",
            "least_squares" or "wasserstein_gp".
        gradient_penalty, penalty: weight (0: none) and kind of a penalty on D's
            input gradient: "r1" (gamma/2 E||grad D(x)||^2 on real images) or
            "wgan_gp" (lambda E(||grad D(x_hat)|| - 1)^2 on interpolates);
            wasserstein_gp requires "wgan_gp" with a weight > 0 (WGAN-GP: 10).
        label_smoothing: D's target for real images (one-sided; 1: none), for the
            losses with such a target (not hinge or wasserstein_gp).
        d_steps: D/Q steps, one batch each, per G step.
        update: "same_minibatch" (both players' gradients from one generator pass;
            the default: on MNIST, over six seeds, it lost no held-out accuracy and
            runs 1.19x faster, docs/mnist_experiments.md) or "alternating" (G steps
            on fresh noise after D's update).
    Output:
        tensorboard: also write TensorBoard logs (the epoch's losses, MI bounds and
            scores, and the traversal picture) to <workdir>/tensorboard/.
        checkpoint_every_steps: also checkpoint every this many global steps (0:
            only at the end of every epoch). May change when a run is resumed.
        keep_checkpoints: how many of the newest checkpoints to keep (at least 1).
            May change when a run is resumed.
    Devices and speed (none of these changes the training algorithm):
        strategy: tf.distribute strategy, "auto" (MirroredStrategy on 2+ GPUs, else
            one device), "default", "mirrored", "multiworker" (cluster from TF_CONFIG;
            only the chief writes the run folder) or "tpu"; see `keras_infogan.distribute`.
        mixed_precision: compute in float16 ("mixed_float16" policy; variables,
            heads and the generator output stay float32) with dynamic loss scaling.
        jit_compile: compile the train step with XLA (True; one replica only), not
            (False), or "auto": time a few steps both ways at start-up and keep the
            faster (`keras_infogan.xla_choice`; runs under 1,000 steps and
            multi-replica strategies train without XLA, unmeasured).
        deterministic_data: the input pipeline yields batches in a fixed order
            (tf.data `deterministic`), so the seed fixes the data order; False lets
            parallel batch preprocessing finish out of order.
    """

    data: str = "mnist"
    data_dir: str | None = None
    architecture: str = "mnist"
    image_fit: str = "resize"
    image_feature: str | None = None
    label_feature: str | None = None
    train_split: str = "train"
    eval_split: str | None = "auto"
    exclude_labels: str = ""
    eval_images: int = 2000
    codes: str = "cat10,cont,cont"
    noise_dim: int = 62
    noise: str = "uniform"
    noise_scale: float = 1.0
    cat_weight: float = 1.0
    cont_weight: float = 0.2
    learn_stddev: bool = False
    epochs: int = 50
    batch_size: int = 128
    seed: int = 0
    d_learning_rate: float = 2e-4
    g_learning_rate: float = 1e-3
    beta_1: float = 0.5
    lr_schedule: str = "constant"
    jit_compile: bool | str = "auto"
    joint_batches: bool = False
    info_weight: float = 1.0
    baseline: str = "none"
    consistency: float = 0.0
    consistency_vat: float = 0.0
    augment_fakes: bool = False
    restarts: int = 1
    restart_epochs: int = 3
    restart_criterion: str = "consensus"
    info_delay_epochs: float = 0.0
    info_ramp_epochs: float = 0.0
    gan_loss: str = "non_saturating"
    gradient_penalty: float = 0.0
    penalty: str = "r1"
    label_smoothing: float = 1.0
    d_steps: int = 1
    update: str = "same_minibatch"
    tensorboard: bool = False
    checkpoint_every_steps: int = 0
    keep_checkpoints: int = 2
    strategy: str = "auto"
    mixed_precision: bool = False
    deterministic_data: bool = True

    def __post_init__(self):
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.restarts < 1 or self.restart_epochs < 1:
            raise ValueError(f"restarts must be 1 (none) or more and restart_epochs at least 1, got {self.restarts} "
                             f"and {self.restart_epochs}")
        restart_criteria.check_settings(self.restart_criterion, self.restarts, self.consistency)
        if self.restarts > 1 and self.epochs - (self.restarts - 1) * self.restart_epochs < self.restart_epochs:
            raise ValueError(f"{self.restarts} restarts of {self.restart_epochs} epochs leave the continued start "
                             f"{self.epochs - (self.restarts - 1) * self.restart_epochs} of the {self.epochs} epochs; "
                             f"it needs at least {self.restart_epochs}: raise epochs, or lower restarts "
                             f"(--restarts 1: a single run)")
        if self.restarts > 1 and self.strategy == "multiworker":
            raise ValueError("restarts are not supported with the multiworker strategy")
        consistency_term.check_settings(self.consistency, self.consistency_vat)
        if self.baseline == "probe" and self.consistency:
            raise ValueError(f"the probe baseline's trunk learns nothing from Q, so it trains without the consistency "
                             f"term; consistency={self.consistency} contradicts it (leave --consistency out)")
        if self.eval_images < 0:
            raise ValueError(f"eval_images must be >= 0 (0: all), got {self.eval_images}")
        if self.checkpoint_every_steps < 0:
            raise ValueError(f"checkpoint_every_steps must be >= 0, got {self.checkpoint_every_steps}")
        if self.keep_checkpoints < 1:
            raise ValueError(f"keep_checkpoints must be at least 1, got {self.keep_checkpoints}")
        for name in ("d_learning_rate", "g_learning_rate"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {self.lr_schedule!r}")
        if self.baseline not in BASELINES:
            raise ValueError(f"baseline must be one of {BASELINES}, got {self.baseline!r}")
        if self.baseline != "none" and self.info_weight not in (0.0, 1.0):
            raise ValueError(f"baseline {self.baseline!r} gives G no MI reward; info_weight={self.info_weight} "
                             f"contradicts it (leave info_weight out)")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        if not 0 <= self.beta_1 < 1:
            raise ValueError(f"beta_1 must be in [0, 1), got {self.beta_1}")
        if self.jit_compile not in (True, False, "auto") or not isinstance(self.jit_compile, (bool, str)):
            raise ValueError(f"jit_compile must be True, False or 'auto', got {self.jit_compile!r}")
        if self.image_fit not in IMAGE_FITS:
            raise ValueError(f"image_fit must be one of {IMAGE_FITS}, got {self.image_fit!r}")
        from keras_infogan.nets import ARCHITECTURES  # here: the networks import Keras

        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.architecture!r}; known: {sorted(ARCHITECTURES)}")
        check_settings(self.gan_loss, self.gradient_penalty, self.penalty, self.label_smoothing, self.d_steps,
                       self.update)
        self.excluded_labels()
        spec = self.latent_spec()  # a bad code list or noise setting fails here, naming the problem
        augmented_fakes.check_settings(self.augment_fakes, spec, self.baseline == "probe")

    def excluded_labels(self) -> tuple[str, ...]:
        """The entries of `exclude_labels` (ids or class names), in order."""
        entries = tuple(entry.strip() for entry in self.exclude_labels.split(",")) if self.exclude_labels else ()
        if any(not entry for entry in entries) or len(set(entries)) != len(entries):
            raise ValueError(f"exclude_labels must be distinct comma-separated class ids or names, "
                             f"e.g. '7' or '3,8', got {self.exclude_labels!r}")
        return entries

    def g_info_weight(self) -> float:
        """The multiplier of G's MI reward this config trains with (0 for a baseline)."""
        return 0.0 if self.baseline != "none" else self.info_weight

    def latent_spec(self) -> LatentSpec:
        """The noise and latent codes these settings describe."""
        return LatentSpec(noise_dim=self.noise_dim, noise=self.noise, noise_scale=self.noise_scale,
                          codes=parse_codes(self.codes, self.cat_weight, self.cont_weight, self.learn_stddev))

    def image_shape(self) -> tuple:
        """(H, W, C) of the images the networks take and make."""
        from keras_infogan.nets import image_shape

        return image_shape(self.architecture)
