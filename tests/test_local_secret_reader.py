"""The ml-security processing run (awslabs.local.secret_reader) on moto: it reads the secret named
by the job only when the job's role may (identity or secret policy, and the key policy for
kms:Decrypt through Secrets Manager), and reports the user name — never the password."""
from __future__ import annotations

import json
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from awslabs.local import secret_reader

REGION, ACCOUNT = "us-east-1", "123456789012"
PASSWORD = "correct-horse-battery-staple"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture
def world():
    with mock_aws():
        clients = {s: boto3.client(s, region_name=REGION) for s in ("iam", "kms", "secretsmanager", "sagemaker")}
        ctx = SimpleNamespace(region=REGION, client=lambda s: clients[s])
        clients["iam"].create_role(RoleName="job", AssumeRolePolicyDocument=json.dumps(TRUST))
        yield ctx, clients


def _key(clients, statements):
    root = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    return clients["kms"].create_key(Policy=json.dumps({"Statement": [root, *statements]}))["KeyMetadata"]["Arn"]


def _job(clients, key_arn, grant=True, args=True):
    arn = clients["secretsmanager"].create_secret(
        Name="db", KmsKeyId=key_arn,
        SecretString=json.dumps({"username": "ml_reader", "password": PASSWORD, "host": "db"}))["ARN"]
    if grant:
        clients["iam"].put_role_policy(RoleName="job", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn}]}))
    clients["sagemaker"].create_processing_job(
        ProcessingJobName="connect", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/job",
        AppSpecification={"ImageUri": "img", **({"ContainerArguments": ["--secret-arn", arn]} if args else {})},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 1}},
        StoppingCondition={"MaxRuntimeInSeconds": 60})
    return arn


USE = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/job"}, "Action": "kms:Decrypt",
       "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}}


def test_the_role_reads_the_secret_and_only_the_user_name_is_kept(world):
    ctx, clients = world
    _job(clients, _key(clients, [USE]))
    result = secret_reader.connect(ctx, "connect")
    assert result["connected"] and result["connected_as"] == "ml_reader"
    assert PASSWORD not in json.dumps(result)


def test_without_get_secret_value_the_run_is_refused(world):
    ctx, clients = world
    _job(clients, _key(clients, [USE]), grant=False)
    result = secret_reader.connect(ctx, "connect")
    assert not result["connected"] and "GetSecretValue" in result["why"]


def test_a_key_policy_that_does_not_let_the_role_decrypt_refuses_the_run(world):
    ctx, clients = world
    _job(clients, _key(clients, []))  # root statement only, and the role has no kms IAM policy
    result = secret_reader.connect(ctx, "connect")
    assert not result["connected"] and "kms:Decrypt" in result["why"]


def test_a_job_given_no_secret_says_so(world):
    ctx, clients = world
    _job(clients, _key(clients, [USE]), args=False)
    result = secret_reader.connect(ctx, "connect")
    assert not result["connected"] and "DB_SECRET_ARN" in result["why"]
