"""Amazon MSK clusters (provisioned and serverless); the tagging API lists them.

moto 5.2.5 raises a raw ``KeyError`` on ``DescribeCluster``/``DeleteCluster`` of a deleted cluster,
so the deleter looks clusters up by listing (``ListClustersV2``) and never describes.
"""
from __future__ import annotations

import time

from . import arn_kind, deleter

DELETE_WAIT_SECONDS = 1800  # MSK takes minutes to delete; subnets cannot go before it has


def _find(kafka, name_or_arn: str) -> dict | None:
    is_arn = name_or_arn.startswith("arn:")
    kwargs: dict = {} if is_arn else {"ClusterNameFilter": name_or_arn}
    while True:
        page = kafka.list_clusters_v2(**kwargs)
        for info in page.get("ClusterInfoList", []):
            if (info["ClusterArn"] if is_arn else info["ClusterName"]) == name_or_arn:
                return info
        if not page.get("NextToken"):
            return None
        kwargs["NextToken"] = page["NextToken"]


@deleter("kafka:cluster", order=30)
def delete_cluster(clients, name_or_arn: str, extra: dict) -> None:
    """``name_or_arn``: the cluster name (what labs track) or its ARN (what the sweep finds)."""
    kafka = clients.client("kafka")
    info = _find(kafka, name_or_arn)
    if info is None:
        return
    deadline = time.monotonic() + DELETE_WAIT_SECONDS
    while info.get("State") != "DELETING":
        try:
            kafka.delete_cluster(ClusterArn=info["ClusterArn"])
            break
        except Exception as err:  # noqa: BLE001
            # AWS may refuse to delete while the cluster is still CREATING or UPDATING: wait it out
            # (moto deletes at once, so this loop only ever sleeps on AWS).
            code = (getattr(err, "response", None) or {}).get("Error", {}).get("Code", "")
            if code != "BadRequestException" or time.monotonic() > deadline:
                raise
            time.sleep(30)
            info = _find(kafka, info["ClusterArn"])
            if info is None:
                return
    while _find(kafka, info["ClusterArn"]) is not None:  # gone at once on moto
        if time.monotonic() > deadline:
            raise TimeoutError(f"MSK cluster {info['ClusterName']} still deleting after {DELETE_WAIT_SECONDS}s")
        time.sleep(15)


@arn_kind(r"^(arn:aws[\w-]*:kafka:[\w-]+:\d+:(?:serverless-)?cluster/.+)$")
def _cluster_arn(m):
    return ("kafka:cluster", m.group(1))
