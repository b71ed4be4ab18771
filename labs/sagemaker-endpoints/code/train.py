"""Script-mode training entry point: logistic regression by full-batch gradient descent.

Runs unchanged in the SageMaker scikit-learn container and under awslabs' local runner: it only
reads the SageMaker training contract (SM_* variables, --hyperparameters, /opt/ml tree) and uses
numpy (present in that container). Headerless CSV, label in the first column (the convention of
SageMaker's built-in algorithms). Reads its channels in whatever input mode the job chose.
"""
import argparse
import io
import json
import os
import shutil
import sys
import time

import numpy as np

STARTED = time.time()


def read_channel(name):
    """All records of a channel: files in File/FastFile mode, the epoch-0 FIFO in Pipe mode."""
    path = os.environ[f"SM_CHANNEL_{name.upper()}"]
    mode = json.loads(os.environ["SM_INPUT_DATA_CONFIG"])[name]["TrainingInputMode"]
    if mode == "Pipe":
        with open(f"{path}_0", "rb") as fifo:  # /opt/ml/input/data/<channel>_<epoch>
            text = fifo.read().decode()
    else:
        parts = []
        for root, _, files in sorted(os.walk(path)):
            for file in sorted(files):
                with open(os.path.join(root, file), encoding="utf-8") as fh:
                    parts.append(fh.read())
        text = "".join(parts)
    data = np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)
    print(f"channel {name}: {len(data)} records in {mode} mode, first record after "
          f"{time.time() - STARTED:.3f}s", flush=True)
    return data[:, 1:], data[:, 0]


def loss_and_grad(w, b, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    eps = 1e-12
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
    return loss, X.T @ (p - y) / len(y), np.mean(p - y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--l2", type=float, default=0.0)
    args = parser.parse_args()

    X, y = read_channel("train")
    Xv, yv = read_channel("validation")
    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-9
    X, Xv = (X - mean) / std, (Xv - mean) / std

    base = os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")
    checkpoints = os.path.join(base, "checkpoints")  # CheckpointConfig.LocalPath default
    os.makedirs(checkpoints, exist_ok=True)
    ckpt = os.path.join(checkpoints, "checkpoint.npz")
    w, b, start = np.zeros(X.shape[1]), 0.0, 0
    if os.path.exists(ckpt):  # a restarted (e.g. spot-interrupted) job resumes here
        saved = np.load(ckpt)
        w, b, start = saved["w"], float(saved["b"]), int(saved["epoch"])
        print(f"resumed from checkpoint at epoch {start}", flush=True)

    for epoch in range(start, args.epochs):
        loss, gw, gb = loss_and_grad(w, b, X, y)
        w = w - args.learning_rate * (gw + args.l2 * w)
        b = b - args.learning_rate * gb
        accuracy = float(np.mean(((Xv @ w + b) > 0) == (yv > 0.5)))
        print(f"epoch={epoch + 1} train:loss={loss:.6f} validation:accuracy={accuracy:.4f}", flush=True)
        np.savez(ckpt + ".tmp.npz", w=w, b=b, epoch=epoch + 1)
        os.replace(ckpt + ".tmp.npz", ckpt)
        print(f"checkpoint saved epoch={epoch + 1}", flush=True)

    accuracy = float(np.mean(((Xv @ w + b) > 0) == (yv > 0.5)))
    model_dir = os.environ["SM_MODEL_DIR"]
    np.savez(os.path.join(model_dir, "model.npz"), w=w, b=b, mean=mean, std=std)
    # The serving functions travel inside model.tar.gz (code/inference.py), as the framework
    # containers expect when the model is deployed.
    os.makedirs(os.path.join(model_dir, "code"), exist_ok=True)
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "inference.py"),
                os.path.join(model_dir, "code", "inference.py"))
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "metrics.json"), "w") as fh:
        json.dump({"validation:accuracy": accuracy, "epochs": args.epochs}, fh)
    print("training complete", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as err:
        # The failure file becomes DescribeTrainingJob's FailureReason.
        failure = os.path.join(os.environ.get("SM_OUTPUT_DIR", "/opt/ml/output"), "failure")
        with open(failure, "w") as fh:
            fh.write(f"{type(err).__name__}: {err}")
        print(f"training failed: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
