"""The comparators that judge by meaning (awslabs.judge): equal forms pass, near misses fail with
a reason, and the policy evaluator answers the labs' questions the way IAM documents."""
from __future__ import annotations

import json

import pytest

from awslabs import judge
from awslabs.judge import Request, evaluate


# -- schedules --------------------------------------------------------------------------------------
@pytest.mark.parametrize("other", [
    "cron(0 2 ? * * *)",      # "any day" on the other day field
    "cron(0 2 * * ? *)",
    "cron(00 02 * * ? *)",    # leading zeros
    "cron(0 2 ? JAN-DEC * *)",
    "cron(0 2 1-31 * ? *)",
    "cron(0 2 ? * SUN-SAT *)",
    "cron(0 2 ? * 1-7 *)",
    " cron(0  2 * * ? *) ",
])
def test_cron_written_another_valid_way_is_the_same_schedule(other):
    assert judge.same_schedule(other, "cron(0 2 * * ? *)")


@pytest.mark.parametrize("near_miss, field", [
    ("cron(0 14 * * ? *)", "hours"),
    ("cron(2 0 * * ? *)", "minutes"),
    ("cron(0 2 ? * MON-FRI *)", "day-of-week"),
])
def test_cron_near_miss_names_the_field_that_differs(near_miss, field):
    verdict = judge.same_schedule(near_miss, "cron(0 2 * * ? *)")
    assert not verdict and field in verdict.why


def test_cron_ranges_steps_lists_and_names():
    assert judge.same_schedule("cron(0/15 * * * ? *)", "cron(0,15,30,45 * * * ? *)")
    assert judge.same_schedule("cron(0 8 ? * MON-FRI *)", "cron(0 8 ? * 2-6 *)")
    assert judge.same_schedule("cron(0 10 L * ? *)", "cron(0 10 l * ? *)")
    assert not judge.same_schedule("cron(0 2 * *)", "cron(0 2 * * ? *)")
    assert "six fields" in judge.same_schedule("cron(0 2 * *)", "cron(0 2 * * ? *)").why
    assert not judge.same_schedule("cron(0 25 * * ? *)", "cron(0 2 * * ? *)")
    assert not judge.same_schedule(None, "cron(0 2 * * ? *)")


def test_rate_units_and_plurals():
    assert judge.same_schedule("rate(24 hours)", "rate(1 day)")
    assert judge.same_schedule("rate(60 minutes)", "rate(1 hour)")
    assert not judge.same_schedule("rate(2 hours)", "rate(1 hour)")
    assert "cron" in judge.same_schedule("rate(1 day)", "cron(0 2 * * ? *)").why
    assert not judge.same_schedule("rate(1 fortnight)", "rate(1 day)")


# -- filter patterns --------------------------------------------------------------------------------
@pytest.mark.parametrize("other", ["{ $.status >= 500 }", "{$.status>=500}", "{ $.status >=500 }", "{  $.status  >=  500  }"])
def test_json_filter_pattern_spacing_does_not_matter(other):
    assert judge.same_filter_pattern(other, "{ $.status >= 500 }")


def test_term_patterns_quoting_and_order():
    assert judge.same_filter_pattern("ERROR", '"ERROR"')
    assert judge.same_filter_pattern("ERROR Exception", "Exception  ERROR")
    assert judge.same_filter_pattern("?ERROR ?WARN", "?WARN ?ERROR")
    assert not judge.same_filter_pattern("drift warning", '"drift warning"')  # two terms vs one phrase
    assert not judge.same_filter_pattern("{ $.status > 500 }", "{ $.status >= 500 }")
    assert not judge.same_filter_pattern('{ $.msg = "Drift*" }', '{ $.msg = "drift*" }')  # case matters


def test_filter_patterns_judged_by_effect():
    lines = [json.dumps({"status": s, "msg": m}) for s, m in [(200, "ok"), (500, "x"), (503, "throttled")]]
    assert [judge.filter_pattern_matches("{ $.status >= 500 }", line) for line in lines] == [False, True, True]
    assert [judge.filter_pattern_matches("{ $.status = 5* }", line) for line in lines[:1]] == [False]
    assert judge.filter_pattern_matches('"drift warning"', '{"msg": "drift warning: x"}')
    assert not judge.filter_pattern_matches('"drift warning"', '{"msg": "drift: warning"}')
    assert judge.filter_pattern_matches("?ERROR ?WARN", "WARN disk")
    assert judge.filter_pattern_matches('{ $.msg = "drift*" || $.status >= 500 }', lines[1])
    assert not judge.filter_pattern_matches('{ $.msg = "drift*" && $.status >= 500 }', lines[1])
    assert judge.filter_pattern_matches("", "anything")


# -- policies ---------------------------------------------------------------------------------------
QUEUE = "arn:aws:sqs:us-east-1:123456789012:inbox"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"
GOOD_QUEUE_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
    "Resource": QUEUE, "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC}}}]}


def test_policies_equal_regardless_of_key_order_single_values_and_sid():
    other = json.dumps({"Statement": [{"Condition": {"ArnEquals": {"aws:SourceArn": [TOPIC]}}, "Resource": [QUEUE],
                                       "Action": ["SQS:SendMessage"], "Sid": "sns", "Effect": "Allow",
                                       "Principal": {"Service": ["sns.amazonaws.com"]}}], "Version": "2012-10-17"})
    assert judge.same_policy(other, GOOD_QUEUE_POLICY)
    assert judge.same_policy({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}},
                             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:getobject"], "Resource": ["*"]}]})
    wrong = json.loads(json.dumps(GOOD_QUEUE_POLICY))
    wrong["Statement"][0]["Action"] = "sqs:ReceiveMessage"
    assert not judge.same_policy(wrong, GOOD_QUEUE_POLICY)


def test_sns_may_send_to_a_queue_whose_policy_allows_its_topic():
    assert judge.sns_may_send_to_queue(GOOD_QUEUE_POLICY, TOPIC, QUEUE)
    assert judge.sns_may_send_to_queue(json.dumps(GOOD_QUEUE_POLICY), TOPIC, QUEUE)
    # other valid ways: a wildcard action, ArnLike on the account's topics, the account as SourceAccount
    other = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:*",
                            "Resource": "arn:aws:sqs:*:123456789012:*",
                            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}}]}
    assert judge.sns_may_send_to_queue(other, TOPIC, QUEUE)
    by_account = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                                 "Resource": QUEUE, "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}
    assert judge.sns_may_send_to_queue(by_account, TOPIC, QUEUE)


@pytest.mark.parametrize("mistake", ["no policy", "another topic", "wrong principal", "explicit deny", "wrong action", "no principal"])
def test_sns_may_not_send_near_misses(mistake):
    policy = json.loads(json.dumps(GOOD_QUEUE_POLICY))
    statement = policy["Statement"][0]
    if mistake == "no policy":
        policy = None
    elif mistake == "another topic":
        statement["Condition"]["ArnEquals"]["aws:SourceArn"] = TOPIC + "-old"
    elif mistake == "wrong principal":
        statement["Principal"] = {"Service": "events.amazonaws.com"}
    elif mistake == "explicit deny":
        policy["Statement"].append({"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": QUEUE})
    elif mistake == "wrong action":
        statement["Action"] = "sqs:ReceiveMessage"
    elif mistake == "no principal":
        del statement["Principal"]
    decision = judge.sns_may_send_to_queue(policy, TOPIC, QUEUE)
    assert not decision
    assert "SNS" in decision.why or "topic" in decision.why or "sns" in decision.why


def test_trust_policy_evaluation():
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    assert judge.service_may_assume(trust, "firehose.amazonaws.com")
    assert not judge.service_may_assume(trust, "glue.amazonaws.com")
    conditioned = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "sts:AssumeRole",
                                  "Condition": {"StringLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:*"}}}]}
    assert judge.service_may_assume(conditioned, "logs.amazonaws.com",
                                    {"aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:g"})
    assert not judge.service_may_assume(conditioned, "logs.amazonaws.com",
                                        {"aws:SourceArn": "arn:aws:logs:us-east-1:999999999999:log-group:g"})


def test_identity_policy_evaluation_wildcards_deny_and_not_action():
    stream = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    allow = {"Statement": [{"Effect": "Allow", "Action": "kinesis:Put*", "Resource": "arn:aws:kinesis:*:*:stream/*"}]}
    assert evaluate(allow, Request("kinesis:PutRecord", stream))
    assert evaluate(allow, Request("Kinesis:putrecords", stream))  # actions are case-insensitive
    assert not evaluate(allow, Request("kinesis:GetRecords", stream))
    deny = {"Statement": [{"Effect": "Deny", "Action": "kinesis:PutRecord", "Resource": stream}]}
    decision = evaluate([allow, deny], Request("kinesis:PutRecord", stream))
    assert not decision and "explicitly denied" in decision.why
    not_action = {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    assert evaluate(not_action, Request("kinesis:PutRecord", stream))
    assert not evaluate(not_action, Request("iam:CreateRole", "*"))
    single = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObjec?", "Resource": "arn:aws:s3:::b/*"}]}
    assert evaluate(single, Request("s3:GetObject", "arn:aws:s3:::b/k"))
    assert not evaluate(single, Request("s3:GetObject", "arn:aws:s3:::other/k"))
    negated = {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    assert not evaluate([allow, negated], Request("kinesis:PutRecord", stream, context={"aws:SecureTransport": "false"}))
    assert evaluate([allow, negated], Request("kinesis:PutRecord", stream, context={"aws:SecureTransport": "true"}))
    missing = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}}]}
    assert evaluate(missing, Request("s3:GetObject", "*"))  # a missing key satisfies a negated operator


def test_role_may_put_to_a_stream_on_moto():
    from awslabs.settings import Settings
    from awslabs.targets import make_target

    target = make_target(Settings.load(target="moto"))
    iam = target.client("iam")
    stream = "arn:aws:kinesis:us-east-1:123456789012:stream/judge-s"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="judge-role", AssumeRolePolicyDocument=json.dumps(trust))
    assert not judge.role_may(iam, "judge-role", "kinesis:PutRecord", stream)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
                                                      "Resource": stream}]}
    arn = iam.create_policy(PolicyName="judge-put", PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="judge-role", PolicyArn=arn)  # attached, not inline: another valid way
    assert judge.role_may(iam, "judge-role", "kinesis:PutRecord", stream)
    assert not judge.role_may(iam, "judge-role", "kinesis:PutRecord", stream + "-other")
    assert not judge.role_may(iam, "no-such-role", "kinesis:PutRecord", stream)
    assert judge.service_may_assume(iam.get_role(RoleName="judge-role")["Role"]["AssumeRolePolicyDocument"], "logs.amazonaws.com")


# -- defaults and numbers ---------------------------------------------------------------------------
def test_defaults_left_implicit_and_their_sources():
    assert judge.effective("sqs", "queue", "VisibilityTimeout", None) == 30
    assert judge.effective("sqs", "queue", "VisibilityTimeout", "1") == 1
    assert judge.effective("cloudwatch", "alarm", "TreatMissingData", None) == "missing"
    assert judge.effective("s3", "restore", "Tier", None) == "Standard"
    assert judge.effective("kinesis", "stream", "RetentionPeriodHours", None) == 24
    assert judge.effective("sqs", "queue", "ContentBasedDeduplication", "true") is True
    for (_service, _resource, _attribute), (_value, source) in judge.DEFAULTS.items():
        assert source.startswith("https://docs.aws.amazon.com/")


def test_numeric_tolerance_and_split_points():
    assert judge.close(0.30000000000000004, 0.3, abs_=1e-9)
    assert not judge.close(0.31, 0.3, abs_=1e-3)
    assert judge.close(101, 100, rel=0.02)
    assert not judge.close(None, 1)
    start, end = 0, 2**128 - 1
    points = judge.kinesis_split_points(start, end)
    assert points == {(start + end) // 2, (start + end) // 2 + 1}
    assert 2**127 in points  # AWS's example "even split" of the whole key space


# -- identity + resource policies, KMS key policies (ml-security) ------------------------------------
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/trainer"
OTHER = f"arn:aws:iam::{ACCOUNT}:role/someone-else"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET = "arn:aws:s3:::data"


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


# AWS's documented default key policy: the account root may do everything, which enables IAM policies
# (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)
ROOT_STATEMENT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": ROOT},
                  "Action": "kms:*", "Resource": "*"}
USE = {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": ROLE},
       "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}
IAM_KMS = _doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})


def _kms(action, principal, identity=(), key_policy=None, context=None):
    return judge.access_allowed(list(identity), key_policy, Request(action, KEY, {"AWS": principal}, context or {}),
                                key_policy=True)


def test_a_key_policy_that_names_the_role_lets_it_use_the_key_without_any_iam_policy():
    assert _kms("kms:Decrypt", ROLE, key_policy=_doc(ROOT_STATEMENT, USE))
    assert _kms("kms:GenerateDataKeyWithoutPlaintext", ROLE, key_policy=_doc(ROOT_STATEMENT, USE))


def test_the_root_statement_alone_grants_a_role_nothing_until_an_iam_policy_does():
    assert not _kms("kms:Decrypt", ROLE, key_policy=_doc(ROOT_STATEMENT))
    assert _kms("kms:Decrypt", ROLE, identity=[IAM_KMS], key_policy=_doc(ROOT_STATEMENT))


def test_without_the_root_statement_an_iam_policy_cannot_grant_use_of_the_key():
    decision = _kms("kms:Decrypt", OTHER, identity=[IAM_KMS], key_policy=_doc(USE))
    assert not decision and "enables IAM policies" in decision.why


def test_the_account_root_administers_the_key_and_the_user_role_does_not():
    policy = _doc(ROOT_STATEMENT, USE)
    assert _kms("kms:ScheduleKeyDeletion", ROOT, key_policy=policy)
    assert not _kms("kms:ScheduleKeyDeletion", ROLE, key_policy=policy)
    assert not _kms("kms:Decrypt", OTHER, key_policy=policy)


def test_kms_via_service_condition_limits_use_to_requests_through_that_service():
    via = {**USE, "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}
    policy = _doc(ROOT_STATEMENT, via)
    assert _kms("kms:Decrypt", ROLE, key_policy=policy, context={"kms:ViaService": "s3.us-east-1.amazonaws.com"})
    assert not _kms("kms:Decrypt", ROLE, key_policy=policy)  # a direct call carries no kms:ViaService


# AWS's examples of a bucket policy that requires TLS and SSE-KMS uploads
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html,
#  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport)
TLS = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"],
       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
SSE = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{BUCKET}/*",
       "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}
ROLE_S3 = _doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{BUCKET}/*"},
               {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET})


def _s3(action, resource, context, bucket_policy=_doc(TLS, SSE), identity=(ROLE_S3,)):
    return judge.access_allowed(list(identity), bucket_policy, Request(action, resource, {"AWS": ROLE}, context))


def test_bucket_policy_deny_wins_over_the_roles_allow():
    https = {"aws:SecureTransport": "true"}
    assert not _s3("s3:PutObject", f"{BUCKET}/m.tar.gz", https)
    assert _s3("s3:PutObject", f"{BUCKET}/m.tar.gz", {**https, "s3:x-amz-server-side-encryption": "aws:kms"})
    assert not _s3("s3:GetObject", f"{BUCKET}/m.tar.gz", {"aws:SecureTransport": "false"})
    assert not _s3("s3:ListBucket", BUCKET, {"aws:SecureTransport": "false"})
    assert _s3("s3:GetObject", f"{BUCKET}/m.tar.gz", https)


def test_same_account_an_allow_in_either_policy_grants():
    grant = _doc({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})
    assert _s3("s3:GetObject", f"{BUCKET}/x", {}, bucket_policy=grant, identity=())
    assert not _s3("s3:GetObject", f"{BUCKET}/x", {}, bucket_policy=None, identity=())


def test_a_resource_policy_that_names_only_the_account_delegates_to_iam():
    account_only = _doc({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "s3:GetObject",
                         "Resource": f"{BUCKET}/*"})
    decision = _s3("s3:GetObject", f"{BUCKET}/x", {}, bucket_policy=account_only, identity=())
    assert not decision and "account as a whole" in decision.why
    assert _s3("s3:GetObject", f"{BUCKET}/x", {}, bucket_policy=account_only)


def test_null_condition_and_not_ip_address():
    null = _doc({"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{BUCKET}/*",
                 "Condition": {"Null": {"s3:x-amz-server-side-encryption": True}}})
    assert not _s3("s3:PutObject", f"{BUCKET}/x", {}, bucket_policy=null)
    assert _s3("s3:PutObject", f"{BUCKET}/x", {"s3:x-amz-server-side-encryption": "aws:kms"}, bucket_policy=null)
    ip = _doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET}/*",
               "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
    assert _s3("s3:GetObject", f"{BUCKET}/x", {"aws:SourceIp": "10.1.2.3"}, bucket_policy=ip)
    assert not _s3("s3:GetObject", f"{BUCKET}/x", {"aws:SourceIp": "192.0.2.1"}, bucket_policy=ip)


def test_account_root_principal_against_a_non_arn_principal_does_not_crash():
    policy = _doc({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"})
    assert not evaluate(policy, Request("sts:AssumeRole", "*", {"AWS": "role/x"}), resource_policy=True)


def test_an_aws_managed_policy_attached_on_the_server_is_evaluated(moto_server):
    """`awslabs serve` holds AWS managed policies: a learner's execution role with
    AmazonSageMakerFullAccess attached is judged by what that policy allows (S3 objects in
    buckets whose name contains "sagemaker"), not refused and not waved through."""
    import boto3

    iam = boto3.client("iam", endpoint_url=moto_server, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    iam.create_role(RoleName="learner-exec", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    iam.attach_role_policy(RoleName="learner-exec", PolicyArn="arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    assert judge.role_may(iam, "learner-exec", "s3:GetObject", "arn:aws:s3:::my-sagemaker-data/train.csv")
    assert not judge.role_may(iam, "learner-exec", "s3:GetObject", "arn:aws:s3:::my-data/train.csv")
