#!/usr/bin/env bash
# Data quality — the learner's part (steps 3-8 and 10 are done by `awslabs check`).
set -euo pipefail
P=awslabs-data-quality-practice
BUCKET=$P-data

# -- 2. the DQDL ruleset for the curated customers table
cat > customers.dqdl <<'DQDL'
Rules = [
    RowCount > 100,
    IsUnique "customer_id",
    Completeness "income" > 0.95,
    IsComplete "age",
    ColumnValues "age" between 18 and 100,
    ColumnValues "plan" in ["basic", "standard", "premium"],
    ColumnValues "churned" in [0, 1]
]
DQDL
aws s3 cp customers.dqdl "s3://$BUCKET/rules/customers.dqdl"
# on AWS the same text also becomes a Glue Data Quality ruleset (moto does not implement it):
# aws glue create-data-quality-ruleset --name "$P-customers-rules" --ruleset file://customers.dqdl

# -- 9. a DataBrew dataset on the raw table and a published recipe with the row-level cleaning
aws databrew create-dataset --name "$P-customers-raw" --format CSV \
    --format-options '{"Csv": {"Delimiter": ",", "HeaderRow": true}}' \
    --input "{\"S3InputDefinition\": {\"Bucket\": \"$BUCKET\", \"Key\": \"raw/customers.csv\"}}"
cat > recipe-steps.json <<'JSON'
[{"Action": {"Operation": "REMOVE_COMBINED", "Parameters": {"sourceColumn": "plan", "removeLeadingAndTrailingWhitespace": "true"}}},
 {"Action": {"Operation": "LOWER_CASE", "Parameters": {"sourceColumn": "plan"}}},
 {"Action": {"Operation": "REPLACE_TEXT", "Parameters": {"sourceColumn": "plan", "pattern": "^standrd$", "value": "standard"}}},
 {"Action": {"Operation": "REPLACE_TEXT", "Parameters": {"sourceColumn": "plan", "pattern": "^premum$", "value": "premium"}}},
 {"Action": {"Operation": "DELETE_DUPLICATE_ROWS"}}]
JSON
aws databrew create-recipe --name "$P-customers-clean" --description "row-level cleaning of the customers table" \
    --steps file://recipe-steps.json
aws databrew publish-recipe --name "$P-customers-clean" --description "first published version"
