"""Evaluation of trained InfoGANs: what the codes learned, how good the samples are.

    from keras_infogan.evaluation import EvalData, evaluate_run
    report = evaluate_run("runs/mnist", EvalData.load("mnist", data_dir), baseline="runs/baseline")

Modules (each usable on its own): clustering (Hungarian accuracy, NMI, ARI),
categorical (argmax Q(c|x) clusters), features + kmeans (k-means++ on D features),
few_label (linear classifiers on frozen features), code_recovery (L_I, H(c), R^2),
sample_scores (classifier score, Fréchet distance, class shares, purity), judge (a cached
MNIST classifier and the sample-quality report it gives), information
(entropy, conditional entropy, mutual information of discrete tables), plots, report.
"""

from keras_infogan.evaluation.categorical import categorical_reports
from keras_infogan.evaluation.clustering import clustering_report
from keras_infogan.evaluation.code_recovery import information_estimates
from keras_infogan.evaluation.features import discriminator_features
from keras_infogan.evaluation.few_label import few_label_accuracy
from keras_infogan.evaluation.information import (conditional_entropy, entropy, joint_table,
                                                  mutual_information)
from keras_infogan.evaluation.judge import load_or_train_judge, sample_quality
from keras_infogan.evaluation.kmeans import kmeans_report
from keras_infogan.evaluation.report import EvalData, EvalSettings, evaluate_model, evaluate_run
from keras_infogan.evaluation.sample_scores import classifier_score, frechet_distance

__all__ = ["EvalData", "EvalSettings", "categorical_reports", "classifier_score", "clustering_report",
           "conditional_entropy", "discriminator_features", "entropy", "evaluate_model", "evaluate_run",
           "few_label_accuracy", "frechet_distance", "information_estimates", "joint_table", "kmeans_report",
           "load_or_train_judge", "mutual_information", "sample_quality"]
