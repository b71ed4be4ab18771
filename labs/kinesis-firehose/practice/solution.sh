#!/usr/bin/env bash
# Kinesis Data Firehose — the learner's part (run it in the work folder: it reads transform.py and
# clicks.txt, the starter files `awslabs start` copied there; the delivery itself is done by
# Firehose on AWS and by the local runner at `awslabs check` off AWS).
P=awslabs-kinesis-firehose-practice
TAGS='Key=awslabs:lab,Value=kinesis-firehose Key=awslabs:run,Value=practice'
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=$AWS_DEFAULT_REGION
BUCKET="$P-landing"
# Record data is a blob: the AWS CLI v2 expects blobs base64-encoded unless told otherwise; v1
# sends the text as it is (and does not know the option).
BLOB=()
case "$(aws --version 2>&1)" in aws-cli/2*) BLOB=(--cli-binary-format raw-in-base64-out);; esac

# -- 1. the bucket, and a role for each service: Firehose (write the bucket, invoke the Lambda, read
#       the source stream) and Lambda (write its logs)
aws s3api create-bucket --bucket "$BUCKET"
aws s3api put-bucket-tagging --bucket "$BUCKET" \
    --tagging 'TagSet=[{Key=awslabs:lab,Value=kinesis-firehose},{Key=awslabs:run,Value=practice}]'
trust() { echo "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",
          \"Principal\": {\"Service\": \"$1.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}"; }
FIREHOSE_ROLE=$(aws iam create-role --role-name "$P-firehose-role" --assume-role-policy-document "$(trust firehose)" \
                --tags $TAGS --query Role.Arn --output text)
aws iam put-role-policy --role-name "$P-firehose-role" --policy-name deliver --policy-document "{
  \"Version\": \"2012-10-17\", \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\", \"s3:GetBucketLocation\", \"s3:ListBucket\",
                                     \"s3:AbortMultipartUpload\", \"s3:GetObject\"],
     \"Resource\": [\"arn:aws:s3:::$BUCKET\", \"arn:aws:s3:::$BUCKET/*\"]},
    {\"Effect\": \"Allow\", \"Action\": [\"lambda:InvokeFunction\", \"lambda:GetFunctionConfiguration\"],
     \"Resource\": \"arn:aws:lambda:$REGION:$ACCOUNT:function:$P-transform*\"},
    {\"Effect\": \"Allow\", \"Action\": [\"kinesis:DescribeStream\", \"kinesis:GetShardIterator\",
                                     \"kinesis:GetRecords\", \"kinesis:ListShards\"],
     \"Resource\": \"arn:aws:kinesis:$REGION:$ACCOUNT:stream/$P-source\"}]}"
LAMBDA_ROLE=$(aws iam create-role --role-name "$P-lambda-role" --assume-role-policy-document "$(trust lambda)" \
              --tags $TAGS --query Role.Arn --output text)
aws iam put-role-policy --role-name "$P-lambda-role" --policy-name logs --policy-document '{
  "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]}'
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then sleep 10; fi   # on AWS: a new role takes seconds to be assumable

# -- 2. the transformation Lambda: transform.py zipped, handler transform.handler
rm -f transform.zip
if command -v zip >/dev/null; then zip -q transform.zip transform.py; else python3 -m zipfile -c transform.zip transform.py; fi
FUNCTION=$(aws lambda create-function --function-name "$P-transform" --runtime python3.12 --role "$LAMBDA_ROLE" \
           --handler transform.handler --zip-file fileb://transform.zip --timeout 60 --memory-size 128 \
           --tags awslabs:lab=kinesis-firehose,awslabs:run=practice --query FunctionArn --output text)
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then aws lambda wait function-active-v2 --function-name "$P-transform"; fi

# S3 destination settings shared by both delivery streams: destination(PREFIX ERROR_PREFIX COMPRESSION [LAMBDA])
destination() {
  local processors='{"Type": "AppendDelimiterToRecord", "Parameters": []}'
  if [ -n "${4:-}" ]; then
    processors="{\"Type\": \"Lambda\", \"Parameters\": [
        {\"ParameterName\": \"LambdaArn\", \"ParameterValue\": \"$4\"},
        {\"ParameterName\": \"BufferSizeInMBs\", \"ParameterValue\": \"1\"},
        {\"ParameterName\": \"BufferIntervalInSeconds\", \"ParameterValue\": \"60\"}]}, $processors"
  fi
  echo "{\"RoleARN\": \"$FIREHOSE_ROLE\", \"BucketARN\": \"arn:aws:s3:::$BUCKET\", \"Prefix\": \"$1\",
         ${2:+\"ErrorOutputPrefix\": \"$2\",}
         \"BufferingHints\": {\"SizeInMBs\": 1, \"IntervalInSeconds\": 60}, \"CompressionFormat\": \"$3\",
         \"ProcessingConfiguration\": {\"Enabled\": true, \"Processors\": [$processors]}}"
}
wait_active() {  # poll until the delivery stream is ACTIVE (up to 10 minutes)
  for _ in $(seq 60); do
    STATUS=$(aws firehose describe-delivery-stream --delivery-stream-name "$1" \
             --query DeliveryStreamDescription.DeliveryStreamStatus --output text)
    [ "$STATUS" = ACTIVE ] && break
    sleep 10
  done
  echo "$1: $STATUS"
}

# -- 3. a DirectPut delivery stream: 1 MiB / 60 s, GZIP, time-based prefix, error prefix by error type,
#       the Lambda processor then a newline after each record
aws firehose create-delivery-stream --delivery-stream-name "$P-clicks" --delivery-stream-type DirectPut \
    --extended-s3-destination-configuration "$(destination \
        'clicks/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/' \
        'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/' GZIP "$FUNCTION")" \
    --tags $TAGS --query DeliveryStreamARN --output text
wait_active "$P-clicks"

# -- 4. every line of clicks.txt, once and in order, 200 records per put-record-batch call (at most
#       500 / 4 MiB a call); a batch is not atomic: resend the entries that failed
json_string() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }   # a line as the inside of a JSON string
put_batch() {  # put_batch FILE_WITH_LINES
  local records
  records=$(json_string < "$1" | sed -e 's/^/{"Data": "/' -e 's/$/"},/' | tr -d '\n')
  aws firehose put-record-batch "${BLOB[@]}" --delivery-stream-name "$P-clicks" --records "[${records%,}]" \
      --query '[FailedPutCount, RequestResponses[].ErrorCode]' --output text
}
rm -f batch-*
split -l 200 clicks.txt batch-
for FILE in batch-*; do
  FAILED=$(put_batch "$FILE" | head -1)
  [ "$FAILED" = 0 ] || { echo "$FILE: $FAILED records failed; resend them" >&2; exit 1; }
done
rm -f batch-*

# -- 5. a 1-shard Kinesis stream as the source of a second delivery stream (prefix from-kinesis/,
#       uncompressed, newline delimiter, no Lambda); then the 50 readings go to the stream
aws kinesis create-stream --stream-name "$P-source" --shard-count 1
aws kinesis wait stream-exists --stream-name "$P-source"
aws kinesis add-tags-to-stream --stream-name "$P-source" --tags awslabs:lab=kinesis-firehose,awslabs:run=practice
STREAM_ARN=$(aws kinesis describe-stream-summary --stream-name "$P-source" \
             --query StreamDescriptionSummary.StreamARN --output text)
aws firehose create-delivery-stream --delivery-stream-name "$P-from-stream" --delivery-stream-type KinesisStreamAsSource \
    --kinesis-stream-source-configuration "KinesisStreamARN=$STREAM_ARN,RoleARN=$FIREHOSE_ROLE" \
    --extended-s3-destination-configuration "$(destination from-kinesis/ '' UNCOMPRESSED)" \
    --tags $TAGS --query DeliveryStreamARN --output text
wait_active "$P-from-stream"
READINGS=$(for i in $(seq 0 49); do printf '{"PartitionKey": "user-%s", "Data": "{\\"reading\\": %s}"},' $((i % 5)) "$i"; done)
aws kinesis put-records "${BLOB[@]}" --stream-name "$P-source" --records "[${READINGS%,}]" \
    --query FailedRecordCount --output text
