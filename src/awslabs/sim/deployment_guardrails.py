"""SageMaker deployment guardrails over a timeline: blue/green traffic shifting and auto-rollback.

When ``UpdateEndpoint`` carries a ``DeploymentConfig`` with a ``BlueGreenUpdatePolicy``, SageMaker
provisions the new (green) fleet beside the old (blue) one and shifts traffic in the mode of
``TrafficRoutingConfiguration.Type``
(https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green.html):

- ``ALL_AT_ONCE``: 100 % to green in one step, then the baking period;
- ``CANARY``: ``CanarySize`` of the green fleet first (at most 50 % of its capacity), a baking
  period, then the rest;
- ``LINEAR``: ``LinearStepSize`` at a time (10–50 % of the green fleet's capacity), a baking period
  after each step.

The baking period is ``WaitIntervalInSeconds``. If any alarm of ``AutoRollbackConfiguration``
is in ALARM during a baking period, **all** traffic rolls back to blue
(https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html).
After the last step, blue is kept ``TerminationWaitInSeconds`` more, then terminated.

moto does not implement ``UpdateEndpoint``: ``simulate`` plays the deployment minute by minute.
The lab supplies ``serve(green_share, minute) -> (requests, errors)`` (it sends real requests
through the local hosting runner), and the alarm is evaluated each minute with
``awslabs.sim.alarms`` on the metric the alarm watches. Assumptions: one-minute metric periods; a
stage's baking period is rounded up to whole minutes (at least one); alarms are not watched
during ``TerminationWaitInSeconds``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from awslabs.facts import value
from awslabs.sim import alarms

ALL_AT_ONCE, CANARY, LINEAR = "ALL_AT_ONCE", "CANARY", "LINEAR"


@dataclass(frozen=True)
class Stage:
    green_share: float  # of the endpoint's traffic, 0..1
    bake_s: int


@dataclass
class Minute:
    minute: int
    phase: str  # "stage 1", "rollback", ...
    green_share: float
    requests: int
    errors: int
    alarm: str


@dataclass
class Rollout:
    outcome: str  # "rolled back" | "completed"
    timeline: list[Minute] = field(default_factory=list)
    rolled_back_at: int | None = None  # minute the alarm tripped
    max_green_share: float = 0.0

    def green_errors(self) -> int:
        return sum(m.errors for m in self.timeline)


def _routing(config: dict) -> dict:
    return ((config or {}).get("BlueGreenUpdatePolicy") or {}).get("TrafficRoutingConfiguration") or {}


def traffic_type(config: dict) -> str:
    """ALL_AT_ONCE, CANARY or LINEAR ("" when the config has no blue/green routing)."""
    return _routing(config).get("Type", "")


def _share(size: dict, green_instances: int) -> float:
    if size.get("Type") == "INSTANCE_COUNT":
        return min(1.0, float(size["Value"]) / green_instances)
    return min(1.0, float(size["Value"]) / 100)


def validate(config: dict, green_instances: int = 10) -> list[str]:
    """What AWS refuses in a blue/green DeploymentConfig (empty: accepted)."""
    routing = _routing(config)
    kind = routing.get("Type")
    out = []
    if kind not in (ALL_AT_ONCE, CANARY, LINEAR):
        return [f"TrafficRoutingConfiguration.Type must be ALL_AT_ONCE, CANARY or LINEAR (got {kind!r})"]
    wait = routing.get("WaitIntervalInSeconds")
    if wait is None or not 0 <= int(wait) <= value("sagemaker.bluegreen_wait_max_s"):
        out.append(f"WaitIntervalInSeconds must be 0-{value('sagemaker.bluegreen_wait_max_s')} (got {wait})")
    if kind == CANARY:
        size = routing.get("CanarySize")
        if not size:
            out.append("CANARY needs CanarySize")
        elif _share(size, green_instances) > value("sagemaker.canary_max_percent") / 100:
            out.append(f"CanarySize must be at most {value('sagemaker.canary_max_percent')} % of the green fleet")
    if kind == LINEAR:
        size = routing.get("LinearStepSize")
        low, high = value("sagemaker.linear_step_percent")
        if not size:
            out.append("LINEAR needs LinearStepSize")
        elif not low / 100 <= _share(size, green_instances) <= high / 100:
            out.append(f"LinearStepSize must be {low}-{high} % of the green fleet")
    return out


def stages(config: dict, green_instances: int = 10) -> list[Stage]:
    """The traffic steps of a DeploymentConfig, each with its baking period."""
    routing = _routing(config)
    wait = int(routing.get("WaitIntervalInSeconds", 0))
    kind = routing.get("Type")
    if kind == CANARY:
        return [Stage(_share(routing["CanarySize"], green_instances), wait), Stage(1.0, wait)]
    if kind == LINEAR:
        step = _share(routing["LinearStepSize"], green_instances)
        shares = [min(1.0, round(step * i, 6)) for i in range(1, math.ceil(1 / step - 1e-9) + 1)]
        return [Stage(s, wait) for s in shares]
    return [Stage(1.0, wait)]


def rollback_alarms(config: dict) -> list[str]:
    return [a["AlarmName"] for a in ((config or {}).get("AutoRollbackConfiguration") or {}).get("Alarms", [])]


def metric_value(statistic: str, requests: int, errors: int) -> float | None:
    """The minute's value of an error metric (1 per failed request, 0 per good one) by statistic."""
    if requests == 0:
        return None
    if statistic == "Sum":
        return float(errors)
    if statistic == "Average":
        return errors / requests
    if statistic == "SampleCount":
        return float(requests)
    if statistic == "Maximum":
        return 1.0 if errors else 0.0
    return 0.0 if errors < requests else 1.0  # Minimum


def simulate(config: dict, alarm: dict | None, serve: Callable[[float, int], tuple[int, int]],
             green_instances: int = 10, after_rollback_minutes: int = 3) -> Rollout:
    """Play the deployment. ``alarm``: the ``describe_alarms`` item the DeploymentConfig names
    (None: no auto-rollback — nothing stops a bad version)."""
    watched = alarm is not None and alarm["AlarmName"] in rollback_alarms(config)
    cfg = alarms.AlarmConfig.from_alarm(alarm) if watched else None
    rollout = Rollout("completed")
    values: list[float | None] = []
    state = alarms.INSUFFICIENT
    minute = 0
    for number, stage in enumerate(stages(config, green_instances), 1):
        for _ in range(max(1, math.ceil(stage.bake_s / 60))):
            requests, errors = serve(stage.green_share, minute)
            values.append(metric_value(cfg.statistic, requests, errors) if cfg else None)
            if cfg:
                state = alarms.evaluate(cfg, values, state).state
            rollout.timeline.append(Minute(minute, f"stage {number}", stage.green_share, requests, errors,
                                           state if cfg else "-"))
            rollout.max_green_share = max(rollout.max_green_share, stage.green_share)
            minute += 1
            if state == alarms.ALARM:
                rollout.outcome, rollout.rolled_back_at = "rolled back", minute - 1
                for _ in range(after_rollback_minutes):
                    requests, errors = serve(0.0, minute)
                    rollout.timeline.append(Minute(minute, "rolled back to blue", 0.0, requests, errors, state))
                    minute += 1
                return rollout
    return rollout


__all__ = ["Stage", "Minute", "Rollout", "traffic_type", "validate", "stages", "rollback_alarms", "metric_value", "simulate",
           "ALL_AT_ONCE", "CANARY", "LINEAR"]


# -- shadow tests ---------------------------------------------------------------------------------
def shadow_sampling(config: dict) -> float:
    """The share of production requests copied to the shadow variant of an endpoint config with
    ``ShadowProductionVariants``: the shadow variant's weight relative to the production variant's
    (a shadow weight equal to the production weight copies every request)."""
    production = (config.get("ProductionVariants") or [{}])[0].get("InitialVariantWeight", 1.0)
    shadows = config.get("ShadowProductionVariants") or []
    if not shadows:
        return 0.0
    return min(1.0, float(shadows[0].get("InitialVariantWeight", 1.0)) / float(production or 1.0))


def shadow_split(requests: int, sampling: float, seed: int = 0) -> list[bool]:
    """For each production request, whether a copy goes to the shadow variant. The production
    variant answers every request; the shadow's answers are logged, never returned."""
    import random

    rng = random.Random(seed)
    return [rng.random() < sampling for _ in range(requests)]


__all__ += ["shadow_sampling", "shadow_split"]
