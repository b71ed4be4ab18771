#!/usr/bin/env bash
# SageMaker Model Registry — the learner's part (steps 6 and 7 are done by `awslabs check`).
set -euo pipefail
P=awslabs-model-registry-practice
GROUP=$P-churn
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-xgboost:1.7-1   # us-east-1's XGBoost image

# -- 2. the model package group: the registry entry for the churn model
aws sagemaker create-model-package-group --model-package-group-name "$GROUP" \
    --model-package-group-description "Churn classifier: every candidate version, with its evaluation"

# -- 3. one version per candidate, pending review: its training job's artefact, its evaluation
#       report as model-quality statistics, the job as lineage
for C in a b; do
  JOB_ARN=$(aws sagemaker describe-training-job --training-job-name "$P-train-$C" --query TrainingJobArn --output text)
  ARTEFACT=$(aws sagemaker describe-training-job --training-job-name "$P-train-$C" \
             --query ModelArtifacts.S3ModelArtifacts --output text)
  cat > inference-$C.json <<JSON
{"Containers": [{"Image": "$IMAGE", "ModelDataUrl": "$ARTEFACT"}],
 "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"],
 "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"]}
JSON
  cat > metrics-$C.json <<JSON
{"ModelQuality": {"Statistics": {"ContentType": "application/json",
                                 "S3Uri": "s3://$P-artifacts/evaluation/candidate-$C.json"}}}
JSON
  aws sagemaker create-model-package --model-package-group-name "$GROUP" \
      --model-package-description "candidate $C" \
      --inference-specification file://inference-$C.json \
      --model-metrics file://metrics-$C.json \
      --metadata-properties GeneratedBy="$JOB_ARN" \
      --model-approval-status PendingManualApproval
done

# -- 4. the deployment: a state machine (model + endpoint config + endpoint named <group>-v<version>),
#       an EventBridge rule for approved versions of this group, the state machine as its target
cat > states-trust.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat > events-trust.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
aws iam create-role --role-name "$P-deployer" --assume-role-policy-document file://states-trust.json
aws iam create-role --role-name "$P-events" --assume-role-policy-document file://events-trust.json
SM="arn:aws:sagemaker:$REGION:$ACCOUNT"
MACHINE_ARN="arn:aws:states:$REGION:$ACCOUNT:stateMachine:$P-deploy"
cat > deployer-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["sagemaker:CreateModel", "sagemaker:CreateEndpointConfig", "sagemaker:CreateEndpoint"],
   "Resource": ["$SM:model/$GROUP-v*", "$SM:endpoint-config/$GROUP-v*", "$SM:endpoint/$GROUP-v*"]},
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::$ACCOUNT:role/$P-sagemaker",
   "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}]}
JSON
aws iam put-role-policy --role-name "$P-deployer" --policy-name deploy --policy-document file://deployer-policy.json
cat > events-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": "$MACHINE_ARN"}]}
JSON
aws iam put-role-policy --role-name "$P-events" --policy-name start-deploy --policy-document file://events-policy.json

NAME="States.Format('{}-v{}', \$.detail.ModelPackageGroupName, \$.detail.ModelPackageVersion)"
cat > deploy.asl.json <<JSON
{"StartAt": "CreateModel", "States": {
  "CreateModel": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel",
    "Parameters": {"ModelName.$": "$NAME", "ExecutionRoleArn": "arn:aws:iam::$ACCOUNT:role/$P-sagemaker",
                   "PrimaryContainer": {"ModelPackageName.$": "\$.detail.ModelPackageArn"}},
    "ResultPath": "\$.model", "Next": "CreateEndpointConfig"},
  "CreateEndpointConfig": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpointConfig",
    "Parameters": {"EndpointConfigName.$": "$NAME",
                   "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName.$": "$NAME",
                                           "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}]},
    "ResultPath": "\$.endpointConfig", "Next": "CreateEndpoint"},
  "CreateEndpoint": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpoint",
    "Parameters": {"EndpointName.$": "$NAME", "EndpointConfigName.$": "$NAME"}, "End": true}}}
JSON
aws stepfunctions create-state-machine --name "$P-deploy" --definition file://deploy.asl.json \
    --role-arn "arn:aws:iam::$ACCOUNT:role/$P-deployer"

cat > pattern.json <<JSON
{"source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
 "detail": {"ModelPackageGroupName": ["$GROUP"], "ModelApprovalStatus": ["Approved"]}}
JSON
aws events put-rule --name "$P-approved" --event-pattern file://pattern.json --state ENABLED
aws events put-targets --rule "$P-approved" \
    --targets "Id=deploy,Arn=$MACHINE_ARN,RoleArn=arn:aws:iam::$ACCOUNT:role/$P-events"

# -- 5. the review: approve the version whose report is candidate-a.json, reject candidate b's
for V in $(aws sagemaker list-model-packages --model-package-group-name "$GROUP" \
           --query 'ModelPackageSummaryList[].ModelPackageArn' --output text); do
  REPORT=$(aws sagemaker describe-model-package --model-package-name "$V" \
           --query ModelMetrics.ModelQuality.Statistics.S3Uri --output text)
  case "$REPORT" in
    */candidate-a.json) aws sagemaker update-model-package --model-package-arn "$V" \
                          --model-approval-status Approved --approval-description "AUC 0.91 on the hold-out set" ;;
    */candidate-b.json) aws sagemaker update-model-package --model-package-arn "$V" \
                          --model-approval-status Rejected --approval-description "AUC 0.74 on the hold-out set" ;;
  esac
done
