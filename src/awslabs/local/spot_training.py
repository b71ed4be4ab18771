"""A managed Spot training job, run locally with simulated interruptions and real checkpoints.

moto stores ``EnableManagedSpotTraining``, ``CheckpointConfig`` and ``StoppingCondition`` and
marks the job Completed at once: nothing runs, nothing is interrupted, no times are reported.
This runner does what SageMaker does around a Spot job, on the job's own description:

1. runs the training script (a subprocess) with ``/opt/ml/checkpoints`` mapped to a scratch folder;
2. after each segment, copies what the script wrote there to ``CheckpointConfig.S3Uri`` (SageMaker
   syncs that folder to S3 while the job runs);
3. at a *simulated* Spot interruption (the schedule is given, not observed) the script exits, the
   runner waits (simulated capacity wait), starts a fresh container whose checkpoint folder is
   filled from S3, and runs the script again: it resumes from its latest checkpoint;
4. reports ``TrainingTimeInSeconds`` (simulated seconds the script ran, including the half epoch
   lost at each interruption), ``BillableTimeInSeconds`` (those seconds at a simulated Spot price
   ratio) and the documented savings ``(1 - Billable / Training) x 100``, and applies the stopping
   rules: training time within ``MaxRuntimeInSeconds``, training plus waiting within
   ``MaxWaitTimeInSeconds``.

The script and its checkpoints are real; the clock, the interruptions and the Spot price are
simulated, and the report says so.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from awslabs.sim.ml_cost import CHECKPOINT_LOCAL_PATH, spot_savings_percent

from .s3io import download_prefix, list_objects, split_uri

EPOCH_SECONDS = 300  # simulated duration of one epoch on the job's instance
LOST_FRACTION = 0.5  # share of an epoch lost when Spot capacity is reclaimed mid-epoch
WAIT_SECONDS = 600  # simulated wait for Spot capacity after each interruption
SPOT_PRICE_RATIO = 0.3  # simulated Spot price / On-Demand price (AWS's varies by type, zone and hour)


def run(s3, job: dict, script: bytes, workdir: Path, interruptions: tuple[int, ...] = (3, 7)) -> dict:
    """Run ``script`` as the Spot training job ``job`` (a DescribeTrainingJob answer) describes."""
    checkpoint_uri = ((job.get("CheckpointConfig") or {}).get("S3Uri") or "").rstrip("/") + "/"
    if checkpoint_uri == "/":
        raise ValueError(f"{job.get('TrainingJobName')}: no CheckpointConfig.S3Uri: an interrupted job restarts from scratch")
    ck_bucket, ck_prefix = split_uri(checkpoint_uri)
    hyper = job.get("HyperParameters") or {}
    epochs = int(hyper.get("epochs", 10))
    args = [f"--epochs={epochs}"] + [f"--{k}={v}" for k, v in sorted(hyper.items())
                                     if k == "learning-rate"]
    workdir = Path(workdir)
    script_path = workdir / "train.py"
    script_path.parent.mkdir(parents=True, exist_ok=True)
    script_path.write_bytes(script)
    schedule = [e for e in interruptions if e < epochs]
    segments, training_s, waited_s = [], 0.0, 0.0
    model_dir = workdir / "model"
    for n in range(len(schedule) + 1):
        local = workdir / f"container-{n}" / CHECKPOINT_LOCAL_PATH.strip("/")
        local.mkdir(parents=True, exist_ok=True)
        restored = download_prefix(s3, checkpoint_uri, local)  # what SageMaker copies back on resume
        env = {**os.environ, "CHECKPOINT_DIR": str(local), "SM_MODEL_DIR": str(model_dir)}
        if n < len(schedule):
            env["AWSLABS_INTERRUPT_AFTER_EPOCH"] = str(schedule[n])
        proc = subprocess.run([sys.executable, str(script_path), *args], env=env, capture_output=True,
                              text=True, timeout=60, check=False)
        if proc.returncode not in (0, 143):
            raise RuntimeError(f"training script failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
        resumed = int(re.search(r"resumed from epoch (\d+)", proc.stdout).group(1))
        ran = [int(e) for e in re.findall(r"^epoch (\d+) ", proc.stdout, re.M)]
        for path in sorted(local.glob("*")):  # SageMaker syncs the checkpoint folder to S3
            s3.put_object(Bucket=ck_bucket, Key=f"{ck_prefix}{path.name}", Body=path.read_bytes())
        interrupted = proc.returncode == 143
        seconds = len(ran) * EPOCH_SECONDS + (LOST_FRACTION * EPOCH_SECONDS if interrupted else 0)
        training_s += seconds
        segments.append({"container": n, "checkpoints_restored": len(restored), "resumed_from_epoch": resumed,
                         "epochs_run": ran, "interrupted": interrupted, "seconds": seconds})
        if not interrupted:
            break
        waited_s += WAIT_SECONDS
    stopping = job.get("StoppingCondition") or {}
    status, reason = "Completed", ""
    if training_s > stopping.get("MaxRuntimeInSeconds", float("inf")):
        status, reason = "Stopped", "MaxRuntimeInSeconds exceeded"
    elif training_s + waited_s > stopping.get("MaxWaitTimeInSeconds", float("inf")):
        status, reason = "Stopped", "MaxWaitTimeInSeconds exceeded"
    model = json.loads((model_dir / "model.json").read_text()) if (model_dir / "model.json").is_file() else None
    if model is not None:
        out_bucket, out_prefix = split_uri(job["OutputDataConfig"]["S3OutputPath"].rstrip("/") + "/")
        s3.put_object(Bucket=out_bucket, Key=f"{out_prefix}{job['TrainingJobName']}/output/model.json",
                      Body=json.dumps(model).encode())
    billable_s = training_s * SPOT_PRICE_RATIO
    return {
        "job": job.get("TrainingJobName"), "status": status, "stopped_because": reason,
        "segments": segments, "model": model,
        "checkpoints_in_s3": sorted(o["Key"] for o in list_objects(s3, checkpoint_uri)),
        "TrainingTimeInSeconds": training_s, "BillableTimeInSeconds": billable_s, "waited_seconds": waited_s,
        "savings_percent": round(spot_savings_percent(training_s, billable_s), 2),
        "simulated": {"interruptions_after_epochs": schedule, "epoch_seconds": EPOCH_SECONDS,
                      "lost_fraction": LOST_FRACTION, "wait_seconds": WAIT_SECONDS,
                      "spot_price_ratio": SPOT_PRICE_RATIO},
    }


__all__ = ["run", "EPOCH_SECONDS", "LOST_FRACTION", "WAIT_SECONDS", "SPOT_PRICE_RATIO"]
