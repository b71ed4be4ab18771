#!/usr/bin/env bash
# DMS batch migration — the learner's part (the SQLite source stands in for MySQL and is set up by
# `awslabs start`; the full load and the CDC are played by `awslabs check` with the local runner).
P=awslabs-dms-batch-migration-practice
TAGS='Key=awslabs:lab,Value=dms-batch-migration Key=awslabs:run,Value=practice'

# -- 1. the smallest replication instance: dms.t3.micro, single-AZ, not publicly accessible
aws dms create-replication-instance --replication-instance-identifier "$P-repl" \
    --replication-instance-class dms.t3.micro --allocated-storage 20 --no-multi-az --no-publicly-accessible \
    --tags $TAGS --query ReplicationInstance.ReplicationInstanceArn --output text
# (on AWS this takes about 10 minutes; endpoints and tasks need it available)
INSTANCE=$(aws dms describe-replication-instances \
           --filters Name=replication-instance-id,Values="$P-repl" \
           --query 'ReplicationInstances[0].ReplicationInstanceArn' --output text)
for _ in $(seq 180); do   # poll every 5 s, up to 15 minutes (`aws dms wait` polls every 30 s)
  STATUS=$(aws dms describe-replication-instances --filters Name=replication-instance-arn,Values="$INSTANCE" \
           --query 'ReplicationInstances[0].ReplicationInstanceStatus' --output text)
  [ "$STATUS" = available ] && break
  sleep 5
done
echo "replication instance: $STATUS"

# -- 2. the target bucket, a role DMS can assume to write into it, then the two endpoints
aws s3api create-bucket --bucket "$P-dms-target"
aws s3api put-bucket-tagging --bucket "$P-dms-target" \
    --tagging 'TagSet=[{Key=awslabs:lab,Value=dms-batch-migration},{Key=awslabs:run,Value=practice}]'
ROLE_ARN=$(aws iam create-role --role-name "$P-dms-s3" --tags $TAGS --query Role.Arn --output text \
    --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "dms.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
aws iam put-role-policy --role-name "$P-dms-s3" --policy-name write-target --policy-document "{
  \"Version\": \"2012-10-17\", \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\", \"s3:DeleteObject\", \"s3:PutObjectTagging\"],
     \"Resource\": \"arn:aws:s3:::$P-dms-target/*\"},
    {\"Effect\": \"Allow\", \"Action\": \"s3:ListBucket\", \"Resource\": \"arn:aws:s3:::$P-dms-target\"}]}"
# the MySQL source (on AWS: your database's host, and the password from Secrets Manager)
aws dms create-endpoint --endpoint-identifier "$P-source" --endpoint-type source --engine-name mysql \
    --server-name source-db.internal.example --port 3306 --database-name sales \
    --username dms_reader --password change-me-in-secrets-manager --tags $TAGS \
    --query Endpoint.EndpointArn --output text
# the S3 target: CSV with a header row under s3://<bucket>/dms/
aws dms create-endpoint --endpoint-identifier "$P-target" --endpoint-type target --engine-name s3 \
    --s3-settings "{\"ServiceAccessRoleArn\": \"$ROLE_ARN\", \"BucketName\": \"$P-dms-target\",
                    \"BucketFolder\": \"dms\", \"DataFormat\": \"csv\", \"CsvDelimiter\": \",\",
                    \"CsvRowDelimiter\": \"\\\\n\", \"AddColumnName\": true, \"IncludeOpForFullLoad\": false}" \
    --tags $TAGS --query Endpoint.EndpointArn --output text

# -- 3. a full-load task and a CDC task with the same table mappings; the ARNs are looked up by name
SOURCE=$(aws dms describe-endpoints --filters Name=endpoint-id,Values="$P-source" \
         --query 'Endpoints[0].EndpointArn' --output text)
TARGET=$(aws dms describe-endpoints --filters Name=endpoint-id,Values="$P-target" \
         --query 'Endpoints[0].EndpointArn' --output text)
# include schema sales; exclude audit_log; no cancelled orders; rename the schema to retail;
# remove customers.email; add orders.amount_cents
cat > table-mappings.json <<'JSON'
{"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "include-sales",
   "object-locator": {"schema-name": "sales", "table-name": "%"}, "rule-action": "include"},
  {"rule-type": "selection", "rule-id": "2", "rule-name": "exclude-audit",
   "object-locator": {"schema-name": "sales", "table-name": "audit_log"}, "rule-action": "exclude"},
  {"rule-type": "selection", "rule-id": "3", "rule-name": "no-cancelled-orders",
   "object-locator": {"schema-name": "sales", "table-name": "orders"}, "rule-action": "include",
   "filters": [{"filter-type": "source", "column-name": "status",
                "filter-conditions": [{"filter-operator": "noteq", "value": "cancelled"}]}]},
  {"rule-type": "transformation", "rule-id": "4", "rule-name": "rename-schema", "rule-target": "schema",
   "object-locator": {"schema-name": "sales"}, "rule-action": "rename", "value": "retail"},
  {"rule-type": "transformation", "rule-id": "5", "rule-name": "drop-pii", "rule-target": "column",
   "object-locator": {"schema-name": "sales", "table-name": "customers", "column-name": "email"},
   "rule-action": "remove-column"},
  {"rule-type": "transformation", "rule-id": "6", "rule-name": "amount-in-cents", "rule-target": "column",
   "object-locator": {"schema-name": "sales", "table-name": "orders"}, "rule-action": "add-column",
   "value": "amount_cents", "expression": "CAST(ROUND($amount * 100) AS INT)", "data-type": {"type": "int8"}}
]}
JSON
for KIND in full-load cdc; do
  aws dms create-replication-task --replication-task-identifier "$P-$KIND-task" --migration-type "$KIND" \
      --source-endpoint-arn "$SOURCE" --target-endpoint-arn "$TARGET" --replication-instance-arn "$INSTANCE" \
      --table-mappings file://table-mappings.json --replication-task-settings '{"Logging": {"EnableLogging": false}}' \
      --tags $TAGS --query ReplicationTask.ReplicationTaskArn --output text
done
# on AWS, wait until both are ready (the emulator keeps tasks "creating" forever: nothing to wait for)
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  aws dms wait replication-task-ready --filters Name=replication-task-id,Values="$P-full-load-task","$P-cdc-task"
fi

# -- 4. start both tasks (on AWS this needs a source database the replication instance can reach)
task_arn() { aws dms describe-replication-tasks --filters Name=replication-task-id,Values="$P-$1-task" \
             --query 'ReplicationTasks[0].ReplicationTaskArn' --output text; }
for KIND in full-load cdc; do
  aws dms start-replication-task --replication-task-arn "$(task_arn $KIND)" \
      --start-replication-task-type start-replication --query ReplicationTask.Status --output text
done

# -- 5. (after `awslabs check` has written the LOAD and CDC files) stop whatever still runs
for KIND in full-load cdc; do
  STATUS=$(aws dms describe-replication-tasks --filters Name=replication-task-id,Values="$P-$KIND-task" \
           --query 'ReplicationTasks[0].Status' --output text)
  if [ "$STATUS" = running ]; then
    aws dms stop-replication-task --replication-task-arn "$(task_arn $KIND)" --query ReplicationTask.Status --output text
  fi
done
