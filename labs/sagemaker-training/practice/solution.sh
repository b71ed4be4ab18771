#!/usr/bin/env bash
# SageMaker script-mode training — the learner's part with the AWS CLI (`awslabs start` put the
# data in the bucket; running the job, the FastFile/Pipe jobs and the spot restart are done by
# `awslabs check`). The script is code/train.py (with code/inference.py), copied here by `start`.
set -euo pipefail
P=awslabs-sagemaker-training-practice
BUCKET=$P-data
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3   # us-east-1's account

# -- 2. the execution role: SageMaker may assume it; it may use the bucket, logs and metrics
cat > trust.json <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat > access.json <<JSON
{"Version": "2012-10-17",
 "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"],
   "Resource": ["arn:aws:s3:::$BUCKET", "arn:aws:s3:::$BUCKET/*"]},
  {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                 "logs:DescribeLogStreams", "cloudwatch:PutMetricData"], "Resource": "*"},
  {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
   "Resource": "*"}]}
JSON
ROLE=$(aws iam create-role --role-name "$P-sm-role" --assume-role-policy-document file://trust.json \
       --query Role.Arn --output text)
aws iam put-role-policy --role-name "$P-sm-role" --policy-name lab-access --policy-document file://access.json

# -- 3. the script-mode job. Script mode without the SDK: the code goes to S3 as sourcedir.tar.gz,
#       and the framework container finds it through the sagemaker_program / sagemaker_submit_directory
#       hyperparameters. Managed spot needs MaxWait >= MaxRuntime and a checkpoint location.
tar -czf sourcedir.tar.gz -C code train.py inference.py
aws s3 cp sourcedir.tar.gz "s3://$BUCKET/code/file/sourcedir.tar.gz"
JOB=$P-file-$(date -u +%Y-%m-%d-%H-%M-%S)   # training job names are unique forever: add a timestamp
channel() {  # channel NAME PREFIX MODE
  echo "{\"ChannelName\": \"$1\", \"InputMode\": \"$3\", \"ContentType\": \"text/csv\",
         \"DataSource\": {\"S3DataSource\": {\"S3DataType\": \"S3Prefix\", \"S3Uri\": \"s3://$BUCKET/$2\",
                                            \"S3DataDistributionType\": \"FullyReplicated\"}}}"
}
cat > training-job.json <<JSON
{"TrainingJobName": "$JOB",
 "RoleArn": "$ROLE",
 "AlgorithmSpecification": {
   "TrainingImage": "$IMAGE", "TrainingInputMode": "File",
   "MetricDefinitions": [{"Name": "train:loss", "Regex": "train:loss=([0-9.]+)"},
                         {"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9.]+)"}]},
 "HyperParameters": {"epochs": "30", "learning-rate": "0.5", "l2": "0.001",
                     "sagemaker_program": "train.py",
                     "sagemaker_submit_directory": "s3://$BUCKET/code/file/sourcedir.tar.gz"},
 "InputDataConfig": [$(channel train train/ File), $(channel validation validation/ File)],
 "OutputDataConfig": {"S3OutputPath": "s3://$BUCKET/output"},
 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
 "EnableManagedSpotTraining": true,
 "StoppingCondition": {"MaxRuntimeInSeconds": 900, "MaxWaitTimeInSeconds": 1800},
 "CheckpointConfig": {"S3Uri": "s3://$BUCKET/checkpoints/file", "LocalPath": "/opt/ml/checkpoints"}}
JSON
aws sagemaker create-training-job --cli-input-json file://training-job.json
echo "submitted $JOB"
