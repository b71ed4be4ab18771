"""Training step: logistic regression by gradient descent; the model is model.json in SM_MODEL_DIR.

Script mode (the scikit-learn image): the training channel is SM_CHANNEL_TRAIN (headerless CSV,
label first), hyperparameters arrive as --epochs / --learning-rate. Standalone: numpy only.
"""
import argparse
import glob
import json
import os

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "."))
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "."))
    args, _ = parser.parse_known_args()
    data = np.vstack([np.loadtxt(p, delimiter=",", ndmin=2) for p in sorted(glob.glob(os.path.join(args.train, "*.csv")))])
    y, X = data[:, 0], data[:, 1:]
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(args.epochs):
        p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        w -= args.learning_rate * (X.T @ (p - y)) / len(y)
        b -= args.learning_rate * float(np.mean(p - y))
    accuracy = float(np.mean(((X @ w + b) > 0) == (y == 1)))
    print(f"train:accuracy={accuracy:.4f}")
    with open(os.path.join(args.model_dir, "model.json"), "w") as fh:
        json.dump({"weights": w.tolist(), "bias": b}, fh)


if __name__ == "__main__":
    main()
