"""The SageMaker SDK workarounds (awslabs.sagemaker_sdk). SDK-dependent tests skip without it."""
from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest

from awslabs import sagemaker_sdk
from awslabs.context import LabContext
from awslabs.ledger import Ledger
from awslabs.settings import Settings
from awslabs.targets import make_target


def test_a_server_target_session_sends_every_client_to_the_endpoint():
    fake = SimpleNamespace(name="server", region="eu-west-1", endpoint_url="http://127.0.0.1:4999")
    session = sagemaker_sdk.boto3_session_for(fake)
    assert session.client("sagemaker").meta.endpoint_url == "http://127.0.0.1:4999"
    assert session.resource("s3").meta.client.meta.endpoint_url == "http://127.0.0.1:4999"
    assert session.client("s3", endpoint_url="http://other:1").meta.endpoint_url == "http://other:1"
    assert session.get_credentials().access_key == "testing"


def test_empty_dicts_are_dropped_from_responses():
    parsed = {"EndpointName": "e", "DataCaptureConfig": {}, "VpcConfig": {}, "Tags": {"a": 1}, "ResponseMetadata": {}}
    sagemaker_sdk._drop_empty_dicts(parsed)
    assert parsed == {"EndpointName": "e", "Tags": {"a": 1}, "ResponseMetadata": {}}


def test_sdk_session_on_moto_records_requests_and_opts_out_of_telemetry(tmp_path):
    pytest.importorskip("sagemaker.train")
    target = make_target(Settings.load(target="moto"))
    ctx = LabContext(SimpleNamespace(id="sdk-test"), target, Ledger(None), "r1")
    bucket = ctx.name("data")
    ctx.client("s3").create_bucket(Bucket=bucket)
    session = sagemaker_sdk.sdk_session(ctx, bucket)
    assert os.environ["SAGEMAKER_VALIDATE_ROLE"] == "false"
    assert "TelemetryOptOut: true" in open(os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"]).read()
    assert session.default_bucket() == bucket
    sm = session.boto_session.client("sagemaker")
    sm.create_training_job(
        TrainingJobName="captured", RoleArn="arn:aws:iam::123456789012:role/r",
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File",
                                "MetricDefinitions": [{"Name": "m", "Regex": "m=(.*)"}]},
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/o"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 60}, Environment={"A": "1"})
    sent = sagemaker_sdk.captured_requests(session)["captured"]
    assert sent["AlgorithmSpecification"]["MetricDefinitions"] == [{"Name": "m", "Regex": "m=(.*)"}]
    assert sent["Environment"] == {"A": "1"}
    # what moto stores instead: the reason the runner uses the captured request
    described = sm.describe_training_job(TrainingJobName="captured")
    assert json.dumps(described["AlgorithmSpecification"]["MetricDefinitions"]) != json.dumps(
        sent["AlgorithmSpecification"]["MetricDefinitions"])
