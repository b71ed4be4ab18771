#!/usr/bin/env bash
# SageMaker Model Monitor — the learner's part (baseline, traffic, monitoring runs, the alarm firing
# and the model-quality run are done by `awslabs check`).
set -euo pipefail
P=awslabs-model-monitor-practice
B=$P-data
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=${AWS_DEFAULT_REGION:-us-east-1}
ROLE=arn:aws:iam::$ACCOUNT:role/$P-sm-role
MONITOR_IMAGE=156813124566.dkr.ecr.$REGION.amazonaws.com/sagemaker-model-monitor-analyzer   # us-east-1's account

# -- 2. capture: every request and every response, into the lab bucket
cat > capture.json <<JSON
{"EnableCapture": true, "InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://$B/datacapture",
 "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
 "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}}
JSON
aws sagemaker create-endpoint-config --endpoint-config-name "$P-churn-capture" \
    --production-variants VariantName=AllTraffic,ModelName=$P-churn,InstanceType=ml.m5.large,InitialInstanceCount=1 \
    --data-capture-config file://capture.json
aws sagemaker create-endpoint --endpoint-name "$P-churn" --endpoint-config-name "$P-churn-capture"

# -- 4. the data-quality job definition: the training baseline, the endpoint, reports in the bucket
cat > dq-baseline.json <<JSON
{"ConstraintsResource": {"S3Uri": "s3://$B/baseline/data-quality/constraints.json"},
 "StatisticsResource": {"S3Uri": "s3://$B/baseline/data-quality/statistics.json"}}
JSON
cat > dq-output.json <<JSON
{"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://$B/monitoring/data-quality", "LocalPath": "/opt/ml/processing/output"}}]}
JSON
aws sagemaker create-data-quality-job-definition --job-definition-name "$P-data-quality" --role-arn "$ROLE" \
    --data-quality-baseline-config file://dq-baseline.json \
    --data-quality-app-specification ImageUri=$MONITOR_IMAGE \
    --data-quality-job-input "EndpointInput={EndpointName=$P-churn,LocalPath=/opt/ml/processing/input/endpoint}" \
    --data-quality-job-output-config file://dq-output.json \
    --job-resources "ClusterConfig={InstanceCount=1,InstanceType=ml.m5.large,VolumeSizeInGB=20}"
# On AWS only (moto has no monitoring schedules):
# aws sagemaker create-monitoring-schedule --monitoring-schedule-name "$P-data-quality" \
#   --monitoring-schedule-config "MonitoringJobDefinitionName=$P-data-quality,MonitoringType=DataQuality,ScheduleConfig={ScheduleExpression=cron(0 * ? * * *)}"

# -- 7. the drift alarm, the retraining state machine and the rule between them
aws cloudwatch put-metric-alarm --alarm-name "$P-income-drift" \
    --namespace aws/sagemaker/Endpoints/data-metrics --metric-name feature_baseline_drift_income \
    --dimensions Name=Endpoint,Value=$P-churn Name=MonitoringSchedule,Value=$P-data-quality \
    --statistic Maximum --period 3600 --evaluation-periods 1 \
    --threshold 0.1 --comparison-operator GreaterThanThreshold --treat-missing-data notBreaching

cat > states-trust.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat > events-trust.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
aws iam create-role --role-name "$P-retrainer" --assume-role-policy-document file://states-trust.json
aws iam create-role --role-name "$P-events" --assume-role-policy-document file://events-trust.json
MACHINE_ARN="arn:aws:states:$REGION:$ACCOUNT:stateMachine:$P-retrain"
cat > retrainer-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:AddTags"],
   "Resource": "arn:aws:sagemaker:$REGION:$ACCOUNT:training-job/$P-rt-*"},
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "$ROLE",
   "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}]}
JSON
aws iam put-role-policy --role-name "$P-retrainer" --policy-name retrain --policy-document file://retrainer-policy.json
cat > events-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": "$MACHINE_ARN"}]}
JSON
aws iam put-role-policy --role-name "$P-events" --policy-name start-retrain --policy-document file://events-policy.json

NAME="States.Format('$P-rt-{}', States.ArrayGetItem(States.StringSplit(\$.id, '-'), 0))"
cat > retrain.asl.json <<JSON
{"StartAt": "Retrain", "States": {"Retrain": {"Type": "Task",
  "Resource": "arn:aws:states:::sagemaker:createTrainingJob",
  "Parameters": {"TrainingJobName.$": "$NAME", "RoleArn": "$ROLE",
    "AlgorithmSpecification": {"TrainingImage": "683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
                               "TrainingInputMode": "File"},
    "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                                                 "S3Uri": "s3://$B/data/train/"}}}],
    "OutputDataConfig": {"S3OutputPath": "s3://$B/retrained"},
    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
    "StoppingCondition": {"MaxRuntimeInSeconds": 900}}, "End": true}}}
JSON
aws stepfunctions create-state-machine --name "$P-retrain" --definition file://retrain.asl.json \
    --role-arn "arn:aws:iam::$ACCOUNT:role/$P-retrainer"

cat > pattern.json <<JSON
{"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
 "detail": {"alarmName": ["$P-income-drift"], "state": {"value": ["ALARM"]}}}
JSON
aws events put-rule --name "$P-drift-retrain" --event-pattern file://pattern.json --state ENABLED
aws events put-targets --rule "$P-drift-retrain" \
    --targets "Id=retrain,Arn=$MACHINE_ARN,RoleArn=arn:aws:iam::$ACCOUNT:role/$P-events"

# -- 9. the model-quality job definition: binary classification, ground truth under ground-truth/
cat > mq-input.json <<JSON
{"EndpointInput": {"EndpointName": "$P-churn", "LocalPath": "/opt/ml/processing/input/endpoint",
                   "ProbabilityAttribute": "0", "ProbabilityThresholdAttribute": 0.5},
 "GroundTruthS3Input": {"S3Uri": "s3://$B/ground-truth"}}
JSON
cat > mq-output.json <<JSON
{"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://$B/monitoring/model-quality", "LocalPath": "/opt/ml/processing/output"}}]}
JSON
aws sagemaker create-model-quality-job-definition --job-definition-name "$P-model-quality" --role-arn "$ROLE" \
    --model-quality-baseline-config "ConstraintsResource={S3Uri=s3://$B/baseline/model-quality/constraints.json}" \
    --model-quality-app-specification ImageUri=$MONITOR_IMAGE,ProblemType=BinaryClassification \
    --model-quality-job-input file://mq-input.json \
    --model-quality-job-output-config file://mq-output.json \
    --job-resources "ClusterConfig={InstanceCount=1,InstanceType=ml.m5.large,VolumeSizeInGB=20}"
