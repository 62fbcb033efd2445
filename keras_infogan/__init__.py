"""keras-infogan: InfoGAN (Chen et al. 2016) for Keras 3 and TensorFlow 2."""

from keras_infogan.codes import Categorical, LatentSpec, Uniform, mnist_spec
from keras_infogan.configs import TrainConfig
from keras_infogan.data import load_arrays, load_dataset, load_images, scale_images, unscale_images
from keras_infogan.model import InfoGAN
from keras_infogan.presets import PRESETS, preset_config
from keras_infogan.sources import ImageData
from keras_infogan.train import build_model, train

__all__ = [
    "Categorical", "ImageData", "InfoGAN", "LatentSpec", "PRESETS", "TrainConfig", "Uniform", "build_model",
    "load_arrays", "load_dataset", "load_images", "mnist_spec", "preset_config", "scale_images", "train",
    "unscale_images",
]
__version__ = "0.1.0"
