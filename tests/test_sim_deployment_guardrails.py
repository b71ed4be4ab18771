"""awslabs.sim.deployment_guardrails against the documented blue/green rules."""
from awslabs.sim import deployment_guardrails as dg


def _config(kind, size=None, wait=300, alarms=("errors",)):
    routing = {"Type": kind, "WaitIntervalInSeconds": wait}
    if kind == "CANARY":
        routing["CanarySize"] = size
    if kind == "LINEAR":
        routing["LinearStepSize"] = size
    config = {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing}}
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in alarms]}
    return config


ALARM = {"AlarmName": "errors", "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
         "EvaluationPeriods": 2, "DatapointsToAlarm": 2, "Period": 60, "Statistic": "Sum",
         "TreatMissingData": "notBreaching"}


def test_canary_is_at_most_half_of_the_green_fleet():
    assert dg.validate(_config("CANARY", {"Type": "CAPACITY_PERCENT", "Value": 50})) == []
    assert dg.validate(_config("CANARY", {"Type": "CAPACITY_PERCENT", "Value": 60}))
    assert dg.validate(_config("CANARY", {"Type": "INSTANCE_COUNT", "Value": 3}), green_instances=4)


def test_linear_steps_are_10_to_50_percent():
    assert dg.validate(_config("LINEAR", {"Type": "CAPACITY_PERCENT", "Value": 10})) == []
    assert dg.validate(_config("LINEAR", {"Type": "CAPACITY_PERCENT", "Value": 5}))
    assert dg.validate(_config("LINEAR", {"Type": "CAPACITY_PERCENT", "Value": 55}))


def test_unknown_type_and_wait_out_of_range_are_refused():
    assert dg.validate(_config("ROLLING"))
    assert dg.validate(_config("ALL_AT_ONCE", wait=3601))


def test_stages_per_mode():
    assert dg.stages(_config("ALL_AT_ONCE")) == [dg.Stage(1.0, 300)]
    assert dg.stages(_config("CANARY", {"Type": "INSTANCE_COUNT", "Value": 1}), 4) == [dg.Stage(0.25, 300), dg.Stage(1.0, 300)]
    shares = [s.green_share for s in dg.stages(_config("LINEAR", {"Type": "CAPACITY_PERCENT", "Value": 30}))]
    assert shares == [0.3, 0.6, 0.9, 1.0]


def _always_failing_green(requests=20):
    def serve(share, minute):
        errors = round(requests * share)
        return requests, errors
    return serve


def test_a_bad_canary_rolls_back_in_its_baking_period():
    r = dg.simulate(_config("CANARY", {"Type": "CAPACITY_PERCENT", "Value": 25}), ALARM, _always_failing_green())
    assert r.outcome == "rolled back"
    assert r.rolled_back_at == 1  # 2 of 2 breaching one-minute periods: the second minute
    assert r.max_green_share == 0.25
    assert [m.green_share for m in r.timeline[2:]] == [0.0, 0.0, 0.0]


def test_all_at_once_exposes_everyone_before_the_rollback():
    r = dg.simulate(_config("ALL_AT_ONCE"), ALARM, _always_failing_green())
    assert r.outcome == "rolled back" and r.max_green_share == 1.0


def test_without_rollback_alarms_a_bad_version_completes():
    r = dg.simulate(_config("CANARY", {"Type": "CAPACITY_PERCENT", "Value": 25}, alarms=()), ALARM,
                    _always_failing_green())
    assert r.outcome == "completed" and r.max_green_share == 1.0


def test_a_good_version_completes_every_linear_step():
    r = dg.simulate(_config("LINEAR", {"Type": "CAPACITY_PERCENT", "Value": 50}, wait=120), ALARM,
                    lambda share, minute: (20, 0))
    assert r.outcome == "completed"
    assert [m.green_share for m in r.timeline] == [0.5, 0.5, 1.0, 1.0]


def test_metric_value_by_statistic():
    assert dg.metric_value("Sum", 20, 5) == 5
    assert dg.metric_value("Average", 20, 5) == 0.25
    assert dg.metric_value("Sum", 0, 0) is None


def test_shadow_sampling_is_the_weight_relative_to_production():
    config = {"ProductionVariants": [{"InitialVariantWeight": 1.0}],
              "ShadowProductionVariants": [{"InitialVariantWeight": 0.5}]}
    assert dg.shadow_sampling(config) == 0.5
    assert dg.shadow_sampling({"ProductionVariants": [{"InitialVariantWeight": 1.0}]}) == 0.0
    copies = dg.shadow_split(1000, 0.5, seed=1)
    assert 450 < sum(copies) < 550
