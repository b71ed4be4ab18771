"""AWS Step Functions state machines (found by the tagging API)."""
from __future__ import annotations

from . import arn_kind, deleter


@deleter("states:state-machine", order=15)
def delete_state_machine(clients, arn: str, extra: dict) -> None:
    """Stop running executions first (deletion only marks a machine DELETING while they run)."""
    sfn = clients.client("stepfunctions")
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING"):
        for execution in page.get("executions", []):
            sfn.stop_execution(executionArn=execution["executionArn"], cause="awslabs cleanup")
    sfn.delete_state_machine(stateMachineArn=arn)


@arn_kind(r"^(arn:aws[\w-]*:states:[\w-]+:\d+:stateMachine:[^:]+)$")
def _state_machine_arn(m):
    return ("states:state-machine", m.group(1))
