"""Classification metrics, computed by hand and cross-checked against scikit-learn.

The data flow is real: the classifier's test-set scores go to S3, and every later step reads them
back from S3, computes its metrics with ``awslabs.local.classification_metrics`` and writes the
result (JSON, CSV, PNG) back to S3. Checks read those objects and recompute the same number with
scikit-learn.
"""
from __future__ import annotations

import csv
import functools
import io
import json

from awslabs.lab import equal, expect
from awslabs.local import classification_metrics as cm
from awslabs.local import figures

THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]  # 0.05 .. 0.95
# Metrics match scikit-learn to 6 decimals: a file rounded to 6 places (as thresholds.csv is) says
# the same number; a formula that differs does so far above this.
TOLERANCE = 5e-7


def _bucket(ctx):
    return ctx.name("metrics")


@functools.lru_cache(maxsize=1)
def _scores() -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Logistic regression on the Wisconsin breast-cancer data shipped with scikit-learn.
    Positive class (1) = malignant, so recall is "share of cancers caught"."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y  # scikit-learn codes malignant as 0; make it the positive class
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=7)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
    model.fit(X_train, y_train)
    scores = model.predict_proba(X_test)[:, 1]
    return tuple(int(v) for v in y_test), tuple(round(float(s), 6) for s in scores)


def _put(ctx, key: str, body, content_type: str = "application/json") -> None:
    data = body if isinstance(body, bytes) else body.encode()
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=data, ContentType=content_type)


def _get(ctx, key: str) -> bytes:
    return ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read()


def _predictions(ctx) -> tuple[list[int], list[float]]:
    return _parse(_get(ctx, "predictions/test.csv"))


def _parse(data: bytes) -> tuple[list[int], list[float]]:
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    return [int(r["y_true"]) for r in rows], [float(r["score"]) for r in rows]


def _publish(ctx, name: str, data: bytes) -> None:
    figures.keep_and_upload(ctx, _bucket(ctx), f"plots/{name}", data)


# -- 1 ------------------------------------------------------------------------------------------


def apply_train_and_predict(ctx):
    ctx.create_bucket(_bucket(ctx))
    y_true, scores = _scores()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["y_true", "score"])
    writer.writerows(zip(y_true, scores))
    _put(ctx, "predictions/test.csv", out.getvalue(), "text/csv")


def check_train_and_predict(ctx):
    y_true, scores = _predictions(ctx)
    yield equal("predictions.csv in S3 holds the 171 test rows", len(y_true), 171)
    yield expect(
        "every score is a probability in [0, 1]",
        all(0.0 <= s <= 1.0 for s in scores),
        f"min {min(scores):.4f}, max {max(scores):.4f}",
    )
    yield expect("the scores are probabilities (predict_proba), not 0/1 labels (predict)", len(set(scores)) > 2,
                 f"{len(set(scores))} distinct score(s)")
    acc = cm.accuracy(cm.confusion_counts(y_true, cm.predict_at(scores, 0.5)))
    yield expect("the classifier is useful: accuracy at 0.5 is above 0.9", acc > 0.9,
                 f"accuracy {acc:.3f}" + (" — is score the probability of the benign class? it must be the malignant"
                                          " (positive, y_true = 1) one" if acc < 0.5 else ""), "local")


# -- 2 ------------------------------------------------------------------------------------------


def apply_confusion_matrix(ctx):
    y_true, scores = _predictions(ctx)
    counts = cm.confusion_counts(y_true, cm.predict_at(scores, 0.5))
    _put(ctx, "metrics/confusion.json", json.dumps({"threshold": 0.5, **counts.__dict__, "matrix": counts.matrix()}))
    _publish(ctx, "confusion-matrix.png", _draw_confusion(tuple(map(tuple, counts.matrix()))))


@functools.lru_cache(maxsize=2)  # drawing is the slow part: same numbers, same picture
def _draw_confusion(matrix_rows) -> bytes:
    import numpy as np

    fig, ax = figures.new_figure(4.8, 4.2)
    matrix = np.array(matrix_rows)
    ax.imshow(matrix, cmap="Blues")
    names = [["TN", "FP"], ["FN", "TP"]]
    for i in range(2):
        for j in range(2):
            color = "white" if matrix[i, j] > matrix.max() / 2 else "black"
            ax.text(j, i, f"{names[i][j]}\n{matrix[i, j]}", ha="center", va="center", color=color, fontsize=13)
    ax.set_xticks([0, 1], ["predicted benign (0)", "predicted malignant (1)"])
    ax.set_yticks([0, 1], ["actual benign (0)", "actual malignant (1)"])
    ax.set_title("Confusion matrix at threshold 0.5")
    return figures.png_bytes(fig)


def check_confusion_matrix(ctx):
    from sklearn.metrics import confusion_matrix

    ours = json.loads(_get(ctx, "metrics/confusion.json"))
    y_true, scores = _predictions(ctx)
    theirs = confusion_matrix(y_true, cm.predict_at(scores, 0.5), labels=[0, 1]).tolist()
    yield equal("our [[TN, FP], [FN, TP]] equals sklearn.metrics.confusion_matrix", ours["matrix"], theirs, "local")
    yield equal("the four cells add up to the 171 test rows", ours["tp"] + ours["fp"] + ours["tn"] + ours["fn"], 171, "local")
    yield figures.check_png_in_s3(ctx, _bucket(ctx), "plots/confusion-matrix.png")


# -- 3 ------------------------------------------------------------------------------------------


def apply_precision_recall(ctx):
    y_true, scores = _predictions(ctx)
    counts = cm.confusion_counts(y_true, cm.predict_at(scores, 0.5))
    metrics = {
        "threshold": 0.5,
        "accuracy": cm.accuracy(counts),
        "precision": cm.precision(counts),
        "recall": cm.recall(counts),
        "specificity": cm.specificity(counts),
        "f1": cm.f1(counts),
    }
    _put(ctx, "metrics/metrics.json", json.dumps(metrics, indent=2))


def check_precision_recall(ctx):
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    ours = json.loads(_get(ctx, "metrics/metrics.json"))
    y_true, scores = _predictions(ctx)
    y_pred = cm.predict_at(scores, 0.5)
    reference = {
        "precision": precision_score(y_true, y_pred),
        "recall": recall_score(y_true, y_pred),
        "specificity": recall_score(y_true, y_pred, pos_label=0),  # recall of the negative class
        "f1": f1_score(y_true, y_pred),
        "accuracy": accuracy_score(y_true, y_pred),
    }
    formulas = {
        "precision": "TP/(TP+FP)",
        "recall": "TP/(TP+FN)",
        "specificity": "TN/(TN+FP)",
        "f1": "2PR/(P+R)",
        "accuracy": "(TP+TN)/N",
    }
    for name, value in reference.items():
        yield expect(
            f"{name} {formulas[name]} matches scikit-learn",
            abs(ours[name] - value) < TOLERANCE,
            f"ours {ours[name]:.4f}, sklearn {value:.4f}",
            "local",
        )


# -- 4 ------------------------------------------------------------------------------------------


def apply_roc_pr_curves(ctx):
    data = _get(ctx, "predictions/test.csv")
    y_true, scores = _parse(data)
    result = {"roc_auc": cm.roc_auc(y_true, scores), "pr_auc": cm.average_precision(y_true, scores)}
    _put(ctx, "metrics/auc.json", json.dumps(result, indent=2))
    _publish(ctx, "roc-pr-curves.png", _draw_curves(data))


@functools.lru_cache(maxsize=2)
def _draw_curves(data: bytes) -> bytes:
    y_true, scores = _parse(data)
    fpr, tpr, _ = cm.roc_curve(y_true, scores)
    prec, rec, _ = cm.pr_curve(y_true, scores)
    result = {"roc_auc": cm.roc_auc(y_true, scores), "pr_auc": cm.average_precision(y_true, scores)}
    fig, (left, right) = figures.new_figure(10, 4.4, ncols=2)
    left.plot(fpr, tpr, lw=2, label=f"ROC AUC = {result['roc_auc']:.3f}")
    left.plot([0, 1], [0, 1], "--", color="grey", label="random guess (0.5)")
    left.set(xlabel="false-positive rate (1 - specificity)", ylabel="true-positive rate (recall)", title="ROC curve")
    left.legend(loc="lower right")
    positives = sum(y_true) / len(y_true)
    right.step(rec, prec, where="post", lw=2, label=f"PR AUC (AP) = {result['pr_auc']:.3f}")
    right.axhline(positives, ls="--", color="grey", label=f"random guess ({positives:.2f})")
    right.set(xlabel="recall", ylabel="precision", title="Precision-recall curve", ylim=(0, 1.05))
    right.legend(loc="lower left")
    return figures.png_bytes(fig)


def check_roc_pr_curves(ctx):
    from sklearn.metrics import average_precision_score, roc_auc_score

    ours = json.loads(_get(ctx, "metrics/auc.json"))
    y_true, scores = _predictions(ctx)
    roc, ap = roc_auc_score(y_true, scores), average_precision_score(y_true, scores)
    yield expect("ROC AUC (trapezoids) matches sklearn.metrics.roc_auc_score", abs(ours["roc_auc"] - roc) < TOLERANCE,
                 f"ours {ours['roc_auc']:.5f}, sklearn {roc:.5f}", "local")
    yield expect("PR AUC (average precision) matches sklearn.metrics.average_precision_score",
                 abs(ours["pr_auc"] - ap) < TOLERANCE, f"ours {ours['pr_auc']:.5f}, sklearn {ap:.5f}", "local")
    yield figures.check_png_in_s3(ctx, _bucket(ctx), "plots/roc-pr-curves.png")


# -- 5 ------------------------------------------------------------------------------------------


def apply_threshold_tradeoff(ctx):
    y_true, scores = _predictions(ctx)
    rows = cm.threshold_table(y_true, scores, THRESHOLDS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0].to_dict()))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.to_dict().items()})
    _put(ctx, "metrics/thresholds.csv", out.getvalue(), "text/csv")
    _publish(ctx, "threshold-tradeoff.png", _draw_tradeoff(tuple(rows)))


@functools.lru_cache(maxsize=2)
def _draw_tradeoff(rows) -> bytes:
    fig, ax = figures.new_figure(7.5, 4.8)
    ax.plot(THRESHOLDS, [r.precision for r in rows], "o-", label="precision TP/(TP+FP)")
    ax.plot(THRESHOLDS, [r.recall for r in rows], "s-", label="recall TP/(TP+FN)")
    ax.plot(THRESHOLDS, [r.specificity for r in rows], "^-", alpha=0.6, label="specificity TN/(TN+FP)")
    ax.plot(THRESHOLDS, [r.f1 for r in rows], "d--", alpha=0.6, label="F1")
    ax.axvline(0.5, color="grey", ls=":")
    ax.set(xlabel="decision threshold on the malignant score", ylabel="metric", ylim=(0.5, 1.01),
           title="Raising the threshold trades recall for precision")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, fontsize=8)
    return figures.png_bytes(fig)


def check_threshold_tradeoff(ctx):
    from sklearn.metrics import precision_score, recall_score

    rows = list(csv.DictReader(io.StringIO(_get(ctx, "metrics/thresholds.csv").decode())))
    yield equal("thresholds.csv has one row per threshold 0.05..0.95", [float(r["threshold"]) for r in rows], THRESHOLDS, "local")
    recalls = [float(r["recall"]) for r in rows]
    precisions = [float(r["precision"]) for r in rows]
    yield expect(
        "recall never rises as the threshold rises",
        all(a >= b for a, b in zip(recalls, recalls[1:])),
        f"recall {recalls[0]:.3f} at 0.05 -> {recalls[-1]:.3f} at 0.95",
        "local",
    )
    yield expect(
        "precision is higher at 0.95 than at 0.05",
        precisions[-1] > precisions[0],
        f"precision {precisions[0]:.3f} at 0.05 -> {precisions[-1]:.3f} at 0.95",
        "local",
    )
    y_true, scores = _predictions(ctx)
    worst = 0.0
    for r in rows:
        y_pred = cm.predict_at(scores, float(r["threshold"]))
        worst = max(worst, abs(float(r["precision"]) - precision_score(y_true, y_pred, zero_division=0)),
                    abs(float(r["recall"]) - recall_score(y_true, y_pred)))
    yield expect("every row's precision and recall match scikit-learn (to the 6 decimals stored)", worst < 1e-6,
                 f"largest difference {worst:.1e}", "local")
    yield figures.check_png_in_s3(ctx, _bucket(ctx), "plots/threshold-tradeoff.png")
