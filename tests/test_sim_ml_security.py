"""The ml-security request matrices (awslabs.sim.ml_security) judged against AWS's own example
policies: each documented policy must get the verdict the task states, row by row; the figures the
lab uses must match the API documentation botocore ships."""
from __future__ import annotations

import re

import pytest

from awslabs import facts, judge
from awslabs.judge import Request
from awslabs.sim import ml_security as matrix

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/trainer"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
B = "arn:aws:s3:::data"
ROLE_POLICY = {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                              "Resource": [B, f"{B}/*"]}]}

# AWS Config's s3-bucket-ssl-requests-only example (repost.aws knowledge center) and the
# "Prevent unencrypted uploads" example of AWS Organizations' S3 SCP examples, made a bucket policy
TLS_ONLY = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [B, f"{B}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
NULL_HEADER = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{B}/*",
               "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}
NOT_KMS = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{B}/*",
           "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}


def _bucket_verdicts(policy):
    return [bool(judge.access_allowed([ROLE_POLICY], policy, Request(r.action, r.resource, {"AWS": ROLE}, r.context)))
            for r in matrix.bucket_requests("data", KEY)]


@pytest.mark.parametrize("statements", [[TLS_ONLY, NULL_HEADER], [TLS_ONLY, NOT_KMS], [TLS_ONLY, NULL_HEADER, NOT_KMS]])
def test_awss_example_policies_give_every_row_its_verdict(statements):
    wanted = [r.allowed for r in matrix.bucket_requests("data", KEY)]
    assert _bucket_verdicts({"Version": "2012-10-17", "Statement": statements}) == wanted


def test_the_cis_object_only_tls_statement_misses_the_bucket_level_row():
    # CIS 2.1.1's single statement names arn:aws:s3:::<bucket>/* only: ListBucket over HTTP passes
    object_only = {**TLS_ONLY, "Resource": f"{B}/*"}
    rows = matrix.bucket_requests("data", KEY)
    verdicts = _bucket_verdicts({"Statement": [object_only, NOT_KMS]})
    wrong = [r.name for r, v in zip(rows, verdicts) if v != r.allowed]
    assert wrong == ["a ListBucket over plain HTTP is refused"]


def test_no_bucket_policy_refuses_nothing():
    rows = matrix.bucket_requests("data", KEY)
    assert _bucket_verdicts(None) == [True] * len(rows)


def test_awss_default_key_policy_lets_only_the_account_administer():
    # https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html: one statement
    default = {"Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                              "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}
    who = {"role": ROLE, "root": f"arn:aws:iam::{ACCOUNT}:root", "other": f"arn:aws:iam::{ACCOUNT}:role/x"}
    verdicts = {r.name: bool(judge.access_allowed([], default, Request(r.action, KEY, {"AWS": who[r.principal]},
                                                                       r.context), key_policy=True))
                for r in matrix.kms_requests("us-east-1")}
    assert verdicts["the account (root) may administer the key (PutKeyPolicy)"]
    assert not verdicts["the role may Decrypt through S3"]  # no IAM policy yet: the root statement only delegates


def test_the_rows_carry_the_documented_condition_keys():
    rows = matrix.bucket_requests("data", KEY)
    assert rows[1].context == {"aws:SecureTransport": "true", "s3:x-amz-server-side-encryption": "aws:kms",
                               "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}
    assert rows[3].context["aws:SecureTransport"] == "false"
    assert {r.context["kms:ViaService"] for r in matrix.kms_requests("eu-west-1") if "kms:ViaService" in r.context} \
        == {"s3.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"}


def test_ipsec_rules_are_udp_500_and_esp():
    # train-encrypt.html: "UDP 500 / self security group" and "ESP 50 / self security group"
    assert matrix.IPSEC_RULES[0] == {"IpProtocol": "udp", "FromPort": 500, "ToPort": 500}
    assert matrix.IPSEC_RULES[1]["IpProtocol"] == "50"


def test_deletion_windows_match_the_api_models_botocore_ships():
    import botocore.session

    session = botocore.session.get_session()
    kms_doc = session.get_service_model("kms").shape_for("ScheduleKeyDeletionRequest").members[
        "PendingWindowInDays"].documentation
    assert "between 7 and 30, inclusive" in " ".join(re.sub("<[^>]+>", " ", kms_doc).split())
    assert facts.value("kms.min_pending_window_days") == 7
    sm_doc = session.get_service_model("secretsmanager").shape_for("DeleteSecretRequest").members[
        "RecoveryWindowInDays"].documentation
    assert "from 7 to 30" in sm_doc
