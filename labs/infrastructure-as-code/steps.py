"""infrastructure-as-code: the ML serving stack as one CloudFormation template — data bucket (kept
when the stack goes), SageMaker execution role, model, endpoint configuration, endpoint and
target-tracking autoscaling — deployed with parameters, updated through a reviewed change set,
checked for drift after a manual change, delivered by a CodePipeline (CodeBuild lints and
packages, CloudFormation prepares a change set, a person approves, it executes), and torn down.

moto really runs CloudFormation for the bucket, the role and the three SageMaker resources, but
skips ``AWS::ApplicationAutoScaling::*`` silently, returns no ``Changes`` in a change set, has no
drift detection and runs no pipeline. What it lacks is labelled: the change-set review is compared
with ``awslabs.sim.cloudformation`` (``simulated``), drift comes from ``awslabs.local.cloudformation``
(``local``), autoscaling and pipeline execution are ``aws-only``.
"""
from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
import zipfile
from pathlib import Path

from awslabs import judge, labkit
from awslabs.lab import Check, equal, expect
from awslabs.local import cloudformation as drift
from awslabs.sim import cloudformation as cfn

HERE = Path(__file__).resolve().parent
TEMPLATE_FILE = HERE / "practice" / "files" / "ml-stack.yaml"
TEMPLATE_KEY = "templates/ml-stack.yaml"
MODEL_KEY = "model/model.tar.gz"
SOURCE_KEY = "source/ml-stack.zip"
REVIEW_KEY = "reviews/instance-type.json"
CHANGE_SET = "instance-type"

# The task's values: the first deployment, then the update the change set carries.
DEPLOY_PARAMS = {"InstanceType": "ml.m5.large", "MinCapacity": "1", "MaxCapacity": "3"}
UPDATED_INSTANCE_TYPE = "ml.c5.large"
TEMPLATE_SSE = "AES256"  # what the template asks of the data bucket (SSE-S3)
MANUAL_SSE = "aws:kms"  # what "someone" sets by hand in the drift step (SSE-KMS)
VARIANT = "AllTraffic"
SCALING_METRIC = "SageMakerVariantInvocationsPerInstance"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
REQUIRED_TYPES = {
    "AWS::S3::Bucket": "the data bucket", "AWS::IAM::Role": "the SageMaker execution role",
    "AWS::SageMaker::Model": "the model", "AWS::SageMaker::EndpointConfig": "the endpoint configuration",
    "AWS::SageMaker::Endpoint": "the endpoint", "AWS::ApplicationAutoScaling::ScalableTarget": "the scalable target",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "the scaling policy",
}
XGBOOST_REGISTRY = {  # account of the SageMaker XGBoost image per region (sagemaker-xgboost:1.7-1)
    "us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
    "eu-west-1": "141502667606", "eu-central-1": "492215442770",
}
MOTO_SKIPS_AUTOSCALING = ("moto's CloudFormation skips AWS::ApplicationAutoScaling::ScalableTarget and "
                          "ScalingPolicy silently (a warning, no resource): on AWS the stack registers the "
                          "endpoint variant and its target-tracking policy")


# -- names ------------------------------------------------------------------------------------------
def _artifacts(ctx):
    return ctx.name("artifacts")


def _stack(ctx):
    return ctx.name("ml", max_len=58)  # the data bucket is "<stack>-data": at most 63 characters


def _data_bucket(ctx):
    return f"{_stack(ctx)}-data"


def _project(ctx):
    return ctx.name("validate", max_len=150)


def _pipeline(ctx):
    return ctx.name("release", max_len=100)


def _role(ctx, what):
    return ctx.name(what, max_len=64)


def _role_arn(ctx, what):
    return f"arn:aws:iam::{ctx.account}:role/{_role(ctx, what)}"


def _image(ctx):
    account = XGBOOST_REGISTRY.get(ctx.region, XGBOOST_REGISTRY["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-xgboost:1.7-1"


def _template_url(ctx):
    return f"https://{_artifacts(ctx)}.s3.{ctx.region}.amazonaws.com/{TEMPLATE_KEY}"


def _deploy_parameters(ctx) -> list[dict]:
    values = {**DEPLOY_PARAMS, "ModelDataUrl": f"s3://{_artifacts(ctx)}/{MODEL_KEY}", "ImageUri": _image(ctx)}
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


# -- reading the target -----------------------------------------------------------------------------
def _template_text(ctx) -> str | None:
    if TEMPLATE_KEY not in labkit.object_keys(ctx, _artifacts(ctx), TEMPLATE_KEY):
        return None
    return labkit.read_object(ctx, _artifacts(ctx), TEMPLATE_KEY).decode("utf-8", "replace")


def _stack_desc(ctx, name=None) -> dict | None:
    cf = ctx.client("cloudformation")
    try:
        stacks = cf.describe_stacks(StackName=name or _stack(ctx))["Stacks"]
    except Exception as err:  # noqa: BLE001 - "does not exist" is a ValidationError
        if labkit.error_code(err) == "ValidationError":
            return None
        raise
    return stacks[0] if stacks and stacks[0]["StackStatus"] != "DELETE_COMPLETE" else None


def _physical(ctx, stack_name=None) -> dict[str, dict]:
    """Each stack resource by logical id (moto lists the types it skipped with no logical id)."""
    listed = ctx.client("cloudformation").describe_stack_resources(StackName=stack_name or _stack(ctx))["StackResources"]
    return {r["LogicalResourceId"]: r for r in listed if r.get("LogicalResourceId")}


def _of_type(template: dict, rtype: str) -> list[str]:
    return sorted(n for n, body in (template.get("Resources") or {}).items() if body.get("Type") == rtype)


def _name(pid: str) -> str:
    return pid.rsplit("/", 1)[-1] if pid.startswith("arn:") else pid


def _params(stack: dict) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}


def _wait(ctx, waiter: str, **kwargs):
    if ctx.on_aws:
        ctx.client("cloudformation").get_waiter(waiter).wait(**kwargs, WaiterConfig={"Delay": 15, "MaxAttempts": 120})


# -- step 1: what the stack presupposes: a model artefact and the pipeline's source ----------------
def _model_tarball() -> bytes:
    """A tiny model.tar.gz with fixed timestamps (the same bytes every run)."""
    payload = json.dumps({"booster": "gbtree", "trees": 3}).encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size, info.mtime = len(payload), 0
        tar.addfile(info, io.BytesIO(payload))
    return gzip.compress(raw.getvalue(), mtime=0)


BUILDSPEC = """version: 0.2
phases:
  install:
    commands:
      - pip install cfn-lint
  pre_build:
    commands:
      - cfn-lint ml-stack.yaml
      - aws cloudformation validate-template --template-body file://ml-stack.yaml
  build:
    commands:
      - aws cloudformation package --template-file ml-stack.yaml --s3-bucket "$ARTIFACTS_BUCKET" --output-template-file packaged.yaml
artifacts:
  files:
    - packaged.yaml
"""


def _source_zip() -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("ml-stack.yaml", TEMPLATE_FILE.read_text()), ("buildspec.yml", BUILDSPEC)):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return raw.getvalue()


def apply_prepare(ctx):
    s3 = ctx.client("s3")
    ctx.create_bucket(_artifacts(ctx))
    s3.put_bucket_versioning(Bucket=_artifacts(ctx), VersioningConfiguration={"Status": "Enabled"})  # S3 source actions need it
    s3.put_object(Bucket=_artifacts(ctx), Key=MODEL_KEY, Body=_model_tarball())
    s3.put_object(Bucket=_artifacts(ctx), Key=SOURCE_KEY, Body=_source_zip())


def check_prepare(ctx):
    keys = labkit.object_keys(ctx, _artifacts(ctx))
    yield expect("the model artefact and the pipeline's source are in the artifacts bucket",
                 MODEL_KEY in keys and SOURCE_KEY in keys, f"keys: {keys}")


# -- step 2: the template --------------------------------------------------------------------------
def apply_template(ctx, body: str | None = None):
    ctx.client("s3").put_object(Bucket=_artifacts(ctx), Key=TEMPLATE_KEY,
                                Body=(body if body is not None else TEMPLATE_FILE.read_text()).encode())


def _template_problems(template: dict) -> dict[str, list[str]]:
    """What the task asks of the template, grouped by check."""
    resources = template.get("Resources") or {}
    params = template.get("Parameters") or {}
    found: dict[str, list[str]] = {"resources": [], "parameters": [], "autoscaling": [], "outputs": [], "retain": []}
    for rtype, what in REQUIRED_TYPES.items():
        if not _of_type(template, rtype):
            found["resources"].append(f"no {rtype} ({what})")
    for name in ("InstanceType", "MinCapacity", "MaxCapacity"):
        if name not in params:
            found["parameters"].append(f"no parameter {name}")
    for name in _of_type(template, "AWS::SageMaker::EndpointConfig"):
        for variant in (resources[name].get("Properties") or {}).get("ProductionVariants") or []:
            if variant.get("InstanceType") != {"Ref": "InstanceType"}:
                found["parameters"].append(f"{name}'s variant InstanceType is not the InstanceType parameter")
    for name in _of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget"):
        props = resources[name].get("Properties") or {}
        for prop in ("MinCapacity", "MaxCapacity"):
            if props.get(prop) != {"Ref": prop}:
                found["parameters"].append(f"{name}'s {prop} is not the {prop} parameter")
        endpoints = set(_of_type(template, "AWS::SageMaker::Endpoint"))
        if props.get("ServiceNamespace") != "sagemaker" or props.get("ScalableDimension") != DIMENSION:
            found["autoscaling"].append(f"{name} must scale sagemaker / {DIMENSION}")
        if not (cfn.references(props.get("ResourceId")) & endpoints):
            found["autoscaling"].append(f"{name}'s ResourceId does not name the stack's endpoint")
    targets = set(_of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget"))
    tracking = []
    for name in _of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy"):
        props = resources[name].get("Properties") or {}
        metric = (((props.get("TargetTrackingScalingPolicyConfiguration") or {})
                   .get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType"))
        if props.get("PolicyType") == "TargetTrackingScaling" and metric == SCALING_METRIC \
                and cfn.references(props.get("ScalingTargetId")) & targets:
            tracking.append(name)
    if not tracking:
        found["autoscaling"].append(f"no TargetTrackingScaling policy on {SCALING_METRIC} attached to the scalable target")
    outputs = template.get("Outputs") or {}
    named = set().union(*(cfn.references((o or {}).get("Value")) for o in outputs.values())) if outputs else set()
    for rtype, what in (("AWS::SageMaker::Endpoint", "the endpoint's name"), ("AWS::S3::Bucket", "the data bucket")):
        if not set(_of_type(template, rtype)) & named:
            found["outputs"].append(f"no output gives {what}")
    for name in _of_type(template, "AWS::S3::Bucket"):
        if resources[name].get("DeletionPolicy") != "Retain":
            found["retain"].append(f"{name} has no DeletionPolicy: Retain (deleting the stack would delete the data)")
    return found


def _problems_check(name: str, problems: list[str]) -> Check:
    return Check(name, not problems, "; ".join(problems) or "yes", "simulated")


def check_template(ctx):
    text = _template_text(ctx)
    yield expect("the template is in the artifacts bucket", text is not None, f"s3://{_artifacts(ctx)}/{TEMPLATE_KEY}")
    if text is None:
        return
    try:
        template = cfn.load_template(text)
    except Exception as err:  # noqa: BLE001 - a template that does not parse is the learner's to fix
        yield Check("the template parses (JSON or YAML with !Ref, !GetAtt, !Sub)", False, str(err)[:200], "simulated")
        return
    dangling = cfn.dangling_references(template)
    yield _problems_check("every Ref, GetAtt and Sub names a parameter, a resource or a pseudo parameter", dangling)
    problems = _template_problems(template)
    yield _problems_check("it declares the bucket, role, model, endpoint config, endpoint, scalable target and policy",
                          problems["resources"])
    yield _problems_check("InstanceType, MinCapacity and MaxCapacity are parameters the resources use",
                          problems["parameters"])
    yield _problems_check(f"target tracking on {SCALING_METRIC} scales the endpoint's variant", problems["autoscaling"])
    yield _problems_check("outputs give the endpoint name and the data bucket", problems["outputs"])
    yield _problems_check("the data bucket is kept when the stack is deleted (DeletionPolicy: Retain)", problems["retain"])


# -- step 3: deploy --------------------------------------------------------------------------------
def apply_deploy(ctx, parameters: list[dict] | None = None):
    cf = ctx.client("cloudformation")
    ctx.track("cloudformation:stack", _stack(ctx))
    ctx.track("s3:bucket", _data_bucket(ctx))  # DeletionPolicy: Retain — the lab must delete it itself
    cf.create_stack(StackName=_stack(ctx), TemplateURL=_template_url(ctx),
                    Parameters=parameters if parameters is not None else _deploy_parameters(ctx),
                    Capabilities=["CAPABILITY_IAM"], Tags=ctx.tag_list())
    _wait(ctx, "stack_create_complete", StackName=_stack(ctx))


def check_deploy(ctx):
    stack = _stack_desc(ctx)
    if stack is None:
        yield labkit.not_run(f"stack {_stack(ctx)} exists")
        return
    yield expect("the stack was created (CREATE_COMPLETE, or UPDATE_COMPLETE after the change set)",
                 stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), stack["StackStatus"])
    params = _params(stack)
    wanted = {"MinCapacity": DEPLOY_PARAMS["MinCapacity"], "MaxCapacity": DEPLOY_PARAMS["MaxCapacity"]}
    yield equal("its capacity parameters are the task's (MinCapacity 1, MaxCapacity 3)",
                {k: params.get(k) for k in wanted}, wanted)
    first_type = stack["StackStatus"] == "CREATE_COMPLETE"
    yield expect("its InstanceType is the task's ml.m5.large (until the change set updates it)",
                 params.get("InstanceType") == DEPLOY_PARAMS["InstanceType"] or not first_type,
                 f"InstanceType = {params.get('InstanceType')}")
    resources = _physical(ctx)
    by_type = {r["ResourceType"]: r for r in resources.values()}
    sm = ctx.client("sagemaker")
    endpoint = by_type.get("AWS::SageMaker::Endpoint")
    bucket = by_type.get("AWS::S3::Bucket")
    outputs = {o.get("OutputValue") for o in stack.get("Outputs", [])}
    yield expect("the outputs give the endpoint's name and the data bucket",
                 endpoint is not None and bucket is not None and _name(endpoint["PhysicalResourceId"]) in outputs
                 and bucket["PhysicalResourceId"] in outputs, f"outputs: {sorted(o for o in outputs if o)}")
    model = by_type.get("AWS::SageMaker::Model")
    described = sm.describe_model(ModelName=_name(model["PhysicalResourceId"])) if model else {}
    container = described.get("PrimaryContainer", {})
    yield expect("the stack's model serves the artefact from the artifacts bucket",
                 container.get("ModelDataUrl") == f"s3://{_artifacts(ctx)}/{MODEL_KEY}" and container.get("Image"),
                 f"{container.get('Image')} {container.get('ModelDataUrl')}")
    role_name = (by_type.get("AWS::IAM::Role") or {}).get("PhysicalResourceId")
    trust = ctx.client("iam").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"] if role_name else None
    yield expect("the stack's execution role can be assumed by SageMaker",
                 bool(trust) and judge.service_may_assume(trust, "sagemaker.amazonaws.com"), role_name or "no role")
    config = by_type.get("AWS::SageMaker::EndpointConfig")
    variants = sm.describe_endpoint_config(EndpointConfigName=_name(config["PhysicalResourceId"]))["ProductionVariants"] \
        if config else []
    yield equal("the endpoint configuration runs the stack's InstanceType",
                [v.get("InstanceType") for v in variants], [params.get("InstanceType")])
    status = sm.describe_endpoint(EndpointName=_name(endpoint["PhysicalResourceId"]))["EndpointStatus"] if endpoint else None
    yield equal("the endpoint is InService", status, "InService")
    sse = None
    if bucket:
        rules = ctx.client("s3").get_bucket_encryption(Bucket=bucket["PhysicalResourceId"])[
            "ServerSideEncryptionConfiguration"]["Rules"]
        sse = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] if rules else None
    yield expect("the data bucket exists, encrypted (AES256 as the template says; aws:kms once step 5 changed it)",
                 sse in (TEMPLATE_SSE, MANUAL_SSE), f"SSEAlgorithm = {sse}")  # MANUAL_SSE once the drift step ran
    if ctx.on_aws:
        target = by_type.get("AWS::ApplicationAutoScaling::ScalableTarget")
        found = []
        if endpoint:
            found = ctx.client("application-autoscaling").describe_scalable_targets(
                ServiceNamespace="sagemaker",
                ResourceIds=[f"endpoint/{_name(endpoint['PhysicalResourceId'])}/variant/{VARIANT}"])["ScalableTargets"]
        yield expect("the stack registered the endpoint variant for autoscaling (min 1, max 3)",
                     target and found and (found[0]["MinCapacity"], found[0]["MaxCapacity"]) == (1, 3), str(found)[:200])
        tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
        endpoint_tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=endpoint["PhysicalResourceId"])["Tags"]} \
            if endpoint else {}
        yield expect("the stack's tags reached the endpoint", all(endpoint_tags.get(k) == v for k, v in tags.items()),
                     f"missing: {sorted(k for k in tags if endpoint_tags.get(k) != tags[k])}")
    else:
        yield ctx.aws_only("the stack registered the endpoint variant for autoscaling", MOTO_SKIPS_AUTOSCALING)
        yield ctx.aws_only("the stack's tags reached the endpoint",
                           "moto's CloudFormation does not propagate stack tags to the resources it creates")


# -- step 4: a reviewed change set -------------------------------------------------------------------
REFERENCE_REVIEW = {"EndpointConfig": "True", "Endpoint": "False"}  # the reviewer's reading of this change


def apply_change_set(ctx, instance_type: str = UPDATED_INSTANCE_TYPE, review: dict | None = None):
    cf = ctx.client("cloudformation")
    params = [{"ParameterKey": "InstanceType", "ParameterValue": instance_type}] + [
        {"ParameterKey": k, "UsePreviousValue": True} for k in ("MinCapacity", "MaxCapacity", "ModelDataUrl", "ImageUri")]
    cf.create_change_set(StackName=_stack(ctx), ChangeSetName=CHANGE_SET, UsePreviousTemplate=True,
                         Parameters=params, Capabilities=["CAPABILITY_IAM"], ChangeSetType="UPDATE",
                         Description=f"InstanceType -> {instance_type}")
    if ctx.on_aws:
        cf.get_waiter("change_set_create_complete").wait(StackName=_stack(ctx), ChangeSetName=CHANGE_SET,
                                                         WaiterConfig={"Delay": 5, "MaxAttempts": 60})
    changes = cf.describe_change_set(StackName=_stack(ctx), ChangeSetName=CHANGE_SET).get("Changes", [])
    if review is None:
        # on AWS the reviewer reads Replacement from the change set; moto lists no Changes, so the
        # reviewer reads the resource reference's "Update requires" lines instead (README)
        review = cfn.normalise_review(changes) if changes else dict(REFERENCE_REVIEW)
    ctx.client("s3").put_object(Bucket=_artifacts(ctx), Key=REVIEW_KEY, Body=json.dumps(review).encode(),
                                ContentType="application/json")
    cf.execute_change_set(StackName=_stack(ctx), ChangeSetName=CHANGE_SET)
    _wait(ctx, "stack_update_complete", StackName=_stack(ctx))


def check_change_set(ctx):
    stack = _stack_desc(ctx)
    if stack is None:
        yield labkit.not_run("the stack was updated")
        return
    params = _params(stack)
    yield expect(f"the stack was updated to InstanceType {UPDATED_INSTANCE_TYPE} (UPDATE_COMPLETE)",
                 stack["StackStatus"] == "UPDATE_COMPLETE" and params.get("InstanceType") == UPDATED_INSTANCE_TYPE,
                 f"{stack['StackStatus']}, InstanceType = {params.get('InstanceType')}")
    resources = _physical(ctx)
    config = next((r for r in resources.values() if r["ResourceType"] == "AWS::SageMaker::EndpointConfig"), None)
    sm = ctx.client("sagemaker")
    variants = sm.describe_endpoint_config(EndpointConfigName=_name(config["PhysicalResourceId"]))["ProductionVariants"] \
        if config else []
    yield equal(f"the stack's endpoint configuration now runs {UPDATED_INSTANCE_TYPE}",
                [v.get("InstanceType") for v in variants], [UPDATED_INSTANCE_TYPE])
    raw = labkit.read_object(ctx, _artifacts(ctx), REVIEW_KEY) \
        if REVIEW_KEY in labkit.object_keys(ctx, _artifacts(ctx), REVIEW_KEY) else None
    yield expect("the review is recorded in reviews/instance-type.json", raw is not None, f"s3://{_artifacts(ctx)}/{REVIEW_KEY}")
    if raw is None:
        return
    try:
        review = cfn.normalise_review(json.loads(raw))
    except ValueError:
        review = None
    template = cfn.load_template(ctx.client("cloudformation").get_template(StackName=_stack(ctx))["TemplateBody"])
    before = {**params, "InstanceType": DEPLOY_PARAMS["InstanceType"]}  # what the update changed, and only that
    expected = cfn.replacement_review(cfn.plan_changes(template, before, template, params))
    wrong = sorted(k for k in set(expected) | set(review or {}) if (review or {}).get(k) != expected.get(k))
    yield Check("the review names every resource the change modifies and whether it is REPLACED",
                review == expected,
                "yes" if review == expected else
                f"expected {expected} (from each property's 'Update requires'); the review says {review}; "
                f"look again at {', '.join(wrong)}", "simulated")
    if ctx.on_aws:
        endpoint = next((r for r in resources.values() if r["ResourceType"] == "AWS::SageMaker::Endpoint"), None)
        serving = sm.describe_endpoint(EndpointName=_name(endpoint["PhysicalResourceId"]))["EndpointConfigName"] \
            if endpoint else None
        yield equal("the endpoint (not replaced) now serves the new endpoint configuration",
                    serving, _name(config["PhysicalResourceId"]) if config else "?")
    else:
        yield ctx.aws_only("the endpoint (not replaced) now serves the new endpoint configuration",
                           "moto re-creates every resource on a stack update and leaves the endpoint naming the "
                           "deleted endpoint configuration; on AWS the endpoint is updated in place (UpdateEndpoint)")


# -- step 5: drift after a manual change -------------------------------------------------------------
def _manual_change(ctx, algorithm: str = MANUAL_SSE):
    """Someone changes the data bucket's default encryption by hand, outside CloudFormation."""
    ctx.client("s3").put_bucket_encryption(Bucket=_data_bucket(ctx), ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]})


def _detect(ctx) -> dict:
    if not ctx.on_aws:
        return drift.detect_drift(ctx.client, _stack(ctx), ctx.region, ctx.account)
    cf = ctx.client("cloudformation")
    detection = cf.detect_stack_drift(StackName=_stack(ctx))["StackDriftDetectionId"]
    for _ in range(60):
        status = cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            break
        time.sleep(5)
    drifts = cf.describe_stack_resource_drifts(StackName=_stack(ctx))["StackResourceDrifts"]
    return {"StackName": _stack(ctx), "StackDriftStatus": status.get("StackDriftStatus"), "StackResourceDrifts": drifts}


def apply_drift(ctx, before_change: bool = False):
    if _stack_desc(ctx) is None and labkit.observed(ctx, "drift") is not None:
        return  # practice: the learner tore the stack down after passing; the finding stays recorded
    if before_change:
        report = _detect(ctx)
        _manual_change(ctx)
    else:
        _manual_change(ctx)
        report = _detect(ctx)
    labkit.record(ctx, "drift", report)


def check_drift(ctx):
    report = labkit.observed(ctx, "drift")
    label = labkit.label(ctx, "local")
    if report is None:
        yield labkit.not_run("drift detection ran after the manual change", label)
        return
    rules = []
    try:
        rules = ctx.client("s3").get_bucket_encryption(Bucket=_data_bucket(ctx))["ServerSideEncryptionConfiguration"]["Rules"]
    except Exception as err:  # noqa: BLE001 - no encryption configuration reads as no rules
        if "NotFound" not in labkit.error_code(err) and "NoSuchBucket" != labkit.error_code(err):
            raise
    actual = [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules]
    yield equal("the data bucket was changed by hand to SSE-KMS", actual, [MANUAL_SSE])
    text = _template_text(ctx)
    template = cfn.load_template(text) if text else {}
    buckets = _of_type(template, "AWS::S3::Bucket")
    wanted_sse = None
    if buckets:
        sse = ((template["Resources"][buckets[0]].get("Properties") or {}).get("BucketEncryption") or {})
        rules_t = sse.get("ServerSideEncryptionConfiguration") or [{}]
        wanted_sse = (rules_t[0].get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
    found = next((d for d in report.get("StackResourceDrifts", [])
                  if d.get("LogicalResourceId") in buckets), None)
    yield Check("drift detection reports the data bucket MODIFIED", bool(found) and
                found.get("StackResourceDriftStatus") == "MODIFIED",
                (found or {}).get("StackResourceDriftStatus", "the bucket is not in the report"), label)
    diffs = [d for d in (found or {}).get("PropertyDifferences", []) if d.get("PropertyPath", "").endswith("/SSEAlgorithm")]
    seen = [(d.get("ExpectedValue"), d.get("ActualValue"), d.get("DifferenceType")) for d in diffs]
    yield Check("its difference: SSEAlgorithm expected as the template says, actually aws:kms (NOT_EQUAL)",
                seen == [(wanted_sse, MANUAL_SSE, "NOT_EQUAL")], str(seen or "no SSEAlgorithm difference"), label)
    yield Check("the stack's drift status is DRIFTED", report.get("StackDriftStatus") == "DRIFTED",
                str(report.get("StackDriftStatus")), label)
    others = sorted(d["LogicalResourceId"] for d in report.get("StackResourceDrifts", [])
                    if d.get("LogicalResourceId") not in buckets and d.get("StackResourceDriftStatus") in ("MODIFIED", "DELETED"))
    if ctx.on_aws:
        yield equal("nothing else drifted", others, [])
    else:
        yield ctx.aws_only("nothing else drifted",
                           "on moto the Endpoint shows MODIFIED too: after the change set its EndpointConfigName "
                           "still names the configuration moto deleted (a moto gap the detector really sees)")


# -- step 6: the delivery pipeline ----------------------------------------------------------------------
def pipeline_definition(ctx) -> dict:
    return {
        "name": _pipeline(ctx), "roleArn": _role_arn(ctx, "pipeline"),
        "artifactStore": {"type": "S3", "location": _artifacts(ctx)},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Template", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                "configuration": {"S3Bucket": _artifacts(ctx), "S3ObjectKey": SOURCE_KEY, "PollForSourceChanges": "false"},
                "outputArtifacts": [{"name": "SourceOutput"}]}]},
            {"name": "Build", "actions": [{
                "name": "LintAndPackage",
                "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "configuration": {"ProjectName": _project(ctx)},
                "inputArtifacts": [{"name": "SourceOutput"}], "outputArtifacts": [{"name": "BuildOutput"}]}]},
            {"name": "Deploy", "actions": [
                {"name": "CreateChangeSet", "runOrder": 1,
                 "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                 "configuration": {"ActionMode": "CHANGE_SET_REPLACE", "StackName": _stack(ctx),
                                   "ChangeSetName": "release", "TemplatePath": "BuildOutput::packaged.yaml",
                                   "Capabilities": "CAPABILITY_IAM", "RoleArn": _role_arn(ctx, "cfn-deploy")},
                 "inputArtifacts": [{"name": "BuildOutput"}]},
                {"name": "ReviewChangeSet", "runOrder": 2,
                 "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"},
                 "configuration": {"CustomData": "Read the change set: which resources are REPLACED?"}},
                {"name": "ExecuteChangeSet", "runOrder": 3,
                 "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                 "configuration": {"ActionMode": "CHANGE_SET_EXECUTE", "StackName": _stack(ctx),
                                   "ChangeSetName": "release"}}]},
        ],
    }


def apply_pipeline(ctx, definition: dict | None = None, buildspec: str = BUILDSPEC,
                   services: dict | None = None):
    services = services or {"pipeline": "codepipeline.amazonaws.com", "build": "codebuild.amazonaws.com",
                            "cfn-deploy": "cloudformation.amazonaws.com"}
    policies = {"pipeline": {"release": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning"],
         "Resource": [f"arn:aws:s3:::{_artifacts(ctx)}", f"arn:aws:s3:::{_artifacts(ctx)}/*"]},
        {"Effect": "Allow", "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
         "Resource": f"arn:aws:codebuild:{ctx.region}:{ctx.account}:project/{_project(ctx)}"},
        {"Effect": "Allow", "Action": ["cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
                                       "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet",
                                       "cloudformation:DescribeStacks"],
         "Resource": f"arn:aws:cloudformation:{ctx.region}:{ctx.account}:stack/{_stack(ctx)}/*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": _role_arn(ctx, "cfn-deploy")}]}}
    # One propagation wait, after the last role: nothing assumes any of them before the project
    # and the pipeline below exist
    *_, last = services
    for what, service in services.items():
        labkit.create_service_role(ctx, _role(ctx, what), service, policies.get(what), wait=what == last)
    ctx.track("codebuild:project", _project(ctx))
    ctx.client("codebuild").create_project(
        name=_project(ctx),
        # location: CodeBuild ignores it for CODEPIPELINE sources and artifacts; moto requires one
        source={"type": "CODEPIPELINE", "location": f"{_artifacts(ctx)}/{SOURCE_KEY}", "buildspec": buildspec},
        artifacts={"type": "CODEPIPELINE", "location": _artifacts(ctx)},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL",
                     "environmentVariables": [{"name": "ARTIFACTS_BUCKET", "value": _artifacts(ctx)}]},
        serviceRole=_role_arn(ctx, "build"), tags=ctx.tag_list("key", "value"))
    ctx.track("codepipeline:pipeline", _pipeline(ctx))
    ctx.client("codepipeline").create_pipeline(pipeline=definition or pipeline_definition(ctx),
                                               tags=ctx.tag_list("key", "value"))


def _role_trusts(ctx, arn: str | None, service: str):
    if not arn:
        return False
    try:
        trust = ctx.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1])["Role"]["AssumeRolePolicyDocument"]
    except Exception as err:  # noqa: BLE001 - a role that does not exist trusts no one
        if labkit.error_code(err) == "NoSuchEntity":
            return False
        raise
    return bool(judge.service_may_assume(trust, service))


def _commands(buildspec: str) -> list[str]:
    import yaml

    try:
        spec = yaml.safe_load(buildspec) or {}
    except yaml.YAMLError:
        return []
    phases = spec.get("phases") or {}
    return [str(c) for phase in phases.values() if isinstance(phase, dict) for c in phase.get("commands") or []]


def check_pipeline(ctx):
    cp = ctx.client("codepipeline")
    try:
        pipeline = cp.get_pipeline(name=_pipeline(ctx))["pipeline"]
    except Exception as err:  # noqa: BLE001
        if labkit.error_code(err) == "PipelineNotFoundException":
            yield labkit.not_run(f"pipeline {_pipeline(ctx)} exists")
            return
        raise
    stages = pipeline.get("stages", [])

    def stage_of(category, provider=None):
        for i, stage in enumerate(stages):
            for action in stage.get("actions", []):
                type_id = action.get("actionTypeId", {})
                if type_id.get("category") == category and (provider is None or type_id.get("provider") == provider):
                    return i, action
        return None, None

    source_at, _ = stage_of("Source")
    build_at, build = stage_of("Build", "CodeBuild")
    deploy_at, _ = stage_of("Deploy", "CloudFormation")
    yield expect("the stages run source, then a CodeBuild build, then a CloudFormation deploy",
                 None not in (source_at, build_at, deploy_at) and source_at == 0 and source_at < build_at < deploy_at,
                 " → ".join(s.get("name", "?") for s in stages))
    project_name = (build or {}).get("configuration", {}).get("ProjectName")
    projects = ctx.client("codebuild").batch_get_projects(names=[project_name])["projects"] if project_name else []
    buildspec = (projects[0].get("source") or {}).get("buildspec", "") if projects else ""
    commands = _commands(buildspec)
    lints = any("cfn-lint" in c or "validate-template" in c for c in commands)
    packages = any(" package" in f" {c}" for c in commands)
    yield expect("the build runs an existing project whose buildspec lints the template and packages it",
                 bool(projects) and lints and packages,
                 f"project {project_name}: " + ("; ".join(commands) if commands else "no commands"))
    yield expect("the build project's role can be assumed by CodeBuild",
                 bool(projects) and _role_trusts(ctx, projects[0].get("serviceRole"), "codebuild.amazonaws.com"),
                 str(projects[0].get("serviceRole") if projects else None))
    # (stage, runOrder) orders every action: the approval may sit in the deploy stage or a stage of its own
    ordered = [((i, a.get("runOrder", 1)), a) for i, stage in enumerate(stages) for a in stage.get("actions", [])]

    def first(pred):
        return next(((at, a) for at, a in ordered if pred(a)), (None, None))
    create_at, create = first(lambda a: a.get("configuration", {}).get("ActionMode") == "CHANGE_SET_REPLACE")
    execute_at, execute = first(lambda a: a.get("configuration", {}).get("ActionMode") == "CHANGE_SET_EXECUTE")
    approvals = [at for at, a in ordered if a.get("actionTypeId", {}).get("category") == "Approval"]
    approved_between = any(create_at is not None and execute_at is not None and create_at < at < execute_at
                           for at in approvals)
    same = bool(create and execute) and all(
        create["configuration"].get(k) == execute["configuration"].get(k) for k in ("StackName", "ChangeSetName"))
    yield expect("deploy prepares a change set of the lab's stack, a person approves it, then it is executed",
                 approved_between and same and create["configuration"].get("StackName") == _stack(ctx),
                 f"(stage, runOrder) create {create_at}, approvals {approvals}, execute {execute_at}; "
                 f"same stack and change set: {same}")
    built = {a["name"] for a in (build or {}).get("outputArtifacts", [])}
    template_path = (create or {}).get("configuration", {}).get("TemplatePath", "")
    yield expect("the change set is made from the build's output (the packaged template)",
                 template_path.split("::", 1)[0] in built and bool(built), template_path or "no TemplatePath")
    yield expect("the pipeline's role can be assumed by CodePipeline and CloudFormation's by CloudFormation",
                 _role_trusts(ctx, pipeline.get("roleArn"), "codepipeline.amazonaws.com")
                 and _role_trusts(ctx, (create or {}).get("configuration", {}).get("RoleArn"), "cloudformation.amazonaws.com"),
                 f"{pipeline.get('roleArn')}, {(create or {}).get('configuration', {}).get('RoleArn')}")
    yield ctx.aws_only("a release runs end to end (build, change set, approval, execution)",
                       "moto stores the pipeline but runs nothing: StartPipelineExecution returns an id, "
                       "GetPipelineState is not implemented and CodeBuild builds never run")


# -- step 7: teardown ----------------------------------------------------------------------------------
def apply_teardown(ctx):
    cf = ctx.client("cloudformation")
    cf.delete_stack(StackName=_stack(ctx))
    _wait(ctx, "stack_delete_complete", StackName=_stack(ctx))


def _deleted_stack_id(ctx) -> str | None:
    cf = ctx.client("cloudformation")
    for page in cf.get_paginator("list_stacks").paginate(StackStatusFilter=["DELETE_COMPLETE"]):
        for summary in page.get("StackSummaries", []):
            if summary["StackName"] == _stack(ctx):
                return summary["StackId"]
    return None


def check_teardown(ctx):
    stack_id = _deleted_stack_id(ctx)
    yield expect("the stack is deleted (DELETE_COMPLETE)", _stack_desc(ctx) is None and stack_id is not None,
                 stack_id or "the stack still exists (or never existed)")
    if stack_id is None:
        return
    sm, iam = ctx.client("sagemaker"), ctx.client("iam")
    left = []
    if ctx.on_aws:
        for res in _physical(ctx, stack_id).values():
            name, rtype = _name(res.get("PhysicalResourceId", "")), res["ResourceType"]
            lookup = {"AWS::SageMaker::Model": lambda n: sm.describe_model(ModelName=n),
                      "AWS::SageMaker::EndpointConfig": lambda n: sm.describe_endpoint_config(EndpointConfigName=n),
                      "AWS::SageMaker::Endpoint": lambda n: sm.describe_endpoint(EndpointName=n),
                      "AWS::IAM::Role": lambda n: iam.get_role(RoleName=n)}.get(rtype)
            if lookup is None:
                continue
            try:
                lookup(name)
                left.append(f"{res['LogicalResourceId']} ({name})")
            except Exception as err:  # noqa: BLE001 - "not found" is what we want
                if labkit.error_code(err) not in ("ValidationException", "NoSuchEntity", "ResourceNotFound"):
                    raise
    else:
        # moto re-creates a deleted stack's resources when the deleted stack is described by its id
        # (docs/moto-measurements.md): find what is left by the names moto generates, "<stack>-<LogicalId>-…"
        prefix = f"{_stack(ctx)}-"
        left += [m["ModelName"] for m in sm.list_models(NameContains=prefix)["Models"]]
        left += [c["EndpointConfigName"] for c in sm.list_endpoint_configs(NameContains=prefix)["EndpointConfigs"]]
        left += [e["EndpointName"] for e in sm.list_endpoints(NameContains=prefix)["Endpoints"]]
        left += [r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]
                 if r["RoleName"].startswith(prefix)]
    yield expect("the role, model, endpoint configuration and endpoint went with the stack", not left,
                 "still there: " + ", ".join(left) if left else "all gone")
    yield expect("the data bucket is still there, with its data (DeletionPolicy: Retain)",
                 labkit.bucket_exists(ctx, _data_bucket(ctx)), _data_bucket(ctx))


# -- mutations: plausible mistakes, one step at a time ---------------------------------------------
def _template_without(change):
    def apply(ctx):
        template = cfn.load_template(TEMPLATE_FILE.read_text())
        change(template)
        apply_template(ctx, json.dumps(template, indent=2))  # a JSON template is as valid as YAML
    return apply


def _no_scaling_policy(template):
    del template["Resources"]["InvocationsPolicy"]


def _hard_coded_instance_type(template):
    template["Resources"]["EndpointConfig"]["Properties"]["ProductionVariants"][0]["InstanceType"] = "ml.m5.large"


def _bucket_not_retained(template):
    template["Resources"]["DataBucket"].pop("DeletionPolicy")


def _deployed_with_defaults(ctx):
    apply_deploy(ctx, [p for p in _deploy_parameters(ctx) if p["ParameterKey"] not in DEPLOY_PARAMS])


def _wrong_review(ctx):
    apply_change_set(ctx, review={"EndpointConfig": "True", "Endpoint": "True"})  # the endpoint is not replaced


def _review_missing_endpoint(ctx):
    apply_change_set(ctx, review={"EndpointConfig": "True"})


def _wrong_instance_type(ctx):
    apply_change_set(ctx, instance_type="ml.m5.xlarge", review=dict(REFERENCE_REVIEW))


def _drift_before_change(ctx):
    apply_drift(ctx, before_change=True)


def _change_reverted(ctx):
    _manual_change(ctx)
    _manual_change(ctx, TEMPLATE_SSE)  # someone put it back before detection ran
    labkit.record(ctx, "drift", _detect(ctx))


def _no_approval(ctx):
    definition = pipeline_definition(ctx)
    deploy = definition["stages"][2]
    deploy["actions"] = [a for a in deploy["actions"] if a["actionTypeId"]["category"] != "Approval"]
    apply_pipeline(ctx, definition)


def _execute_first(ctx):
    definition = pipeline_definition(ctx)
    for action in definition["stages"][2]["actions"]:
        action["runOrder"] = {1: 3, 3: 1}.get(action["runOrder"], action["runOrder"])
    apply_pipeline(ctx, definition)


def _build_without_lint(ctx):
    apply_pipeline(ctx, buildspec="version: 0.2\nphases:\n  build:\n    commands:\n      - aws cloudformation package "
                                  "--template-file ml-stack.yaml --s3-bucket $ARTIFACTS_BUCKET "
                                  "--output-template-file packaged.yaml\nartifacts:\n  files: [packaged.yaml]\n")


def _deploy_role_for_codepipeline(ctx):
    """The change-set action's RoleArn trusts CodePipeline: CloudFormation cannot assume it. (moto
    itself refuses a pipeline whose own role CodePipeline may not assume: that mistake never lands.)"""
    apply_pipeline(ctx, services={"pipeline": "codepipeline.amazonaws.com", "build": "codebuild.amazonaws.com",
                                  "cfn-deploy": "codepipeline.amazonaws.com"})


def _bucket_deleted_too(ctx):
    apply_teardown(ctx)
    from_bucket = _data_bucket(ctx)
    s3 = ctx.client("s3")
    for key in labkit.object_keys(ctx, from_bucket):
        s3.delete_object(Bucket=from_bucket, Key=key)
    s3.delete_bucket(Bucket=from_bucket)


def _endpoint_deleted_by_hand(ctx):
    """The endpoint deleted directly: the stack (and everything else in it) stays."""
    endpoint = next(r for r in _physical(ctx).values() if r["ResourceType"] == "AWS::SageMaker::Endpoint")
    ctx.client("sagemaker").delete_endpoint(EndpointName=_name(endpoint["PhysicalResourceId"]))


MUTATIONS = {
    "template": [("no scaling policy", _template_without(_no_scaling_policy)),
                 ("instance type hard-coded, not the parameter", _template_without(_hard_coded_instance_type)),
                 ("data bucket without DeletionPolicy Retain", _template_without(_bucket_not_retained))],
    "deploy": [("deployed with the template's default parameters", _deployed_with_defaults)],
    "change_set": [("review says the endpoint is replaced too", _wrong_review),
                   ("review leaves out the endpoint", _review_missing_endpoint),
                   ("change set to ml.m5.xlarge", _wrong_instance_type)],
    "drift": [("drift detected before the manual change", _drift_before_change),
              ("the manual change reverted before detection", _change_reverted)],
    "pipeline": [("no manual approval", _no_approval), ("change set executed before it is created", _execute_first),
                 ("the build does not lint the template", _build_without_lint),
                 ("CloudFormation's deploy role trusts CodePipeline", _deploy_role_for_codepipeline)],
    "teardown": [("the retained bucket deleted too", _bucket_deleted_too),
                 ("the endpoint deleted by hand instead of the stack", _endpoint_deleted_by_hand)],
}
