"""Kinesis Video Streams. The tagging API does not list video streams: a sweeper finds them by name."""
from __future__ import annotations

from . import deleter, sweeper


@deleter("kinesisvideo:stream", order=50)
def delete_video_stream(clients, name: str, extra: dict) -> None:
    kv = clients.client("kinesisvideo")
    arn = kv.describe_stream(StreamName=name)["StreamInfo"]["StreamARN"]  # ResourceNotFound if gone
    kv.delete_stream(StreamARN=arn)


@sweeper
def sweep_video_streams(clients, prefix: str):
    kv = clients.client("kinesisvideo")
    found, token = [], None
    while True:
        page = kv.list_streams(**({"NextToken": token} if token else {}))
        found += [("kinesisvideo:stream", s["StreamName"]) for s in page.get("StreamInfoList", [])
                  if s["StreamName"].startswith(prefix) and s.get("Status") != "DELETING"]
        token = page.get("NextToken")
        if not token:
            return found
