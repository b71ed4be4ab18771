"""What ML infrastructure costs: budget notifications, Spot savings, right-sizing, inference prices.

Pure functions over AWS's documented rules and list prices (values in ``awslabs.facts``, each with
its page and read date; the prices are registered ``not confirmed`` because the pricing page was
not in the stored documentation):

- **AWS Budgets notifications** (``notification_amount``, ``firing_days``): a notification's
  ``Threshold`` is a *percentage* of the budgeted amount unless ``ThresholdType`` is
  ``ABSOLUTE_VALUE``; ``ACTUAL`` compares what has been spent so far, ``FORECASTED`` what the
  period is forecast to cost. AWS's forecast is Cost Explorer's own model; the simulation stands
  in a linear run-rate (spend so far / days elapsed x days in the period) and says so.
- **Managed Spot training** (``spot_savings_percent``, ``spot_wait_problems``): the documented
  savings formula ``(1 - BillableTimeInSeconds / TrainingTimeInSeconds) x 100`` and the rule
  ``MaxWaitTimeInSeconds >= MaxRuntimeInSeconds``.
- **Right-sizing** (``cheapest_fleet``, ``fleet_capacity``): the cheapest instance type and count
  whose load-tested capacity (max requests/s at the p99 latency objective) covers the peak with
  headroom.
- **Inference option prices** (``monthly_prices``): one traffic profile priced as a real-time
  endpoint (instances always on), a serverless endpoint (GB-seconds of compute) and an
  asynchronous endpoint (the same instances, scaled to zero outside busy hours).

Nothing here calls AWS.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from awslabs.facts import fact, value

HOURS_PER_MONTH = 730  # AWS pricing pages' convention for a month of always-on usage
HOSTING_PRICES = value("sagemaker.hosting_prices_us_east_1")  # $/instance-hour, us-east-1
SERVERLESS_PRICE_PER_GB_S = value("sagemaker.serverless_price_per_gb_s_us_east_1")
SERVERLESS_MEMORY_MB = tuple(value("sagemaker.serverless_memory_mb"))
PRICES_AS_OF = fact("sagemaker.hosting_prices_us_east_1").read
PRICE_SOURCES = tuple(dict.fromkeys((fact("sagemaker.hosting_prices_us_east_1").url,
                                      fact("sagemaker.serverless_price_per_gb_s_us_east_1").url)))
PRICE_STATUS = fact("sagemaker.hosting_prices_us_east_1").status
CHECKPOINT_LOCAL_PATH = value("sagemaker.checkpoint_local_path")


# -- AWS Budgets ---------------------------------------------------------------------------------
def notification_amount(notification: dict, budget_limit: float) -> float:
    """The spend (in the budget's unit) at which a notification's threshold lies.

    ``Threshold`` is a percentage of the budgeted amount unless ``ThresholdType`` is
    ``ABSOLUTE_VALUE`` (AWS: "Thresholds are always a percentage"; left out, it is one)."""
    threshold = float(notification["Threshold"])
    if notification.get("ThresholdType", "PERCENTAGE") == "ABSOLUTE_VALUE":
        return threshold
    return budget_limit * threshold / 100.0


def _compares(operator: str, spend: float, amount: float) -> bool:
    if operator == "GREATER_THAN":
        return spend > amount
    if operator == "LESS_THAN":
        return spend < amount
    if operator == "EQUAL_TO":
        return math.isclose(spend, amount, rel_tol=1e-9)
    raise ValueError(f"unknown ComparisonOperator {operator!r}")


def linear_forecast(daily_costs: list[float], day: int, days_in_period: int) -> float:
    """Simulated month-end forecast on ``day`` (1-based): the run-rate so far over the whole period.

    AWS forecasts with Cost Explorer's model; this stand-in is labelled simulated wherever used."""
    spent = sum(daily_costs[:day])
    return spent / day * days_in_period


def firing_days(daily_costs: list[float], budget_limit: float, notifications: list[dict],
                days_in_period: int | None = None) -> list[dict]:
    """For each notification, the first day (1-based) on which it fires, or ``None``.

    The budget is evaluated once a day on the spend to date (AWS refreshes budgets several times a
    day; a daily series cannot be finer). A notification fires once per period."""
    days = days_in_period or len(daily_costs)
    out = []
    for n in notifications:
        amount = notification_amount(n, budget_limit)
        fired = None
        for day in range(1, len(daily_costs) + 1):
            spend = (sum(daily_costs[:day]) if n["NotificationType"] == "ACTUAL"
                     else linear_forecast(daily_costs, day, days))
            if _compares(n["ComparisonOperator"], spend, amount):
                fired = day
                break
        out.append({"type": n["NotificationType"], "operator": n["ComparisonOperator"],
                    "threshold": float(n["Threshold"]), "threshold_type": n.get("ThresholdType", "PERCENTAGE"),
                    "amount": round(amount, 2), "day": fired})
    return out


# -- Managed Spot training -----------------------------------------------------------------------
def spot_savings_percent(training_s: float, billable_s: float) -> float:
    """AWS's documented savings of a managed Spot training job, in percent."""
    if training_s <= 0:
        raise ValueError("TrainingTimeInSeconds must be positive")
    return (1 - billable_s / training_s) * 100


def spot_wait_problems(job: dict) -> list[str]:
    """What a ``DescribeTrainingJob`` answer breaks of the managed Spot rules (empty: none)."""
    out = []
    stopping = job.get("StoppingCondition") or {}
    runtime, wait = stopping.get("MaxRuntimeInSeconds"), stopping.get("MaxWaitTimeInSeconds")
    if not job.get("EnableManagedSpotTraining"):
        out.append("EnableManagedSpotTraining is not true: the job runs On-Demand")
    if wait is None:
        out.append("StoppingCondition.MaxWaitTimeInSeconds is missing: a Spot job needs it")
    elif runtime is not None and wait < runtime:
        out.append(f"MaxWaitTimeInSeconds {wait} is less than MaxRuntimeInSeconds {runtime}: "
                   "AWS requires it to be equal or greater")
    return out


# -- right-sizing ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fleet:
    instance_type: str
    count: int
    capacity_rps: float
    hourly_usd: float


def fleet_capacity(variants: list[dict], max_rps: dict[str, float]) -> Fleet:
    """Load-tested capacity and hourly price of an endpoint configuration's instance variants."""
    capacity = hourly = 0.0
    types = set()
    count = 0
    for v in variants:
        itype, n = v.get("InstanceType"), int(v.get("InitialInstanceCount") or 0)
        if itype not in max_rps or itype not in HOSTING_PRICES:
            raise ValueError(f"{itype}: not in the load-test table or the price list")
        types.add(itype)
        count += n
        capacity += max_rps[itype] * n
        hourly += HOSTING_PRICES[itype] * n
    return Fleet("+".join(sorted(types)), count, capacity, round(hourly, 4))


def cheapest_fleet(max_rps: dict[str, float], peak_rps: float, headroom: float, min_count: int = 1) -> Fleet:
    """The cheapest single-type fleet whose capacity is at least ``peak_rps x (1 + headroom)``."""
    need = peak_rps * (1 + headroom)
    best = None
    for itype, rps in sorted(max_rps.items()):
        count = max(min_count, math.ceil(need / rps - 1e-9))
        fleet = Fleet(itype, count, rps * count, round(HOSTING_PRICES[itype] * count, 4))
        if best is None or fleet.hourly_usd < best.hourly_usd:
            best = fleet
    return best


# -- inference option prices ----------------------------------------------------------------------
@dataclass(frozen=True)
class Traffic:
    """A month of traffic: ``busy_hours_per_day`` x ``busy_days`` at ``avg_rps``, idle otherwise."""

    avg_rps: float
    busy_hours_per_day: float
    busy_days: int
    duration_s: float  # compute time per request
    memory_mb: int  # serverless memory size that fits the model

    @property
    def monthly_requests(self) -> float:
        return self.avg_rps * 3600 * self.busy_hours_per_day * self.busy_days

    @property
    def busy_hours(self) -> float:
        return self.busy_hours_per_day * self.busy_days


def monthly_prices(traffic: Traffic, fleet: dict[str, int]) -> dict:
    """Monthly USD of the traffic as real-time, serverless and asynchronous inference.

    ``fleet`` maps instance type to count (an endpoint configuration's variants). real-time: the
    fleet always on (730 h); serverless: requests x duration x memory in GB x the per-GB-second
    price (data-processing charges left out); asynchronous: the same fleet, running only in the
    busy hours (scaled to zero otherwise)."""
    if traffic.memory_mb not in SERVERLESS_MEMORY_MB:
        raise ValueError(f"serverless memory {traffic.memory_mb} MB is not one of {SERVERLESS_MEMORY_MB}")
    hourly = sum(HOSTING_PRICES[itype] * count for itype, count in fleet.items())
    prices = {
        "real-time": round(hourly * HOURS_PER_MONTH, 2),
        "serverless": round(traffic.monthly_requests * traffic.duration_s * traffic.memory_mb / 1024
                            * SERVERLESS_PRICE_PER_GB_S, 2),
        "asynchronous": round(hourly * traffic.busy_hours, 2),
    }
    return {"prices_usd": prices, "cheapest": min(prices, key=prices.get), "as_of": PRICES_AS_OF,
            "price_status": PRICE_STATUS, "sources": list(PRICE_SOURCES), "fleet": dict(fleet)}


__all__ = ["notification_amount", "linear_forecast", "firing_days", "spot_savings_percent", "spot_wait_problems",
           "Fleet", "fleet_capacity", "cheapest_fleet", "Traffic", "monthly_prices", "HOSTING_PRICES",
           "SERVERLESS_PRICE_PER_GB_S", "HOURS_PER_MONTH", "PRICES_AS_OF", "PRICE_SOURCES", "CHECKPOINT_LOCAL_PATH"]
