"""SageMaker hosting without Docker: a model artifact served through the inference contract.

A SageMaker inference container is an HTTP server that answers ``GET /ping`` (200 when healthy)
and ``POST /invocations`` (the request body in, the prediction out), on port 8080, with the
model's ``model.tar.gz`` extracted into ``/opt/ml/model``
(https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html).
The framework containers (scikit-learn, PyTorch, ...) implement that server around four functions
of the user's script, the SageMaker inference toolkit's handler contract
(https://sagemaker.readthedocs.io/en/stable/frameworks/sklearn/using_sklearn.html#deploy-a-scikit-learn-model):

- ``model_fn(model_dir)`` loads the model (required);
- ``input_fn(request_body, content_type)`` decodes the request (default: ``application/json``,
  ``text/csv``, ``application/x-npy``);
- ``predict_fn(input_data, model)`` predicts (default: ``model.predict(input_data)``);
- ``output_fn(prediction, accept)`` encodes the response (default: JSON or CSV by ``Accept``).

``ModelServer`` is that server, on ``127.0.0.1`` and an ephemeral port, in a thread of this
process (``http.server``); the user's script is imported from the extracted artifact (``code/``)
or from a path the lab gives. moto's ``invoke_endpoint`` answers every request with ``b'body'``,
so on moto and a moto server the labs send the request here and label the result ``local``;
on AWS they call ``sagemaker-runtime``.

``LocalEndpoint`` puts several variants behind one name and routes each request the way
SageMaker documents for production variants: to ``TargetVariant`` when given, otherwise at
random in proportion to the variants' weights
(https://docs.aws.amazon.com/sagemaker/latest/dg/model-ab-testing.html).
``run_transform`` is batch transform over the same server: every object under the input prefix
is split by line (``SplitType=Line``), sent in mini-batches, and the answers are written to
``<output>/<input name>.out``
(https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform.html).

``DataCapture`` writes what an endpoint with ``DataCaptureConfig`` captures: one JSON line per
sampled request with ``captureData.endpointInput`` / ``endpointOutput`` (``observedContentType``,
``mode``, ``data``, ``encoding``: CSV, JSON or BASE64) and ``eventMetadata`` (``eventId``,
``inferenceTime``), under ``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl``
(https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture.html).

Servers are meant to live inside a ``with`` block (``serve_artifact``): nothing outlives a step.
"""
from __future__ import annotations

import importlib.util
import io
import base64
import datetime as dt
import itertools
import json
import random
import uuid
import tarfile
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

_module_ids = itertools.count()


# --------------------------------------------------------------------------- default handlers
def default_input_fn(body: bytes, content_type: str):
    import numpy as np

    content_type = (content_type or "application/json").split(";")[0].strip()
    if content_type == "application/json":
        data = json.loads(body)
        if isinstance(data, dict) and "instances" in data:
            data = data["instances"]
        return np.asarray(data, dtype=float)
    if content_type == "text/csv":
        rows = [line for line in body.decode().splitlines() if line.strip()]
        return np.asarray([[float(v) for v in row.split(",")] for row in rows], dtype=float)
    if content_type == "application/x-npy":
        return np.load(io.BytesIO(body), allow_pickle=False)
    raise ValueError(f"unsupported content type {content_type}")


def default_predict_fn(data, model):
    return model.predict(data)


def default_output_fn(prediction, accept: str):
    import numpy as np

    accept = (accept or "application/json").split(";")[0].strip()
    values = np.asarray(prediction).tolist()
    if accept in ("application/json", "*/*"):
        return json.dumps(values), "application/json"
    if accept == "text/csv":
        rows = values if values and isinstance(values[0], list) else [[v] for v in values]
        return "\n".join(",".join(str(v) for v in row) for row in rows) + "\n", "text/csv"
    raise ValueError(f"unsupported accept type {accept}")


# --------------------------------------------------------------------------- the container
class ModelServer:
    """One inference container: ``/ping`` and ``/invocations`` over the user's handlers."""

    def __init__(self, model_dir: str | Path, script: str | Path | None = None):
        self.model_dir = Path(model_dir)
        self.script = Path(script) if script else self._find_script()
        self.module = None
        self.model = None
        self.load_error: str | None = None
        self.requests = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _find_script(self) -> Path | None:
        # The framework containers look for the entry point in the artifact's code/ folder.
        for candidate in sorted((self.model_dir / "code").glob("*.py")):
            return candidate
        return None

    def _load(self) -> None:
        if self.script is None:
            raise ValueError(f"no inference script: pass one or put code/<script>.py in {self.model_dir}")
        spec = importlib.util.spec_from_file_location(f"_sm_inference_{next(_module_ids)}", self.script)
        module = importlib.util.module_from_spec(spec)
        assert spec.loader is not None
        spec.loader.exec_module(module)
        if not hasattr(module, "model_fn"):
            raise ValueError(f"{self.script.name} defines no model_fn(model_dir)")
        self.module = module
        self.model = module.model_fn(str(self.model_dir))

    def handle(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        mod = self.module
        data = getattr(mod, "input_fn", default_input_fn)(body, content_type)
        prediction = getattr(mod, "predict_fn", default_predict_fn)(data, self.model)
        out = getattr(mod, "output_fn", default_output_fn)(prediction, accept)
        payload, ctype = out if isinstance(out, tuple) else (out, accept)
        self.requests += 1
        return (payload.encode() if isinstance(payload, str) else bytes(payload)), ctype

    # -- HTTP --------------------------------------------------------------------------------
    def start(self) -> str:
        try:
            self._load()
        except Exception as err:  # noqa: BLE001 - an unhealthy container answers /ping with 500
            self.load_error = f"{type(err).__name__}: {err}"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # no stderr noise in a lab run
                pass

            def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/ping":
                    if server.load_error:
                        self._reply(500, server.load_error.encode(), "text/plain")
                    else:
                        self._reply(200, b"")
                elif self.path == "/execution-parameters":
                    params = {"MaxConcurrentTransforms": 1, "BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": 6}
                    self._reply(200, json.dumps(params).encode())
                else:
                    self._reply(404, b"not found", "text/plain")

            def do_POST(self):
                if self.path != "/invocations":
                    self._reply(404, b"not found", "text/plain")
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if server.load_error:
                    self._reply(500, server.load_error.encode(), "text/plain")
                    return
                try:
                    payload, ctype = server.handle(body, self.headers.get("Content-Type", "application/json"),
                                                   self.headers.get("Accept", "application/json"))
                except Exception as err:  # noqa: BLE001 - the runtime reports a ModelError
                    self._reply(500, f"{type(err).__name__}: {err}".encode(), "text/plain")
                    return
                self._reply(200, payload, ctype)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # -- a client, as sagemaker-runtime would call the container -----------------------------
    def ping(self) -> int:
        try:
            with urllib.request.urlopen(f"{self.url}/ping", timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    def invoke(self, body: bytes | str, content_type: str = "application/json",
               accept: str = "application/json") -> tuple[int, bytes, str]:
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(f"{self.url}/invocations", data=data, method="POST",
                                         headers={"Content-Type": content_type, "Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            return err.code, err.read(), err.headers.get("Content-Type", "")


# --------------------------------------------------------------------------- artifacts
def extract_artifact(s3, model_data_url: str, dest: str | Path) -> Path:
    """Download ``model.tar.gz`` and extract it into ``dest`` (what SageMaker puts in /opt/ml/model)."""
    if not model_data_url.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {model_data_url!r}")
    bucket, _, key = model_data_url[5:].partition("/")
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")
    return dest


@contextmanager
def serve_artifact(s3, model_data_url: str, dest: str | Path, script: str | Path | None = None) -> Iterator[ModelServer]:
    """Extract the artifact, start a server on loopback, yield it, always stop it."""
    server = ModelServer(extract_artifact(s3, model_data_url, dest), script)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- variants
@dataclass
class Invocation:
    variant: str
    status: int
    body: bytes
    content_type: str


def _capture_entry(mode: str, content_type: str, data: bytes) -> dict:
    ctype = (content_type or "").split(";")[0].strip()
    if ctype == "text/csv":
        return {"observedContentType": content_type, "mode": mode, "data": data.decode(), "encoding": "CSV"}
    if ctype == "application/json":
        return {"observedContentType": content_type, "mode": mode, "data": data.decode(), "encoding": "JSON"}
    return {"observedContentType": content_type, "mode": mode, "data": base64.b64encode(data).decode(),
            "encoding": "BASE64"}


class DataCapture:
    """Buffers captured requests per variant and writes them as JSON Lines to S3 on ``flush``."""

    def __init__(self, s3, config: dict, endpoint_name: str, seed: int = 0):
        self.s3, self.endpoint = s3, endpoint_name
        self.enabled = config.get("EnableCapture", True)
        self.percentage = float(config.get("InitialSamplingPercentage", 100))
        modes = {o["CaptureMode"] for o in config.get("CaptureOptions", [])}
        self.capture_input = bool(modes & {"Input", "InputAndOutput"})
        self.capture_output = bool(modes & {"Output", "InputAndOutput"})
        self.bucket, _, self.prefix = config["DestinationS3Uri"][5:].partition("/")
        self.rng = random.Random(seed)
        self.pending: dict[str, list[str]] = {}
        self.written: list[str] = []

    def record(self, variant: str, request: bytes, content_type: str, response: bytes, response_type: str) -> None:
        if not self.enabled or self.rng.uniform(0, 100) >= self.percentage:
            return
        capture = {}
        if self.capture_input:
            capture["endpointInput"] = _capture_entry("INPUT", content_type, request)
        if self.capture_output:
            capture["endpointOutput"] = _capture_entry("OUTPUT", response_type, response)
        now = dt.datetime.now(dt.timezone.utc)
        line = {"captureData": capture,
                "eventMetadata": {"eventId": str(uuid.uuid4()), "inferenceTime": now.strftime("%Y-%m-%dT%H:%M:%SZ")},
                "eventVersion": "0"}
        self.pending.setdefault(variant, []).append(json.dumps(line))

    def flush(self) -> list[str]:
        now = dt.datetime.now(dt.timezone.utc)
        for variant, lines in self.pending.items():
            if not lines:
                continue
            key = "/".join(p for p in (self.prefix.strip("/"), self.endpoint, variant, now.strftime("%Y/%m/%d/%H"),
                                       f"{now.strftime('%M-%S-%f')}-{uuid.uuid4().hex[:8]}.jsonl") if p)
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=("\n".join(lines) + "\n").encode())
            self.written.append(f"s3://{self.bucket}/{key}")
        self.pending = {}
        return self.written


class LocalEndpoint:
    """Production variants behind one endpoint name, routed by weight or ``TargetVariant``."""

    def __init__(self, variants: dict[str, tuple[ModelServer, float]], seed: int = 0,
                 capture: DataCapture | None = None):
        if not variants:
            raise ValueError("an endpoint needs at least one production variant")
        self.variants = dict(variants)
        self.rng = random.Random(seed)
        self.capture = capture

    def set_weights(self, weights: dict[str, float]) -> None:
        """``UpdateEndpointWeightsAndCapacities``: new weights, same servers."""
        for name, weight in weights.items():
            server, _ = self.variants[name]
            self.variants[name] = (server, float(weight))

    def choose(self, target_variant: str | None = None) -> str:
        if target_variant:
            if target_variant not in self.variants:
                raise KeyError(f"no production variant {target_variant!r}")
            return target_variant
        names = list(self.variants)
        weights = [self.variants[n][1] for n in names]
        if sum(weights) <= 0:
            raise ValueError("all variant weights are zero: nothing can receive traffic")
        return self.rng.choices(names, weights=weights, k=1)[0]

    def invoke(self, body: bytes | str, content_type: str = "application/json", accept: str = "application/json",
               target_variant: str | None = None) -> Invocation:
        name = self.choose(target_variant)
        data = body.encode() if isinstance(body, str) else body
        status, payload, ctype = self.variants[name][0].invoke(data, content_type, accept)
        if self.capture is not None and status == 200:
            self.capture.record(name, data, content_type, payload, ctype)
        return Invocation(name, status, payload, ctype)


# --------------------------------------------------------------------------- batch transform
def run_transform(s3, server: ModelServer, input_uri: str, output_uri: str, *, content_type: str = "text/csv",
                  accept: str = "text/csv", records_per_batch: int = 100) -> dict[str, Any]:
    """Batch transform: ``SplitType=Line``, ``BatchStrategy=MultiRecord``, ``AssembleWith=Line``.
    Returns counts; writes ``<output_uri>/<name>.out`` for every input object."""
    in_bucket, in_prefix = input_uri[5:].partition("/")[::2]
    out_bucket, out_prefix = output_uri[5:].partition("/")[::2]
    written, records = [], 0
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=in_bucket, Prefix=in_prefix):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith("/"):
                continue
            lines = [ln for ln in s3.get_object(Bucket=in_bucket, Key=obj["Key"])["Body"].read().decode().splitlines()
                     if ln.strip()]
            answers: list[str] = []
            for start in range(0, len(lines), records_per_batch):
                batch = "\n".join(lines[start:start + records_per_batch]) + "\n"
                status, payload, _ = server.invoke(batch, content_type, accept)
                if status != 200:
                    raise RuntimeError(f"transform of {obj['Key']} failed: {status} {payload[:200]!r}")
                answers.append(payload.decode().rstrip("\n"))
            records += len(lines)
            name = obj["Key"][len(in_prefix):].lstrip("/") or obj["Key"].rsplit("/", 1)[-1]
            key = f"{out_prefix.rstrip('/')}/{name}.out".lstrip("/")
            s3.put_object(Bucket=out_bucket, Key=key, Body=("\n".join(answers) + "\n").encode())
            written.append(f"s3://{out_bucket}/{key}")
    return {"outputs": written, "records": records}


__all__ = ["ModelServer", "LocalEndpoint", "DataCapture", "Invocation", "serve_artifact", "extract_artifact", "run_transform",
           "default_input_fn", "default_predict_fn", "default_output_fn"]
