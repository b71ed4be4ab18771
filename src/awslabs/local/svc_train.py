"""SVM training script for SageMaker's scikit-learn container, and the objective of the local search.

The hyperparameter-tuning lab uploads this very file as ``train.py`` (in ``sourcedir.tar.gz``)
for the SageMaker tuning job, and its local grid / random / Bayesian searches call
``cv_accuracy`` from it: the local trials and the tuning job optimise the same function.

Script-mode contract of the SageMaker training toolkit
(https://docs.aws.amazon.com/sagemaker/latest/dg/adapt-training-container.html and
https://sagemaker.readthedocs.io/en/stable/frameworks/sklearn/using_sklearn.html): hyperparameters
arrive as command-line options (``--C 3.5``), the training channel is the folder in
``SM_CHANNEL_TRAIN``, the model goes to ``SM_MODEL_DIR``. Automatic model tuning reads the
objective from the job's log with the ``MetricDefinitions`` regex, so the script prints
``cv_accuracy=<value>`` (see ``METRIC_REGEX``).

Standalone on purpose: it imports only numpy, pandas and scikit-learn (present in the container),
never awslabs.
"""
from __future__ import annotations

import argparse
import os

METRIC_NAME = "cv:accuracy"
METRIC_REGEX = r"cv_accuracy=([0-9]*\.?[0-9]+)"
CV_FOLDS = 3


def cv_accuracy(X, y, C: float, gamma: float, folds: int = CV_FOLDS) -> float:
    """Mean stratified k-fold accuracy of a standardised RBF SVM (deterministic folds)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    model = make_pipeline(StandardScaler(), SVC(C=C, gamma=gamma))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    return float(cross_val_score(model, X, y, cv=splitter, n_jobs=1).mean())


def metric_line(value: float) -> str:
    return f"cv_accuracy={value:.6f}"


def main(argv=None) -> float:
    import glob

    import pandas as pd

    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.01)
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "."))
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "."))
    args, _ = parser.parse_known_args(argv)
    frames = [pd.read_csv(path, header=None) for path in sorted(glob.glob(os.path.join(args.train, "*.csv")))]
    data = pd.concat(frames)
    y, X = data.iloc[:, 0].to_numpy(), data.iloc[:, 1:].to_numpy()  # label first, as SageMaker CSVs
    score = cv_accuracy(X, y, args.C, args.gamma)
    print(metric_line(score), flush=True)  # the tuning job's objective, read from the log
    return score


if __name__ == "__main__":
    main()
