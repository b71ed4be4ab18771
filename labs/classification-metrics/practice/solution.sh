#!/usr/bin/env bash
# Classification metrics — the learner's part (every objective is yours): train a classifier, compute
# each metric with your own formulas, draw the charts, and put every file in S3 with the AWS CLI.
set -euo pipefail
BUCKET=awslabs-classification-metrics-practice-metrics
mkdir -p out/predictions out/metrics out/plots

# -- 1. the bucket
aws s3 mb "s3://$BUCKET"

# -- 1-5. the model, the metrics and the charts: local work with scikit-learn and matplotlib
python3 - <<'PY'
import csv
import json

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# 1. train and score the stratified 30 % test split (171 rows); malignant = the positive class 1
X, y = load_breast_cancer(return_X_y=True)
y = 1 - y
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=7)
model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000)).fit(X_train, y_train)
y_true = [int(v) for v in y_test]
scores = [round(float(s), 6) for s in model.predict_proba(X_test)[:, 1]]
with open("out/predictions/test.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["y_true", "score"])
    w.writerows(zip(y_true, scores))


def counts(threshold):
    """TP, FP, TN, FN when score >= threshold means 'malignant'."""
    tp = fp = tn = fn = 0
    for t, s in zip(y_true, scores):
        p = s >= threshold
        tp += t == 1 and p
        fp += t == 0 and p
        tn += t == 0 and not p
        fn += t == 1 and not p
    return tp, fp, tn, fn


def ratio(a, b):
    return a / b if b else 0.0


def metrics(threshold):
    tp, fp, tn, fn = counts(threshold)
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"threshold": threshold, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "accuracy": (tp + tn) / len(y_true), "precision": precision, "recall": recall,
            "specificity": ratio(tn, tn + fp), "f1": ratio(2 * precision * recall, precision + recall)}


# 2. the confusion matrix at 0.5 and its heat map
tp, fp, tn, fn = counts(0.5)
matrix = [[tn, fp], [fn, tp]]
json.dump({"threshold": 0.5, "tp": tp, "fp": fp, "tn": tn, "fn": fn, "matrix": matrix},
          open("out/metrics/confusion.json", "w"))
fig, ax = plt.subplots(figsize=(4.8, 4.2))
ax.imshow(matrix, cmap="Blues")
for i, row in enumerate([["TN", "FP"], ["FN", "TP"]]):
    for j, name in enumerate(row):
        ax.text(j, i, f"{name}\n{matrix[i][j]}", ha="center", va="center", fontsize=13)
ax.set_xticks([0, 1], ["predicted benign", "predicted malignant"])
ax.set_yticks([0, 1], ["actual benign", "actual malignant"])
ax.set_title("Confusion matrix at threshold 0.5")
fig.tight_layout()
fig.savefig("out/plots/confusion-matrix.png", dpi=100)

# 3. precision, recall, specificity, F1 and accuracy at 0.5
m = metrics(0.5)
json.dump({k: m[k] for k in ("threshold", "accuracy", "precision", "recall", "specificity", "f1")},
          open("out/metrics/metrics.json", "w"), indent=2)

# 4. ROC and PR curves: one point per distinct score (the threshold sweeps from high to low)
positives = sum(y_true)
negatives = len(y_true) - positives
fpr, tpr, prec, rec = [0.0], [0.0], [], []
for threshold in sorted(set(scores), reverse=True):
    tp, fp, tn, fn = counts(threshold)
    fpr.append(fp / negatives)
    tpr.append(tp / positives)
    prec.append(tp / (tp + fp))
    rec.append(tp / positives)
roc_auc = sum((x1 - x0) * (y0 + y1) / 2 for x0, x1, y0, y1 in zip(fpr, fpr[1:], tpr, tpr[1:]))  # trapezoids
pr_auc = sum((r1 - r0) * p1 for r0, r1, p1 in zip([0.0] + rec, rec, prec))  # average precision: sum of (R_n - R_n-1) P_n
json.dump({"roc_auc": roc_auc, "pr_auc": pr_auc}, open("out/metrics/auc.json", "w"), indent=2)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.4))
left.plot(fpr, tpr, lw=2, label=f"ROC AUC = {roc_auc:.3f}")
left.plot([0, 1], [0, 1], "--", color="grey", label="random guess")
left.set(xlabel="false-positive rate", ylabel="true-positive rate (recall)", title="ROC curve")
left.legend(loc="lower right")
right.step(rec, prec, where="post", lw=2, label=f"PR AUC (AP) = {pr_auc:.3f}")
right.axhline(positives / len(y_true), ls="--", color="grey", label="random guess")
right.set(xlabel="recall", ylabel="precision", title="Precision-recall curve", ylim=(0, 1.05))
right.legend(loc="lower left")
fig.tight_layout()
fig.savefig("out/plots/roc-pr-curves.png", dpi=100)

# 5. the threshold table 0.05 .. 0.95 and the trade-off chart
thresholds = [round(0.05 * i, 2) for i in range(1, 20)]
rows = [metrics(t) for t in thresholds]
fields = ["threshold", "tp", "fp", "tn", "fn", "precision", "recall", "specificity", "f1"]
with open("out/metrics/thresholds.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()})
fig, ax = plt.subplots(figsize=(7.5, 4.8))
for name, style in (("precision", "o-"), ("recall", "s-"), ("specificity", "^-"), ("f1", "d--")):
    ax.plot(thresholds, [r[name] for r in rows], style, label=name)
ax.axvline(0.5, color="grey", ls=":")
ax.set(xlabel="decision threshold on the malignant score", ylabel="metric",
       title="Raising the threshold trades recall for precision")
ax.legend()
fig.tight_layout()
fig.savefig("out/plots/threshold-tradeoff.png", dpi=100)
PY

# -- 1-5. upload: predictions/, metrics/ and plots/ keep their names as S3 keys
aws s3 cp out/ "s3://$BUCKET/" --recursive
aws s3 ls "s3://$BUCKET/" --recursive
