"""model-monitor: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("model-monitor").load_steps()


def _capture(change):
    def build(ctx):
        steps = _steps()
        config = steps.capture_config(ctx)
        change(config)
        steps.apply_capture(ctx, config)
    return build


def _alarm(change):
    def build(ctx):
        steps = _steps()
        params = steps.alarm_params(ctx)
        change(params)
        steps.apply_drift_alarm(ctx, alarm=params)
    return build


def _pattern(change):
    def build(ctx):
        steps = _steps()
        pattern = steps.event_pattern(ctx)
        change(pattern)
        steps.apply_drift_alarm(ctx, pattern=pattern)
    return build


def _definition(change):
    return lambda ctx: tweak(ctx, "sagemaker", "CreateDataQualityJobDefinition", change,
                             _steps().apply_monitor_definition)


def _baseline_from_drifted_statistics(params):
    """The baseline statistics taken from a monitoring report, not from the baselining of the training data."""
    uri = params["DataQualityBaselineConfig"]["StatisticsResource"]["S3Uri"]
    params["DataQualityBaselineConfig"]["StatisticsResource"]["S3Uri"] = uri.replace("data-quality/", "model-quality/")


def _wide_events_role(ctx):
    steps = _steps()
    steps.apply_drift_alarm(ctx)
    ctx.client("iam").put_role_policy(
        RoleName=ctx.name("events", max_len=64), PolicyName="start-retrain", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "states:*", "Resource": "*"}]}))


def _mq(change):
    return lambda ctx: _steps().apply_model_quality_definition(ctx, change)


VARIANTS = [
    accept("capture", "InputAndOutput as one capture option", _capture(
        lambda c: c.update(CaptureOptions=[{"CaptureMode": "InputAndOutput"}]))),
    accept("capture", "EnableCapture left implicit, no content-type header", _capture(
        lambda c: (c.pop("EnableCapture"), c.pop("CaptureContentTypeHeader")))),
    reject("capture", "sampling at 0 %", _capture(lambda c: c.update(InitialSamplingPercentage=0)),
           fix="InitialSamplingPercentage"),
    reject("capture", "only the requests captured", _capture(lambda c: c.update(CaptureOptions=[{"CaptureMode": "Input"}])),
           fix="requests and responses"),
    reject("capture", "captures sent to another bucket", _capture(
        lambda c: c.update(DestinationS3Uri="s3://some-other-bucket/capture")), fix="lab bucket"),
    accept("monitor_definition", "no S3UploadMode (EndOfJob is the default)",
           _definition(lambda p: p["DataQualityJobOutputConfig"]["MonitoringOutputs"][0]["S3Output"].pop("S3UploadMode"))),
    reject("monitor_definition", "baseline statistics that are not the training data's", _definition(
        _baseline_from_drifted_statistics), fix="training data's statistics.json"),
    reject("monitor_definition", "another endpoint monitored", _definition(
        lambda p: p["DataQualityJobInput"]["EndpointInput"].update(EndpointName="churn-prod")), fix="lab's endpoint"),
    accept("drift_alarm", "Average instead of Maximum (one datapoint per hourly run)", _alarm(
        lambda p: p.update(Statistic="Average"))),
    accept("drift_alarm", "GreaterThanOrEqualToThreshold", _alarm(
        lambda p: p.update(ComparisonOperator="GreaterThanOrEqualToThreshold"))),
    reject("drift_alarm", "alarm when the drift is below the threshold", _alarm(
        lambda p: p.update(ComparisonOperator="LessThanThreshold")), fix="OK for the normal hour"),
    reject("drift_alarm", "the metric name without the feature", _alarm(
        lambda p: p.update(MetricName="feature_baseline_drift")), fix="metric Model Monitor publishes"),
    reject("drift_alarm", "dimensions EndpointName/ScheduleName (no such datapoints)", _alarm(
        lambda p: p.update(Dimensions=[{"Name": "EndpointName", "Value": d["Value"]} for d in p["Dimensions"][:1]])),
        fix="metric Model Monitor publishes"),
    accept("drift_alarm", "state value matched with equals-ignore-case", _pattern(
        lambda p: p["detail"]["state"].update(value=[{"equals-ignore-case": "alarm"}]))),
    reject("drift_alarm", "the rule fires on every state change", _pattern(lambda p: p["detail"].pop("state")),
           fix="ALARM only"),
    reject("drift_alarm", "the rule matches any alarm", _pattern(lambda p: p["detail"].pop("alarmName")),
           fix="another alarm"),
    reject("drift_alarm", "the events role may start any state machine", _wide_events_role, fix="least privilege"),
    accept("model_quality_definition", "no probability threshold given (0.5 is the default)",
           _mq(lambda p: p["ModelQualityJobInput"]["EndpointInput"].pop("ProbabilityThresholdAttribute"))),
    reject("model_quality_definition", "regression instead of binary classification",
           _mq(lambda p: p["ModelQualityAppSpecification"].update(ProblemType="Regression")), fix="binary-classification"),
    reject("model_quality_definition", "ground truth expected in another bucket",
           _mq(lambda p: p["ModelQualityJobInput"].update(GroundTruthS3Input={"S3Uri": "s3://labels-team/churn"})),
           fix="ground-truth/ prefix"),
]
