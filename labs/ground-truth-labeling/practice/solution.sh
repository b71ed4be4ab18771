#!/usr/bin/env bash
# SageMaker Ground Truth — the learner's part: the input manifest, the label configuration and the
# CreateLabelingJob request, all in the lab's bucket (`awslabs check` then plays the five workers
# and the consolidation under output-local/).
set -euo pipefail
P=awslabs-ground-truth-labeling-practice
BUCKET=$P-labeling
ROLE=$P-groundtruth
JOB=$P-digits
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=${AWS_DEFAULT_REGION:-us-east-1}

# -- 1. the input manifest: JSON Lines, one {"source-ref": "s3://…"} object per image, in key order
aws s3api list-objects-v2 --bucket "$BUCKET" --prefix images/ --query 'Contents[].Key' --output text \
    | tr '\t' '\n' | sort > image-keys.txt
while read -r key; do
    [ -n "$key" ] && printf '{"source-ref": "s3://%s/%s"}\n' "$BUCKET" "$key"
done < image-keys.txt > input.manifest
echo "input.manifest: $(wc -l < input.manifest) lines"
aws s3 cp input.manifest "s3://$BUCKET/manifests/input.manifest" --content-type application/jsonlines

# -- 2. the label category file (document-version 2018-11-28, one label per digit) ...
cat > label-categories.json <<'JSON'
{"document-version": "2018-11-28",
 "labels": [{"label": "0"}, {"label": "1"}, {"label": "2"}, {"label": "3"}, {"label": "4"},
            {"label": "5"}, {"label": "6"}, {"label": "7"}, {"label": "8"}, {"label": "9"}]}
JSON
aws s3 cp label-categories.json "s3://$BUCKET/config/label-categories.json" --content-type application/json

# ... and the Liquid worker template: crowd-image-classifier, the image behind a signed link
cat > template.liquid.html <<'HTML'
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier
    name="crowd-image-classifier"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="Which digit is this?"
    categories="{{ task.input.labels | to_json | escape }}">
    <full-instructions header="Digit classification">
      <p>Each image is a handwritten digit scanned at 8x8 pixels. Pick the digit it shows.</p>
    </full-instructions>
    <short-instructions><p>Choose the digit 0-9 that the image shows.</p></short-instructions>
  </crowd-image-classifier>
</crowd-form>
HTML
aws s3 cp template.liquid.html "s3://$BUCKET/config/template.liquid.html" --content-type text/html

# -- 3. the role Ground Truth assumes (reads the images and config, writes the output) ...
aws iam create-role --role-name "$ROLE" --assume-role-policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam put-role-policy --role-name "$ROLE" --policy-name labeling-data --policy-document "{
  \"Version\": \"2012-10-17\",
  \"Statement\": [{\"Effect\": \"Allow\",
                   \"Action\": [\"s3:GetObject\", \"s3:PutObject\", \"s3:ListBucket\", \"s3:GetBucketLocation\"],
                   \"Resource\": [\"arn:aws:s3:::$BUCKET\", \"arn:aws:s3:::$BUCKET/*\"]}]}"
ROLE_ARN=$(aws iam get-role --role-name "$ROLE" --query Role.Arn --output text)

# ... Ground Truth's own pre-annotation (PRE) and consolidation (ACS) Lambdas for single-label image
# classification live in an AWS account per Region (API reference, HumanTaskConfig) ...
case "$REGION" in
    us-east-1) GT_ACCOUNT=432418664414 ;;
    us-east-2) GT_ACCOUNT=266458841044 ;;
    us-west-2) GT_ACCOUNT=081040173940 ;;
    eu-west-1) GT_ACCOUNT=568282634449 ;;
    eu-central-1) GT_ACCOUNT=203001061592 ;;
    *) echo "look up the Ground Truth Lambda account for $REGION in the HumanTaskConfig reference" >&2; exit 1 ;;
esac
PRE=arn:aws:lambda:$REGION:$GT_ACCOUNT:function:PRE-ImageMultiClass
ACS=arn:aws:lambda:$REGION:$GT_ACCOUNT:function:ACS-ImageMultiClass

# ... a private work team: on AWS the account's first one, else a well-formed ARN for the request
TEAM=""
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
    TEAM=$(aws sagemaker list-workteams --query "Workteams[?contains(WorkteamArn, ':workteam/private-crowd/')].WorkteamArn | [0]" --output text)
fi
if [ -z "$TEAM" ] || [ "$TEAM" = "None" ]; then
    TEAM=arn:aws:sagemaker:$REGION:$ACCOUNT:workteam/private-crowd/awslabs-team
fi

# ... and the CreateLabelingJob request itself, three workers per image, stored beside the data
cat > create-labeling-job.json <<JSON
{
  "LabelingJobName": "$JOB",
  "LabelAttributeName": "digit",
  "InputConfig": {
    "DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://$BUCKET/manifests/input.manifest"}},
    "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent"]}
  },
  "OutputConfig": {"S3OutputPath": "s3://$BUCKET/output/"},
  "RoleArn": "$ROLE_ARN",
  "LabelCategoryConfigS3Uri": "s3://$BUCKET/config/label-categories.json",
  "StoppingConditions": {"MaxPercentageOfInputDatasetLabeled": 100},
  "HumanTaskConfig": {
    "WorkteamArn": "$TEAM",
    "UiConfig": {"UiTemplateS3Uri": "s3://$BUCKET/config/template.liquid.html"},
    "PreHumanTaskLambdaArn": "$PRE",
    "TaskKeywords": ["image", "classification", "digits"],
    "TaskTitle": "Which digit is this?",
    "TaskDescription": "Classify each handwritten digit image as 0-9",
    "NumberOfHumanWorkersPerDataObject": 3,
    "TaskTimeLimitInSeconds": 300,
    "TaskAvailabilityLifetimeInSeconds": 21600,
    "MaxConcurrentTaskCount": 100,
    "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": "$ACS"}
  }
}
JSON
aws s3 cp create-labeling-job.json "s3://$BUCKET/requests/create-labeling-job.json" --content-type application/json

# -- 4. (AWS only, with a private work team of people; moto has no labeling jobs):
# aws sagemaker create-labeling-job --cli-input-json file://create-labeling-job.json
