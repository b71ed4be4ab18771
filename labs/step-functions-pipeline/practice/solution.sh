#!/usr/bin/env bash
# Step Functions pipeline — the learner's part (the bucket, crawler, ETL job and the two queues are
# set up by `awslabs start`; the job ...-schema-validator deliberately does not exist).
P=awslabs-step-functions-pipeline-practice
TAGS='Key=awslabs:lab,Value=step-functions-pipeline Key=awslabs:run,Value=practice'
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=$AWS_DEFAULT_REGION

# -- 1. a role Step Functions can assume: start the crawler and job runs, send to the two queues
SFN_ROLE=$(aws iam create-role --role-name "$P-sfn" --tags $TAGS --query Role.Arn --output text \
    --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
aws iam put-role-policy --role-name "$P-sfn" --policy-name pipeline --policy-document "{
  \"Version\": \"2012-10-17\", \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"glue:StartCrawler\", \"glue:StartJobRun\"],
     \"Resource\": \"arn:aws:glue:$REGION:$ACCOUNT:*\"},
    {\"Effect\": \"Allow\", \"Action\": \"sqs:SendMessage\",
     \"Resource\": [\"arn:aws:sqs:$REGION:$ACCOUNT:$P-training\", \"arn:aws:sqs:$REGION:$ACCOUNT:$P-notify\"]}]}"
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then sleep 10; fi   # on AWS: a new role takes seconds to be assumable

# ... and the state machine. The definition is written with placeholders (@P@, @REGION@,
# @ACCOUNT@) filled in by sed, so bash leaves the JSONPath `$` alone. Request-response
# integrations only (no .sync); one-second retries.
cat > definition.json <<'JSON'
{
  "Comment": "Batch ML pipeline: crawl -> ETL -> features -> training request -> notify",
  "StartAt": "StartCrawl",
  "States": {
    "StartCrawl": {
      "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
      "Parameters": {"Name": "@P@-raw-crawler"},
      "ResultPath": null,
      "Retry": [{"ErrorEquals": ["Glue.CrawlerRunningException", "glue.CrawlerRunningException"],
                 "IntervalSeconds": 1, "MaxAttempts": 1, "BackoffRate": 2.0}],
      "Catch": [{"ErrorEquals": ["Glue.CrawlerRunningException", "glue.CrawlerRunningException"],
                 "ResultPath": "$.crawl", "Next": "StartEtl"}],
      "Next": "StartEtl"
    },
    "StartEtl": {
      "Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun",
      "Parameters": {"JobName": "@P@-etl", "Arguments": {"--run_date.$": "$.run_date"}},
      "ResultSelector": {"JobRunId.$": "$.JobRunId"},
      "ResultPath": "$.etl",
      "Next": "ChooseMode"
    },
    "ChooseMode": {
      "Type": "Choice",
      "Choices": [{"Variable": "$.mode", "StringEquals": "full", "Next": "PrepareFeatures"}],
      "Default": "SkipTraining"
    },
    "SkipTraining": {"Type": "Pass", "Result": {"requested": false}, "ResultPath": "$.training", "Next": "Notify"},
    "PrepareFeatures": {
      "Type": "Parallel",
      "ResultPath": "$.features",
      "Branches": [
        {"StartAt": "BuildFeatureSets", "States": {
          "BuildFeatureSets": {
            "Type": "Map", "ItemsPath": "$.feature_sets", "MaxConcurrency": 2,
            "Iterator": {"StartAt": "Describe", "States": {"Describe": {
              "Type": "Pass",
              "Parameters": {"name.$": "$", "path.$": "States.Format('s3://@P@-pipeline/features/{}/', $)"},
              "End": true}}},
            "End": true}}},
        {"StartAt": "ValidateSchema", "States": {
          "ValidateSchema": {
            "Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun",
            "Parameters": {"JobName": "@P@-schema-validator"},
            "Retry": [{"ErrorEquals": ["Glue.EntityNotFoundException"], "IntervalSeconds": 1,
                       "MaxAttempts": 1, "BackoffRate": 1.0}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ValidationSkipped"}],
            "End": true},
          "ValidationSkipped": {
            "Type": "Pass", "Parameters": {"validated": false, "error.$": "$.error.Error"}, "End": true}}}
      ],
      "Next": "RequestTraining"
    },
    "RequestTraining": {
      "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
      "Parameters": {
        "QueueUrl": "https://sqs.@REGION@.amazonaws.com/@ACCOUNT@/@P@-training",
        "MessageBody": {"etl_run.$": "$.etl.JobRunId", "features.$": "$.features[0]", "validation.$": "$.features[1]"}
      },
      "ResultSelector": {"MessageId.$": "$.MessageId"},
      "ResultPath": "$.training",
      "Next": "Notify"
    },
    "Notify": {
      "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
      "Parameters": {
        "QueueUrl": "https://sqs.@REGION@.amazonaws.com/@ACCOUNT@/@P@-notify",
        "MessageBody": {"status": "done", "mode.$": "$.mode", "etl_run.$": "$.etl.JobRunId"}
      },
      "ResultPath": null,
      "End": true
    }
  }
}
JSON
sed -i -e "s/@P@/$P/g" -e "s/@REGION@/$REGION/g" -e "s/@ACCOUNT@/$ACCOUNT/g" definition.json
MACHINE=$(aws stepfunctions create-state-machine --name "$P-batch-ml" --type STANDARD --role-arn "$SFN_ROLE" \
          --definition file://definition.json \
          --tags key=awslabs:lab,value=step-functions-pipeline key=awslabs:run,value=practice \
          --query stateMachineArn --output text)

# run one named execution and wait until it is no longer RUNNING (two one-second retries: seconds)
run() {  # run NAME INPUT
  local arn status
  arn=$(aws stepfunctions start-execution --state-machine-arn "$MACHINE" --name "$1" --input "$2" \
        --query executionArn --output text)
  for _ in $(seq 300); do
    status=$(aws stepfunctions describe-execution --execution-arn "$arn" --query status --output text)
    [ "$status" != RUNNING ] && break
    sleep 2
  done
  echo "$1: $status"
  aws stepfunctions describe-execution --execution-arn "$arn" --query output --output text
}

# -- 2. the full pipeline: the Choice goes to PrepareFeatures (Map + caught validation failure)
run full-practice '{"mode": "full", "run_date": "2024-03-01", "feature_sets": ["clicks", "orders", "profiles"]}'

# -- 3. light mode: the Choice's Default skips training
run light-practice '{"mode": "light", "run_date": "2024-03-02", "feature_sets": []}'

# -- 4. read what the pipeline sent, and delete each message once read (or it comes back)
for KIND in training notify; do
  URL=$(aws sqs get-queue-url --queue-name "$P-$KIND" --query QueueUrl --output text)
  for _ in 1 2 3 4 5; do   # bounded: stop when the queue is drained
    GOT=$(aws sqs receive-message --queue-url "$URL" --max-number-of-messages 10 --wait-time-seconds 1 \
          --query 'Messages[].[ReceiptHandle, Body]' --output text)
    if [ -z "$GOT" ] || [ "$GOT" = None ]; then break; fi
    while IFS=$'\t' read -r HANDLE BODY; do
      echo "$KIND: $BODY"
      aws sqs delete-message --queue-url "$URL" --receipt-handle "$HANDLE"
    done <<< "$GOT"
  done
  echo "$KIND: read and deleted"
done
