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
