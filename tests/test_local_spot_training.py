"""awslabs.local.spot_training on moto: the shipped train.py, interrupted and resumed from the
checkpoints in S3, ends with the same model as one uninterrupted gradient descent (computed here by
hand), and the times follow the simulated schedule (hand-computed)."""
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from awslabs.local import spot_training

SCRIPT = (Path(__file__).resolve().parents[1] / "labs" / "ml-cost" / "practice" / "files" / "train.py").read_bytes()


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="spot-bucket")
        yield client


def _job(**stopping):
    return {"TrainingJobName": "job", "HyperParameters": {"epochs": "6", "learning-rate": "0.02"},
            "CheckpointConfig": {"S3Uri": "s3://spot-bucket/ck/"},
            "OutputDataConfig": {"S3OutputPath": "s3://spot-bucket/out"},
            "StoppingCondition": stopping or {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}}


def _gradient_descent(epochs, lr):
    xs = [i / 10 for i in range(40)]
    w = b = 0.0
    for _ in range(epochs):
        e = [w * x + b - (3 * x + 2) for x in xs]
        w, b = w - lr * sum(2 * ei * x for ei, x in zip(e, xs)) / 40, b - lr * sum(2 * ei for ei in e) / 40
    return w, b


def test_interrupted_run_resumes_and_matches_an_uninterrupted_one(s3, tmp_path):
    run = spot_training.run(s3, _job(), SCRIPT, tmp_path, interruptions=(2, 4))
    assert [s["resumed_from_epoch"] for s in run["segments"]] == [0, 2, 4]
    assert [s["epochs_run"] for s in run["segments"]] == [[1, 2], [3, 4], [5, 6]]
    assert [s["checkpoints_restored"] for s in run["segments"]] == [0, 2, 4]
    w, b = _gradient_descent(6, 0.02)
    assert run["model"]["w"] == pytest.approx(w) and run["model"]["b"] == pytest.approx(b)
    assert len(run["checkpoints_in_s3"]) == 6
    # 6 epochs x 300 s + 2 interruptions x 150 s lost = 2100 s; billable at 0.3 = 630 s; savings 70 %
    assert run["TrainingTimeInSeconds"] == 2100 and run["BillableTimeInSeconds"] == pytest.approx(630)
    assert run["savings_percent"] == 70.0 and run["status"] == "Completed"
    assert s3.get_object(Bucket="spot-bucket", Key="out/job/output/model.json")["Body"].read()


def test_wait_beyond_max_wait_stops_the_job(s3, tmp_path):
    # trained 2100 s + waited 1200 s = 3300 s > MaxWait 3000
    run = spot_training.run(s3, _job(MaxRuntimeInSeconds=3000, MaxWaitTimeInSeconds=3000), SCRIPT, tmp_path,
                            interruptions=(2, 4))
    assert (run["status"], run["stopped_because"]) == ("Stopped", "MaxWaitTimeInSeconds exceeded")


def test_without_checkpoint_config_the_runner_refuses(s3, tmp_path):
    job = _job()
    job.pop("CheckpointConfig")
    with pytest.raises(ValueError, match="CheckpointConfig"):
        spot_training.run(s3, job, SCRIPT, tmp_path)
