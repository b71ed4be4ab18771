"""Amazon Data Firehose delivery streams (the tagging API lists them)."""
from __future__ import annotations

from . import arn_kind, deleter


@deleter("firehose:delivery-stream", order=40)
def delete_delivery_stream(clients, name: str, extra: dict) -> None:
    # Before the destination bucket (order 90): a stream still delivering would refill it.
    clients.client("firehose").delete_delivery_stream(DeliveryStreamName=name)


@arn_kind(r"^arn:aws[\w-]*:firehose:[\w-]+:\d+:deliverystream/(.+)$")
def _delivery_stream_arn(m):
    return ("firehose:delivery-stream", m.group(1))
