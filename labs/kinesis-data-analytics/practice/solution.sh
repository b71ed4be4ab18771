#!/usr/bin/env bash
# Kinesis Data Analytics — the learner's part: the streams and bucket, the readings, and the Managed
# Service for Apache Flink application (the windowed SQL is run by `awslabs check` on your stream).
# Run it in the work folder, where `awslabs start` put readings.jsonl and flink_app/main.py.
set -euo pipefail
P=awslabs-kinesis-data-analytics-practice
INPUT=$P-readings OUTPUT=$P-anomalies BUCKET=$P-results ROLE=$P-flink-role APP=$P-flink-app
REGION=${AWS_DEFAULT_REGION:-us-east-1}
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
# Blob fields (Data) are given as text: the AWS CLI v1 sends text as is, v2 expects base64 unless told.
RAW=()
if command aws --version 2>&1 | grep -q '^aws-cli/2'; then RAW=(--cli-binary-format raw-in-base64-out); fi

# -- 1. the input stream (2 shards), the output stream (1 shard) and the results bucket
aws kinesis create-stream --stream-name "$INPUT" --shard-count 2
aws kinesis create-stream --stream-name "$OUTPUT" --shard-count 1
aws kinesis wait stream-exists --stream-name "$INPUT"
aws kinesis wait stream-exists --stream-name "$OUTPUT"
if [ "$REGION" = us-east-1 ]; then
    aws s3api create-bucket --bucket "$BUCKET"
else
    aws s3api create-bucket --bucket "$BUCKET" --create-bucket-configuration LocationConstraint="$REGION"
fi

# -- 2. every line of readings.jsonl is one record; the partition key is the sensor, so each
#       sensor's readings land on one shard, in order (put-records takes at most 500 per call)
python3 -c 'import json, sys
print(json.dumps([{"PartitionKey": json.loads(line)["sensor"], "Data": line.strip()}
                  for line in sys.stdin if line.strip()]))' < readings.jsonl > records.json
FAILED=$(aws kinesis put-records --stream-name "$INPUT" --records file://records.json "${RAW[@]}" \
         --query FailedRecordCount --output text)
[ "$FAILED" = 0 ] || { echo "$FAILED records failed (ProvisionedThroughputExceeded?): put them again" >&2; exit 1; }

# -- 3. the application code: main.py at the root of a zip, in the bucket under code/
rm -f flink-app.zip
(cd flink_app && zip -q ../flink-app.zip main.py)
aws s3 cp flink-app.zip "s3://$BUCKET/code/flink-app.zip"

#       the role Managed Flink (kinesisanalytics.amazonaws.com) assumes: the two streams, the code
aws iam create-role --role-name "$ROLE" --assume-role-policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "kinesisanalytics.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam put-role-policy --role-name "$ROLE" --policy-name streams --policy-document "{
  \"Version\": \"2012-10-17\",
  \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"kinesis:*\"],
     \"Resource\": [\"arn:aws:kinesis:$REGION:$ACCOUNT:stream/$INPUT\", \"arn:aws:kinesis:$REGION:$ACCOUNT:stream/$OUTPUT\"]},
    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:GetObjectVersion\"],
     \"Resource\": \"arn:aws:s3:::$BUCKET/code/*\"}]}"
ROLE_ARN=$(aws iam get-role --role-name "$ROLE" --query Role.Arn --output text)
[ -n "${AWS_ENDPOINT_URL:-}" ] || sleep 10  # on AWS: let IAM propagate before the service checks the role

#       the FLINK-1_18 application: the zip as its code, the streams as runtime properties
cat > flink-app-config.json <<JSON
{
  "ApplicationCodeConfiguration": {
    "CodeContent": {"S3ContentLocation": {"BucketARN": "arn:aws:s3:::$BUCKET", "FileKey": "code/flink-app.zip"}},
    "CodeContentType": "ZIPFILE"
  },
  "EnvironmentProperties": {"PropertyGroups": [
    {"PropertyGroupId": "kinesis.analytics.flink.run.options", "PropertyMap": {"python": "main.py"}},
    {"PropertyGroupId": "consumer.config.0", "PropertyMap": {"input.stream.name": "$INPUT", "aws.region": "$REGION"}},
    {"PropertyGroupId": "producer.config.0", "PropertyMap": {"output.stream.name": "$OUTPUT", "aws.region": "$REGION"}}
  ]},
  "FlinkApplicationConfiguration": {
    "ParallelismConfiguration": {"ConfigurationType": "CUSTOM", "Parallelism": 1, "ParallelismPerKPU": 1,
                                 "AutoScalingEnabled": false}
  }
}
JSON
aws kinesisanalyticsv2 create-application --application-name "$APP" \
    --application-description "Tumbling one-minute windows per sensor (Flink SQL)" \
    --runtime-environment FLINK-1_18 --service-execution-role "$ROLE_ARN" \
    --application-configuration file://flink-app-config.json
# on AWS, to run it (bills per KPU-hour until stopped):
# aws kinesisanalyticsv2 start-application --application-name "$APP"
