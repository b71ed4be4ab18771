#!/usr/bin/env bash
# Lake Formation — the learner's part (the contractor's grant is made by `awslabs start`).
P=awslabs-lake-formation-practice
BUCKET=$P-lake
DB=awslabs_lake_formation_practice_sales      # Glue names: underscores, no hyphens
TAG=$P-sensitivity
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
role_arn() { echo "arn:aws:iam::$ACCOUNT:role/$P-$1"; }

# -- 1. the lake bucket and the raw CSV
aws s3api create-bucket --bucket "$BUCKET"
aws s3api put-bucket-tagging --bucket "$BUCKET" \
    --tagging 'TagSet=[{Key=awslabs:lab,Value=lake-formation},{Key=awslabs:run,Value=practice}]'
cat > customers.csv <<'CSV'
customer_id,name,email,ssn,country,signup_date
1,Ada,ada@example.com,111-22-3333,GB,2024-01-03
2,Grace,grace@example.com,222-33-4444,US,2024-02-11
3,Alan,alan@example.com,333-44-5555,GB,2024-03-27
CSV
aws s3 cp customers.csv "s3://$BUCKET/customers/customers.csv"

# -- 2. register the prefix (an S3 ARN, not an s3:// URL) with the service-linked role
aws lakeformation register-resource --resource-arn "arn:aws:s3:::$BUCKET/customers" --use-service-linked-role

# -- 3. a database whose new tables grant nothing to IAM_ALLOWED_PRINCIPALS, and the CSV table
aws glue create-database --database-input "{\"Name\":\"$DB\",\"CreateTableDefaultPermissions\":[]}" \
    --tags awslabs:lab=lake-formation,awslabs:run=practice
cat > customers-table.json <<JSON
{
  "Name": "customers",
  "TableType": "EXTERNAL_TABLE",
  "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
  "StorageDescriptor": {
    "Columns": [
      {"Name": "customer_id", "Type": "bigint"}, {"Name": "name", "Type": "string"},
      {"Name": "email", "Type": "string"}, {"Name": "ssn", "Type": "string"},
      {"Name": "country", "Type": "string"}, {"Name": "signup_date", "Type": "date"}
    ],
    "Location": "s3://$BUCKET/customers/",
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                  "Parameters": {"field.delim": ","}}
  }
}
JSON
aws glue create-table --database-name "$DB" --table-input file://customers-table.json

# -- 4. three roles, and the admin added to the data-lake settings (keeping anyone already there)
cat > glue-trust.json <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
for who in admin analyst scientist; do
    aws iam create-role --role-name "$P-$who" --assume-role-policy-document file://glue-trust.json \
        --tags Key=awslabs:lab,Value=lake-formation Key=awslabs:run,Value=practice
done
# read the settings, append the admin, write them back
aws lakeformation get-data-lake-settings --query DataLakeSettings --output json > settings.json
python3 - "$(role_arn admin)" <<'EOF'
import json, sys
settings = json.load(open("settings.json"))
admins = settings.setdefault("DataLakeAdmins", [])
if sys.argv[1] not in [a["DataLakePrincipalIdentifier"] for a in admins]:
    admins.append({"DataLakePrincipalIdentifier": sys.argv[1]})
json.dump(settings, open("settings.json", "w"))
EOF
aws lakeformation put-data-lake-settings --data-lake-settings file://settings.json

# -- 5. the analyst: describe the database and the table, select every column but email and ssn
ANALYST="DataLakePrincipalIdentifier=$(role_arn analyst)"
aws lakeformation grant-permissions --principal "$ANALYST" --permissions DESCRIBE \
    --resource "{\"Database\":{\"Name\":\"$DB\"}}"
aws lakeformation grant-permissions --principal "$ANALYST" --permissions DESCRIBE \
    --resource "{\"Table\":{\"DatabaseName\":\"$DB\",\"Name\":\"customers\"}}"
aws lakeformation grant-permissions --principal "$ANALYST" --permissions SELECT \
    --resource "{\"TableWithColumns\":{\"DatabaseName\":\"$DB\",\"Name\":\"customers\",\"ColumnWildcard\":{\"ExcludedColumnNames\":[\"email\",\"ssn\"]}}}"

# -- 6. one LF-tag key: the database is public, the two PII columns pii (each resource tagged once)
aws lakeformation create-lf-tag --tag-key "$TAG" --tag-values public pii
aws lakeformation add-lf-tags-to-resource --resource "{\"Database\":{\"Name\":\"$DB\"}}" \
    --lf-tags "[{\"TagKey\":\"$TAG\",\"TagValues\":[\"public\"]}]"
aws lakeformation add-lf-tags-to-resource \
    --resource "{\"TableWithColumns\":{\"DatabaseName\":\"$DB\",\"Name\":\"customers\",\"ColumnNames\":[\"email\",\"ssn\"]}}" \
    --lf-tags "[{\"TagKey\":\"$TAG\",\"TagValues\":[\"pii\"]}]"

# -- 7. the scientist, by tag expression: describe public databases, select from public tables
SCIENTIST="DataLakePrincipalIdentifier=$(role_arn scientist)"
EXPR="[{\"TagKey\":\"$TAG\",\"TagValues\":[\"public\"]}]"
aws lakeformation grant-permissions --principal "$SCIENTIST" --permissions DESCRIBE \
    --resource "{\"LFTagPolicy\":{\"ResourceType\":\"DATABASE\",\"Expression\":$EXPR}}"
aws lakeformation grant-permissions --principal "$SCIENTIST" --permissions SELECT DESCRIBE \
    --resource "{\"LFTagPolicy\":{\"ResourceType\":\"TABLE\",\"Expression\":$EXPR}}"

# -- 8. find the contractor's grant, then revoke exactly that Principal, Resource and Permissions
CONTRACTOR=$(role_arn contractor)
# (list-permissions wants a --resource when filtering by principal: list all and filter with --query)
aws lakeformation list-permissions --output json \
    --query "PrincipalResourcePermissions[?Principal.DataLakePrincipalIdentifier=='$CONTRACTOR'].[Resource, Permissions]"
aws lakeformation revoke-permissions --principal "DataLakePrincipalIdentifier=$CONTRACTOR" --permissions SELECT \
    --resource "{\"TableWithColumns\":{\"DatabaseName\":\"$DB\",\"Name\":\"customers\",\"ColumnWildcard\":{}}}"
