"""Anomaly and novelty scoring with a trained InfoGAN: which inputs don't fit.

Four signals, higher = more anomalous (`signals.py` is the registry, one module each):

* discriminator: -D(x), how little D believes x is real;
* q_entropy: the entropy of Q(c|x) over the categorical codes, how unsure Q is
  which category x belongs to;
* kmeans_distance: distance of x's shared-trunk features to the nearest
  k-means++ centre of the training images' features;
* feature_gaussian: Mahalanobis distance of x's features under a Gaussian fitted
  to the training features;

and "anomaly", their average after standardising each on the training images (no
anomaly labels are used anywhere).

    from keras_infogan.anomaly import fit_scorer
    scorer = fit_scorer(model, train_images)      # uint8 [n, H, W, C]
    scores = scorer.score(images)                 # {"discriminator": [m], ..., "anomaly": [m]}
    scorer.save(run / SCORER_FILE)                # `export` then adds a `score` signature

From the shell: `python -m keras_infogan score RUN --data SOURCE --out scores.csv`.
`baselines` holds pixel-space baselines and `ood` out-of-distribution test images.
"""

from keras_infogan.anomaly.scorer import COMBINED, SCORER_FILE, AnomalyScorer, fit_scorer, load_scorer
from keras_infogan.anomaly.signals import SIGNAL_NAMES, get_signal

__all__ = ["COMBINED", "SCORER_FILE", "SIGNAL_NAMES", "AnomalyScorer", "fit_scorer", "get_signal", "load_scorer"]
