#!/usr/bin/env bash
# SQS queues — the learner's part (the "watch …" steps are done by `awslabs check`).
P=awslabs-sqs-queues-practice

# -- 1. a standard queue, and a FIFO queue that deduplicates by content
aws sqs create-queue --queue-name "$P-standard"
aws sqs create-queue --queue-name "$P-orders.fifo" \
    --attributes FifoQueue=true,ContentBasedDeduplication=true

# -- 2. a 1-second visibility timeout on the existing standard queue
STANDARD=$(aws sqs get-queue-url --queue-name "$P-standard" --query QueueUrl --output text)
aws sqs set-queue-attributes --queue-url "$STANDARD" --attributes VisibilityTimeout=1

# -- 4. a dead-letter queue (14 days = 1209600 s), then a work queue that redrives to it after 2 receives
DLQ=$(aws sqs create-queue --queue-name "$P-dlq" --attributes MessageRetentionPeriod=1209600 \
      --query QueueUrl --output text)
DLQ_ARN=$(aws sqs get-queue-attributes --queue-url "$DLQ" --attribute-names QueueArn \
          --query Attributes.QueueArn --output text)
# RedrivePolicy is a JSON string inside the attribute map: easiest as a JSON file
cat > work-queue-attributes.json <<JSON
{
  "VisibilityTimeout": "0",
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"$DLQ_ARN\",\"maxReceiveCount\":\"2\"}"
}
JSON
aws sqs create-queue --queue-name "$P-work" --attributes file://work-queue-attributes.json

# -- 6. a queue whose receives long-poll for up to 5 s by default
aws sqs create-queue --queue-name "$P-poll" --attributes ReceiveMessageWaitTimeSeconds=5

# -- 8. a delay queue: every new message hidden for 1 s
aws sqs create-queue --queue-name "$P-delayed" --attributes DelaySeconds=1

# -- 11. a new standard queue, then ten messages in ONE SendMessageBatch call (at most 10, distinct Ids)
BATCH=$(aws sqs create-queue --queue-name "$P-batch" --query QueueUrl --output text)
ENTRIES=$(for i in 0 1 2 3 4 5 6 7 8 9; do printf '{"Id":"m%s","MessageBody":"event %s"},' "$i" "$i"; done)
aws sqs send-message-batch --queue-url "$BATCH" --entries "[${ENTRIES%,}]"
