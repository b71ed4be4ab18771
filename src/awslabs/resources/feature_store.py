"""SageMaker Feature Store feature groups: the real ones on AWS, the local runner's off AWS
(``awslabs.local.feature_store`` keeps them in the emulator's S3). The ledger entry says which
(``extra["local"]``). Like the service, deleting a group keeps its offline store files (they go
with the lab's bucket) and its Glue table (tracked as its own ``glue:table``)."""
from __future__ import annotations

from . import arn_kind, deleter


@deleter("sagemaker:feature-group", order=25)
def delete_feature_group(clients, name: str, extra: dict) -> None:
    if not extra.get("local"):
        clients.client("sagemaker").delete_feature_group(FeatureGroupName=name)
        return
    from ..local.feature_store import LocalFeatureStore

    store = LocalFeatureStore(clients.client("s3"), clients.client("glue"), extra["account"], extra["region"])
    try:
        store.delete_feature_group(FeatureGroupName=name)
    except Exception as err:  # noqa: BLE001 - already gone counts as deleted
        if getattr(err, "response", {}).get("Error", {}).get("Code") != "ResourceNotFound":
            raise


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:feature-group/(.+)$")
def _feature_group_arn(m):  # only real feature groups are tagged (the tagging API of AWS)
    return ("sagemaker:feature-group", m.group(1))
