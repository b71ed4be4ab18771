"""sagemaker-endpoints: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("sagemaker-endpoints").load_steps()


def _call(operation, change, apply):
    return lambda ctx: tweak(ctx, "sagemaker", operation, change, getattr(_steps(), apply))


def _config(change):
    return _call("CreateEndpointConfig", change, "apply_create_endpoint_config")


def _weights(baseline, challenger):
    def change(params):
        for v in params["ProductionVariants"]:
            v["InitialVariantWeight"] = baseline if v["VariantName"] == "baseline" else challenger
    return change


def _capture(**changes):
    return lambda params: params["DataCaptureConfig"].update(changes)


def _untagged_endpoint(ctx):
    tweak(ctx, "sagemaker", "CreateEndpoint", lambda p: p.pop("Tags", None), _steps().apply_create_endpoint)


def _endpoint_of_other_config(ctx):
    """A second configuration with the baseline only, and the endpoint created from it."""
    s = _steps()
    sm = ctx.client("sagemaker")
    other = ctx.name("config-v2")
    config = sm.describe_endpoint_config(EndpointConfigName=s._config(ctx))
    sm.create_endpoint_config(EndpointConfigName=other, ProductionVariants=[
        {k: v for k, v in config["ProductionVariants"][0].items() if k in
         ("VariantName", "ModelName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")}])
    sm.create_endpoint(EndpointName=s._endpoint(ctx), EndpointConfigName=other)


def _shift(weights):
    def build(ctx):
        ctx.client("sagemaker").update_endpoint_weights_and_capacities(
            EndpointName=_steps()._endpoint(ctx),
            DesiredWeightsAndCapacities=[{"VariantName": v, "DesiredWeight": w} for v, w in weights.items()])
    return build


def _scaling(operation, change):
    return lambda ctx: tweak(ctx, "application-autoscaling", operation, change, _steps().apply_autoscale_variant)


def _policy(change):
    return _scaling("PutScalingPolicy", lambda p: change(p["TargetTrackingScalingPolicyConfiguration"]))


def _transform(change):
    return _call("CreateTransformJob", change, "apply_batch_transform")


VARIANTS = [
    accept("create_endpoint_config", "weights 9 and 1 (weights are relative: the same 90% / 10% split)",
           _config(_weights(9.0, 1.0))),
    accept("create_endpoint_config", "capture destination given with a trailing slash, CSV header left implicit",
           _config(lambda p: (p["DataCaptureConfig"].pop("CaptureContentTypeHeader"),
                              p["DataCaptureConfig"].update(DestinationS3Uri=p["DataCaptureConfig"]["DestinationS3Uri"] + "/")))),
    reject("create_endpoint_config", "weights swapped (0.1 baseline / 0.9 challenger)", _config(_weights(0.1, 0.9)),
           fix="weighted 0.9 / 0.1"),
    reject("create_endpoint_config", "data capture of the input only", _config(_capture(CaptureOptions=[{"CaptureMode": "Input"}])),
           fix="input and output"),
    reject("create_endpoint_config", "capture options listing Input twice (no Output)",
           _config(_capture(CaptureOptions=[{"CaptureMode": "Input"}, {"CaptureMode": "Input"}])), fix="input and output"),
    reject("create_endpoint_config", "data capture configured but EnableCapture false", _config(_capture(EnableCapture=False)),
           fix="data capture"),
    reject("create_endpoint_config", "sampling 50% of requests instead of 100%", _config(_capture(InitialSamplingPercentage=50)),
           fix="100% of requests"),
    accept("create_endpoint", "the endpoint created without tags (optional)", _untagged_endpoint),
    reject("create_endpoint", "the endpoint created from another, one-variant configuration", _endpoint_of_other_config,
           fix="endpoint configuration of step 2"),
    accept("shift_traffic", "weights 2 and 8 (relative: the same 20% / 80%)", _shift({"baseline": 2.0, "challenger": 8.0})),
    accept("shift_traffic", "the challenger listed first", _shift({"challenger": 0.8, "baseline": 0.2})),
    reject("shift_traffic", "only the challenger raised to 0.8 (the baseline keeps 0.9: ~53% / 47%)",
           _shift({"challenger": 0.8}), fix="baseline 0.2 / challenger 0.8"),
    accept("autoscale_variant", "cooldowns left at their defaults", _policy(lambda c: (c.pop("ScaleOutCooldown"),
                                                                                       c.pop("ScaleInCooldown")))),
    accept("autoscale_variant", "the target value as the CLI's integer 70", _policy(lambda c: c.update(TargetValue=70))),
    reject("autoscale_variant", "the scalable target allows up to 4 instances",
           _scaling("RegisterScalableTarget", lambda p: p.update(MaxCapacity=4)), fix="between 1 and 2"),
    reject("autoscale_variant", "target value 700 instead of 70", _policy(lambda c: c.update(TargetValue=700.0)),
           fix="= 70"),
    accept("batch_transform", "the input prefix without a trailing slash, the payload size left at its default",
           _transform(lambda p: (p.pop("MaxPayloadInMB"),
                                 p["TransformInput"]["DataSource"]["S3DataSource"].update(
                                     S3Uri=p["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"].rstrip("/"))))),
    reject("batch_transform", "SplitType left out (each file would be one record)",
           _transform(lambda p: p["TransformInput"].pop("SplitType")), fix="split into CSV lines"),
    reject("batch_transform", "BatchStrategy SingleRecord", _transform(lambda p: p.update(BatchStrategy="SingleRecord")),
           fix="MultiRecord"),
]
