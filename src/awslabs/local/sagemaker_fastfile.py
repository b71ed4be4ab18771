"""Bootstrap that runs a SageMaker entry point under the local runner's file layer.

Run by ``awslabs.local.sagemaker_runner`` *by file path* (``python sagemaker_fastfile.py
<config.json> <script> [args...]``) so that the child process never imports the awslabs package:
it only needs the standard library, plus boto3 the first time a FastFile object is read.

What it adds to the child process before the entry point runs (with ``runpy``, as ``__main__``):

- **FastFile mode.** SageMaker mounts a FastFile channel as a read-only POSIX view of the S3
  prefix and streams an object's bytes when the algorithm reads it
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-access-training-data.html). Docker-free
  and FUSE-free, the runner lays out every object as a *sparse placeholder* of its real size (so
  ``os.listdir``, ``glob`` and ``os.stat`` see the real folder view) and this bootstrap wraps
  ``open`` / ``io.open`` / ``os.open``: the first open of a placeholder fetches the object from S3
  (the target's endpoint, from the environment), writes it in place, then opens it. Readers that
  bypass Python's ``open`` (pyarrow's C++ file system, ``mmap`` of an unopened file) would see the
  zero-filled placeholder; the lab scripts read through ``open``.
- **A first-open probe** for every channel in every mode: the wall-clock time at which the
  script first opened something under a channel (for Pipe, when the FIFO open returned), so the
  runner can report time-to-first-record the same way for File, FastFile and Pipe.

Both are written as JSON lines to the stats file named in the config; the runner reads them after
the process exits.
"""
from __future__ import annotations

import builtins
import io
import json
import os
import runpy
import sys
import threading
import time

_lock = threading.Lock()


def _install(config: dict) -> None:
    lazy: dict[str, dict] = {os.path.realpath(p): o for p, o in config.get("lazy", {}).items()}
    channels: dict[str, str] = config.get("channels", {})  # channel name -> directory (or pipe prefix)
    stats_path = config["stats"]
    seen_channels: set[str] = set()
    s3_holder: list = []
    real_open = builtins.open
    real_os_open = os.open

    def record(event: dict) -> None:
        with real_open(stats_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\n")

    def channel_of(real: str) -> str | None:
        for name, prefix in channels.items():
            if real == prefix or real.startswith(prefix + os.sep) or real.startswith(prefix + "_"):
                return name
        return None

    def fetch(real: str) -> None:
        obj = lazy.get(real)
        if obj is None:
            return
        with _lock:
            if real not in lazy:
                return
            if not s3_holder:
                import boto3  # only when a FastFile object is first read

                s3_holder.append(boto3.client("s3"))
            started = time.time()
            body = s3_holder[0].get_object(Bucket=obj["bucket"], Key=obj["key"])["Body"].read()
            tmp = real + ".fetching"
            with real_open(tmp, "wb") as fh:
                fh.write(body)
            os.replace(tmp, real)
            del lazy[real]
            record({"event": "fetch", "path": real, "bytes": len(body), "seconds": time.time() - started,
                    "at": time.time()})

    def before_open(path) -> None:
        if isinstance(path, int):
            return
        try:
            real = os.path.realpath(os.fspath(path))
        except TypeError:
            return
        if real in lazy:
            fetch(real)
        name = channel_of(real)
        if name is not None and name not in seen_channels:
            seen_channels.add(name)
            return name
        return None

    def patched_open(file, *args, **kwargs):
        first = before_open(file)
        handle = real_open(file, *args, **kwargs)
        if first:
            record({"event": "first-open", "channel": first, "at": time.time()})
        return handle

    def patched_os_open(path, *args, **kwargs):
        first = before_open(path)
        fd = real_os_open(path, *args, **kwargs)
        if first:
            record({"event": "first-open", "channel": first, "at": time.time()})
        return fd

    builtins.open = patched_open
    io.open = patched_open
    os.open = patched_os_open


def main() -> None:
    config_path, script, *args = sys.argv[1:]
    with open(config_path, encoding="utf-8") as fh:
        config = json.load(fh)
    _install(config)
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
