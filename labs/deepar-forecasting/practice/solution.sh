#!/usr/bin/env bash
# DeepAR forecasting — the learner's part (validating the channels and forecasting are done by
# `awslabs check`): the two JSON Lines channels in S3, then the built-in DeepAR training job with
# `aws sagemaker create-training-job` (no SageMaker SDK needed).
set -euo pipefail
P=awslabs-deepar-forecasting-practice
BUCKET=$P-data ROLE=$P-sm-role
REGION=${AWS_DEFAULT_REGION:-us-east-1}
PREDICTION_LENGTH=14
mkdir -p out/train out/test

# -- 1. 40 related daily series as JSON Lines: one object per line with start, target, cat and
#       dynamic_feat; train = each series minus its last 14 points, test = the full series
python3 - <<'PY'
import json

import numpy as np

rng = np.random.default_rng(7)
horizon, days = 14, 140 + 14
t = np.arange(days)
weekly = {0: [0.8, 0.9, 1.0, 1.0, 1.1, 1.4, 1.3],  # store group (cat) -> Monday..Sunday factors
          1: [1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.6],
          2: [0.9, 1.1, 0.9, 1.1, 0.9, 1.2, 1.0]}
with open("out/train/train.json", "w") as train, open("out/test/test.json", "w") as test:
    for i in range(40):
        group = i % 3
        level, trend = rng.uniform(50, 200), rng.uniform(-0.1, 0.3)
        promo = (rng.random(days) < 0.1).astype(int)  # known in advance: a dynamic feature
        sales = (level + trend * t) * np.array(weekly[group])[t % 7] * (1 + 0.25 * promo)
        sales = sales + rng.normal(scale=0.06 * level, size=days)
        start = f"2025-01-{6 + 7 * int(rng.integers(0, 3)):02d} 00:00:00"  # a Monday, 'YYYY-MM-DD HH:MM:SS'
        full = {"start": start, "target": [round(float(v), 2) for v in sales], "cat": [group],
                "dynamic_feat": [promo.tolist()]}
        cut = {**full, "target": full["target"][:-horizon], "dynamic_feat": [promo[:-horizon].tolist()]}
        test.write(json.dumps(full) + "\n")
        train.write(json.dumps(cut) + "\n")
PY
aws s3 mb "s3://$BUCKET"
aws s3 cp out/train/train.json "s3://$BUCKET/deepar/train/train.json"
aws s3 cp out/test/test.json "s3://$BUCKET/deepar/test/test.json"

# -- 2. the execution role SageMaker assumes to read the channels and write the model
aws iam create-role --role-name "$ROLE" --assume-role-policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam put-role-policy --role-name "$ROLE" --policy-name lab-access --policy-document "{
  \"Version\": \"2012-10-17\",
  \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:PutObject\", \"s3:ListBucket\"],
     \"Resource\": [\"arn:aws:s3:::$BUCKET\", \"arn:aws:s3:::$BUCKET/*\"]},
    {\"Effect\": \"Allow\", \"Action\": [\"logs:CreateLogGroup\", \"logs:CreateLogStream\", \"logs:PutLogEvents\",
     \"logs:DescribeLogStreams\", \"cloudwatch:PutMetricData\", \"ecr:GetAuthorizationToken\",
     \"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"], \"Resource\": \"*\"}]}"
ROLE_ARN=$(aws iam get-role --role-name "$ROLE" --query Role.Arn --output text)
sleep "${IAM_WAIT:-0}"  # on AWS a brand-new role takes ~10 s before SageMaker may assume it: IAM_WAIT=10

# -- 2. the built-in DeepAR image of this Region (the "Docker Registry Paths" page of the SageMaker docs;
#       the SDK's image_uris.retrieve("forecasting-deepar", region) gives the same)
case "$REGION" in
  us-east-1) ACCOUNT=522234722520 ;; us-east-2) ACCOUNT=566113047672 ;; us-west-2) ACCOUNT=156387875391 ;;
  eu-west-1) ACCOUNT=224300973850 ;; eu-central-1) ACCOUNT=495149712605 ;;
  *) echo "look up the forecasting-deepar image for $REGION in the SageMaker docs" >&2; exit 1 ;;
esac
IMAGE=$ACCOUNT.dkr.ecr.$REGION.amazonaws.com/forecasting-deepar:1
# training job names can never be reused: a timestamp, as the SDK's base_job_name does
JOB=$P-deepar-$(date -u +%Y-%m-%d-%H-%M-%S)

cat > training-job.json <<JSON
{"TrainingJobName": "$JOB",
 "AlgorithmSpecification": {"TrainingImage": "$IMAGE", "TrainingInputMode": "File"},
 "RoleArn": "$ROLE_ARN",
 "HyperParameters": {"time_freq": "D", "context_length": "28", "prediction_length": "$PREDICTION_LENGTH",
                     "epochs": "30", "likelihood": "student-T", "num_cells": "40", "num_layers": "2",
                     "mini_batch_size": "32", "learning_rate": "0.001", "early_stopping_patience": "10",
                     "test_quantiles": "[0.1, 0.5, 0.9]"},
 "InputDataConfig": [
   {"ChannelName": "train", "ContentType": "application/jsonlines",
    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://$BUCKET/deepar/train/",
                                    "S3DataDistributionType": "FullyReplicated"}}},
   {"ChannelName": "test", "ContentType": "application/jsonlines",
    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://$BUCKET/deepar/test/",
                                    "S3DataDistributionType": "FullyReplicated"}}}],
 "OutputDataConfig": {"S3OutputPath": "s3://$BUCKET/deepar/output"},
 "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
 "StoppingCondition": {"MaxRuntimeInSeconds": 1800}}
JSON
aws sagemaker create-training-job --cli-input-json file://training-job.json
aws sagemaker describe-training-job --training-job-name "$JOB" --query TrainingJobStatus --output text
# on AWS, wait for the model and DeepAR's test metrics (about 10 minutes):
# aws sagemaker wait training-job-completed-or-stopped --training-job-name "$JOB"
