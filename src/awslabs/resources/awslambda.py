"""AWS Lambda functions (the tagging API lists them)."""
from __future__ import annotations

from . import arn_kind, deleter


@deleter("lambda:function", order=45)
def delete_function(clients, name: str, extra: dict) -> None:
    clients.client("lambda").delete_function(FunctionName=name)


@arn_kind(r"^arn:aws[\w-]*:lambda:[\w-]+:\d+:function:([^:]+)$")
def _function_arn(m):
    return ("lambda:function", m.group(1))
