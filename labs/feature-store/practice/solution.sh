#!/usr/bin/env bash
# SageMaker Feature Store — the learner's part (reading online, the offline store's flush and the two
# Athena training sets are run by `awslabs check` on your feature group).
P=awslabs-feature-store-practice
export BUCKET=$P-features ROLE=$P-featurestore GROUP=$P-customers

# -- 1. the role Feature Store assumes to write the offline store
aws iam create-role --role-name "$ROLE" --assume-role-policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam put-role-policy --role-name "$ROLE" --policy-name offline-store --policy-document "{
  \"Version\": \"2012-10-17\",
  \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\", \"s3:GetObject\", \"s3:GetBucketAcl\", \"s3:PutObjectAcl\"],
     \"Resource\": [\"arn:aws:s3:::$BUCKET\", \"arn:aws:s3:::$BUCKET/*\"]},
    {\"Effect\": \"Allow\", \"Action\": [\"glue:GetTable\", \"glue:CreateTable\", \"glue:UpdateTable\", \"glue:GetDatabase\", \"glue:CreateDatabase\"],
     \"Resource\": \"*\"}]}"

# -- 2. the feature group and 3. the records. The Feature Store API is not in the emulator: connect()
#       gives the real boto3 clients on AWS and awslabs' local Feature Store when AWS_ENDPOINT_URL is set.
python3 - <<'PY'
import csv
import datetime as dt
import io
import os

import boto3

from awslabs.local.feature_store import connect

bucket, role, group = os.environ["BUCKET"], os.environ["ROLE"], os.environ["GROUP"]
sagemaker, runtime = connect()
sagemaker.create_feature_group(
    FeatureGroupName=group,
    RecordIdentifierFeatureName="customer_id",
    EventTimeFeatureName="event_time",
    FeatureDefinitions=[{"FeatureName": "customer_id", "FeatureType": "String"},
                        {"FeatureName": "event_time", "FeatureType": "String"},
                        {"FeatureName": "orders_30d", "FeatureType": "Integral"},
                        {"FeatureName": "avg_basket", "FeatureType": "Fractional"},
                        {"FeatureName": "support_tickets", "FeatureType": "Integral"}],
    OnlineStoreConfig={"EnableOnlineStore": True, "TtlDuration": {"Unit": "Days", "Value": 30}},
    OfflineStoreConfig={"S3StorageConfig": {"S3Uri": f"s3://{bucket}/feature-store"}},
    RoleArn=boto3.client("iam").get_role(RoleName=role)["Role"]["Arn"],
)
while sagemaker.describe_feature_group(FeatureGroupName=group)["FeatureGroupStatus"] == "Creating":
    __import__("time").sleep(5)  # about a minute on AWS

# event times = each customer's label time + the task's offsets (hours)
body = boto3.client("s3").get_object(Bucket=bucket, Key="labels/labels.csv")["Body"].read().decode()
label = {r["customer_id"]: dt.datetime.strptime(r["label_time"], "%Y-%m-%dT%H:%M:%SZ")
         for r in csv.DictReader(io.StringIO(body))}
records = [("c-001", -48, 9, 41.5, 0), ("c-001", -2, 7, 39.0, 1), ("c-001", 1, 7, 39.0, 6),
           ("c-002", -2, 12, 55.25, 0), ("c-002", -48, 14, 57.0, 0),
           ("c-003", -30, 3, 20.0, 2), ("c-003", 3, 0, 0.0, 9),
           ("c-004", -5, 5, 33.5, 0)]


def put(customer, when, orders, basket, tickets, **extra):
    values = {"customer_id": customer, "event_time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "orders_30d": str(orders), "avg_basket": str(basket), "support_tickets": str(tickets)}
    runtime.put_record(FeatureGroupName=group, **extra,
                       Record=[{"FeatureName": k, "ValueAsString": v} for k, v in values.items()])


for customer, hours, orders, basket, tickets in records:
    put(customer, label[customer] + dt.timedelta(hours=hours), orders, basket, tickets)
anchor = label["c-001"] - dt.timedelta(hours=10)  # midnight of the labels' day
put("c-005", anchor - dt.timedelta(hours=24), 1, 10.0, 0, TtlDuration={"Unit": "Hours", "Value": 1})
PY
