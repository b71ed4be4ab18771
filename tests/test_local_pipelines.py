"""awslabs.local.pipelines: the pieces of the pipeline executor against hand-written expectations
(the documented definition schema and ISO 8601 durations), and a processing job run end to end
on moto under the /opt/ml/processing contract."""
from __future__ import annotations

import datetime as dt
import json
import sys

import pytest

from awslabs.local import pipelines as pl

DEFINITION = {
    "Version": "2020-12-01",
    "Parameters": [{"Name": "T", "Type": "Float", "DefaultValue": 0.5}],
    "Steps": [
        {"Name": "A", "Type": "Processing", "Arguments": {}},
        {"Name": "B", "Type": "Training", "Arguments": {"InputDataConfig": [
            {"DataSource": {"S3DataSource": {"S3Uri": {"Get": "Steps.A.ProcessingOutputConfig.Outputs['x'].S3Output.S3Uri"}}}}]}},
        {"Name": "C", "Type": "Condition", "Arguments": {
            "Conditions": [{"Type": "GreaterThanOrEqualTo",
                            "LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.A.PropertyFiles.R"}, "Path": "m.v"}},
                            "RightValue": {"Get": "Parameters.T"}}],
            "IfSteps": [{"Name": "D", "Type": "RegisterModel", "Arguments": {"InferenceSpecification": {
                "Containers": [{"ModelDataUrl": {"Get": "Steps.B.ModelArtifacts.S3ModelArtifacts"}}]}}}],
            "ElseSteps": [{"Name": "E", "Type": "Fail", "Arguments": {"ErrorMessage": "too low"}, "DependsOn": ["B"]}]}},
    ],
}


@pytest.mark.parametrize("text,expected", [
    ("P30D", dt.timedelta(days=30)), ("PT1H", dt.timedelta(hours=1)), ("30d", dt.timedelta(days=30)),
    ("T16m", dt.timedelta(minutes=16)), ("30dT5h", dt.timedelta(days=30, hours=5)), ("P1W", dt.timedelta(days=7)),
])
def test_durations_as_the_caching_page_writes_them(text, expected):
    assert pl.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "30", "PT5X", "P0D"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        pl.parse_duration(text)


def test_dependencies_come_from_property_references_and_depends_on():
    deps = pl.dependencies(DEFINITION)
    assert deps == {"A": set(), "B": {"A"}, "C": {"A"}, "D": {"B"}, "E": {"B"}}
    assert set(pl.all_steps(DEFINITION)) == {"A", "B", "C", "D", "E"}


def test_property_paths_and_json_get():
    props = {"ProcessingOutputConfig": {"Outputs": [{"OutputName": "x", "S3Output": {"S3Uri": "s3://b/x"}},
                                                    {"OutputName": "y", "S3Output": {"S3Uri": "s3://b/y"}}]}}
    assert pl._get_path(props, "ProcessingOutputConfig.Outputs['y'].S3Output.S3Uri") == "s3://b/y"
    assert pl.json_get({"metrics": {"accuracy": {"value": 0.9}}}, "metrics.accuracy.value") == 0.9
    assert pl.json_get({"a": [{"b": 1}, {"b": 2}]}, "a[1].b") == 2


@pytest.mark.parametrize("cond,expected", [
    ({"Type": "GreaterThanOrEqualTo", "LeftValue": 0.7, "RightValue": 0.7}, True),
    ({"Type": "GreaterThan", "LeftValue": 0.7, "RightValue": 0.7}, False),
    ({"Type": "LessThan", "LeftValue": "1", "RightValue": 2}, True),
    ({"Type": "Not", "Expression": {"Type": "Equals", "LeftValue": "a", "RightValue": "a"}}, False),
    ({"Type": "Or", "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 2},
                                   {"Type": "In", "QueryValue": "x", "Values": ["y", "x"]}]}, True),
])
def test_conditions(cond, expected):
    assert pl._evaluate_condition(cond, lambda v: v) is expected


def test_processing_job_honours_the_container_contract(tmp_path, monkeypatch):
    from moto import mock_aws

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        _processing_case(tmp_path)


def _processing_case(tmp_path):
    import boto3

    class Clients:
        def client(self, service):
            return boto3.client(service, region_name="us-east-1")

    s3 = Clients().client("s3")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="in/a.txt", Body=b"hello\n")
    s3.put_object(Bucket="bkt", Key="in/sub/b.txt", Body=b"world\n")
    script = ("import pathlib,sys\nbase=pathlib.Path(__file__).resolve().parents[2]\n"
              "text=''.join(p.read_text() for p in sorted((base/'input'/'data').rglob('*.txt')))\n"
              "(base/'output'/'res'/'out.txt').write_text(text.upper()+sys.argv[1])\n")
    s3.put_object(Bucket="bkt", Key="code/run.py", Body=script.encode())
    request = {
        "AppSpecification": {"ImageUri": "img", "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/run.py"],
                             "ContainerArguments": ["done"]},
        "ProcessingInputs": [
            {"InputName": "data", "S3Input": {"S3Uri": "s3://bkt/in/", "LocalPath": "/opt/ml/processing/input/data"}},
            {"InputName": "code", "S3Input": {"S3Uri": "s3://bkt/code/run.py", "LocalPath": "/opt/ml/processing/input/code"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "res", "S3Output": {
            "S3Uri": "s3://bkt/out", "LocalPath": "/opt/ml/processing/output/res", "S3UploadMode": "EndOfJob"}}]},
    }
    run = pl.ProcessingRunner(Clients(), {}).run("job", request, base_dir=tmp_path / "job")
    assert run.ok, run.failure_reason
    assert run.argv[0] == sys.executable
    assert run.downloaded == {"data": 2, "code": 1}
    assert s3.get_object(Bucket="bkt", Key="out/out.txt")["Body"].read() == b"HELLO\nWORLD\ndone"
    bad = {**request, "AppSpecification": {"ContainerEntrypoint": ["python3", "-c", "import sys; sys.exit(3)"]}}
    failed = pl.ProcessingRunner(Clients(), {}).run("job2", bad, base_dir=tmp_path / "job2")
    assert failed.status == "Failed" and "exit code 3" in failed.failure_reason
    assert json.loads((tmp_path / "job" / "config" / "processingjobconfig.json").read_text())["ProcessingJobName"] == "job"
