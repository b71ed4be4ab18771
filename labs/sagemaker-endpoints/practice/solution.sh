#!/usr/bin/env bash
# SageMaker endpoints — the learner's part with the AWS CLI (`awslabs start` trained the baseline and
# challenger models; the requests, the routed traffic and the transform fleet are played by
# `awslabs check`). Delete the endpoint yourself once you pass (the last, unchecked objective).
set -euo pipefail
P=awslabs-sagemaker-endpoints-practice
BUCKET=$P-data
REGION=${AWS_DEFAULT_REGION:-us-east-1}
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3   # us-east-1's account
ROLE=$(aws iam get-role --role-name "$P-sm-role" --query Role.Arn --output text)

# -- 2. one model per trained artifact: the newest <P>-<variant>-<timestamp> training job's model.tar.gz
#       (its serving code is code/inference.py inside the artifact), then the endpoint configuration:
#       two weighted production variants and data capture of every request and response
for VARIANT in baseline challenger; do
  JOB=$(aws sagemaker list-training-jobs --name-contains "$P-$VARIANT" \
        --query 'sort_by(TrainingJobSummaries, &CreationTime)[-1].TrainingJobName' --output text)
  ARTIFACT=s3://$BUCKET/output/$JOB/output/model.tar.gz
  aws s3 ls "$ARTIFACT" >/dev/null   # fail early if the artifact is not where the job wrote it
  aws sagemaker create-model --model-name "$P-$VARIANT" --execution-role-arn "$ROLE" \
      --primary-container "{\"Image\": \"$IMAGE\", \"ModelDataUrl\": \"$ARTIFACT\",
        \"Environment\": {\"SAGEMAKER_PROGRAM\": \"inference.py\", \"SAGEMAKER_SUBMIT_DIRECTORY\": \"/opt/ml/model/code\"}}"
done
cat > endpoint-config.json <<JSON
{"EndpointConfigName": "$P-config",
 "ProductionVariants": [
   {"VariantName": "baseline", "ModelName": "$P-baseline", "InstanceType": "ml.t2.medium",
    "InitialInstanceCount": 1, "InitialVariantWeight": 0.9},
   {"VariantName": "challenger", "ModelName": "$P-challenger", "InstanceType": "ml.t2.medium",
    "InitialInstanceCount": 1, "InitialVariantWeight": 0.1}],
 "DataCaptureConfig": {"EnableCapture": true, "InitialSamplingPercentage": 100,
                       "DestinationS3Uri": "s3://$BUCKET/capture",
                       "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                       "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}}}
JSON
aws sagemaker create-endpoint-config --cli-input-json file://endpoint-config.json

# -- 3. the endpoint, and wait until it is InService
aws sagemaker create-endpoint --endpoint-name "$P-endpoint" --endpoint-config-name "$P-config"
aws sagemaker wait endpoint-in-service --endpoint-name "$P-endpoint"
# one request to see it answer (the emulator itself answers a placeholder; `awslabs check` serves your models)
aws s3 cp "s3://$BUCKET/batch-in/scoring.csv" scoring.csv
aws sagemaker-runtime invoke-endpoint --endpoint-name "$P-endpoint" --content-type text/csv \
    --body="$(head -n 1 scoring.csv)" prediction.out   # --body=: a row may start with "-"
cat prediction.out; echo

# -- 5. shift traffic in place: baseline 0.2 / challenger 0.8, same endpoint configuration
aws sagemaker update-endpoint-weights-and-capacities --endpoint-name "$P-endpoint" \
    --desired-weights-and-capacities VariantName=baseline,DesiredWeight=0.2 VariantName=challenger,DesiredWeight=0.8

# -- 7. autoscale the challenger variant: 1 to 2 instances, target tracking at 70 invocations per instance
RESOURCE=endpoint/$P-endpoint/variant/challenger
aws application-autoscaling register-scalable-target --service-namespace sagemaker --resource-id "$RESOURCE" \
    --scalable-dimension sagemaker:variant:DesiredInstanceCount --min-capacity 1 --max-capacity 2
cat > scaling-policy.json <<'JSON'
{"TargetValue": 70.0,
 "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
 "ScaleOutCooldown": 60, "ScaleInCooldown": 300}
JSON
aws application-autoscaling put-scaling-policy --policy-name "$P-invocations" --service-namespace sagemaker \
    --resource-id "$RESOURCE" --scalable-dimension sagemaker:variant:DesiredInstanceCount \
    --policy-type TargetTrackingScaling --target-tracking-scaling-policy-configuration file://scaling-policy.json

# -- 8. batch transform with the challenger: batch-in/ (CSV lines, several records a request) -> batch-out/
#       transform job names are never reused: add a few characters of your own
aws sagemaker create-transform-job --transform-job-name "$P-transform-$(date -u +%H%M%S)" \
    --model-name "$P-challenger" --batch-strategy MultiRecord --max-payload-in-mb 6 \
    --transform-input "{\"DataSource\": {\"S3DataSource\": {\"S3DataType\": \"S3Prefix\", \"S3Uri\": \"s3://$BUCKET/batch-in/\"}},
                        \"ContentType\": \"text/csv\", \"SplitType\": \"Line\"}" \
    --transform-output "{\"S3OutputPath\": \"s3://$BUCKET/batch-out/\", \"Accept\": \"text/csv\", \"AssembleWith\": \"Line\"}" \
    --transform-resources InstanceType=ml.m5.large,InstanceCount=1

# when you pass: delete what bills by the hour (the last objective)
# aws application-autoscaling deregister-scalable-target --service-namespace sagemaker --resource-id "$RESOURCE" \
#     --scalable-dimension sagemaker:variant:DesiredInstanceCount
# aws sagemaker delete-endpoint --endpoint-name "$P-endpoint"
# aws sagemaker delete-endpoint-config --endpoint-config-name "$P-config"
# aws sagemaker delete-model --model-name "$P-baseline"; aws sagemaker delete-model --model-name "$P-challenger"
