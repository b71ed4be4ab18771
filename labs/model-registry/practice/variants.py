"""model-registry: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("model-registry").load_steps()


def _group_with_extra_tags(ctx):
    def change(params):
        params.setdefault("Tags", []).append({"Key": "team", "Value": "churn"})
    tweak(ctx, "sagemaker", "CreateModelPackageGroup", change, _steps().apply_create_group)


def _group_without_description(ctx):
    tweak(ctx, "sagemaker", "CreateModelPackageGroup",
          lambda p: p.pop("ModelPackageGroupDescription", None), _steps().apply_create_group)


def _register(change):
    return lambda ctx: tweak(ctx, "sagemaker", "CreateModelPackage", change, _steps().apply_register_versions)


def _status_left_out(params):
    params.pop("ModelApprovalStatus", None)


def _approved_at_once(params):
    params["ModelApprovalStatus"] = "Approved"


def _unversioned(ctx):
    """Model packages with a name and no group: the Marketplace kind, outside the registry."""
    def change(params):
        group = params.pop("ModelPackageGroupName")
        params["ModelPackageName"] = f"{group}-{params['CustomerMetadataProperties']['candidate']}"
    tweak(ctx, "sagemaker", "CreateModelPackage", change, _steps().apply_register_versions)


def _metrics_as_model_card_only(params):
    """The report attached as a bias report instead of model quality: reviewers look in the wrong place."""
    metrics = params.pop("ModelMetrics")
    params["ModelMetrics"] = {"Bias": {"Report": metrics["ModelQuality"]["Statistics"]}}


def _rule(pattern_change):
    def build(ctx):
        steps = _steps()
        pattern = steps.event_pattern(ctx)
        pattern_change(pattern, ctx)
        steps.apply_deployment_rule(ctx, pattern)
    return build


def _ignore_case(pattern, ctx):
    pattern["detail"]["ModelApprovalStatus"] = [{"equals-ignore-case": "approved"}]


def _anything_but(pattern, ctx):
    pattern["detail"]["ModelApprovalStatus"] = [{"anything-but": ["Rejected", "PendingManualApproval"]}]


def _lower_case(pattern, ctx):
    pattern["detail"]["ModelApprovalStatus"] = ["approved"]


def _no_status(pattern, ctx):
    del pattern["detail"]["ModelApprovalStatus"]


def _group_prefix(pattern, ctx):
    """Every group of the account whose name starts like the lab's: catches the other group too."""
    pattern["detail"]["ModelPackageGroupName"] = [{"prefix": ctx.name("")}]


def _wide_events_role(ctx):
    """The rule's role may start any state machine: it works, but it is not least privilege."""
    steps = _steps()
    steps.apply_deployment_rule(ctx)
    ctx.client("iam").put_role_policy(
        RoleName=ctx.name("events", max_len=64), PolicyName="start-deploy", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "states:*", "Resource": "*"}]}))


def _target_role_for_lambda(ctx):
    """The target role trusts lambda.amazonaws.com: EventBridge cannot assume it."""
    def change(params):
        params["AssumeRolePolicyDocument"] = params["AssumeRolePolicyDocument"].replace(
            "events.amazonaws.com", "lambda.amazonaws.com")
    tweak(ctx, "iam", "CreateRole", change, _steps().apply_deployment_rule)


def _review_in_other_order(ctx):
    sm = ctx.client("sagemaker")
    packages = sm.list_model_packages(ModelPackageGroupName=ctx.name("churn"))["ModelPackageSummaryList"]
    for package in sorted(packages, key=lambda p: -p["ModelPackageVersion"]):
        described = sm.describe_model_package(ModelPackageName=package["ModelPackageArn"])
        report = described["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
        sm.update_model_package(ModelPackageArn=package["ModelPackageArn"],
                                ModelApprovalStatus="Approved" if report.endswith("candidate-a.json") else "Rejected")


def _both_approved(ctx):
    tweak(ctx, "sagemaker", "UpdateModelPackage", lambda p: p.update(ModelApprovalStatus="Approved"),
          _steps().apply_review)


def _b_left_pending(ctx):
    def change(params):
        if params["ModelApprovalStatus"] == "Rejected":
            params["ModelApprovalStatus"] = "PendingManualApproval"
    tweak(ctx, "sagemaker", "UpdateModelPackage", change, _steps().apply_review)


VARIANTS = [
    accept("create_group", "the group carries an extra team tag", _group_with_extra_tags),
    reject("create_group", "no description", _group_without_description, fix="described"),
    accept("register_versions", "ModelApprovalStatus left out (a versioned package defaults to PendingManualApproval)",
           _register(_status_left_out)),
    reject("register_versions", "registered already Approved", _register(_approved_at_once),
           fix="Approved at registration"),
    reject("register_versions", "unversioned model packages (ModelPackageName, no group)", _unversioned,
           fix="versions of the group"),
    reject("register_versions", "the report attached as a bias report, not model-quality statistics",
           _register(_metrics_as_model_card_only), fix="evaluation report"),
    accept("deployment_rule", "status matched with equals-ignore-case", _rule(_ignore_case)),
    accept("deployment_rule", "status matched as anything-but Rejected/PendingManualApproval", _rule(_anything_but)),
    reject("deployment_rule", "status written 'approved' (values are case-sensitive)", _rule(_lower_case),
           fix="Approved in"),
    reject("deployment_rule", "no filter on the approval status", _rule(_no_status), fix="Rejected"),
    reject("deployment_rule", "the group matched by a prefix every lab group shares", _rule(_group_prefix),
           fix="another group"),
    reject("deployment_rule", "the target role trusts Lambda, not EventBridge", _target_role_for_lambda,
           fix="events.amazonaws.com"),
    reject("deployment_rule", "the rule's role may start any state machine", _wide_events_role, fix="least privilege"),
    accept("review", "b rejected before a is approved", _review_in_other_order),
    reject("review", "both versions approved", _both_approved, fix="Rejected"),
    reject("review", "b left pending", _b_left_pending, fix="Rejected"),
]
