"""The local SageMaker training runner and hosting server on their own, against in-process moto.

Cases follow the documented container contract
(https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-running-container.html,
https://github.com/aws/sagemaker-training-toolkit/blob/master/ENVIRONMENT_VARIABLES.md,
https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html)."""
from __future__ import annotations

import gzip
import io
import json
import tarfile
import textwrap
import uuid

import pytest

from awslabs.local import sagemaker_hosting as hosting
from awslabs.local import sagemaker_runner as runner
from awslabs.settings import Settings
from awslabs.targets import make_target

ROLE = "arn:aws:iam::123456789012:role/test"


@pytest.fixture()
def target():
    return make_target(Settings.load(target="moto"))


@pytest.fixture()
def bucket(target):
    name = f"sm-test-{uuid.uuid4().hex[:12]}"
    target.client("s3").create_bucket(Bucket=name)
    return name


def put(target, bucket, key, body):
    target.client("s3").put_object(Bucket=bucket, Key=key, Body=body)


def script(tmp_path, body: str):
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(body))
    return path


def create_job(target, bucket, name, mode="File", hps=None, channels=("train",), metric_definitions=None, **extra):
    request = dict(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": mode,
                                "MetricDefinitions": metric_definitions or []},
        RoleArn=ROLE, HyperParameters=hps or {},
        InputDataConfig=[{"ChannelName": c, "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/{c}/", "S3DataDistributionType": "FullyReplicated"}}}
            for c in channels],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 60}, **extra)
    target.client("sagemaker").create_training_job(**request)
    # moto rewrites MetricDefinitions and drops Environment: run what was sent, as the labs do
    job = target.client("sagemaker").describe_training_job(TrainingJobName=name)
    job.update(request)
    return job


def run(target, tmp_path, name, entry, job, **kwargs):
    return runner.SageMakerTrainingRunner(target, target.subprocess_env()).run(
        name, entry, job=job, base_dir=tmp_path / "opt-ml", **kwargs)


# ----------------------------------------------------------------------------- pure functions
def test_hyperparameters_are_json_decoded_and_passed_as_sorted_arguments():
    # toolkit: read_hyperparameters() json-decodes; mapping.to_cmd_args() sorts and prefixes --
    hps = runner.decode_hyperparameters({"epochs": "10", "learning-rate": "0.1", "name": "abc", "flag": "true"})
    assert hps == {"epochs": 10, "learning-rate": 0.1, "name": "abc", "flag": True}
    assert runner.to_cmd_args(hps) == ["--epochs", "10", "--flag", "True", "--learning-rate", "0.1", "--name", "abc"]
    assert runner.to_cmd_args({"a": 1}) == ["-a", "1"]  # one-letter names get one dash


def test_metric_regexes_take_the_first_group():
    defs = [{"Name": "loss", "Regex": r"loss=([0-9.]+)"}, {"Name": "acc", "Regex": r"acc: (\S+)"}]
    assert runner.parse_metrics("epoch 3 loss=0.25 acc: 0.9", defs) == [("loss", 0.25), ("acc", 0.9)]
    assert runner.parse_metrics("nothing here", defs) == []
    assert runner.parse_metrics("acc: n/a", defs) == []  # not a number: no value, no crash


# ----------------------------------------------------------------------------- File mode
CONTRACT_SCRIPT = """
import json, os, sys
base = os.environ["SAGEMAKER_BASE_DIR"]
cfg = os.path.join(base, "input", "config")
out = {
    "argv": sys.argv[1:],
    "hps_file": json.load(open(os.path.join(cfg, "hyperparameters.json"))),
    "data_config": json.load(open(os.path.join(cfg, "inputdataconfig.json"))),
    "resource": json.load(open(os.path.join(cfg, "resourceconfig.json"))),
    "env": {k: v for k, v in os.environ.items() if k.startswith(("SM_", "TRAINING_JOB"))},
    "files": sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])),
    "text": open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "a.csv")).read(),
    "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
}
open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "contract.json"), "w").write(json.dumps(out))
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write("weights")
for epoch in range(3):
    print(f"epoch={epoch} loss={1 / (epoch + 1):.3f}", flush=True)
"""


def test_file_mode_lays_out_the_contract_and_uploads_the_artifact(target, bucket, tmp_path):
    put(target, bucket, "train/a.csv", b"1,2\n3,4\n")
    put(target, bucket, "train/sub/b.csv", b"5,6\n")
    job = create_job(target, bucket, "contract-job", hps={"epochs": "3", "lr": "0.5"},
                     metric_definitions=[{"Name": "loss", "Regex": r"loss=([0-9.]+)"}])
    result = run(target, tmp_path, "contract-job", script(tmp_path, CONTRACT_SCRIPT), job)
    assert result.ok, result.lines
    seen = json.loads((tmp_path / "opt-ml" / "output" / "data" / "contract.json").read_text())
    assert seen["argv"] == ["--epochs", "3", "--lr", "0.5"]
    assert seen["hps_file"] == {"epochs": "3", "lr": "0.5"}  # strings, exactly as in the API
    assert seen["data_config"]["train"] == {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated",
                                            "RecordWrapperType": "None"}
    assert seen["resource"]["current_host"] == "algo-1" and seen["resource"]["hosts"] == ["algo-1"]
    env = seen["env"]
    assert env["SM_MODEL_DIR"] == str(tmp_path / "opt-ml" / "model")
    assert env["SM_CHANNEL_TRAIN"] == str(tmp_path / "opt-ml" / "input" / "data" / "train")
    assert json.loads(env["SM_HPS"]) == {"epochs": 3, "lr": 0.5}
    assert env["SM_HP_EPOCHS"] == "3" and env["SM_HP_LR"] == "0.5"
    assert json.loads(env["SM_CHANNELS"]) == ["train"] and json.loads(env["SM_HOSTS"]) == ["algo-1"]
    assert env["SM_CURRENT_HOST"] == "algo-1" and int(env["SM_NUM_CPUS"]) >= 1
    assert env["SM_OUTPUT_DATA_DIR"].endswith("output/data") and env["TRAINING_JOB_NAME"] == "contract-job"
    assert json.loads(env["SM_TRAINING_ENV"])["hyperparameters"] == {"epochs": 3, "lr": 0.5}
    assert seen["files"] == ["a.csv", "sub"] and seen["text"] == "1,2\n3,4\n"
    assert seen["endpoint"]  # the script's own boto3 reaches the emulator
    ch = result.channels["train"]
    assert ch.bytes_before_start == ch.bytes_total == 12 and ch.first_record_seconds is not None
    assert result.metrics == {"loss": [1.0, 0.5, 0.333]} and result.final_metrics() == {"loss": 0.333}
    # the artifact: <S3OutputPath>/<job>/output/model.tar.gz
    assert result.model_artifact == f"s3://{bucket}/output/contract-job/output/model.tar.gz"
    assert runner.read_model_artifact(target.client("s3"), result.model_artifact) == {"model.txt": b"weights"}
    # logs and metrics in CloudWatch
    logs = target.client("logs")
    events = logs.get_log_events(logGroupName=runner.LOG_GROUP, logStreamName=result.log_stream)["events"]
    assert result.log_stream.startswith("contract-job/algo-1-")
    assert [e["message"] for e in events][-1] == "epoch=2 loss=0.333"
    stats = target.client("cloudwatch").list_metrics(Namespace=runner.METRIC_NAMESPACE, MetricName="loss")
    assert {"Name": "Host", "Value": "contract-job/algo-1"} in stats["Metrics"][0]["Dimensions"]


# ----------------------------------------------------------------------------- FastFile mode
FASTFILE_SCRIPT = """
import os
ch = os.environ["SM_CHANNEL_TRAIN"]
sizes = {f: os.path.getsize(os.path.join(ch, f)) for f in sorted(os.listdir(ch))}
print("sizes", sizes, flush=True)
print("read", open(os.path.join(ch, "wanted.csv")).read().strip(), flush=True)
"""


def test_fastfile_lists_everything_but_fetches_only_what_is_read(target, bucket, tmp_path):
    put(target, bucket, "train/wanted.csv", b"1,2,3\n")
    put(target, bucket, "train/never-read.csv", b"x" * 5000)
    job = create_job(target, bucket, "fastfile-job", mode="FastFile")
    result = run(target, tmp_path, "fastfile-job", script(tmp_path, FASTFILE_SCRIPT), job)
    assert result.ok, result.lines
    assert "sizes {'never-read.csv': 5000, 'wanted.csv': 6}" in result.lines  # the folder view, real sizes
    assert "read 1,2,3" in result.lines
    ch = result.channels["train"]
    assert (ch.bytes_before_start, ch.bytes_fetched_lazily, ch.objects_fetched_lazily) == (0, 6, 1)
    config = json.loads((tmp_path / "opt-ml" / "input" / "config" / "inputdataconfig.json").read_text())
    assert config["train"]["TrainingInputMode"] == "File"  # FastFile is presented as File (documented)


# ----------------------------------------------------------------------------- Pipe mode
PIPE_SCRIPT = """
import os, stat
base = os.environ["SM_CHANNEL_TRAIN"]
assert stat.S_ISFIFO(os.stat(base + "_0").st_mode)
for epoch in range(2):
    with open(f"{base}_{epoch}", "rb") as fifo:
        data = fifo.read()
    records = len(data.splitlines())
    print(f"epoch {epoch}: {len(data)} bytes, {records} records", flush=True)
"""


def test_pipe_mode_streams_each_epoch_through_a_fifo(target, bucket, tmp_path):
    put(target, bucket, "train/part-0.csv.gz", gzip.compress(b"1,2\n" * 100))
    put(target, bucket, "train/part-1.csv.gz", gzip.compress(b"3,4\n" * 50))
    job = create_job(target, bucket, "pipe-job", mode="Pipe")
    job["InputDataConfig"][0]["CompressionType"] = "Gzip"  # SageMaker gunzips Pipe data before the FIFO
    result = run(target, tmp_path, "pipe-job", script(tmp_path, PIPE_SCRIPT), job)
    assert result.ok, result.lines
    assert result.lines == ["epoch 0: 600 bytes, 150 records", "epoch 1: 600 bytes, 150 records"]
    ch = result.channels["train"]
    assert ch.bytes_before_start == 0 and ch.bytes_streamed == 1200 and ch.epochs_streamed == 2
    assert not (tmp_path / "opt-ml" / "input" / "data" / "train").exists()  # nothing on disk


# ----------------------------------------------------------------------------- failure, stop, checkpoints
def test_a_failing_script_writes_output_failure_and_no_model(target, bucket, tmp_path):
    put(target, bucket, "train/a.csv", b"1\n")
    job = create_job(target, bucket, "failing-job")
    entry = script(tmp_path, """
        import os, sys
        open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "partial.txt"), "w").write("diagnostics")
        print("about to fail", flush=True)
        sys.exit(3)
    """)
    result = run(target, tmp_path, "failing-job", entry, job)
    assert (result.status, result.returncode) == ("Failed", 3)
    failure = (tmp_path / "opt-ml" / "output" / "failure").read_text()
    assert "exit code 3" in failure and "about to fail" in failure and result.failure_reason == failure[:1024]
    s3 = target.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="output/")["Contents"]]
    assert keys == ["output/failing-job/output/output.tar.gz"]  # output/data kept, no model.tar.gz
    with tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read())) as tar:
        assert tar.getnames() == ["partial.txt"]


def test_the_script_s_own_failure_file_is_the_failure_reason(target, bucket, tmp_path):
    put(target, bucket, "train/a.csv", b"1\n")
    job = create_job(target, bucket, "own-failure")
    entry = script(tmp_path, """
        import os, sys
        open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w").write("ValueError: bad column 'x'")
        sys.exit(1)
    """)
    result = run(target, tmp_path, "own-failure", entry, job)
    assert result.status == "Failed" and result.failure_reason == "ValueError: bad column 'x'"


def test_max_runtime_stops_the_job(target, bucket, tmp_path):
    put(target, bucket, "train/a.csv", b"1\n")
    job = create_job(target, bucket, "slow-job")
    job["StoppingCondition"] = {"MaxRuntimeInSeconds": 1}
    result = run(target, tmp_path, "slow-job", script(tmp_path, "import time\ntime.sleep(30)\n"), job)
    assert (result.status, result.secondary_status) == ("Stopped", "MaxRuntimeExceeded")
    assert result.seconds < 10


CHECKPOINT_SCRIPT = """
import os
ckpt = os.path.join(os.environ["SAGEMAKER_BASE_DIR"], "checkpoints", "step.txt")
start = int(open(ckpt).read()) if os.path.exists(ckpt) else 0
print(f"start at {start}", flush=True)
for step in range(start, 10):
    open(ckpt, "w").write(str(step + 1))
    print(f"saved {step + 1}", flush=True)
    import time; time.sleep(0.05)
open(os.path.join(os.environ["SM_MODEL_DIR"], "done"), "w").write("yes")
"""


def test_an_interrupted_job_resumes_from_its_checkpoint(target, bucket, tmp_path):
    put(target, bucket, "train/a.csv", b"1\n")
    job = create_job(target, bucket, "spot-job", CheckpointConfig={"S3Uri": f"s3://{bucket}/ckpt"},
                     EnableManagedSpotTraining=True)
    entry = script(tmp_path, CHECKPOINT_SCRIPT)
    rn = runner.SageMakerTrainingRunner(target, target.subprocess_env())
    first = rn.run("spot-job", entry, job=job, base_dir=tmp_path / "first", interrupt_on=r"saved 3$")
    assert (first.status, first.secondary_status) == ("Stopped", "Interrupted") and first.model_artifact is None
    saved = int(target.client("s3").get_object(Bucket=bucket, Key="ckpt/step.txt")["Body"].read())
    assert 3 <= saved < 10
    second = rn.run("spot-job", entry, job=job, base_dir=tmp_path / "second")
    assert second.ok and second.checkpoints_restored == 1
    assert second.lines[0] == f"start at {saved}" and second.model_artifact


def test_sdk3_code_channel_is_found_through_sourcecode_json(target, bucket, tmp_path):
    put(target, bucket, "train/a.csv", b"1\n")
    put(target, bucket, "code/my_entry.py", b"print('ran the shipped entry point')\n")
    put(target, bucket, "sm_drivers/sourcecode.json", json.dumps({"entry_script": "my_entry.py"}).encode())
    job = create_job(target, bucket, "sdk3-job", channels=("train", "code", "sm_drivers"))
    result = run(target, tmp_path, "sdk3-job", None, job)
    assert result.ok and result.lines == ["ran the shipped entry point"]


# ----------------------------------------------------------------------------- hosting
INFERENCE = """
import json, os
def model_fn(model_dir):
    return json.load(open(os.path.join(model_dir, "model.json")))
def predict_fn(data, model):
    return [model["slope"] * row[0] + model["intercept"] for row in data]
"""


def _artifact(target, bucket, key, files: dict[str, bytes]):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    put(target, bucket, key, buf.getvalue())
    return f"s3://{bucket}/{key}"


def test_ping_and_invocations_answer_with_the_model_s_prediction(target, bucket, tmp_path):
    url = _artifact(target, bucket, "m/model.tar.gz", {"model.json": b'{"slope": 2, "intercept": 1}',
                                                       "code/inference.py": INFERENCE.encode()})
    with hosting.serve_artifact(target.client("s3"), url, tmp_path / "model") as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.ping() == 200
        status, body, ctype = server.invoke("1\n2\n", "text/csv", "application/json")
        assert (status, json.loads(body), ctype) == (200, [3.0, 5.0], "application/json")
        status, body, _ = server.invoke(json.dumps({"instances": [[10]]}), "application/json", "text/csv")
        assert (status, body) == (200, b"21.0\n")
        status, body, _ = server.invoke(b"x", "image/png")
        assert status == 500 and b"unsupported content type" in body


def test_an_artifact_without_model_fn_is_unhealthy(target, bucket, tmp_path):
    url = _artifact(target, bucket, "bad/model.tar.gz", {"code/inference.py": b"x = 1\n"})
    with hosting.serve_artifact(target.client("s3"), url, tmp_path / "bad") as server:
        assert server.ping() == 500


def test_variants_route_by_weight_and_target_variant_and_capture_data(target, bucket, tmp_path):
    s3 = target.client("s3")
    a = _artifact(target, bucket, "a/model.tar.gz", {"model.json": b'{"slope": 1, "intercept": 0}',
                                                     "code/inference.py": INFERENCE.encode()})
    b = _artifact(target, bucket, "b/model.tar.gz", {"model.json": b'{"slope": 0, "intercept": 7}',
                                                     "code/inference.py": INFERENCE.encode()})
    capture = hosting.DataCapture(s3, {"EnableCapture": True, "InitialSamplingPercentage": 100,
                                       "DestinationS3Uri": f"s3://{bucket}/capture",
                                       "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}, "ep")
    with hosting.serve_artifact(s3, a, tmp_path / "a") as sa, hosting.serve_artifact(s3, b, tmp_path / "b") as sb:
        endpoint = hosting.LocalEndpoint({"A": (sa, 3.0), "B": (sb, 1.0)}, seed=1, capture=capture)
        calls = [endpoint.invoke("4\n", "text/csv") for _ in range(400)]
        share_a = sum(c.variant == "A" for c in calls) / len(calls)
        assert 0.68 < share_a < 0.82  # weight 3 of 4
        assert {json.loads(c.body)[0] for c in calls if c.variant == "B"} == {7.0}
        assert endpoint.invoke("4\n", "text/csv", target_variant="B").variant == "B"
        endpoint.set_weights({"A": 0.0})
        assert {endpoint.invoke("1\n", "text/csv").variant for _ in range(20)} == {"B"}
    written = capture.flush()
    assert {w.split("/")[5] for w in written} == {"A", "B"} and all(w.endswith(".jsonl") for w in written)
    key = written[0].split(f"s3://{bucket}/", 1)[1]
    line = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()[0])
    assert line["captureData"]["endpointInput"] == {"observedContentType": "text/csv", "mode": "INPUT",
                                                    "data": "4\n", "encoding": "CSV"}
    assert line["captureData"]["endpointOutput"]["encoding"] == "JSON" and line["eventMetadata"]["eventId"]


def test_batch_transform_writes_one_out_file_per_input(target, bucket, tmp_path):
    s3 = target.client("s3")
    url = _artifact(target, bucket, "m/model.tar.gz", {"model.json": b'{"slope": 2, "intercept": 0}',
                                                       "code/inference.py": INFERENCE.encode()})
    put(target, bucket, "in/part.csv", b"".join(f"{i}\n".encode() for i in range(250)))
    with hosting.serve_artifact(s3, url, tmp_path / "t") as server:
        summary = hosting.run_transform(s3, server, f"s3://{bucket}/in/", f"s3://{bucket}/out/", accept="text/csv")
    assert summary == {"outputs": [f"s3://{bucket}/out/part.csv.out"], "records": 250}
    out = s3.get_object(Bucket=bucket, Key="out/part.csv.out")["Body"].read().decode().split()
    assert [float(v) for v in out] == [2.0 * i for i in range(250)]
