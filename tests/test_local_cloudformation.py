"""awslabs.local.cloudformation: drift found by reading each resource back, on a stack moto creates.

The expected findings are written out by hand from the template below and the manual changes the
tests make (the documented StackResourceDrift / PropertyDifference shape), not computed by the
module under test."""
from __future__ import annotations

import warnings

import boto3
import pytest
from moto import mock_aws

from awslabs.local.cloudformation import detect_drift, differences

TEMPLATE = """
Parameters:
  ImageUri: {Type: String}
Resources:
  Data:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub "${AWS::StackName}-data"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: sagemaker.amazonaws.com}, Action: sts:AssumeRole}]
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !GetAtt Role.Arn
      PrimaryContainer: {Image: !Ref ImageUri, ModelDataUrl: !Sub "s3://${Data}/model.tar.gz"}
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties: {MinCapacity: 1, MaxCapacity: 2, ResourceId: x, ScalableDimension: y, ServiceNamespace: sagemaker}
"""
REGION, ACCOUNT, STACK = "us-east-1", "123456789012", "drift-test"


@pytest.fixture
def stack():
    with mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = lambda service: boto3.client(service, region_name=REGION)  # noqa: E731
        client("cloudformation").create_stack(StackName=STACK, TemplateBody=TEMPLATE, Capabilities=["CAPABILITY_IAM"],
                                              Parameters=[{"ParameterKey": "ImageUri", "ParameterValue": "img:1"}])
        yield client


def _by_id(report):
    return {d["LogicalResourceId"]: d for d in report["StackResourceDrifts"]}


def test_a_fresh_stack_is_in_sync(stack):
    report = detect_drift(stack, STACK, REGION, ACCOUNT)
    found = _by_id(report)
    assert report["StackDriftStatus"] == "IN_SYNC"
    assert {k: d["StackResourceDriftStatus"] for k, d in found.items()} == {
        "Data": "IN_SYNC", "Role": "IN_SYNC", "Model": "IN_SYNC",
        "Target": "NOT_CHECKED"}  # moto's CloudFormation does not create Application Auto Scaling targets


def test_encryption_changed_by_hand_is_a_not_equal_difference(stack):
    stack("s3").put_bucket_encryption(Bucket=f"{STACK}-data", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    report = detect_drift(stack, STACK, REGION, ACCOUNT)
    data = _by_id(report)["Data"]
    assert report["StackDriftStatus"] == "DRIFTED"
    assert data["StackResourceDriftStatus"] == "MODIFIED"
    assert data["PropertyDifferences"] == [{
        "PropertyPath": "/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm",
        "ExpectedValue": "AES256", "ActualValue": "aws:kms", "DifferenceType": "NOT_EQUAL"}]
    assert _by_id(report)["Model"]["StackResourceDriftStatus"] == "IN_SYNC"


def test_a_model_deleted_by_hand_is_deleted(stack):
    sm = stack("sagemaker")
    sm.delete_model(ModelName=sm.list_models()["Models"][0]["ModelName"])
    assert _by_id(detect_drift(stack, STACK, REGION, ACCOUNT))["Model"]["StackResourceDriftStatus"] == "DELETED"


def test_differences_compare_only_what_the_template_sets():
    assert differences({"A": 1}, {"A": "1", "Extra": 2}) == []  # parameters are strings; extra keys are not drift
    assert differences({"A": {"B": "x"}}, {}) == [
        {"PropertyPath": "/A", "ExpectedValue": '{"B": "x"}', "ActualValue": "null", "DifferenceType": "REMOVE"}]
    assert differences({"L": ["a"]}, {"L": ["a", "b"]}) == [
        {"PropertyPath": "/L/1", "ExpectedValue": "null", "ActualValue": '"b"', "DifferenceType": "ADD"}]
