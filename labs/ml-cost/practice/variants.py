"""ml-cost: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("ml-cost").load_steps()


# -- tag_resources ----------------------------------------------------------------------------------
def _extra_team_tag(ctx):
    def change(params):
        params["Tags"].append({"Key": "team", "Value": "churn"})
    tweak(ctx, "sagemaker", "AddTags", change, _steps().apply_tag_resources)


def _capitalised_key(ctx):
    """Tag keys are case-sensitive: Project is another tag than project."""
    def change(params):
        params["Tags"] = [{**t, "Key": t["Key"].capitalize()} if t["Key"] == "project" else t for t in params["Tags"]]
    tweak(ctx, "sagemaker", "AddTags", change, _steps().apply_tag_resources)


def _model_only(ctx):
    steps = _steps()
    sm = ctx.client("sagemaker")
    arn = sm.describe_model(ModelName=ctx.name("model"))["ModelArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in steps.COST_TAGS.items()])


# -- budget -----------------------------------------------------------------------------------------
def _budget(change):
    return lambda ctx: tweak(ctx, "budgets", "CreateBudget", change, _steps().apply_budget)


def _threshold_type_left_out(params):
    for n in params["NotificationsWithSubscribers"]:
        n["Notification"].pop("ThresholdType")


def _actual_as_dollars(params):
    first = params["NotificationsWithSubscribers"][0]["Notification"]
    first.update(Threshold=160, ThresholdType="ABSOLUTE_VALUE")


def _fraction(params):
    params["NotificationsWithSubscribers"][0]["Notification"]["Threshold"] = 0.8


def _forecast_for_actual(params):
    params["NotificationsWithSubscribers"][0]["Notification"]["NotificationType"] = "FORECASTED"
    params["NotificationsWithSubscribers"] = params["NotificationsWithSubscribers"][:1]


def _no_tag_filter(params):
    params["Budget"].pop("CostFilters")


def _filter_expression(params):
    params["Budget"].pop("CostFilters")
    params["Budget"]["FilterExpression"] = {"Tags": {"Key": "project", "Values": ["churn-model"]}}


def _untagged_key(params):
    params["Budget"]["CostFilters"] = {"TagKeyValue": ["project$churn-model"]}


# -- spot_training ------------------------------------------------------------------------------------
def _job(change):
    return lambda ctx: tweak(ctx, "sagemaker", "CreateTrainingJob", change, _steps().apply_spot_training)


def _explicit_local_path(params):
    params["CheckpointConfig"]["LocalPath"] = "/opt/ml/checkpoints"


def _short_wait(params):
    params["StoppingCondition"]["MaxWaitTimeInSeconds"] = 1800


def _no_checkpoints(params):
    params.pop("CheckpointConfig")


def _on_demand(params):
    params.pop("EnableManagedSpotTraining")


# -- right_size -------------------------------------------------------------------------------------
def _fleet(*variants):
    def build(ctx):
        ctx.client("sagemaker").create_endpoint_config(
            EndpointConfigName=ctx.name("right-size"),
            ProductionVariants=[{"VariantName": f"v{i}", "ModelName": ctx.name("model"), "InstanceType": t,
                                 "InitialInstanceCount": n, "InitialVariantWeight": 1.0}
                                for i, (t, n) in enumerate(variants)])
    return build


VARIANTS = [
    accept("tag_resources", "a team tag besides the cost tags", _extra_team_tag),
    reject("tag_resources", "the model tagged Project (tag keys are case-sensitive)", _capitalised_key,
           fix="missing on: model"),
    reject("tag_resources", "only the model tagged", _model_only, fix="missing on: bucket"),
    accept("budget", "ThresholdType left out (a threshold is a percentage by default)", _budget(_threshold_type_left_out)),
    accept("budget", "the ACTUAL alert as ABSOLUTE_VALUE 160", _budget(_actual_as_dollars)),
    reject("budget", "Threshold 0.8 with PERCENTAGE", _budget(_fraction), fix="not 0.8"),
    reject("budget", "FORECASTED where ACTUAL was asked", _budget(_forecast_for_actual), fix="ACTUAL notification"),
    accept("budget", "the newer FilterExpression on the project tag", _budget(_filter_expression)),
    reject("budget", "no cost filter: the whole account's costs", _budget(_no_tag_filter), fix="TagKeyValue"),
    reject("budget", "tag filter without the user: prefix", _budget(_untagged_key), fix="user:project$churn-model"),
    accept("spot_training", "CheckpointConfig.LocalPath given explicitly", _job(_explicit_local_path)),
    reject("spot_training", "MaxWaitTimeInSeconds 1800 < MaxRuntimeInSeconds 3600", _job(_short_wait),
           fix="MaxWaitTimeInSeconds = 1800"),
    reject("spot_training", "no checkpoints", _job(_no_checkpoints), fix="CheckpointConfig"),
    reject("spot_training", "Spot not enabled", _job(_on_demand), fix="EnableManagedSpotTraining"),
    accept("right_size", "two variants of one ml.c5.xlarge each", _fleet(("ml.c5.xlarge", 1), ("ml.c5.xlarge", 1))),
    reject("right_size", "2 × ml.m5.xlarge: 180 req/s, no headroom", _fleet(("ml.m5.xlarge", 2)), fix="headroom"),
    reject("right_size", "3 × ml.c5.xlarge: more than needed", _fleet(("ml.c5.xlarge", 3)), fix="the cheapest is"),
    reject("right_size", "1 × ml.g4dn.xlarge: a GPU for a CPU load", _fleet(("ml.g4dn.xlarge", 1)), fix="the cheapest is"),
]
