"""awslabs.sim.ml_cost against AWS's documented examples and hand-computed values (figures typed
here from the pages and by hand, not read from awslabs.facts)."""
import pytest

from awslabs.sim import ml_cost


def _n(kind, threshold, threshold_type=None, op="GREATER_THAN"):
    n = {"NotificationType": kind, "ComparisonOperator": op, "Threshold": threshold}
    if threshold_type:
        n["ThresholdType"] = threshold_type
    return n


def test_the_budgets_api_example_80_percent_of_200_is_160():
    # API_budgets_Notification: "a budget for 200 dollars ... notified when you go over 160 dollars": 80 PERCENTAGE
    assert ml_cost.notification_amount(_n("ACTUAL", 80, "PERCENTAGE"), 200) == 160


def test_a_threshold_without_type_is_a_percentage():
    assert ml_cost.notification_amount(_n("ACTUAL", 80), 200) == 160


def test_the_fraction_near_miss_is_0_8_percent():
    assert ml_cost.notification_amount(_n("ACTUAL", 0.8, "PERCENTAGE"), 200) == pytest.approx(1.6)


def test_absolute_value_is_dollars():
    assert ml_cost.notification_amount(_n("ACTUAL", 160, "ABSOLUTE_VALUE"), 200) == 160


def test_firing_days_actual_and_forecasted_hand_computed():
    costs = [5.0] * 7 + [8.0] * 23  # spend to day d (d >= 7): 8d - 21
    days = ml_cost.firing_days(costs, 200, [_n("ACTUAL", 80), _n("FORECASTED", 100)])
    # ACTUAL: 8d - 21 > 160 first at d = 23 (163); FORECASTED: (8d - 21) / d * 30 > 200 first at d = 16 (1.333d > 21)
    assert [d["day"] for d in days] == [23, 16]
    assert [d["amount"] for d in days] == [160, 200]


def test_a_notification_that_never_fires_has_no_day():
    days = ml_cost.firing_days([1.0] * 30, 200, [_n("ACTUAL", 80)])
    assert days[0]["day"] is None


def test_less_than_fires_while_below():
    days = ml_cost.firing_days([1.0] * 30, 200, [_n("ACTUAL", 50, op="LESS_THAN")])
    assert days[0]["day"] == 1


def test_linear_forecast_is_the_run_rate():
    assert ml_cost.linear_forecast([10, 20], 2, 30) == 450


def test_spot_savings_the_api_example_is_80_percent():
    # API_DescribeTrainingJob: BillableTimeInSeconds 100, TrainingTimeInSeconds 500 -> 80 %
    assert ml_cost.spot_savings_percent(500, 100) == pytest.approx(80)


def test_spot_savings_needs_training_time():
    with pytest.raises(ValueError):
        ml_cost.spot_savings_percent(0, 0)


def test_spot_wait_rules():
    ok = {"EnableManagedSpotTraining": True, "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 3600}}
    assert ml_cost.spot_wait_problems(ok) == []
    short = {**ok, "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 1800}}
    assert "equal or greater" in ml_cost.spot_wait_problems(short)[0]
    assert "missing" in ml_cost.spot_wait_problems({**ok, "StoppingCondition": {"MaxRuntimeInSeconds": 60}})[0]
    assert "On-Demand" in ml_cost.spot_wait_problems({**ok, "EnableManagedSpotTraining": False})[0]


LOAD = {"ml.c5.large": 40, "ml.m5.large": 45, "ml.c5.xlarge": 95, "ml.m5.xlarge": 90, "ml.g4dn.xlarge": 400}


def test_cheapest_fleet_hand_computed():
    # 187.5 req/s: 5 x c5.large $0.51, 5 x m5.large $0.575, 2 x c5.xlarge $0.408, 3 x m5.xlarge $0.69, 1 x g4dn $0.736
    best = ml_cost.cheapest_fleet(LOAD, 150, 0.25)
    assert (best.instance_type, best.count, best.capacity_rps) == ("ml.c5.xlarge", 2, 190)
    assert best.hourly_usd == pytest.approx(0.408)


def test_fleet_capacity_sums_variants():
    fleet = ml_cost.fleet_capacity([{"InstanceType": "ml.c5.xlarge", "InitialInstanceCount": 1}] * 2, LOAD)
    assert (fleet.count, fleet.capacity_rps, fleet.hourly_usd) == (2, 190, pytest.approx(0.408))
    with pytest.raises(ValueError):
        ml_cost.fleet_capacity([{"InstanceType": "ml.p5.48xlarge", "InitialInstanceCount": 1}], LOAD)


def test_monthly_prices_hand_computed():
    traffic = ml_cost.Traffic(avg_rps=40, busy_hours_per_day=10, busy_days=22, duration_s=0.12, memory_mb=2048)
    result = ml_cost.monthly_prices(traffic, {"ml.c5.xlarge": 2})
    # 0.408 x 730 = 297.84; 31,680,000 x 0.12 s x 2 GB x 0.00002 = 152.064; 0.408 x 220 = 89.76
    assert result["prices_usd"] == {"real-time": 297.84, "serverless": 152.06, "asynchronous": 89.76}
    assert result["cheapest"] == "asynchronous"
    assert result["as_of"] == "2026-12-06" and result["sources"][0].startswith("https://aws.amazon.com/sagemaker/")


def test_serverless_memory_must_be_a_documented_size():
    with pytest.raises(ValueError):
        ml_cost.monthly_prices(ml_cost.Traffic(1, 1, 1, 0.1, 1500), {"ml.c5.xlarge": 1})
