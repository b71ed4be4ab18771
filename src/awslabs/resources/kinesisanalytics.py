"""Kinesis Data Analytics v2 = Amazon Managed Service for Apache Flink applications.

moto 5.2.5 stores these applications but implements neither ``DeleteApplication`` nor
``UntagResource``: an application created on moto stays in the emulator's memory until it
restarts. That is an emulator limit, not a leak, and it is reported as such:

- on AWS the deleter really deletes (``DeleteApplication`` needs the ``CreateTimestamp``);
- when the emulator answers "not implemented", the deleter returns a note (the cleanup report
  lists it under ``notes``, not as deleted or left over), remembers its ARN in ``EMULATOR_KEPT``,
  and the tag sweep does not report those ARNs again in this process.
"""
from __future__ import annotations

from . import arn_kind, deleter

EMULATOR_KEPT: set[str] = set()  # ARNs the emulator refused to delete (NotImplemented)


def emulator_cannot(err: Exception) -> bool:
    """True when the target does not implement the call: moto in-process raises
    ``NotImplementedError``; a moto server answers 404 "Not yet implemented"."""
    if isinstance(err, NotImplementedError):
        return True
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return False
    error = response.get("Error", {})
    text = f"{error.get('Code', '')} {error.get('Message', '')}".lower()
    return "not yet implemented" in text or "has not been implemented" in text


def _find(kda, name: str) -> dict | None:
    # Listing, not DescribeApplication: moto answers an unknown name with a raw KeyError.
    kwargs: dict = {}
    while True:
        page = kda.list_applications(**kwargs)
        for app in page.get("ApplicationSummaries", []):
            if app["ApplicationName"] == name:
                return app
        if not page.get("NextToken"):
            return None
        kwargs = {"NextToken": page["NextToken"]}


@deleter("kinesisanalyticsv2:application", order=40)
def delete_application(clients, name: str, extra: dict) -> str | None:
    kda = clients.client("kinesisanalyticsv2")
    app = _find(kda, name)
    if app is None:
        return  # already gone
    created = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["CreateTimestamp"]
    try:
        kda.delete_application(ApplicationName=name, CreateTimestamp=created)
    except Exception as err:  # noqa: BLE001 - only "not implemented" is tolerated
        on_emulator = getattr(clients, "name", "aws") in ("moto", "server")
        status = (getattr(err, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
        # A moto server turns the NotImplementedError into a bare HTTP 500 page.
        if not (emulator_cannot(err) or (on_emulator and status in (404, 500, 501))):
            raise
        EMULATOR_KEPT.add(app["ApplicationARN"])
        return (
            f"emulator limit: {getattr(clients, 'name', 'the emulator')} cannot delete Kinesis Data "
            "Analytics applications; it stays in the emulator's memory until the emulator restarts "
            "(on AWS it is deleted)"
        )


@arn_kind(r"^arn:aws[\w-]*:kinesisanalytics:[\w-]+:\d+:application/(.+)$")
def _application_arn(m):
    if m.group(0) in EMULATOR_KEPT:
        return None  # reported once by the deleter as an emulator limit
    return ("kinesisanalyticsv2:application", m.group(1))
