"""infrastructure-as-code: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("infrastructure-as-code").load_steps()


def _template(change=None, as_json=False):
    def build(ctx):
        steps = _steps()
        from awslabs.sim.cloudformation import load_template

        text = steps.TEMPLATE_FILE.read_text()
        template = load_template(text)
        if change is None and not as_json:
            return steps.apply_template(ctx, text)
        if change:
            change(template)
        steps.apply_template(ctx, json.dumps(template, indent=2))
    return build


def _long_form_and_description(template):
    template["Description"] = "Churn model serving stack (long-form intrinsic functions)"
    template["Resources"]["ScalableTarget"]["Properties"]["ResourceId"] = {
        "Fn::Join": ["", ["endpoint/", {"Fn::GetAtt": ["Endpoint", "EndpointName"]}, "/variant/AllTraffic"]]}


def _no_retain(template):
    template["Resources"]["DataBucket"].pop("DeletionPolicy")


def _hard_coded_type(template):
    template["Resources"]["EndpointConfig"]["Properties"]["ProductionVariants"][0]["InstanceType"] = "ml.m5.large"


def _no_outputs(template):
    template.pop("Outputs")


def _step_scaling(template):
    """A step-scaling policy on a CloudWatch alarm instead of target tracking on invocations."""
    template["Resources"]["InvocationsPolicy"]["Properties"] = {
        "PolicyName": "step", "PolicyType": "StepScaling", "ScalingTargetId": {"Ref": "ScalableTarget"},
        "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity",
                                           "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}}


def _deploy_with_body(ctx):
    """TemplateBody (the file's text) instead of TemplateURL: the same stack."""
    steps = _steps()

    def change(params):
        params.pop("TemplateURL")
        params["TemplateBody"] = steps.TEMPLATE_FILE.read_text()
    tweak(ctx, "cloudformation", "CreateStack", change, steps.apply_deploy)


def _deploy_max_default(ctx):
    steps = _steps()
    tweak(ctx, "cloudformation", "CreateStack",
          lambda p: p.update(Parameters=[x for x in p["Parameters"] if x["ParameterKey"] != "MaxCapacity"]),
          steps.apply_deploy)


def _review_as_changes(ctx):
    """The review as describe-change-set's own Changes list (what a reviewer saves on AWS)."""
    _steps().apply_change_set(ctx, review={"Changes": [
        {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "EndpointConfig",
                                                "Replacement": "True"}},
        {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "Endpoint",
                                                "Replacement": "False"}}]})


def _review_as_booleans(ctx):
    _steps().apply_change_set(ctx, review={"EndpointConfig": True, "Endpoint": False})


def _review_endpoint_replaced(ctx):
    _steps().apply_change_set(ctx, review={"EndpointConfig": "True", "Endpoint": "True"})


def _review_everything_replaced(ctx):
    _steps().apply_change_set(ctx, review={"Model": "True", "EndpointConfig": "True", "Endpoint": "True"})


def _update_without_change_set(ctx):
    """update_stack directly: nothing was reviewed."""
    steps = _steps()
    params = [{"ParameterKey": "InstanceType", "ParameterValue": steps.UPDATED_INSTANCE_TYPE}] + [
        {"ParameterKey": k, "UsePreviousValue": True} for k in ("MinCapacity", "MaxCapacity", "ModelDataUrl", "ImageUri")]
    ctx.client("cloudformation").update_stack(StackName=steps._stack(ctx), UsePreviousTemplate=True,
                                              Parameters=params, Capabilities=["CAPABILITY_IAM"])


def _pipeline(change=None, **kwargs):
    def build(ctx):
        steps = _steps()
        definition = steps.pipeline_definition(ctx)
        if change:
            change(definition)
        steps.apply_pipeline(ctx, definition, **kwargs)
    return build


def _approval_stage(definition):
    """Prepare, Approve and Execute as three stages instead of one stage with runOrders."""
    create, approve, execute = definition["stages"][2]["actions"]
    for action in (create, approve, execute):
        action["runOrder"] = 1
    definition["stages"][2:] = [{"name": "Prepare", "actions": [create]}, {"name": "Approve", "actions": [approve]},
                                {"name": "Execute", "actions": [execute]}]


def _no_approval(definition):
    deploy = definition["stages"][2]
    deploy["actions"] = [a for a in deploy["actions"] if a["actionTypeId"]["category"] != "Approval"]


def _template_from_source(definition):
    """The change set made from the unlinted, unpackaged source instead of the build's output."""
    create = definition["stages"][2]["actions"][0]
    create["configuration"]["TemplatePath"] = "SourceOutput::ml-stack.yaml"
    create["inputArtifacts"] = [{"name": "SourceOutput"}]


VALIDATE_ONLY = """version: 0.2
phases:
  build:
    commands:
      - aws cloudformation validate-template --template-body file://ml-stack.yaml
      - aws cloudformation package --template-file ml-stack.yaml --s3-bucket $ARTIFACTS_BUCKET --output-template-file packaged.yaml
artifacts:
  files: [packaged.yaml]
"""

VARIANTS = [
    accept("template", "the template as JSON", _template(as_json=True)),
    accept("template", "long-form Fn::Join for the scalable target's ResourceId, and a Description",
           _template(_long_form_and_description)),
    reject("template", "the data bucket without DeletionPolicy Retain", _template(_no_retain), fix="Retain"),
    reject("template", "the instance type hard-coded in the endpoint config", _template(_hard_coded_type),
           fix="InstanceType"),
    reject("template", "no outputs", _template(_no_outputs), fix="output"),
    reject("template", "step scaling instead of target tracking on invocations per instance", _template(_step_scaling),
           fix="TargetTrackingScaling"),
    accept("deploy", "TemplateBody instead of TemplateURL", _deploy_with_body),
    reject("deploy", "MaxCapacity left at the template's default (4)", _deploy_max_default, fix="MaxCapacity"),
    accept("change_set", "the review saved as describe-change-set's Changes list", _review_as_changes),
    accept("change_set", "the review with JSON booleans", _review_as_booleans),
    reject("change_set", "the review says the endpoint is replaced", _review_endpoint_replaced, fix="Endpoint"),
    reject("change_set", "the review says everything is replaced", _review_everything_replaced, fix="Model"),
    reject("change_set", "update_stack with no change set and no review", _update_without_change_set, fix="review"),
    accept("pipeline", "prepare, approve and execute as three stages", _pipeline(_approval_stage)),
    accept("pipeline", "the build only runs validate-template (no cfn-lint)", _pipeline(buildspec=VALIDATE_ONLY)),
    reject("pipeline", "no manual approval", _pipeline(_no_approval), fix="approves"),
    reject("pipeline", "the change set made from the source, not the build's output", _pipeline(_template_from_source),
           fix="build's output"),
]
