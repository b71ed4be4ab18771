"""awslabs.local.svc_train: the training script the tuning lab uploads, run as SageMaker would."""
from __future__ import annotations

import re
import subprocess
import sys

from awslabs.local import svc_train


def test_metric_regex_reads_the_printed_line():
    match = re.search(svc_train.METRIC_REGEX, "epoch done\n" + svc_train.metric_line(0.96875) + "\n")
    assert match and float(match.group(1)) == 0.96875


def test_script_runs_with_the_sagemaker_environment_contract(tmp_path):
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    rows = [",".join([str(int(label)), *map(repr, map(float, features))]) for label, features in zip(y, X)]
    train = tmp_path / "train"
    train.mkdir()
    (train / "train.csv").write_text("\n".join(rows) + "\n")
    env = {"SM_CHANNEL_TRAIN": str(train), "SM_MODEL_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, svc_train.__file__, "--C", "10", "--gamma", "0.001"], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    value = float(re.search(svc_train.METRIC_REGEX, done.stdout).group(1))
    assert abs(value - svc_train.cv_accuracy(X, y, 10.0, 0.001)) < 1e-6
    assert value > 0.95
