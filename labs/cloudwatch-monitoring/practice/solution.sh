#!/usr/bin/env bash
# CloudWatch monitoring — the learner's part (queries, alarm evaluation and filter metrics are
# worked out by `awslabs check`). Data files: inference-logs.jsonl, streamed-logs.jsonl (from `start`).
P=awslabs-cloudwatch-monitoring-practice
DIMS='[{"Name":"EndpointName","Value":"'$P'-endpoint"},{"Name":"VariantName","Value":"AllTraffic"}]'
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)

# -- 1. ten minutes of endpoint metrics, ending in the current minute
python3 - "$DIMS" > metric-data.json <<'PY'
import datetime as dt, json, sys
dims = json.loads(sys.argv[1])
invocations = [50, 52, 48, 55, 50, 60, 58, 61, 57, 54]
latency = [120, 130, 110, 140, 125, 320, 140, 310, 330, 135]
drift = [0.02, 0.03, 0.02, 0.04, 0.05, 0.07, 0.09, 0.12, 0.15, 0.18]
now = dt.datetime.now(dt.timezone.utc).replace(second=5, microsecond=0)
data = []
for i, ago in enumerate(range(9, -1, -1)):
    ts = (now - dt.timedelta(minutes=ago)).isoformat()
    n = invocations[i]
    data += [
        {"MetricName": "Invocations", "Dimensions": dims, "Timestamp": ts, "Unit": "Count", "Value": n},
        {"MetricName": "ModelLatency", "Dimensions": dims, "Timestamp": ts, "Unit": "Milliseconds",
         "StatisticValues": {"SampleCount": n, "Sum": latency[i] * n, "Minimum": latency[i] * 0.5, "Maximum": latency[i] * 2}},
        {"MetricName": "FeatureDriftScore", "Dimensions": dims, "Timestamp": ts, "Unit": "None", "Value": drift[i]},
    ]
data.append({"MetricName": "Invocation5XXErrors", "Dimensions": dims, "Timestamp": now.isoformat(), "Unit": "Count", "Value": 3})
print(json.dumps(data))
PY
aws cloudwatch put-metric-data --namespace Awslabs/ModelEndpoint --metric-data file://metric-data.json

# -- 3. an SNS topic, a queue subscribed to it (its policy lets the topic send), two alarms
TOPIC=$(aws sns create-topic --name "$P-alarms" --query TopicArn --output text)
QUEUE=$(aws sqs create-queue --queue-name "$P-alarm-inbox" --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE" --attribute-names QueueArn --query Attributes.QueueArn --output text)
POLICY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"'$QUEUE_ARN'","Condition":{"ArnEquals":{"aws:SourceArn":"'$TOPIC'"}}}]}'
python3 -c 'import json,sys; print(json.dumps({"Policy": sys.argv[1]}))' "$POLICY" > queue-policy.json
aws sqs set-queue-attributes --queue-url "$QUEUE" --attributes file://queue-policy.json
aws sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "$QUEUE_ARN"
aws cloudwatch put-metric-alarm --alarm-name "$P-latency-high" \
    --namespace Awslabs/ModelEndpoint --metric-name ModelLatency --dimensions "$DIMS" \
    --statistic Average --period 60 --threshold 250 --comparison-operator GreaterThanThreshold \
    --evaluation-periods 5 --datapoints-to-alarm 3 --alarm-actions "$TOPIC" --ok-actions "$TOPIC"
aws cloudwatch put-metric-alarm --alarm-name "$P-5xx-errors" \
    --namespace Awslabs/ModelEndpoint --metric-name Invocation5XXErrors --dimensions "$DIMS" \
    --statistic Sum --period 60 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
    --evaluation-periods 3 --datapoints-to-alarm 2 --treat-missing-data notBreaching \
    --alarm-actions "$TOPIC" --ok-actions "$TOPIC"

# -- 5. a log group with two metric filters, then the ten inference lines
GROUP=/awslabs/$P/inference
aws logs create-log-group --log-group-name "$GROUP"
aws logs put-retention-policy --log-group-name "$GROUP" --retention-in-days 7
aws logs create-log-stream --log-group-name "$GROUP" --log-stream-name AllTraffic/container-1
aws logs put-metric-filter --log-group-name "$GROUP" --filter-name inference-5xx --filter-pattern '{$.status>=500}' \
    --metric-transformations metricName=InferenceErrors,metricNamespace=Awslabs/Logs/practice,metricValue=1,defaultValue=0,unit=Count
aws logs put-metric-filter --log-group-name "$GROUP" --filter-name drift-warnings --filter-pattern '"drift warning"' \
    --metric-transformations metricName=DriftWarnings,metricNamespace=Awslabs/Logs/practice,metricValue=1,unit=Count
events() {  # the lines of a .jsonl file as put-log-events events, timestamped now (ms), in order
    python3 -c 'import json,sys,time
now = int(time.time() * 1000)
print(json.dumps([{"timestamp": now + i, "message": line.strip()} for i, line in enumerate(open(sys.argv[1])) if line.strip()]))' "$1"
}
events inference-logs.jsonl > inference-events.json
aws logs put-log-events --log-group-name "$GROUP" --log-stream-name AllTraffic/container-1 --log-events file://inference-events.json

# -- 7. stream the log group to Kinesis through a role CloudWatch Logs may assume
STREAM=$P-log-stream
aws kinesis create-stream --stream-name "$STREAM" --shard-count 1
aws kinesis wait stream-exists --stream-name "$STREAM"
STREAM_ARN=$(aws kinesis describe-stream-summary --stream-name "$STREAM" --query StreamDescriptionSummary.StreamARN --output text)
cat > cwl-trust.json <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
  "Action": "sts:AssumeRole", "Condition": {"StringLike": {"aws:SourceArn": "arn:aws:logs:$AWS_DEFAULT_REGION:$ACCOUNT:*"}}}]}
JSON
ROLE_ARN=$(aws iam create-role --role-name "$P-cwl-to-kinesis" --assume-role-policy-document file://cwl-trust.json \
           --query Role.Arn --output text)
aws iam put-role-policy --role-name "$P-cwl-to-kinesis" --policy-name put-records --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"'$STREAM_ARN'"}]}'
for attempt in 1 2 3 4 5 6 7 8 9; do  # on AWS a new role takes a few seconds to be usable
    aws logs put-subscription-filter --log-group-name "$GROUP" --filter-name to-kinesis --filter-pattern "" \
        --destination-arn "$STREAM_ARN" --role-arn "$ROLE_ARN" && break
    sleep 10
done
events streamed-logs.jsonl > streamed-events.json
aws logs put-log-events --log-group-name "$GROUP" --log-stream-name AllTraffic/container-1 --log-events file://streamed-events.json
