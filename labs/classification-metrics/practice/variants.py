"""classification-metrics: other valid ways (must pass) and near misses (must fail saying what to fix).

The learner's files are built by the lab's own apply with one object's body rewritten (``_rewrite``),
or written from the learner's own computation (another model, scikit-learn's functions)."""
import csv
import io
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("classification-metrics").load_steps()


def _rewrite(step, key, change_body):
    """The reference apply of ``step`` with the object ``key`` rewritten by ``change_body(bytes) -> bytes``."""
    def change(params):
        if params["Key"] == key:
            body = params["Body"]
            params["Body"] = change_body(body if isinstance(body, bytes) else body.encode())
    return lambda ctx: tweak(ctx, "s3", "PutObject", change, getattr(_steps(), f"apply_{step}"))


def _json(change_doc):
    def change(body):
        doc = json.loads(body)
        change_doc(doc)
        return json.dumps(doc).encode()
    return change


def _csv_rows(change_rows, fields=None):
    def change(body):
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        rows = change_rows(rows)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields or list(rows[0]), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()
    return change


def _predictions(ctx, make_scores, rows=None):
    """The bucket and predictions/test.csv from the learner's own model (``make_scores(X_tr, y_tr, X_te)``)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3 if rows is None else rows, stratify=y, random_state=7)
    scores = make_scores(X_tr, y_tr, X_te)
    out = io.StringIO()
    out.write("score,y_true\n")  # the columns in the other order: the header names them
    out.writelines(f"{float(s)!r},{int(t)}\n" for s, t in zip(scores, y_te))
    ctx.create_bucket(ctx.name("metrics"))
    ctx.client("s3").put_object(Bucket=ctx.name("metrics"), Key="predictions/test.csv", Body=out.getvalue().encode())


def _forest(X_tr, y_tr, X_te):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=50, random_state=0).fit(X_tr, y_tr).predict_proba(X_te)[:, 1]


def _logistic(column=1, labels=False):
    def scores(X_tr, y_tr, X_te):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000)).fit(X_tr, y_tr)
        return model.predict(X_te) if labels else model.predict_proba(X_te)[:, column]
    return scores


def _sklearn_metrics(ctx):
    """metrics.json from scikit-learn's own functions (the learner's valid shortcut), extra keys kept."""
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    steps = _steps()
    y_true, scores = steps._predictions(ctx)
    y_pred = [int(s >= 0.5) for s in scores]
    doc = {"threshold": 0.5, "positive_class": "malignant", "precision": precision_score(y_true, y_pred),
           "recall": recall_score(y_true, y_pred), "specificity": recall_score(y_true, y_pred, pos_label=0),
           "f1": f1_score(y_true, y_pred), "accuracy": accuracy_score(y_true, y_pred)}
    steps._put(ctx, "metrics/metrics.json", json.dumps(doc))


def _npv_as_specificity(doc):
    """specificity written as TN/(TN+FN) (the negative predictive value)."""
    doc["specificity"] = doc["_tn"] / (doc["_tn"] + doc["_fn"])


def _with_counts(change_doc):
    def build(ctx):
        steps = _steps()
        y_true, scores = steps._predictions(ctx)
        counts = steps.cm.confusion_counts(y_true, steps.cm.predict_at(scores, 0.5))

        def change(body):
            doc = json.loads(body)
            doc.update(_tn=counts.tn, _fn=counts.fn)
            change_doc(doc)
            doc.pop("_tn"), doc.pop("_fn")
            return json.dumps(doc).encode()
        _rewrite("precision_recall", "metrics/metrics.json", change)(ctx)
    return build


def _mean_as_f1(doc):
    doc["f1"] = (doc["precision"] + doc["recall"]) / 2


def _round6(doc):
    for key, value in doc.items():
        if isinstance(value, float):
            doc[key] = round(value, 6)


def _sklearn_auc(ctx):
    from sklearn.metrics import average_precision_score, roc_auc_score

    steps = _steps()
    _rewrite("roc_pr_curves", "metrics/auc.json", lambda body: body)(ctx)  # the reference plot
    y_true, scores = steps._predictions(ctx)
    steps._put(ctx, "metrics/auc.json", json.dumps({"pr_auc": round(float(average_precision_score(y_true, scores)), 6),
                                                    "roc_auc": round(float(roc_auc_score(y_true, scores)), 6)}))


def _trapezoid_pr(ctx):
    """PR AUC as trapezoids under (recall, precision) (sklearn.metrics.auc), not average precision."""
    from sklearn.metrics import auc, precision_recall_curve

    y_true, scores = _steps()._predictions(ctx)
    precision, recall, _ = precision_recall_curve(y_true, scores)
    _rewrite("roc_pr_curves", "metrics/auc.json", _json(lambda d: d.update(pr_auc=float(auc(recall, precision)))))(ctx)


def _roc_from_labels(ctx):
    """ROC AUC of the 0/1 predictions at 0.5 instead of the scores."""
    from sklearn.metrics import roc_auc_score

    y_true, scores = _steps()._predictions(ctx)
    roc = float(roc_auc_score(y_true, [int(s >= 0.5) for s in scores]))
    _rewrite("roc_pr_curves", "metrics/auc.json", _json(lambda d: d.update(roc_auc=roc)))(ctx)


def _full_precision_reordered(ctx):
    """thresholds.csv unrounded, columns reordered, an extra accuracy column, thresholds written 0.1 not 0.10."""
    steps = _steps()
    y_true, scores = steps._predictions(ctx)
    rows = steps.cm.threshold_table(y_true, scores, steps.THRESHOLDS)

    def change(body):
        out = io.StringIO()
        out.write("threshold,recall,precision,specificity,f1,tp,fp,tn,fn,accuracy\n")
        for r in rows:
            d = r.to_dict()
            out.write(f"{d['threshold']},{d['recall']!r},{d['precision']!r},{d['specificity']!r},{d['f1']!r},"
                      f"{d['tp']},{d['fp']},{d['tn']},{d['fn']},{(d['tp'] + d['tn']) / len(y_true)!r}\n")
        return out.getvalue().encode()
    _rewrite("threshold_tradeoff", "metrics/thresholds.csv", change)(ctx)


def _swap_columns(rows):
    for r in rows:
        r["precision"], r["recall"] = r["recall"], r["precision"]
    return rows


VARIANTS = [
    accept("train_and_predict", "another model (a random forest) on the same split, unrounded scores, "
           "columns score,y_true", lambda ctx: _predictions(ctx, _forest)),
    reject("train_and_predict", "predict (0/1 labels) instead of predict_proba", lambda ctx: _predictions(ctx, _logistic(labels=True)),
           fix="predict_proba"),
    reject("train_and_predict", "the benign probability (predict_proba column 0) instead of the malignant one",
           lambda ctx: _predictions(ctx, _logistic(column=0)), fix="malignant"),
    reject("train_and_predict", "an 80/20 split (114 test rows) instead of 70/30",
           lambda ctx: _predictions(ctx, _logistic(), rows=0.2), fix="171 test rows"),
    accept("confusion_matrix", "keys in another order, an extra labels field, the matrix from sklearn",
           _rewrite("confusion_matrix", "metrics/confusion.json",
                    _json(lambda d: d.update(labels=["benign", "malignant"], matrix=[list(r) for r in d["matrix"]])))),
    reject("confusion_matrix", "the matrix transposed (rows = predicted, as some textbooks draw it)",
           _rewrite("confusion_matrix", "metrics/confusion.json",
                    _json(lambda d: d.update(matrix=[list(r) for r in zip(*d["matrix"])]))), fix="[[TN, FP], [FN, TP]]"),
    reject("confusion_matrix", "textbook order [[TP, FN], [FP, TN]]",
           _rewrite("confusion_matrix", "metrics/confusion.json",
                    _json(lambda d: d.update(matrix=[[d["tp"], d["fn"]], [d["fp"], d["tn"]]]))), fix="[[TN, FP], [FN, TP]]"),
    accept("precision_recall", "scikit-learn's functions, an extra key", _sklearn_metrics),
    accept("precision_recall", "every metric rounded to 6 decimals",
           _rewrite("precision_recall", "metrics/metrics.json", _json(_round6))),
    reject("precision_recall", "specificity as TN/(TN+FN) (the negative predictive value)", _with_counts(_npv_as_specificity),
           fix="specificity TN/(TN+FP)"),
    reject("precision_recall", "F1 as the arithmetic mean of precision and recall", _with_counts(_mean_as_f1),
           fix="f1 2PR/(P+R)"),
    accept("roc_pr_curves", "scikit-learn's roc_auc_score and average_precision_score, rounded to 6 decimals", _sklearn_auc),
    reject("roc_pr_curves", "PR AUC as trapezoids under the PR curve, not average precision", _trapezoid_pr,
           fix="average precision"),
    reject("roc_pr_curves", "ROC AUC of the 0/1 predictions at 0.5, not of the scores", _roc_from_labels, fix="ROC AUC"),
    accept("threshold_tradeoff", "unrounded values, columns reordered, an extra accuracy column, 0.1 written for 0.10",
           _full_precision_reordered),
    reject("threshold_tradeoff", "thresholds 0.1 .. 0.9 in steps of 0.1",
           _rewrite("threshold_tradeoff", "metrics/thresholds.csv",
                    _csv_rows(lambda rows: [r for r in rows if round(float(r["threshold"]) * 100) % 10 == 0])),
           fix="one row per threshold"),
    reject("threshold_tradeoff", "the precision and recall columns swapped",
           _rewrite("threshold_tradeoff", "metrics/thresholds.csv", _csv_rows(_swap_columns)), fix="precision and recall match"),
]
