"""SageMaker Pipelines: pipelines. Pipeline executions are not resources of their own: deleting
the pipeline removes them. The model package groups a pipeline registers into are deleted by
``resources/model_registry.py`` (one kind, one deleter).
"""
from __future__ import annotations

from . import arn_kind, deleter


@deleter("sagemaker:pipeline", order=8)
def delete_pipeline(clients, name: str, extra: dict) -> None:
    clients.client("sagemaker").delete_pipeline(PipelineName=name)


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:pipeline/([^/]+)$")
def _pipeline_arn(m):
    return ("sagemaker:pipeline", m.group(1))
