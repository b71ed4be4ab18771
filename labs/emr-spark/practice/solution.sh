#!/usr/bin/env bash
# EMR with Spark — the learner's part: a long-running cluster, a Spark step on it, a transient cluster
# that runs the same step and ends, and termination (`awslabs check` runs the step's script locally
# in Spark local mode when PySpark and Java are installed).
# `aws emr create-cluster` is the CLI's RunJobFlow: its shorthand (--applications, --instance-groups,
# --steps Type=Spark, --use-default-roles, --no-auto-terminate / --auto-terminate) builds the request.
set -euo pipefail
P=awslabs-emr-spark-practice
BUCKET=$P-emr
SCRIPT=s3://$BUCKET/scripts/sales_by_country.py
# on AWS, once per account: aws emr create-default-roles   (EMR_DefaultRole, EMR_EC2_DefaultRole)

# Master and core On-Demand (core nodes hold HDFS blocks); task nodes only compute, so they may be
# Spot (BidPrice=OnDemandPrice: Spot, capped at the On-Demand price).
INSTANCE_GROUPS=(InstanceGroupType=MASTER,Name=master,InstanceCount=1,InstanceType=m5.xlarge
                 InstanceGroupType=CORE,Name=core,InstanceCount=1,InstanceType=m5.xlarge
                 InstanceGroupType=TASK,Name=task-spot,InstanceCount=1,InstanceType=m5.xlarge,BidPrice=OnDemandPrice)
# The Spark step: the CLI turns Type=Spark into command-runner.jar running spark-submit with these args
STEP="Type=Spark,Name=sales-by-country,ActionOnFailure=CONTINUE,Args=[--deploy-mode,cluster,$SCRIPT,--input,s3://$BUCKET/raw/sales/,--output,s3://$BUCKET/output/sales_by_country/]"
COMMON=(--release-label emr-7.1.0 --applications Name=Spark Name=Hive --instance-groups "${INSTANCE_GROUPS[@]}"
        --use-default-roles --log-uri "s3://$BUCKET/emr-logs/"
        --auto-termination-policy IdleTimeout=900)   # safety net: 15 idle minutes and it is gone

# -- 1. the long-running cluster: kept alive when it has no steps
LONG=$(aws emr create-cluster --name "$P-long" "${COMMON[@]}" --no-auto-terminate --query ClusterId --output text)
echo "long-running cluster: $LONG"

# -- 2. the Spark step on it
aws emr add-steps --cluster-id "$LONG" --steps "$STEP"
aws emr list-steps --cluster-id "$LONG" --query 'Steps[].[Name,Status.State]' --output text

# -- 3. the transient cluster: launched with its step, terminates when its steps are done
TRANSIENT=$(aws emr create-cluster --name "$P-transient" "${COMMON[@]}" --steps "$STEP" --auto-terminate \
            --query ClusterId --output text)
echo "transient cluster: $TRANSIENT"
aws emr describe-cluster --cluster-id "$TRANSIENT" --query 'Cluster.[Name,AutoTerminate,Status.State]' --output text

# -- 4. terminate both (on AWS the step may still be running: wait first with
#       aws emr wait step-complete --cluster-id "$LONG" --step-id <id from add-steps>)
aws emr terminate-clusters --cluster-ids "$LONG" "$TRANSIENT"
aws emr list-clusters --query "Clusters[?starts_with(Name, '$P-')].[Name,Status.State]" --output text
