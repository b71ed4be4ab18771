"""Evaluation step: score the trained model on the test split and write evaluation.json.

Inputs: the training step's model.tar.gz at /opt/ml/processing/input/model, the processing step's
test split at /opt/ml/processing/input/test. Output: /opt/ml/processing/output/evaluation/
evaluation.json, {"metrics": {"accuracy": {"value": ...}}}, which the pipeline reads as a property
file (JsonGet path metrics.accuracy.value). Standalone: numpy only.
"""
import glob
import json
import tarfile
from pathlib import Path

import numpy as np

BASE = Path(__file__).resolve().parents[2]  # /opt/ml/processing


def main():
    archive = sorted(glob.glob(str(BASE / "input" / "model" / "*.tar.gz")))[0]
    with tarfile.open(archive) as tar:
        model = json.load(tar.extractfile("model.json"))
    data = np.vstack([np.loadtxt(p, delimiter=",", ndmin=2) for p in sorted(glob.glob(str(BASE / "input" / "test" / "*.csv")))])
    y, X = data[:, 0], data[:, 1:]
    accuracy = float(np.mean(((X @ np.array(model["weights"]) + model["bias"]) > 0) == (y == 1)))
    out = BASE / "output" / "evaluation"
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps({"metrics": {"accuracy": {"value": accuracy}}}))
    print(f"test accuracy: {accuracy:.4f} on {len(y)} rows")


if __name__ == "__main__":
    main()
