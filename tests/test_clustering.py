import json

import numpy as np
import pytest

from keras_infogan.evaluation.clustering import (
    ClusteringReport,
    cluster_accuracy,
    clustering_report,
    confusion_matrix,
    match_clusters,
)


def test_confusion_matrix_counts_hand_built_example():
    labels = [0, 1, 1, 2, 2, 2]
    clusters = [1, 1, 0, 0, 2, 2]
    expected = np.array([
        [0, 1, 0, 0],  # label 0: once in cluster 1
        [1, 1, 0, 0],  # label 1: clusters 0 and 1
        [1, 0, 2, 0],  # label 2: cluster 0 once, cluster 2 twice
    ])
    np.testing.assert_array_equal(confusion_matrix(labels, clusters, num_clusters=4), expected)
    np.testing.assert_array_equal(confusion_matrix(labels, clusters), expected[:, :3])
    assert confusion_matrix(labels, clusters, num_classes=5).shape == (5, 3)


def test_perfect_clustering_under_permutation():
    labels = np.tile(np.arange(4), 5)
    permutation = np.array([2, 0, 3, 1])  # label k lands in cluster permutation[k]
    clusters = permutation[labels]
    expected_mapping = {int(permutation[k]): k for k in range(4)}

    assert match_clusters(labels, clusters) == expected_mapping
    assert cluster_accuracy(labels, clusters) == 1.0
    report = clustering_report(labels, clusters)
    assert isinstance(report, ClusteringReport)
    assert report.accuracy == 1.0
    assert report.nmi == pytest.approx(1.0)
    assert report.ari == pytest.approx(1.0)
    assert report.mapping == expected_mapping
    assert report.column_clusters == tuple(int(c) for c in permutation)
    np.testing.assert_array_equal(report.confusion, 5 * np.eye(4, dtype=int))
    assert report.most_confused == []


def test_hand_computed_square_case():
    labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]
    clusters = [1, 1, 0, 0, 0, 2, 2, 2, 2, 1]
    # confusion (rows labels, columns clusters): [[1, 2, 0], [2, 0, 1], [0, 1, 3]].
    # Best one-to-one pairing: c1->0 (2) + c0->1 (2) + c2->2 (3) = 7 of 10, accuracy 0.7.
    assert match_clusters(labels, clusters) == {1: 0, 0: 1, 2: 2}
    assert cluster_accuracy(labels, clusters) == pytest.approx(0.7)
    report = clustering_report(labels, clusters)
    assert report.column_clusters == (1, 0, 2)
    np.testing.assert_array_equal(report.confusion, [[2, 1, 0], [0, 2, 1], [1, 0, 3]])
    # the three errors, one each, tie broken by true label
    assert report.most_confused == [(0, 1, 1), (1, 2, 1), (2, 0, 1)]


def test_rectangular_more_clusters_than_classes():
    labels = [0, 0, 0, 0, 1, 1, 1, 1, 1]
    clusters = [2, 2, 2, 1, 0, 0, 0, 1, 1]
    # confusion: label 0 -> [c0 0, c1 1, c2 3]; label 1 -> [c0 3, c1 2, c2 0].
    # Hungarian pairs c2->0 and c0->1 (3 + 3); c1 is left over and goes to its
    # majority label 1 (2 of its 3). Correct: 3 + 3 + 2 = 8 of 9, accuracy 8/9
    # (a one-to-one-only score would be 6/9).
    assert match_clusters(labels, clusters) == {2: 0, 0: 1, 1: 1}
    assert cluster_accuracy(labels, clusters) == pytest.approx(8 / 9)
    report = clustering_report(labels, clusters)
    assert report.column_clusters == (2, 0, 1)
    np.testing.assert_array_equal(report.confusion, [[3, 0, 1], [0, 3, 2]])
    assert report.most_confused == [(0, 1, 1)]  # the label-0 example in cluster 1


def test_rectangular_fewer_clusters_than_classes():
    labels = [0, 0, 1, 1, 2, 2]
    clusters = [0, 0, 0, 1, 1, 1]
    # confusion: [[2, 0], [1, 1], [0, 2]]; best: c0->0 (2) + c1->2 (2) = 4 of 6.
    assert match_clusters(labels, clusters) == {0: 0, 1: 2}
    assert cluster_accuracy(labels, clusters) == pytest.approx(4 / 6)
    report = clustering_report(labels, clusters)
    assert report.confusion.shape == (3, 2)
    assert report.most_confused == [(1, 0, 1), (1, 2, 1)]


def test_absent_ids_do_not_take_partners():
    # cluster ids 1 and 3 never occur; label 1 never occurs
    labels = [0, 0, 2, 2, 2]
    clusters = [4, 4, 0, 0, 2]
    # pairs c4->0 and c0->2; c2 is left over -> majority label 2. Accuracy 5/5.
    assert match_clusters(labels, clusters) == {4: 0, 0: 2, 2: 2}
    assert cluster_accuracy(labels, clusters) == 1.0
    report = clustering_report(labels, clusters)
    assert report.column_clusters[0] == 4 and report.column_clusters[2] == 0
    assert sorted(report.column_clusters) == [0, 1, 2, 3, 4]
    assert report.confusion.shape == (3, 5)


def test_constant_clusters_score_zero_information():
    labels = [0, 1, 2, 0, 1, 2]
    clusters = [0] * 6
    report = clustering_report(labels, clusters)
    assert report.nmi == pytest.approx(0.0)
    assert report.ari == pytest.approx(0.0)
    assert report.accuracy == pytest.approx(1 / 3)  # one cluster, paired with one label


def test_most_confused_order_and_top_five():
    # 20 correct per label plus errors (true, predicted): (0,1) x6, (1,2) x5,
    # (2,0) x4, (0,2) x3, (2,1) x2, (1,0) x1; the identity pairing stays best.
    errors = {(0, 1): 6, (1, 2): 5, (2, 0): 4, (0, 2): 3, (2, 1): 2, (1, 0): 1}
    labels, clusters = [], []
    for k in range(3):
        labels += [k] * 20
        clusters += [k] * 20
    for (true, predicted), count in errors.items():
        labels += [true] * count
        clusters += [predicted] * count
    report = clustering_report(labels, clusters)
    assert report.mapping == {0: 0, 1: 1, 2: 2}
    assert report.most_confused == [(0, 1, 6), (1, 2, 5), (2, 0, 4), (0, 2, 3), (2, 1, 2)]
    assert report.accuracy == pytest.approx(60 / 81)


def test_report_is_frozen_and_json_ready():
    report = clustering_report([0, 0, 1, 1, 1], [1, 1, 0, 0, 1])
    with pytest.raises(AttributeError):
        report.accuracy = 0.0
    with pytest.raises(ValueError):
        report.confusion[0, 0] = 7
    as_dict = report.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["mapping"] == {"1": 0, "0": 1}
    assert as_dict["accuracy"] == pytest.approx(0.8)
    assert as_dict["confusion"] == [[2, 0], [1, 2]]


def test_accepts_integral_floats():
    assert cluster_accuracy(np.array([0.0, 1.0]), np.array([1, 0], dtype=np.uint8)) == 1.0


@pytest.mark.parametrize(
    "labels, clusters, message",
    [
        ([0, 1, 2], [0, 1], "same length"),
        ([], [], "empty"),
        ([[0, 1]], [[0, 1]], "1-D"),
        ([0, 1.5], [0, 1], "integer-valued"),
        ([0, np.nan], [0, 1], "integer-valued"),
        (["a", "b"], [0, 1], "integer-valued"),
        ([0, -1], [0, 1], "non-negative"),
    ],
)
def test_bad_inputs_raise(labels, clusters, message):
    for function in (confusion_matrix, match_clusters, cluster_accuracy, clustering_report):
        with pytest.raises(ValueError, match=message):
            function(labels, clusters)


def test_confusion_matrix_sizes_too_small_raise():
    with pytest.raises(ValueError, match="num_classes"):
        confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="num_clusters"):
        confusion_matrix([0, 1], [0, 2], num_clusters=2)
