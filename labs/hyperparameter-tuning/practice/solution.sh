#!/usr/bin/env bash
# Hyperparameter tuning — the learner's part with the AWS CLI. The local grid, random and Bayesian
# searches are run by `awslabs check`; the warm start needs their result (trials/bayesian.csv), so
# this script runs `awslabs check` once in the middle, as you would. train.py was copied here by `start`.
set -euo pipefail
P=awslabs-hyperparameter-tuning-practice
BUCKET=$P-tuning
HPO=awslabs-hy-b8d3-practice-hpo     # tuning job names: 32 characters at most, + 4 of your own
WARM=awslabs-h-b8d3-practice-warm
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3   # us-east-1's account
command -v awslabs >/dev/null || awslabs() { python3 -m awslabs "$@"; }   # where it is not on PATH
stamp() { LC_ALL=C tr -dc 'a-z0-9' </dev/urandom | head -c 4 || true; }   # tuning job names are never reused

# -- 1. the bucket, the training CSV (label first, no header) and train.py packed for script mode
aws s3 mb "s3://$BUCKET"
python3 - <<'PY'
# the breast-cancer data ships with scikit-learn; the CLI cannot produce it
import csv
from sklearn.datasets import load_breast_cancer
X, y = load_breast_cancer(return_X_y=True)
with open("train.csv", "w", newline="") as fh:
    csv.writer(fh).writerows([int(label), *(repr(float(v)) for v in row)] for label, row in zip(y, X))
PY
aws s3 cp train.csv "s3://$BUCKET/data/train/train.csv" --content-type text/csv
tar -czf sourcedir.tar.gz train.py
aws s3 cp sourcedir.tar.gz "s3://$BUCKET/code/sourcedir.tar.gz"

# the local searches (grid, random, Bayesian) now run on this data: `awslabs check` writes trials/*.csv
# (against the practice server unless AWSLABS_TARGET says otherwise; it exits non-zero here: the
# tuning jobs are still to do)
awslabs check hyperparameter-tuning --target "${AWSLABS_TARGET:-server}" || true

# -- 6. the role SageMaker assumes, and the same search as a SageMaker tuning job: Bayesian, maximise
#       cv:accuracy (the regex matches what train.py prints: cv_accuracy=0.97...), C and gamma on a
#       logarithmic scale, the local budget (20 jobs, 2 at a time), early stopping Auto
cat > trust.json <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat > access.json <<JSON
{"Version": "2012-10-17",
 "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
   "Resource": ["arn:aws:s3:::$BUCKET", "arn:aws:s3:::$BUCKET/*"]},
  {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                 "logs:DescribeLogStreams", "cloudwatch:PutMetricData"], "Resource": "*"}]}
JSON
ROLE=$(aws iam create-role --role-name "$P-sagemaker" --assume-role-policy-document file://trust.json \
       --query Role.Arn --output text)
aws iam put-role-policy --role-name "$P-sagemaker" --policy-name lab-data --policy-document file://access.json

# the training job every trial runs: script mode (sourcedir.tar.gz + train.py), the train channel
cat > training-definition.json <<JSON
{"StaticHyperParameters": {"sagemaker_program": "train.py",
                           "sagemaker_submit_directory": "s3://$BUCKET/code/sourcedir.tar.gz",
                           "sagemaker_region": "$REGION"},
 "AlgorithmSpecification": {"TrainingImage": "$IMAGE", "TrainingInputMode": "File",
                            "MetricDefinitions": [{"Name": "cv:accuracy", "Regex": "cv_accuracy=([0-9]*\\\\.?[0-9]+)"}]},
 "RoleArn": "$ROLE",
 "InputDataConfig": [{"ChannelName": "train", "ContentType": "text/csv",
                      "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://$BUCKET/data/train/",
                                                      "S3DataDistributionType": "FullyReplicated"}}}],
 "OutputDataConfig": {"S3OutputPath": "s3://$BUCKET/models/"},
 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
 "StoppingCondition": {"MaxRuntimeInSeconds": 600}}
JSON
cat > tuning-config.json <<'JSON'
{"Strategy": "Bayesian",
 "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "cv:accuracy"},
 "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 2},
 "ParameterRanges": {"ContinuousParameterRanges": [
   {"Name": "C", "MinValue": "0.01", "MaxValue": "1000", "ScalingType": "Logarithmic"},
   {"Name": "gamma", "MinValue": "0.00001", "MaxValue": "1", "ScalingType": "Logarithmic"}]},
 "TrainingJobEarlyStoppingType": "Auto",
 "RandomSeed": 0}
JSON
PARENT=$HPO$(stamp)
aws sagemaker create-hyper-parameter-tuning-job --hyper-parameter-tuning-job-name "$PARENT" \
    --hyper-parameter-tuning-job-config file://tuning-config.json --training-job-definition file://training-definition.json

# -- 7. warm start: a Random refinement, one decade either side of the best point of the local
#       Bayesian search (trials/bayesian.csv: trial,C,gamma,cv_accuracy), from the first job
aws s3 cp "s3://$BUCKET/trials/bayesian.csv" bayesian.csv
read -r C_LOW C_HIGH G_LOW G_HIGH < <(awk -F, '
  function clamp(v, lo, hi) { return v < lo ? lo : (v > hi ? hi : v) }
  NR > 1 && (best == "" || $4 + 0 > best) { best = $4 + 0; c = $2; g = $3 }   # the first best trial
  END { printf "%.10g %.10g %.10g %.10g\n", clamp(c / 10, 0.01, 1000), clamp(c * 10, 0.01, 1000),
                                             clamp(g / 10, 1e-5, 1), clamp(g * 10, 1e-5, 1) }' bayesian.csv)
echo "refining C in [$C_LOW, $C_HIGH], gamma in [$G_LOW, $G_HIGH]"
cat > warm-config.json <<JSON
{"Strategy": "Random",
 "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "cv:accuracy"},
 "ResourceLimits": {"MaxNumberOfTrainingJobs": 10, "MaxParallelTrainingJobs": 2},
 "ParameterRanges": {"ContinuousParameterRanges": [
   {"Name": "C", "MinValue": "$C_LOW", "MaxValue": "$C_HIGH", "ScalingType": "Logarithmic"},
   {"Name": "gamma", "MinValue": "$G_LOW", "MaxValue": "$G_HIGH", "ScalingType": "Logarithmic"}]},
 "TrainingJobEarlyStoppingType": "Auto",
 "RandomSeed": 0}
JSON
aws sagemaker create-hyper-parameter-tuning-job --hyper-parameter-tuning-job-name "$WARM$(stamp)" \
    --hyper-parameter-tuning-job-config file://warm-config.json --training-job-definition file://training-definition.json \
    --warm-start-config "{\"ParentHyperParameterTuningJobs\": [{\"HyperParameterTuningJobName\": \"$PARENT\"}],
                          \"WarmStartType\": \"IdenticalDataAndAlgorithm\"}"
