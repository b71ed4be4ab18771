"""Hand-worked cases for awslabs.local.classification_metrics, then agreement with scikit-learn."""
from __future__ import annotations

import random

import pytest

from awslabs.local import classification_metrics as cm


def test_counts_precision_recall_specificity_f1_by_hand():
    # truth:      1  1  1  1  0  0  0  0  0  0
    # prediction: 1  1  1  0  1  0  0  0  0  0   -> TP 3, FN 1, FP 1, TN 5
    y_true = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    c = cm.confusion_counts(y_true, y_pred)
    assert (c.tp, c.fp, c.tn, c.fn) == (3, 1, 5, 1)
    assert c.matrix() == [[5, 1], [1, 3]]
    assert cm.precision(c) == pytest.approx(3 / 4)
    assert cm.recall(c) == pytest.approx(3 / 4)
    assert cm.specificity(c) == pytest.approx(5 / 6)
    assert cm.f1(c) == pytest.approx(0.75)
    assert cm.accuracy(c) == pytest.approx(0.8)


def test_zero_denominators_give_zero_like_sklearn_zero_division_0():
    c = cm.confusion_counts([0, 0, 1], [0, 0, 0])  # nothing predicted positive
    assert cm.precision(c) == 0.0 and cm.f1(c) == 0.0 and cm.recall(c) == 0.0


def test_labels_must_be_binary():
    with pytest.raises(ValueError):
        cm.confusion_counts([0, 2], [0, 1])


def test_threshold_is_inclusive():
    assert cm.predict_at([0.2, 0.5, 0.7], 0.5) == [0, 1, 1]


def test_roc_auc_and_average_precision_of_the_sklearn_docs_example():
    # roc_auc_score / average_precision_score docs: y=[0,0,1,1], scores=[0.1,0.4,0.35,0.8]
    y, s = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    assert cm.roc_auc(y, s) == pytest.approx(0.75)
    # thresholds 0.8: P=1, R=.5 ; 0.4: P=.5, R=.5 ; 0.35: P=2/3, R=1 ; 0.1: P=.5, R=1
    # AP = .5*1 + 0*.5 + .5*(2/3) + 0 = 0.8333
    assert cm.average_precision(y, s) == pytest.approx(0.5 + 0.5 * 2 / 3)


def test_tied_scores_form_one_step():
    assert cm.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.5)
    fpr, tpr, thresholds = cm.roc_curve([0, 1], [0.3, 0.3])
    assert list(fpr) == [0.0, 1.0] and list(tpr) == [0.0, 1.0]


def test_perfect_ranking():
    assert cm.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert cm.average_precision([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0


def test_roc_needs_both_classes():
    with pytest.raises(ValueError):
        cm.roc_auc([1, 1], [0.2, 0.3])


def test_threshold_table_rows_and_monotone_recall():
    y, s = [0, 0, 1, 1, 1, 0], [0.1, 0.6, 0.55, 0.9, 0.3, 0.2]
    rows = cm.threshold_table(y, s, [0.0, 0.5, 1.0])
    assert [r.tp + r.fn for r in rows] == [3, 3, 3]
    assert [r.recall for r in rows] == [1.0, pytest.approx(2 / 3), 0.0]
    assert rows[0].precision == 0.5  # everything positive: precision = base rate


def test_agrees_with_sklearn_on_random_data():
    from sklearn import metrics

    rng = random.Random(3)
    y = [rng.randint(0, 1) for _ in range(300)]
    s = [round(rng.random() * 0.6 + 0.4 * t, 3) for t in y]  # rounded: many ties
    pred = cm.predict_at(s, 0.5)
    summary = cm.summary(y, s)
    assert summary["confusion_matrix"] == metrics.confusion_matrix(y, pred).tolist()
    assert summary["precision"] == pytest.approx(metrics.precision_score(y, pred))
    assert summary["recall"] == pytest.approx(metrics.recall_score(y, pred))
    assert summary["specificity"] == pytest.approx(metrics.recall_score(y, pred, pos_label=0))
    assert summary["f1"] == pytest.approx(metrics.f1_score(y, pred))
    assert summary["roc_auc"] == pytest.approx(metrics.roc_auc_score(y, s))
    assert summary["pr_auc"] == pytest.approx(metrics.average_precision_score(y, s))
