"""AWS Glue Data Catalog and jobs."""
from __future__ import annotations

from . import arn_kind, deleter, is_gone


def _untag(clients, resource: str) -> None:
    """moto keeps a deleted Glue resource's tags in its tagging API (a phantom leftover for the
    sweep): untag before deleting. Harmless on AWS, where the tags go with the resource."""
    glue = clients.client("glue")
    arn = f"arn:aws:glue:{clients.region}:{clients.account}:{resource}"
    try:
        keys = list(glue.get_tags(ResourceArn=arn).get("Tags", {}))
        if keys:
            glue.untag_resource(ResourceArn=arn, TagsToRemove=keys)
    except Exception as err:  # noqa: BLE001 - a missing resource is handled by the delete call
        if not is_gone(err):
            raise


@deleter("glue:trigger", order=25)
def delete_trigger(clients, name: str, extra: dict) -> None:
    _untag(clients, f"trigger/{name}")
    clients.client("glue").delete_trigger(Name=name)


@deleter("glue:crawler", order=30)
def delete_crawler(clients, name: str, extra: dict) -> None:
    _untag(clients, f"crawler/{name}")
    clients.client("glue").delete_crawler(Name=name)


@deleter("glue:job", order=30)
def delete_job(clients, name: str, extra: dict) -> None:
    _untag(clients, f"job/{name}")
    clients.client("glue").delete_job(JobName=name)


@deleter("glue:table", order=55)
def delete_table(clients, name: str, extra: dict) -> None:
    """``name`` is ``database/table``."""
    database, table = name.split("/", 1)
    clients.client("glue").delete_table(DatabaseName=database, Name=table)


@deleter("glue:database", order=60)
def delete_database(clients, name: str, extra: dict) -> None:
    _untag(clients, f"database/{name}")
    clients.client("glue").delete_database(Name=name)  # deletes its tables too


@arn_kind(r"^arn:aws[\w-]*:glue:[\w-]+:\d+:database/(.+)$")
def _database_arn(m):
    return ("glue:database", m.group(1))


@arn_kind(r"^arn:aws[\w-]*:glue:[\w-]+:\d+:(crawler|job|trigger)/(.+)$")
def _glue_named_arn(m):
    return (f"glue:{m.group(1)}", m.group(2))
