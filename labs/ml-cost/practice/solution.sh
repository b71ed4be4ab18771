#!/usr/bin/env bash
# ML costs — the learner's part (steps 6 to 8 are done by `awslabs check`).
set -euo pipefail
P=awslabs-ml-cost-practice
BUCKET=$P-artifacts
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3   # us-east-1's account

# -- 2. cost allocation tags: PutBucketTagging replaces the whole set, so keep the existing tags
aws s3api get-bucket-tagging --bucket "$BUCKET" --query TagSet --output json > existing-tags.json
python3 - <<'PY'
import json
tags = {t["Key"]: t["Value"] for t in json.load(open("existing-tags.json"))}
tags.update({"project": "churn-model", "cost-center": "ml-4711"})
json.dump({"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}, open("bucket-tags.json", "w"))
PY
aws s3api put-bucket-tagging --bucket "$BUCKET" --tagging file://bucket-tags.json
aws sagemaker add-tags --resource-arn "arn:aws:sagemaker:$REGION:$ACCOUNT:model/$P-model" \
    --tags Key=project,Value=churn-model Key=cost-center,Value=ml-4711
# on AWS (the key may take up to 24 hours to become activatable):
# aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=project,Status=Active TagKey=cost-center,Status=Active

# -- 3. a monthly 200 USD cost budget on the project tag; ACTUAL > 80 %, FORECASTED > 100 %
cat > budget.json <<'JSON'
{"BudgetName": "awslabs-ml-cost-practice-monthly", "BudgetType": "COST", "TimeUnit": "MONTHLY",
 "BudgetLimit": {"Amount": "200", "Unit": "USD"},
 "CostFilters": {"TagKeyValue": ["user:project$churn-model"]}}
JSON
cat > notifications.json <<'JSON'
[{"Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                   "Threshold": 80, "ThresholdType": "PERCENTAGE"},
  "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ml-team@example.com"}]},
 {"Notification": {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN",
                   "Threshold": 100, "ThresholdType": "PERCENTAGE"},
  "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ml-team@example.com"}]}]
JSON
aws budgets create-budget --account-id "$ACCOUNT" --budget file://budget.json \
    --notifications-with-subscribers file://notifications.json

# -- 4. a managed Spot training job: MaxWait >= MaxRuntime, checkpoints in S3
cat > job.json <<JSON
{"TrainingJobName": "$P-spot", "RoleArn": "arn:aws:iam::$ACCOUNT:role/$P-sagemaker",
 "AlgorithmSpecification": {"TrainingImage": "$IMAGE", "TrainingInputMode": "File"},
 "HyperParameters": {"epochs": "10", "learning-rate": "0.02", "sagemaker_program": "train.py",
                     "sagemaker_submit_directory": "s3://$BUCKET/code/sourcedir.tar.gz"},
 "OutputDataConfig": {"S3OutputPath": "s3://$BUCKET/output"},
 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
 "EnableManagedSpotTraining": true,
 "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
 "CheckpointConfig": {"S3Uri": "s3://$BUCKET/checkpoints/$P-spot/"},
 "Tags": [{"Key": "project", "Value": "churn-model"}, {"Key": "cost-center", "Value": "ml-4711"}]}
JSON
aws sagemaker create-training-job --cli-input-json file://job.json

# -- 5. right-sizing: 187.5 req/s needed; 2 x ml.c5.xlarge (190 req/s) at $0.408/h is the cheapest fleet
aws sagemaker create-endpoint-config --endpoint-config-name "$P-right-size" \
    --production-variants VariantName=AllTraffic,ModelName=$P-model,InstanceType=ml.c5.xlarge,InitialInstanceCount=2 \
    --tags Key=project,Value=churn-model Key=cost-center,Value=ml-4711
