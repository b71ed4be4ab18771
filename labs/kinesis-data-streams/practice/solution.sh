#!/usr/bin/env bash
# Kinesis Data Streams — the learner's part (capacity plan, iterators and the KCL consumer are run
# by `awslabs check` on your stream and lease table).
P=awslabs-kinesis-data-streams-practice
STREAM=$P-clicks
# Blob fields (Data) are given as text: the AWS CLI v1 sends text as is, v2 expects base64 unless told.
RAW=()
if command aws --version 2>&1 | grep -q '^aws-cli/2'; then RAW=(--cli-binary-format raw-in-base64-out); fi

# -- 1. a provisioned stream with 4 shards and an on-demand stream, both tagged
aws kinesis create-stream --stream-name "$STREAM" --shard-count 4 --stream-mode-details StreamMode=PROVISIONED
aws kinesis create-stream --stream-name "$P-ondemand" --stream-mode-details StreamMode=ON_DEMAND
for NAME in "$STREAM" "$P-ondemand"; do
    aws kinesis wait stream-exists --stream-name "$NAME"
    # tags given at create time are dropped by the emulator: add them afterwards (works on AWS too)
    aws kinesis add-tags-to-stream --stream-name "$NAME" --tags awslabs:lab=kinesis-data-streams,awslabs:run=practice
done

# -- 2. the sensor records: 5 per sensor-00 … sensor-19, and 200 for the hot key sensor-hot,
#       in put-records batches of at most 500 (here 100)
records() {  # one JSON array of put-records entries from "key n value" lines
    python3 -c 'import json,sys
print(json.dumps([{"PartitionKey": k, "Data": json.dumps({"sensor": k, "n": int(n), "value": int(v)})}
                  for k, n, v in (line.split() for line in sys.stdin)]))'
}
{ for s in $(seq -w 0 19); do for n in 0 1 2 3 4; do echo "sensor-$s $n $((20 + n))"; done; done
  for n in $(seq 0 199); do echo "sensor-hot $n $((50 + n % 7))"; done; } > sensor-records.txt
split -l 100 sensor-records.txt batch-
for BATCH in batch-*; do
    records < "$BATCH" > "$BATCH.json"
    FAILED=$(aws kinesis put-records --stream-name "$STREAM" --records "file://$BATCH.json" "${RAW[@]}" \
             --query FailedRecordCount --output text)
    [ "$FAILED" = 0 ] || echo "retry the $FAILED failed entries of $BATCH (ProvisionedThroughputExceeded)"
done

# -- 4. five marker records {"marker": 0} … {"marker": 4}, key iterator-demo, one put-record each
for n in 0 1 2 3 4; do
    aws kinesis put-record --stream-name "$STREAM" --partition-key iterator-demo --data "{\"marker\": $n}" "${RAW[@]}"
done

# -- 6. the KCL lease table: string key leaseKey, on-demand billing
aws dynamodb create-table --table-name "$P-kcl-leases" \
    --attribute-definitions AttributeName=leaseKey,AttributeType=S \
    --key-schema AttributeName=leaseKey,KeyType=HASH --billing-mode PAY_PER_REQUEST \
    --tags Key=awslabs:lab,Value=kinesis-data-streams Key=awslabs:run,Value=practice
aws dynamodb wait table-exists --table-name "$P-kcl-leases"

# -- 8. reshard: split the hot shard in the middle of its range, merge two adjacent cold shards
# The hot shard is the open shard whose hash-key range holds MD5("sensor-hot") as a 128-bit number.
aws kinesis list-shards --stream-name "$STREAM" \
    --query 'Shards[?SequenceNumberRange.EndingSequenceNumber==null].[ShardId,HashKeyRange.StartingHashKey,HashKeyRange.EndingHashKey]' \
    --output text > open-shards.txt
read -r HOT START END < <(python3 -c 'import hashlib,sys
key = int(hashlib.md5(b"sensor-hot").hexdigest(), 16)
for line in open("open-shards.txt"):
    shard, start, end = line.split()
    if int(start) <= key <= int(end):
        print(shard, start, end)')
MIDDLE=$(python3 -c "print(($START + $END) // 2)")   # AWS's own example: (start + end) / 2
aws kinesis split-shard --stream-name "$STREAM" --shard-to-split "$HOT" --new-starting-hash-key "$MIDDLE"
aws kinesis wait stream-exists --stream-name "$STREAM"
# two adjacent shards that are not the hot one (open-shards.txt is in hash-key order)
read -r LEFT RIGHT < <(awk -v hot="$HOT" '$1 != hot {print $1}' open-shards.txt | python3 -c 'import sys
ids = [l.strip() for l in sys.stdin]
order = [l.split()[0] for l in open("open-shards.txt")]
pairs = [(a, b) for a, b in zip(order, order[1:]) if a in ids and b in ids]
print(*pairs[0])')
aws kinesis merge-shards --stream-name "$STREAM" --shard-to-merge "$LEFT" --adjacent-shard-to-merge "$RIGHT"
aws kinesis wait stream-exists --stream-name "$STREAM"
aws kinesis put-record --stream-name "$STREAM" --partition-key sensor-hot --data '{"after": "split"}' "${RAW[@]}"

# -- 9. keep records 48 hours instead of the default 24
aws kinesis increase-stream-retention-period --stream-name "$STREAM" --retention-period-hours 48
