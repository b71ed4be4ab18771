"""Kinesis Data Streams. The tagging API does not list streams: a sweeper finds them by name."""
from __future__ import annotations

from . import deleter, sweeper


@deleter("kinesis:stream", order=50)
def delete_stream(clients, name: str, extra: dict) -> None:
    # EnforceConsumerDeletion: a stream with enhanced fan-out consumers is otherwise refused.
    clients.client("kinesis").delete_stream(StreamName=name, EnforceConsumerDeletion=True)


@sweeper
def sweep_streams(clients, prefix: str):
    names = clients.client("kinesis").list_streams().get("StreamNames", [])
    return [("kinesis:stream", n) for n in names if n.startswith(prefix)]
