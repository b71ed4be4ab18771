"""Deleters and sweepers for Firehose, Kinesis Video, KDA v2 (Managed Flink), MSK and Lambda."""
from __future__ import annotations


import boto3
import pytest
from moto import mock_aws

from awslabs import resources
from awslabs.resources import kinesisanalytics


class Clients:
    def __init__(self, name="moto"):
        self.name = name

    def client(self, service):
        return boto3.client(service, region_name="us-east-1")


@pytest.fixture
def clients():
    with mock_aws():
        yield Clients()


def test_kda_application_that_moto_cannot_delete_is_reported_as_an_emulator_limit(clients):
    kda = clients.client("kinesisanalyticsv2")
    arn = kda.create_application(ApplicationName="awslabs-x-1a2b3c-app", RuntimeEnvironment="FLINK-1_18",
                                 ServiceExecutionRole="arn:aws:iam::123456789012:role/r",
                                 Tags=[{"Key": "awslabs:run", "Value": "1a2b3c"}])["ApplicationDetail"]["ApplicationARN"]
    assert resources.from_arn(arn) == ("kinesisanalyticsv2:application", "awslabs-x-1a2b3c-app")
    note = resources.kind("kinesisanalyticsv2:application").delete(clients, "awslabs-x-1a2b3c-app", {})
    assert note.startswith("emulator limit")
    assert arn in kinesisanalytics.EMULATOR_KEPT
    assert resources.from_arn(arn) is None  # not reported again as a leftover
    # an application that does not exist counts as deleted (no raw KeyError from describe)
    resources.kind("kinesisanalyticsv2:application").delete(clients, "never-created", {})


def test_kda_deleter_does_not_hide_real_errors_on_aws():
    class Refusing:
        name = "aws"

        def client(self, service):
            return self

        def list_applications(self, **kwargs):
            return {"ApplicationSummaries": [{"ApplicationName": "a", "ApplicationARN": "arn:x"}]}

        def describe_application(self, **kwargs):
            return {"ApplicationDetail": {"CreateTimestamp": 0}}

        def delete_application(self, **kwargs):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "ResourceInUseException", "Message": "busy"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, "DeleteApplication")

    with pytest.raises(Exception, match="ResourceInUse"):
        resources.kind("kinesisanalyticsv2:application").delete(Refusing(), "a", {})


def test_msk_deleter_is_idempotent_and_never_describes_a_deleted_cluster(clients):
    ec2 = clients.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    kafka = clients.client("kafka")
    arn = kafka.create_cluster_v2(ClusterName="awslabs-k", Serverless={"VpcConfigs": [{"SubnetIds": subnets}]})["ClusterArn"]
    assert resources.from_arn(arn) == ("kafka:cluster", arn)
    deleter = resources.kind("kafka:cluster").delete
    deleter(clients, "awslabs-k", {})
    deleter(clients, "awslabs-k", {})  # already gone: no KeyError from moto
    deleter(clients, arn, {})
    assert kafka.list_clusters_v2()["ClusterInfoList"] == []


def test_video_stream_sweeper_and_deleter(clients):
    kv = clients.client("kinesisvideo")
    kv.create_stream(StreamName="awslabs-lab-abc123-camera", DataRetentionInHours=1)
    kv.create_stream(StreamName="someone-else", DataRetentionInHours=1)
    sweeps = [fn for fn in resources.SWEEPERS if fn.__name__ == "sweep_video_streams"]
    assert sweeps[0](clients, "awslabs-") == [("kinesisvideo:stream", "awslabs-lab-abc123-camera")]
    resources.kind("kinesisvideo:stream").delete(clients, "awslabs-lab-abc123-camera", {})
    assert [s["StreamName"] for s in kv.list_streams()["StreamInfoList"]] == ["someone-else"]


def test_firehose_and_lambda_arns_map_to_kinds():
    assert resources.from_arn("arn:aws:firehose:us-east-1:123456789012:deliverystream/awslabs-a") == \
        ("firehose:delivery-stream", "awslabs-a")
    assert resources.from_arn("arn:aws:lambda:us-east-1:123456789012:function:awslabs-f") == \
        ("lambda:function", "awslabs-f")
