"""endpoint-deployment: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("endpoint-deployment").load_steps()


def _config_change(suffix, change):
    """The reference inference_options, with endpoint config ``…-<suffix>`` changed first."""
    def build(ctx):
        def hook(params):
            if params.get("EndpointConfigName") == ctx.name(suffix):
                change(params)
        tweak(ctx, "sagemaker", "CreateEndpointConfig", hook, _steps().apply_inference_options)
    return build


def _serverless(**config):
    return _config_change("serverless", lambda p: p["ProductionVariants"][0]["ServerlessConfig"].update(config))


def _async_as_real_time(params):
    params.pop("AsyncInferenceConfig")


def _mme_other_config_name(ctx):
    """The endpoint on a config named differently: the check follows the endpoint to its config."""
    s = _steps()
    s._create_model(ctx, ctx.name("mme"), {"ModelDataUrl": s._uri(ctx, "models/"), "Mode": "MultiModel"})
    s._create_config(ctx, ctx.name("mme-config"), ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": ctx.name("mme"), "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1}])
    s._create_endpoint(ctx, ctx.name("mme"), ctx.name("mme-config"))


def _routing(routing):
    def deployment(ctx):
        config = _steps()._deployment_config(ctx)
        config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"] = routing
        return config
    return lambda ctx: _steps()._guardrails_with(deployment)(ctx)


def _no_rollback(ctx):
    _steps()._guardrails_with(_steps()._no_rollback)(ctx)


def _shadow(production_weight, shadow_weight, as_production=False):
    def build(ctx):
        s = _steps()
        request = s._shadow_request(ctx)
        request["ProductionVariants"][0]["InitialVariantWeight"] = production_weight
        request["ShadowProductionVariants"][0]["InitialVariantWeight"] = shadow_weight
        if as_production:
            request["ProductionVariants"].append(request.pop("ShadowProductionVariants")[0])
        s._create_config(ctx, **request)
        s._record_request(ctx, "shadow-config", request)
    return build


VARIANTS = [
    accept("inference_options", "serverless with more memory and a warm ProvisionedConcurrency",
           _serverless(MemorySizeInMB=3072, MaxConcurrency=10, ProvisionedConcurrency=2)),
    reject("inference_options", "serverless with 1024 MB for a model that needs 2 GB",
           _serverless(MemorySizeInMB=1024), fix="2048 MB"),
    reject("inference_options", "MaxConcurrency 2 below the peak of 5 concurrent tickets",
           _serverless(MaxConcurrency=2), fix="throttles"),
    reject("inference_options", "scanned-claims on a plain real-time config (200 MB does not fit 6 MB)",
           _config_change("async", _async_as_real_time), fix="asynchronous"),
    accept("multi_model_endpoint", "the endpoint config under another name", _mme_other_config_name),
    reject("multi_model_endpoint", "the container left in single-model mode on one artifact",
           lambda ctx: _steps()._single_model_mode(ctx), fix="MultiModel"),
    accept("guardrails", "LINEAR shifting in steps of 25 %, each baked 300 s",
           _routing({"Type": "LINEAR", "WaitIntervalInSeconds": 300,
                     "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 25}})),
    accept("guardrails", "the canary sized as one instance of four",
           _routing({"Type": "CANARY", "WaitIntervalInSeconds": 300,
                     "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1}})),
    reject("guardrails", "ALL_AT_ONCE: every caller meets the new version before the alarm can trip",
           _routing({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 300}), fix="at most 25 %"),
    reject("guardrails", "a 60 s baking period: over before a 2-minute alarm can trip",
           _routing({"Type": "CANARY", "WaitIntervalInSeconds": 60,
                     "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25}}), fix="baked"),
    reject("guardrails", "a canary of 60 %: more than AWS allows", _routing(
        {"Type": "CANARY", "WaitIntervalInSeconds": 300, "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 60}}),
           fix="at most 50 %"),
    reject("guardrails", "no AutoRollbackConfiguration", _no_rollback, fix="auto-rollback"),
    accept("shadow_test", "weights 2 and 1: the shadow's weight is relative to production's", _shadow(2.0, 1.0)),
    reject("shadow_test", "v2 as a second production variant (an A/B test: callers see its errors)",
           _shadow(1.0, 0.5, as_production=True), fix="shadow"),
    reject("shadow_test", "the shadow weighted like production: every request copied, not half", _shadow(1.0, 1.0),
           fix="~50%"),
]
