"""The record-transformation Lambda of the kinesis-firehose lab (deployed as-is on AWS).

Firehose calls ``handler`` with a batch of records; every record must come back with the same
``recordId``, a ``result`` (``Ok``, ``Dropped`` or ``ProcessingFailed``) and base64 ``data``
(https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html).
"""
import base64
import json


def transform(record: dict) -> dict:
    """Normalise one click event; raise ValueError for a record that cannot be parsed."""
    event = json.loads(record)
    return {
        "user": str(event["user"]).lower(),
        "page": event["page"],
        "ms": int(event["ms"]),
        "ts": event["ts"],
    }


def handler(event, context):
    out = []
    for record in event["records"]:
        raw = base64.b64decode(record["data"])
        try:
            parsed = json.loads(raw)
            if parsed.get("agent") == "bot":
                out.append({"recordId": record["recordId"], "result": "Dropped", "data": record["data"]})
                continue
            body = json.dumps(transform(raw)).encode()
            out.append({"recordId": record["recordId"], "result": "Ok", "data": base64.b64encode(body).decode()})
        except (ValueError, KeyError, TypeError):
            out.append({"recordId": record["recordId"], "result": "ProcessingFailed", "data": record["data"]})
    return {"records": out}
