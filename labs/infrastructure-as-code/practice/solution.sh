#!/usr/bin/env bash
# Infrastructure as code — the learner's part (the drift in step 5 is made and detected by
# `awslabs check`). Data file: ml-stack.yaml (from `start`).
set -euo pipefail
P=awslabs-infrastructure-as-code-practice
ART=$P-artifacts
STACK=$P-ml
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-xgboost:1.7-1   # us-east-1's XGBoost image

# -- 2. the template, where CloudFormation (and the pipeline) can read it
aws s3 cp ml-stack.yaml "s3://$ART/templates/ml-stack.yaml"

# -- 3. the stack: parameters for this deployment; the template creates an IAM role (CAPABILITY_IAM)
aws cloudformation create-stack --stack-name "$STACK" \
    --template-url "https://$ART.s3.$REGION.amazonaws.com/templates/ml-stack.yaml" \
    --parameters ParameterKey=InstanceType,ParameterValue=ml.m5.large \
                 ParameterKey=MinCapacity,ParameterValue=1 ParameterKey=MaxCapacity,ParameterValue=3 \
                 "ParameterKey=ModelDataUrl,ParameterValue=s3://$ART/model/model.tar.gz" \
                 "ParameterKey=ImageUri,ParameterValue=$IMAGE" \
    --capabilities CAPABILITY_IAM --tags Key=team,Value=churn
aws cloudformation wait stack-create-complete --stack-name "$STACK"
aws cloudformation describe-stacks --stack-name "$STACK" --query 'Stacks[0].Outputs'

# -- 4. the update as a change set: read it, write the review, then execute
#       (UPDATE is the default on AWS; moto defaults to CREATE, so it is said explicitly)
aws cloudformation create-change-set --stack-name "$STACK" --change-set-name instance-type \
    --change-set-type UPDATE --use-previous-template --capabilities CAPABILITY_IAM \
    --parameters ParameterKey=InstanceType,ParameterValue=ml.c5.large \
                 ParameterKey=MinCapacity,UsePreviousValue=true ParameterKey=MaxCapacity,UsePreviousValue=true \
                 ParameterKey=ModelDataUrl,UsePreviousValue=true ParameterKey=ImageUri,UsePreviousValue=true
aws cloudformation wait change-set-create-complete --stack-name "$STACK" --change-set-name instance-type
aws cloudformation describe-change-set --stack-name "$STACK" --change-set-name instance-type \
    --query 'Changes[].ResourceChange.[LogicalResourceId,Action,Replacement]' --output text
# EndpointConfig: ProductionVariants requires Replacement; Endpoint: EndpointConfigName, No interruption
echo '{"EndpointConfig": "True", "Endpoint": "False"}' > review.json
aws s3 cp review.json "s3://$ART/reviews/instance-type.json"
aws cloudformation execute-change-set --stack-name "$STACK" --change-set-name instance-type
aws cloudformation wait stack-update-complete --stack-name "$STACK"

# -- 6. the release pipeline: roles, the CodeBuild project, the pipeline
for pair in pipeline:codepipeline build:codebuild cfn-deploy:cloudformation; do
  NAME=${pair%%:*}; SERVICE=${pair##*:}
  cat > trust-$NAME.json <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "$SERVICE.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
  aws iam create-role --role-name "$P-$NAME" --assume-role-policy-document "file://trust-$NAME.json"
done
cat > pipeline-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning"],
   "Resource": ["arn:aws:s3:::$ART", "arn:aws:s3:::$ART/*"]},
  {"Effect": "Allow", "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
   "Resource": "arn:aws:codebuild:$REGION:$ACCOUNT:project/$P-validate"},
  {"Effect": "Allow", "Action": ["cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
     "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:DescribeStacks"],
   "Resource": "arn:aws:cloudformation:$REGION:$ACCOUNT:stack/$STACK/*"},
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::$ACCOUNT:role/$P-cfn-deploy"}]}
JSON
aws iam put-role-policy --role-name "$P-pipeline" --policy-name release --policy-document file://pipeline-policy.json

python3 - "$ART" > project.json <<'PY'
import json, sys
buildspec = """version: 0.2
phases:
  install:
    commands:
      - pip install cfn-lint
  pre_build:
    commands:
      - cfn-lint ml-stack.yaml
      - aws cloudformation validate-template --template-body file://ml-stack.yaml
  build:
    commands:
      - aws cloudformation package --template-file ml-stack.yaml --s3-bucket "$ARTIFACTS_BUCKET" --output-template-file packaged.yaml
artifacts:
  files:
    - packaged.yaml
"""
art = sys.argv[1]
# location: CodeBuild ignores it for CODEPIPELINE sources and artifacts (moto requires one)
print(json.dumps({"source": {"type": "CODEPIPELINE", "location": f"{art}/source/ml-stack.zip", "buildspec": buildspec},
                  "artifacts": {"type": "CODEPIPELINE", "location": art}}))
PY
aws codebuild create-project --name "$P-validate" --cli-input-json file://project.json \
    --environment "type=LINUX_CONTAINER,image=aws/codebuild/standard:7.0,computeType=BUILD_GENERAL1_SMALL,environmentVariables=[{name=ARTIFACTS_BUCKET,value=$ART}]" \
    --service-role "arn:aws:iam::$ACCOUNT:role/$P-build"

cat > pipeline.json <<JSON
{"name": "$P-release", "roleArn": "arn:aws:iam::$ACCOUNT:role/$P-pipeline",
 "artifactStore": {"type": "S3", "location": "$ART"},
 "stages": [
  {"name": "Source", "actions": [{"name": "Template",
    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
    "configuration": {"S3Bucket": "$ART", "S3ObjectKey": "source/ml-stack.zip", "PollForSourceChanges": "false"},
    "outputArtifacts": [{"name": "SourceOutput"}]}]},
  {"name": "Build", "actions": [{"name": "LintAndPackage",
    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
    "configuration": {"ProjectName": "$P-validate"},
    "inputArtifacts": [{"name": "SourceOutput"}], "outputArtifacts": [{"name": "BuildOutput"}]}]},
  {"name": "Deploy", "actions": [
    {"name": "CreateChangeSet", "runOrder": 1,
     "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
     "configuration": {"ActionMode": "CHANGE_SET_REPLACE", "StackName": "$STACK", "ChangeSetName": "release",
                       "TemplatePath": "BuildOutput::packaged.yaml", "Capabilities": "CAPABILITY_IAM",
                       "RoleArn": "arn:aws:iam::$ACCOUNT:role/$P-cfn-deploy"},
     "inputArtifacts": [{"name": "BuildOutput"}]},
    {"name": "ReviewChangeSet", "runOrder": 2,
     "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}},
    {"name": "ExecuteChangeSet", "runOrder": 3,
     "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
     "configuration": {"ActionMode": "CHANGE_SET_EXECUTE", "StackName": "$STACK", "ChangeSetName": "release"}}]}]}
JSON
aws codepipeline create-pipeline --pipeline file://pipeline.json

# -- 7. once `awslabs check` passes: aws cloudformation delete-stack --stack-name "$STACK"
#       (the data bucket $STACK-data is retained; `awslabs reset` deletes it)
