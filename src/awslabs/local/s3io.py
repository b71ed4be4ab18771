"""Moving objects between the emulated (or real) S3 and the local scratch folder.

The runners read data the way the services do: every object under a prefix, except the files
that Hive-style engines ignore. Athena, Glue and Spark skip objects whose name starts with ``_``
or ``.`` (``_SUCCESS``, ``_temporary/``, ``.hidden``) and zero-byte "folder" markers
(https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html).
"""
from __future__ import annotations

from pathlib import Path


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b/`` -> ``("bucket", "a/b/")``."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def join_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


def is_data_key(relative: str) -> bool:
    """False for folder markers and for names Hive-style readers skip (``_*``, ``.*``)."""
    if not relative or relative.endswith("/"):
        return False
    return not any(part.startswith(("_", ".")) for part in relative.split("/"))


def list_objects(s3, uri: str) -> list[dict]:
    """Every object under ``uri`` (a prefix), with Key, Size, LastModified, ETag."""
    bucket, prefix = split_uri(uri)
    found: list[dict] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found += page.get("Contents", [])
    return found


def list_data_objects(s3, uri: str) -> list[dict]:
    """Objects under ``uri`` a Hive-style reader would read; each gets a ``Relative`` path."""
    bucket, prefix = split_uri(uri)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    out = []
    for obj in list_objects(s3, join_uri(bucket, prefix)):
        relative = obj["Key"][len(prefix) :]
        if is_data_key(relative) and obj.get("Size", 1) > 0:
            out.append({**obj, "Relative": relative, "Bucket": bucket})
    return out


def download_prefix(s3, uri: str, dest: Path) -> list[Path]:
    """Download the data objects under ``uri`` into ``dest``, keeping their relative paths."""
    dest = Path(dest)
    paths = []
    for obj in list_data_objects(s3, uri):
        path = dest / obj["Relative"]
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(obj["Bucket"], obj["Key"], str(path))
        paths.append(path)
    return paths


def write_object(s3, uri: str, body: bytes, content_type: str | None = None) -> str:
    bucket, key = split_uri(uri)
    extra = {"ContentType": content_type} if content_type else {}
    s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
    return uri
