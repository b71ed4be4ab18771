#!/usr/bin/env bash
# Glue ETL — the learner's part (the raw data and database are set up by `awslabs start`;
# the two job runs are done by `awslabs check`, as the service would run them).
P=awslabs-glue-etl-practice
BUCKET=$P-etl
DB=awslabs_glue_etl_practice_etl
JOB=$P-clean-sales
TAGS='awslabs:lab=glue-etl,awslabs:run=practice'

# -- 1. the job script, unchanged, where Glue reads it (clean_sales.py is in the work folder)
aws s3 cp clean_sales.py "s3://$BUCKET/scripts/clean_sales.py"

# -- 2. a role Glue can assume, allowed to read/write the bucket and catalogue; then the job
cat > glue-trust.json <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
ROLE_ARN=$(aws iam create-role --role-name "$P-glue-job" --assume-role-policy-document file://glue-trust.json \
           --tags Key=awslabs:lab,Value=glue-etl Key=awslabs:run,Value=practice --query Role.Arn --output text)
cat > etl-policy.json <<JSON
{"Version": "2012-10-17",
 "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
   "Resource": ["arn:aws:s3:::$BUCKET", "arn:aws:s3:::$BUCKET/*"]},
  {"Effect": "Allow", "Action": ["glue:GetTable", "glue:CreateTable", "glue:BatchCreatePartition",
                                 "glue:GetPartitions", "glue:GetDatabase"], "Resource": "*"},
  {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
   "Resource": "arn:aws:logs:*:*:log-group:/aws-glue/*"}]}
JSON
aws iam put-role-policy --role-name "$P-glue-job" --policy-name etl --policy-document file://etl-policy.json
# the script's options (see its docstring) as DefaultArguments; 1/16 DPU is the smallest Python shell size
cat > job-arguments.json <<JSON
{
  "library-set": "analytics",
  "--TempDir": "s3://$BUCKET/tmp/",
  "--bookmark": "enable",
  "--source_path": "s3://$BUCKET/raw/sales/",
  "--target_path": "s3://$BUCKET/processed/sales/",
  "--state_path": "s3://$BUCKET/job-state/",
  "--database": "$DB",
  "--table": "sales_clean"
}
JSON
aws glue create-job --name "$JOB" --role "$ROLE_ARN" \
    --command "Name=pythonshell,PythonVersion=3.9,ScriptLocation=s3://$BUCKET/scripts/clean_sales.py" \
    --max-capacity 0.0625 --timeout 10 --max-retries 0 \
    --default-arguments file://job-arguments.json --tags "$TAGS"

# -- 3. a crawler over the job's output, a nightly schedule for the job, and the crawler after its success
aws glue create-crawler --name "$P-processed-crawler" --role "$ROLE_ARN" --database-name "$DB" \
    --table-prefix crawled_ --targets "{\"S3Targets\":[{\"Path\":\"s3://$BUCKET/processed/sales/\"}]}" --tags "$TAGS"
aws glue create-trigger --name "$P-nightly-trigger" --type SCHEDULED --schedule 'cron(0 2 * * ? *)' \
    --actions "JobName=$JOB" --no-start-on-creation --tags "$TAGS"
aws glue create-trigger --name "$P-after-etl-trigger" --type CONDITIONAL \
    --predicate "{\"Logical\":\"ANY\",\"Conditions\":[{\"LogicalOperator\":\"EQUALS\",\"JobName\":\"$JOB\",\"State\":\"SUCCEEDED\"}]}" \
    --actions "CrawlerName=$P-processed-crawler" --no-start-on-creation --tags "$TAGS"
