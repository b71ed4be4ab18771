"""A Spot-ready training script: linear regression by gradient descent, one checkpoint per epoch.

SageMaker copies what the script writes to /opt/ml/checkpoints (CheckpointConfig.LocalPath) to
CheckpointConfig.S3Uri, and on a restart after a Spot interruption copies it back before the script
starts: so the script looks for its latest checkpoint first and resumes from it.
"""
import argparse
import json
import os
import pathlib
import sys

CHECKPOINT_DIR = pathlib.Path(os.environ.get("CHECKPOINT_DIR", "/opt/ml/checkpoints"))
MODEL_DIR = pathlib.Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
# awslabs' local runner only: the epoch after which it simulates a Spot interruption (exit 143 = SIGTERM)
SIMULATED_INTERRUPTION = os.environ.get("AWSLABS_INTERRUPT_AFTER_EPOCH")


def data():
    xs = [i / 10 for i in range(40)]
    return xs, [3 * x + 2 for x in xs]


def step(w, b, lr, xs, ys):
    n = len(xs)
    errors = [w * x + b - y for x, y in zip(xs, ys)]
    grad_w = sum(2 * e * x for e, x in zip(errors, xs)) / n
    grad_b = sum(2 * e for e in errors) / n
    return w - lr * grad_w, b - lr * grad_b, sum(e * e for e in errors) / n


def latest_checkpoint():
    found = sorted(CHECKPOINT_DIR.glob("checkpoint-epoch-*.json"))
    return json.loads(found[-1].read_text()) if found else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=0.02)
    args = parser.parse_args()
    xs, ys = data()
    state = latest_checkpoint() or {"epoch": 0, "w": 0.0, "b": 0.0}
    print(f"resumed from epoch {state['epoch']}", flush=True)
    CHECKPOINT_DIR.mkdir(parents=True, exist_ok=True)
    w, b = state["w"], state["b"]
    for epoch in range(state["epoch"] + 1, args.epochs + 1):
        w, b, loss = step(w, b, args.learning_rate, xs, ys)
        (CHECKPOINT_DIR / f"checkpoint-epoch-{epoch:03d}.json").write_text(
            json.dumps({"epoch": epoch, "w": w, "b": b}))
        print(f"epoch {epoch} loss {loss:.6f}", flush=True)
        if SIMULATED_INTERRUPTION and epoch == int(SIMULATED_INTERRUPTION) and epoch < args.epochs:
            print("spot interruption", flush=True)
            sys.exit(143)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    (MODEL_DIR / "model.json").write_text(json.dumps({"epochs": args.epochs, "w": w, "b": b}))


if __name__ == "__main__":
    main()
