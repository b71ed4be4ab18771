"""awslabs.local.events: EventBridge pattern matching against the examples in AWS's documentation
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
eb-create-pattern-operators.html), the model-package event's envelope, and delivery on moto."""
from __future__ import annotations

import json
import time

import pytest

from awslabs.local import events as eb

# The EC2 example event of the EventBridge user guide (abridged).
EC2_EVENT = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2", "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "d-count": 0.5,
               "x-limit": 301.8, "source-ip": "10.0.0.123"},
}


@pytest.mark.parametrize("pattern, expected", [
    ({"source": ["aws.ec2"]}, True),
    ({"source": ["aws.ec2", "aws.fargate"]}, True),                       # values in a list: OR
    ({"source": ["aws.ec2"], "detail": {"state": ["running"]}}, False),   # fields: AND
    ({"detail": {"state": ["Terminated"]}}, False),                       # case-sensitive
    ({"detail": {"state": [{"equals-ignore-case": "TERMINATED"}]}}, True),
    ({"detail": {"missing": ["x"]}}, False),                              # every named field must exist
    ({"detail": {"state": [{"prefix": "term"}]}}, True),
    ({"detail": {"instance-id": [{"suffix": "cdef0"}]}}, True),
    ({"detail": {"state": [{"anything-but": "initializing"}]}}, True),
    ({"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}, False),
    ({"region": [{"anything-but": {"prefix": "us-"}}]}, False),
    ({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ({"detail": {"d-count": [{"numeric": ["<", 10]}]}}, True),
    ({"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}, True),
    ({"detail": {"c-count": [{"numeric": [">", 5]}]}}, False),
    ({"detail": {"c-count": ["5"]}}, False),                              # a string never equals a number
    ({"detail": {"c-count": [5]}}, True),
    ({"detail": {"state": [{"exists": True}]}}, True),
    ({"detail": {"nope": [{"exists": False}]}}, True),
    ({"detail": {"state": [{"exists": False}]}}, False),
    ({"detail": {"instance-id": [{"wildcard": "i-*def0"}]}}, True),
    ({"detail": {"instance-id": [{"wildcard": "i-*.def0"}]}}, False),
    ({"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}, True),  # any element
    ({"source": ["aws.ec2"], "$or": [{"detail": {"state": ["running"]}}, {"detail": {"c-count": [5]}}]}, True),
    ({"$or": [{"detail": {"state": ["running"]}}, {"region": ["eu-west-1"]}]}, False),
])
def test_patterns_match_as_the_documentation_says(pattern, expected):
    assert eb.matches(pattern, EC2_EVENT) is expected
    assert eb.matches(json.dumps(pattern), EC2_EVENT) is expected  # JSON text too, as rules store it


def test_invalid_patterns_are_refused():
    for bad in ({}, {"source": "aws.ec2"}, {"detail": {"state": [{"prefix": "a", "suffix": "b"}]}},
                {"detail": {"c-count": [{"numeric": [">"]}]}}):
        with pytest.raises(eb.PatternError):
            eb.matches(bad, EC2_EVENT)


def _package(status=None, version=1, group="churn"):
    package = {"ModelPackageGroupName": group, "ModelPackageVersion": version, "ModelPackageStatus": "Completed",
               "ModelPackageArn": f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{group}/{version}"}
    if status:
        package["ModelApprovalStatus"] = status
    return package


def test_model_package_event_has_the_envelope_eventbridge_requires():
    event = eb.model_package_event(_package("Approved"), "us-east-1", "123456789012")
    # TestEventPattern's mandatory fields (API reference)
    for field in ("id", "account", "source", "time", "region", "resources", "detail-type"):
        assert event[field], field
    assert event["source"] == "aws.sagemaker"
    assert event["detail-type"] == "SageMaker Model Package State Change"
    assert event["resources"] == ["arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/1"]
    assert event["detail"]["ModelPackageVersion"] == 1
    json.dumps(event)  # serialisable as it is sent
    # the same state gives the same event id; another state another one
    assert eb.model_package_event(_package("Approved"), "us-east-1", "123456789012")["id"] == event["id"]
    assert eb.model_package_event(_package("Rejected"), "us-east-1", "123456789012")["id"] != event["id"]
    assert eb.model_package_event(_package(), "us-east-1", "1")["detail"]["ModelApprovalStatus"] == "PendingManualApproval"


PATTERN = {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
           "detail": {"ModelPackageGroupName": ["churn"], "ModelApprovalStatus": ["Approved"]}}


@pytest.mark.parametrize("package, expected", [
    (_package("Approved"), True),
    (_package("Rejected"), False),
    (_package(), False),
    (_package("Approved", group="fraud"), False),
])
def test_the_registry_rule_matches_approvals_of_its_group_only(package, expected):
    assert eb.matches(PATTERN, eb.model_package_event(package, "us-east-1", "1")) is expected


class _Ctx:
    def __init__(self, clients):
        self._clients = clients

    def client(self, service):
        return self._clients[service]


def test_dispatch_starts_matching_targets_once(monkeypatch):
    import boto3
    from moto import mock_aws

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        _dispatch_scenario(boto3)


def _dispatch_scenario(boto3):
    clients = {s: boto3.client(s, region_name="us-east-1") for s in ("events", "stepfunctions", "iam", "sqs")}
    role = clients["iam"].create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    machine = clients["stepfunctions"].create_state_machine(
        name="deploy", roleArn=role,
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    queue = clients["sqs"].create_queue(QueueName="audit")["QueueUrl"]
    clients["events"].put_rule(Name="approved", EventPattern=json.dumps(PATTERN), State="ENABLED")
    clients["events"].put_targets(Rule="approved", Targets=[{"Id": "deploy", "Arn": machine, "RoleArn": role}])
    clients["events"].put_rule(Name="all", EventPattern=json.dumps({"source": ["aws.sagemaker"]}), State="DISABLED")
    clients["events"].put_targets(Rule="all", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:audit",
                                                        "InputPath": "$.detail"}])
    ctx = _Ctx(clients)

    rejected = eb.dispatch(ctx, eb.model_package_event(_package("Rejected"), "us-east-1", "123456789012"))
    assert {r["rule"]: r["matched"] for r in rejected} == {"approved": False, "all": False}  # disabled: never
    approved = eb.model_package_event(_package("Approved"), "us-east-1", "123456789012")
    first = eb.dispatch(ctx, approved)
    again = eb.dispatch(ctx, approved)  # EventBridge delivers at least once: one execution still
    by_rule = {r["rule"]: r for r in first}
    assert by_rule["approved"]["matched"] and not by_rule["all"]["matched"]
    assert by_rule["approved"]["targets"][0]["delivered"] and not by_rule["approved"]["targets"][0].get("again")
    # a repeat names the same execution: Step Functions answers a running duplicate with it
    # (StartExecution is idempotent for the same name and input) and a closed one with ExecutionAlreadyExists
    assert {r["rule"]: r for r in again}["approved"]["targets"][0]["execution"] == by_rule["approved"]["targets"][0]["execution"]
    executions = clients["stepfunctions"].list_executions(stateMachineArn=machine)["executions"]
    assert len(executions) == 1
    for _ in range(50):
        described = clients["stepfunctions"].describe_execution(executionArn=executions[0]["executionArn"])
        if described["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert json.loads(described["input"])["detail"]["ModelApprovalStatus"] == "Approved"
    assert clients["sqs"].receive_message(QueueUrl=queue).get("Messages") is None  # the disabled rule's target

    clients["events"].enable_rule(Name="all")
    eb.dispatch(ctx, approved)
    body = json.loads(clients["sqs"].receive_message(QueueUrl=queue)["Messages"][0]["Body"])
    assert body["ModelPackageVersion"] == 1  # InputPath $.detail: the detail only
