#!/usr/bin/env bash
# SageMaker Clarify — the learner's part (steps 4 to 8 are done by `awslabs check`).
set -euo pipefail
P=awslabs-clarify-bias-practice
BUCKET=$P-clarify
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=205585389593.dkr.ecr.$REGION.amazonaws.com/sagemaker-clarify-processing:1.0   # us-east-1's Clarify image

# -- 2. the analysis configuration: label, facet (d = female), metrics, SHAP baseline, the model
cat > analysis_config.json <<JSON
{
  "version": "1.0",
  "dataset_type": "text/csv",
  "headers": ["income", "debt_ratio", "years_employed", "zip_risk", "sex", "approved"],
  "label": "approved",
  "label_values_or_threshold": [1],
  "facet": [{"name_or_index": "sex", "value_or_threshold": ["female"]}],
  "excluded_columns": ["sex"],
  "methods": {
    "pre_training_bias": {"methods": ["CI", "DPL", "KL", "JS", "KS"]},
    "post_training_bias": {"methods": ["DPPL", "DI", "AD", "RD", "TE"]},
    "shap": {"baseline": [[60, 0.33, 10, 0.4]], "num_samples": 100, "agg_method": "mean_abs"}
  },
  "predictor": {"model_name": "$P-credit", "instance_type": "ml.m5.large", "initial_instance_count": 1,
                "content_type": "text/csv", "accept_type": "text/csv"}
}
JSON
aws s3 cp analysis_config.json "s3://$BUCKET/clarify/analysis_config.json"

# -- 3. the Clarify processing job: inputs analysis_config and dataset, output analysis_result
cat > clarify-job.json <<JSON
{
  "ProcessingJobName": "$P-bias-explain",
  "RoleArn": "arn:aws:iam::$ACCOUNT:role/$P-clarify",
  "AppSpecification": {"ImageUri": "$IMAGE"},
  "ProcessingInputs": [
    {"InputName": "analysis_config", "S3Input": {"S3Uri": "s3://$BUCKET/clarify/analysis_config.json",
      "LocalPath": "/opt/ml/processing/input/config", "S3DataType": "S3Prefix", "S3InputMode": "File"}},
    {"InputName": "dataset", "S3Input": {"S3Uri": "s3://$BUCKET/data/loans.csv",
      "LocalPath": "/opt/ml/processing/input/data", "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
  "ProcessingOutputConfig": {"Outputs": [{"OutputName": "analysis_result", "S3Output": {
      "S3Uri": "s3://$BUCKET/clarify/output", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
  "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
  "StoppingCondition": {"MaxRuntimeInSeconds": 1800}
}
JSON
aws sagemaker create-processing-job --cli-input-json file://clarify-job.json
