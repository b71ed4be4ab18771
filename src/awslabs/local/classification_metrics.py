"""Binary-classification metrics written out by hand, so a learner can read every formula.

The classification-metrics lab computes each number with these functions and cross-checks it
against scikit-learn. Only numpy is used (imported inside the functions), so importing this module
costs nothing.

Definitions follow the AWS Machine Learning Specialty material and the SageMaker Autopilot metrics
page (https://docs.aws.amazon.com/sagemaker/latest/dg/autopilot-metrics-validation.html):

- precision   = TP / (TP + FP)     "of what we flagged, how much was right"
- recall      = TP / (TP + FN)     sensitivity, true-positive rate
- specificity = TN / (TN + FP)     true-negative rate (1 - false-positive rate)
- F1          = 2 * precision * recall / (precision + recall)
- ROC AUC     area under (FPR, TPR) as the threshold sweeps all scores (trapezoids)
- PR AUC      average precision: sum over thresholds of (R_n - R_{n-1}) * P_n, the step-wise
  area scikit-learn's ``average_precision_score`` uses (no optimistic interpolation).

A ratio whose denominator is zero is reported as 0.0 (scikit-learn's ``zero_division=0``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence


@dataclass(frozen=True)
class Counts:
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    def matrix(self) -> list[list[int]]:
        """scikit-learn's layout for labels [0, 1]: rows are the truth, columns the prediction."""
        return [[self.tn, self.fp], [self.fn, self.tp]]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def confusion_counts(y_true: Sequence[int], y_pred: Sequence[int]) -> Counts:
    """Count TP/FP/TN/FN for labels in {0, 1} (1 is the positive class)."""
    tp = fp = tn = fn = 0
    for truth, pred in zip(y_true, y_pred, strict=True):
        if truth not in (0, 1) or pred not in (0, 1):
            raise ValueError(f"labels must be 0 or 1, got truth={truth!r} pred={pred!r}")
        if pred == 1:
            tp, fp = (tp + 1, fp) if truth == 1 else (tp, fp + 1)
        else:
            tn, fn = (tn + 1, fn) if truth == 0 else (tn, fn + 1)
    return Counts(tp, fp, tn, fn)


def precision(c: Counts) -> float:
    return _ratio(c.tp, c.tp + c.fp)


def recall(c: Counts) -> float:
    return _ratio(c.tp, c.tp + c.fn)


def specificity(c: Counts) -> float:
    return _ratio(c.tn, c.tn + c.fp)


def accuracy(c: Counts) -> float:
    return _ratio(c.tp + c.tn, c.total)


def f1(c: Counts) -> float:
    p, r = precision(c), recall(c)
    return _ratio(2 * p * r, p + r)


def predict_at(scores: Sequence[float], threshold: float) -> list[int]:
    """A score at or above the threshold is predicted positive (the usual ``>=`` convention)."""
    return [1 if s >= threshold else 0 for s in scores]


def _sorted_by_score(y_true, scores):
    import numpy as np

    y = np.asarray(y_true, dtype=int)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape:
        raise ValueError("y_true and scores must have the same length")
    order = np.argsort(-s, kind="mergesort")
    return y[order], s[order]


def _cumulative_at_distinct_scores(y_true, scores):
    """TP and FP counts when the threshold is set at each distinct score, highest first.

    Tied scores are taken together: a threshold cannot separate them."""
    import numpy as np

    y, s = _sorted_by_score(y_true, scores)
    last_of_run = np.r_[np.where(np.diff(s))[0], len(s) - 1]
    tps = np.cumsum(y)[last_of_run]
    fps = (last_of_run + 1) - tps
    return tps, fps, s[last_of_run]


def roc_curve(y_true: Sequence[int], scores: Sequence[float]):
    """(fpr, tpr, thresholds), starting at (0, 0) with threshold +inf."""
    import numpy as np

    tps, fps, thresholds = _cumulative_at_distinct_scores(y_true, scores)
    positives, negatives = tps[-1], fps[-1]
    if positives == 0 or negatives == 0:
        raise ValueError("ROC needs both classes in y_true")
    tpr = np.r_[0.0, tps / positives]
    fpr = np.r_[0.0, fps / negatives]
    return fpr, tpr, np.r_[np.inf, thresholds]


def roc_auc(y_true: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the ROC curve by the trapezoid rule (ties give a diagonal segment)."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    area = 0.0
    for i in range(1, len(fpr)):
        area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2.0
    return float(area)


def pr_curve(y_true: Sequence[int], scores: Sequence[float]):
    """(precision, recall, thresholds) at each distinct score, highest threshold first."""
    tps, fps, thresholds = _cumulative_at_distinct_scores(y_true, scores)
    positives = tps[-1]
    if positives == 0:
        raise ValueError("a precision-recall curve needs at least one positive")
    prec = tps / (tps + fps)
    rec = tps / positives
    return prec, rec, thresholds


def average_precision(y_true: Sequence[int], scores: Sequence[float]) -> float:
    """PR AUC as average precision: sum of (R_n - R_{n-1}) * P_n, with R_0 = 0."""
    prec, rec, _ = pr_curve(y_true, scores)
    area, previous_recall = 0.0, 0.0
    for p, r in zip(prec, rec):
        area += (r - previous_recall) * p
        previous_recall = r
    return float(area)


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int
    precision: float
    recall: float
    specificity: float
    f1: float

    def to_dict(self) -> dict:
        return asdict(self)


def threshold_table(y_true: Sequence[int], scores: Sequence[float], thresholds: Sequence[float]) -> list[ThresholdRow]:
    """One row per threshold: how moving the cut-off trades precision against recall."""
    rows = []
    for t in thresholds:
        c = confusion_counts(y_true, predict_at(scores, t))
        rows.append(ThresholdRow(float(t), c.tp, c.fp, c.tn, c.fn, precision(c), recall(c), specificity(c), f1(c)))
    return rows


def summary(y_true: Sequence[int], scores: Sequence[float], threshold: float = 0.5) -> dict:
    """Every metric of the lab in one dict (JSON-ready)."""
    c = confusion_counts(y_true, predict_at(scores, threshold))
    return {
        "threshold": threshold,
        "confusion_matrix": c.matrix(),
        "tp": c.tp,
        "fp": c.fp,
        "tn": c.tn,
        "fn": c.fn,
        "accuracy": accuracy(c),
        "precision": precision(c),
        "recall": recall(c),
        "specificity": specificity(c),
        "f1": f1(c),
        "roc_auc": roc_auc(y_true, scores),
        "pr_auc": average_precision(y_true, scores),
    }
