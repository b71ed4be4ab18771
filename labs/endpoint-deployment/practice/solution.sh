#!/usr/bin/env bash
# Endpoint deployment — the learner's part (`awslabs start` trained models/v1.tar.gz and
# models/v2.tar.gz into the bucket; the TargetModel requests and the rollout are run by `awslabs check`).
P=awslabs-endpoint-deployment-practice
B=$P-data
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3   # us-east-1 account
ROLE=$(aws iam get-role --role-name "$P-sm-role" --query Role.Arn --output text)
ENV='"Environment": {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}'

model() {  # model NAME CONTAINER-JSON-FIELDS
    aws sagemaker create-model --model-name "$1" --execution-role-arn "$ROLE" \
        --primary-container "{\"Image\": \"$IMAGE\", $ENV, $2}"
}

# -- 2. support-tickets -> serverless; scanned-claims -> asynchronous (S3 output, SNS success/error)
OK_TOPIC=$(aws sns create-topic --name "$P-async-success" --query TopicArn --output text)
ERR_TOPIC=$(aws sns create-topic --name "$P-async-error" --query TopicArn --output text)
model "$P-v1" "\"ModelDataUrl\": \"s3://$B/models/v1.tar.gz\""
aws sagemaker create-endpoint-config --endpoint-config-name "$P-serverless" --production-variants \
    "[{\"VariantName\": \"AllTraffic\", \"ModelName\": \"$P-v1\",
       \"ServerlessConfig\": {\"MemorySizeInMB\": 2048, \"MaxConcurrency\": 5}}]"
aws sagemaker create-endpoint-config --endpoint-config-name "$P-async" --production-variants \
    "[{\"VariantName\": \"AllTraffic\", \"ModelName\": \"$P-v1\", \"InstanceType\": \"ml.m5.large\",
       \"InitialInstanceCount\": 1}]" \
    --async-inference-config "{\"ClientConfig\": {\"MaxConcurrentInvocationsPerInstance\": 2},
       \"OutputConfig\": {\"S3OutputPath\": \"s3://$B/async-out/\", \"S3FailurePath\": \"s3://$B/async-failed/\",
       \"NotificationConfig\": {\"SuccessTopic\": \"$OK_TOPIC\", \"ErrorTopic\": \"$ERR_TOPIC\"}}}"

# -- 3. a multi-model endpoint: ModelDataUrl is the prefix holding both artifacts
model "$P-mme" "\"ModelDataUrl\": \"s3://$B/models/\", \"Mode\": \"MultiModel\""
aws sagemaker create-endpoint-config --endpoint-config-name "$P-mme" --production-variants \
    "[{\"VariantName\": \"AllTraffic\", \"ModelName\": \"$P-mme\", \"InstanceType\": \"ml.m5.large\",
       \"InitialInstanceCount\": 1}]"
aws sagemaker create-endpoint --endpoint-name "$P-mme" --endpoint-config-name "$P-mme"

# -- 5. blue (v1) and green (v2) fleets, the endpoint on blue, the alarm, the guarded update
model "$P-v2" "\"ModelDataUrl\": \"s3://$B/models/v2.tar.gz\""
for PAIR in blue:v1 green:v2; do
    aws sagemaker create-endpoint-config --endpoint-config-name "$P-${PAIR%:*}" --production-variants \
        "[{\"VariantName\": \"AllTraffic\", \"ModelName\": \"$P-${PAIR#*:}\", \"InstanceType\": \"ml.m5.large\",
           \"InitialInstanceCount\": 4}]"
done
aws sagemaker create-endpoint --endpoint-name "$P-prod" --endpoint-config-name "$P-blue"
aws cloudwatch put-metric-alarm --alarm-name "$P-prod-5xx" --namespace AWS/SageMaker \
    --metric-name Invocation5XXErrors --dimensions Name=EndpointName,Value="$P-prod" Name=VariantName,Value=AllTraffic \
    --statistic Sum --period 60 --evaluation-periods 2 --datapoints-to-alarm 2 --threshold 1 \
    --comparison-operator GreaterThanOrEqualToThreshold --treat-missing-data notBreaching
cat > update-endpoint.json <<JSON
{
  "EndpointName": "$P-prod",
  "EndpointConfigName": "$P-green",
  "DeploymentConfig": {
    "BlueGreenUpdatePolicy": {
      "TrafficRoutingConfiguration": {"Type": "CANARY", "WaitIntervalInSeconds": 300,
                                      "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25}},
      "TerminationWaitInSeconds": 300,
      "MaximumExecutionTimeoutInSeconds": 3600
    },
    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "$P-prod-5xx"}]}
  }
}
JSON
# the emulator has no UpdateEndpoint (on AWS this starts the blue/green deployment)
AWS_MAX_ATTEMPTS=1 aws sagemaker update-endpoint --cli-input-json file://update-endpoint.json \
    || echo "update-endpoint is not implemented by the emulator: the request is kept in S3 instead"
aws s3 cp update-endpoint.json "s3://$B/requests/update-endpoint.json"

# -- 7. a shadow test: v1 answers every request, v2 gets a copy of half of them
cat > shadow-config.json <<JSON
{
  "EndpointConfigName": "$P-shadow",
  "ProductionVariants": [{"VariantName": "production", "ModelName": "$P-v1", "InstanceType": "ml.m5.large",
                          "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}],
  "ShadowProductionVariants": [{"VariantName": "shadow", "ModelName": "$P-v2", "InstanceType": "ml.m5.large",
                                "InitialInstanceCount": 1, "InitialVariantWeight": 0.5}]
}
JSON
aws sagemaker create-endpoint-config --cli-input-json file://shadow-config.json
# the emulator drops ShadowProductionVariants: keep the request where the check reads it
aws s3 cp shadow-config.json "s3://$B/requests/shadow-config.json"
