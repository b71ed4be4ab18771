#!/usr/bin/env bash
# S3 storage classes — the learner's part (restore tiers, invalid rules, the timeline and the cost
# are worked out by `awslabs check`).
BUCKET=awslabs-s3-storage-classes-practice-data

# -- 1. a versioned bucket, tagged as a practice resource (awslabs:lab / awslabs:run)
if [ "$AWS_DEFAULT_REGION" = us-east-1 ]; then
    aws s3api create-bucket --bucket "$BUCKET"
else
    aws s3api create-bucket --bucket "$BUCKET" --create-bucket-configuration LocationConstraint="$AWS_DEFAULT_REGION"
fi
aws s3api put-bucket-tagging --bucket "$BUCKET" \
    --tagging 'TagSet=[{Key=awslabs:lab,Value=s3-storage-classes},{Key=awslabs:run,Value=practice}]'
aws s3api put-bucket-versioning --bucket "$BUCKET" --versioning-configuration Status=Enabled

# -- 2. one small object in each storage class, under classes/<class in lower case, - for _>.txt
for CLASS in STANDARD STANDARD_IA INTELLIGENT_TIERING ONEZONE_IA GLACIER_IR GLACIER DEEP_ARCHIVE; do
    KEY="classes/$(echo "$CLASS" | tr 'A-Z_' 'a-z-').txt"
    echo "one small object stored in $CLASS" > object.txt
    aws s3api put-object --bucket "$BUCKET" --key "$KEY" --body object.txt --storage-class "$CLASS"
done

# -- 3. two archived reports; restore the GLACIER one for 1 day with the Standard tier
printf 'year,revenue\n2025,42\n' > report-2025.csv
printf 'year,revenue\n2019,7\n' > report-2019.csv
aws s3api put-object --bucket "$BUCKET" --key archive/report-2025.csv --body report-2025.csv --storage-class GLACIER
aws s3api put-object --bucket "$BUCKET" --key archive/report-2019.csv --body report-2019.csv --storage-class DEEP_ARCHIVE
aws s3 cp "s3://$BUCKET/archive/report-2025.csv" - || echo "(as expected: an archived object cannot be read before a restore)"
aws s3api restore-object --bucket "$BUCKET" --key archive/report-2025.csv \
    --restore-request '{"Days": 1, "GlacierJobParameters": {"Tier": "Standard"}}'

# -- 5. the lifecycle rules: archive raw/ objects tagged retention=archive down the classes,
#       clean up incomplete uploads and expired delete markers, expire tmp/ after 7 days
cat > lifecycle.json <<'JSON'
{"Rules": [
  {"ID": "archive-raw-data", "Status": "Enabled",
   "Filter": {"And": {"Prefix": "raw/", "Tags": [{"Key": "retention", "Value": "archive"}]}},
   "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"},
                   {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}],
   "Expiration": {"Days": 730},
   "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"},
                                    {"NoncurrentDays": 120, "StorageClass": "GLACIER"}],
   "NoncurrentVersionExpiration": {"NoncurrentDays": 365}},
  {"ID": "housekeeping", "Status": "Enabled", "Filter": {"Prefix": ""},
   "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
   "Expiration": {"ExpiredObjectDeleteMarker": true}},
  {"ID": "expire-tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7},
   "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}
]}
JSON
aws s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --lifecycle-configuration file://lifecycle.json
