"""The InfoGAN paper's CelebA networks (Chen et al. 2016, Appendix C, Table 3).

Table 3 is Table 2 (SVHN) row for row, so this module re-exports
`keras_infogan.nets.svhn`'s builders:

Generator  G: z,c [n, input_dim] -> FC 2x2x448 BN ReLU
              -> 4x4 up-conv 256 stride 2 BN ReLU -> 4x4 up-conv 128 stride 2 ReLU
              -> 4x4 up-conv 64 stride 2 ReLU -> 4x4 up-conv 3 stride 2, tanh
              -> images [n, 32, 32, 3] in [-1, 1].
D trunk     : images [n, 32, 32, 3] -> 4x4 conv 64 stride 2 LeakyReLU(0.1)
              -> 4x4 conv 128 stride 2 BN LeakyReLU -> 4x4 conv 256 stride 2 BN LeakyReLU
              -> flatten -> features [n, 4096] (shared by D and Q).
D head      : features [n, 4096] -> FC 1 -> real/fake logit [n, 1].
Q head      : features [n, 4096] -> FC 128 BN LeakyReLU -> FC num_params [n, num_params].

Only G's input width differs: paragraph C.3 uses 10 ten-way categorical codes
and 128 noise variables (input_dim 228). Table 3's caption in the paper says
"SVHN dataset", a slip: its input is R^228 and paragraph C.3 points to it for
CelebA. The choices and literal readings of `keras_infogan.nets.svhn` apply
(no batch norm on the 128- and 64-channel up-convs, no FC layer in D).
"""

from __future__ import annotations

from keras_infogan.nets.svhn import (FEATURE_DIM, IMAGE_SHAPE, build_d_head, build_generator,
                                     build_q_head, build_trunk)

__all__ = ["FEATURE_DIM", "IMAGE_SHAPE", "build_d_head", "build_generator", "build_q_head",
           "build_trunk"]
