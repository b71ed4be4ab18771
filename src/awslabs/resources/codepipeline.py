"""CodePipeline pipelines and CodeBuild projects. Both are deleted by name; deleting a pipeline
does not delete the project its Build action names, nor the other way round. The tagging API lists
neither on moto: sweepers find them by name."""
from __future__ import annotations

from . import arn_kind, deleter, sweeper


@deleter("codepipeline:pipeline", order=8)
def delete_pipeline(clients, name: str, extra: dict) -> None:
    clients.client("codepipeline").delete_pipeline(name=name)  # idempotent: a missing one is no error


@deleter("codebuild:project", order=9)
def delete_project(clients, name: str, extra: dict) -> None:
    clients.client("codebuild").delete_project(name=name)  # idempotent on AWS and moto


@sweeper
def sweep_pipelines(clients, prefix: str):
    found = []
    for page in clients.client("codepipeline").get_paginator("list_pipelines").paginate():
        found += [("codepipeline:pipeline", p["name"]) for p in page.get("pipelines", []) if p["name"].startswith(prefix)]
    return found


@sweeper
def sweep_projects(clients, prefix: str):
    names = clients.client("codebuild").list_projects().get("projects", [])
    return [("codebuild:project", n) for n in names if n.startswith(prefix)]


@arn_kind(r"^arn:aws[\w-]*:codepipeline:[\w-]+:\d+:([^/:]+)$")
def _pipeline_arn(m):
    return ("codepipeline:pipeline", m.group(1))


@arn_kind(r"^arn:aws[\w-]*:codebuild:[\w-]+:\d+:project/(.+)$")
def _project_arn(m):
    return ("codebuild:project", m.group(1))
