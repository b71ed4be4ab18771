#!/usr/bin/env bash
# SageMaker Pipelines — the learner's part (run_pipeline and observe_rerun are done by `awslabs check`).
# Needs the SageMaker Python SDK 3.x (pip install 'sagemaker>=3,<4') for the pipeline definition.
set -euo pipefail
P=awslabs-sagemaker-pipelines-practice
BUCKET=$P-data
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}

# -- the step scripts awslabs put in the bucket
aws s3 cp --recursive "s3://$BUCKET/lab-code/" code/

# -- 2. the model package group, then the pipeline (SDK: it builds the JSON and uploads the code)
aws sagemaker create-model-package-group --model-package-group-name "$P-models"
python3 - <<'PY'
import os
os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")      # emulator: no iam:SimulatePrincipalPolicy
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
import boto3
from sagemaker.core import image_uris
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig, SourceCode
from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.core.workflow.functions import JsonGet
from sagemaker.core.workflow.parameters import ParameterFloat
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import CacheConfig, ProcessingStep, TrainingStep
from sagemaker.serve.model_builder import ModelBuilder
from sagemaker.train import ModelTrainer

P = "awslabs-sagemaker-pipelines-practice"
bucket, region = f"{P}-data", os.environ["AWS_DEFAULT_REGION"]
boto_session = boto3.session.Session(region_name=region)
# moto answers "VpcConfig": {} where the SDK's shapes want a filled structure or nothing
boto_session.events.register("after-call.sagemaker", lambda parsed=None, **_: [
    parsed.pop(k) for k in [k for k, v in (parsed or {}).items() if v == {} and k != "ResponseMetadata"]])
session = PipelineSession(boto_session=boto_session, default_bucket=bucket)
role = boto_session.client("iam").get_role(RoleName=f"{P}-sm-role")["Role"]["Arn"]
image = image_uris.retrieve("sklearn", region=region, version="1.2-1")
threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.7)

def s3_in(name, uri):
    return ProcessingInput(input_name=name, s3_input=ProcessingS3Input(
        s3_uri=uri, local_path=f"/opt/ml/processing/input/{name}", s3_data_type="S3Prefix", s3_input_mode="File"))

def s3_out(name, key):
    return ProcessingOutput(output_name=name, s3_output=ProcessingS3Output(
        s3_uri=f"s3://{bucket}/{key}", local_path=f"/opt/ml/processing/output/{name}", s3_upload_mode="EndOfJob"))

def processor(stem):
    return ScriptProcessor(role=role, image_uri=image, command=["python3"], instance_type="ml.m5.large",
                           instance_count=1, sagemaker_session=session, base_job_name=stem)

prep = ProcessingStep(name="Preprocess", step_args=processor("preprocess").run(
    code="code/preprocess.py", inputs=[s3_in("raw", f"s3://{bucket}/raw/")],
    outputs=[s3_out("train", "prepared/train"), s3_out("test", "prepared/test")]),
    cache_config=CacheConfig(enable_caching=True, expire_after="P30D"))
trainer = ModelTrainer(sagemaker_session=session, role=role, training_image=image, base_job_name="train",
                       source_code=SourceCode(source_dir="code/train", entry_script="train.py"),
                       compute=Compute(instance_type="ml.m5.large", instance_count=1),
                       hyperparameters={"epochs": 200, "learning-rate": 0.5},
                       output_data_config=OutputDataConfig(s3_output_path=f"s3://{bucket}/models"))
train = TrainingStep(name="Train", step_args=trainer.train(input_data_config=[InputData(
    channel_name="train", data_source=prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri)]))
report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
evaluate = ProcessingStep(name="Evaluate", step_args=processor("evaluate").run(
    code="code/evaluate.py",
    inputs=[s3_in("model", train.properties.ModelArtifacts.S3ModelArtifacts),
            s3_in("test", prep.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri)],
    outputs=[s3_out("evaluation", "evaluation")]), property_files=[report])
register = ModelStep(name="Register", step_args=ModelBuilder(
    s3_model_data_url=train.properties.ModelArtifacts.S3ModelArtifacts, image_uri=image, role_arn=role,
    sagemaker_session=session).register(
    model_package_group_name=f"{P}-models", content_types=["text/csv"], response_types=["text/csv"],
    inference_instances=["ml.m5.large"], transform_instances=["ml.m5.large"], approval_status="PendingManualApproval"))
check = ConditionStep(name="CheckAccuracy", conditions=[ConditionGreaterThanOrEqualTo(
    left=JsonGet(step_name="Evaluate", property_file=report, json_path="metrics.accuracy.value"), right=threshold)],
    if_steps=[register], else_steps=[])
Pipeline(name=f"{P}-pipeline", parameters=[threshold], steps=[prep, train, evaluate, check],
         sagemaker_session=session).upsert(role_arn=role)
PY

# -- 3. one execution with the default parameters
aws sagemaker start-pipeline-execution --pipeline-name "$P-pipeline"

# -- 5. a second execution the model cannot pass (awslabs check runs both, oldest first)
aws sagemaker start-pipeline-execution --pipeline-name "$P-pipeline" \
    --pipeline-parameters Name=AccuracyThreshold,Value=0.99
