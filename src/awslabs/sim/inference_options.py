"""Which SageMaker inference option serves a workload, and does an endpoint configuration fit it.

SageMaker offers four ways to get predictions, each with documented limits (the values live in
``awslabs.facts``, with their pages):

- **real-time** endpoints: instances always on, lowest latency, a request and its answer within
  the InvokeEndpoint payload limit and timeout;
- **serverless** endpoints (``ServerlessConfig``): no instances to manage, memory 1024–6144 MB in
  1 GB steps, ``MaxConcurrency`` 1–200 (more concurrent requests are throttled), 4 MB payloads,
  1-minute timeout, and *cold starts* after idle periods (``ProvisionedConcurrency`` keeps some
  warm) — for intermittent traffic that tolerates them;
- **asynchronous** endpoints (``AsyncInferenceConfig``): the request is a pointer to S3, the
  answer lands in ``S3OutputPath`` and SNS announces success or error; payloads up to 1 GB,
  processing up to one hour, and the instance count can scale to zero;
- **batch transform**: no endpoint at all, a job scores a whole dataset in S3 and stops.

``recommend`` applies those limits to a workload (payload, processing time, traffic shape, need
for an answer per request); ``option_of`` reads the option back from a
``DescribeEndpointConfig`` answer; ``problems`` lists what an endpoint configuration lacks for a
workload. Pure functions: nothing here calls AWS.
"""
from __future__ import annotations

from dataclasses import dataclass

from awslabs.facts import value

REAL_TIME, SERVERLESS, ASYNC, BATCH = "real-time", "serverless", "asynchronous", "batch transform"


def _limits() -> dict:
    return {
        "realtime_payload_mb": value("sagemaker.realtime_payload_mb"),
        "realtime_timeout_s": value("sagemaker.realtime_timeout_s"),
        "serverless_memory_mb": tuple(value("sagemaker.serverless_memory_mb")),
        "serverless_max_concurrency": value("sagemaker.serverless_max_concurrency"),
        "serverless_payload_mb": value("sagemaker.serverless_payload_mb"),
        "serverless_timeout_s": value("sagemaker.serverless_timeout_s"),
        "async_payload_mb": value("sagemaker.async_payload_mb"),
        "async_timeout_s": value("sagemaker.async_timeout_s"),
    }


@dataclass(frozen=True)
class Workload:
    """What a workload needs. ``idle_periods``: traffic stops for long stretches (minutes to
    hours); ``tolerates_cold_start``: an occasional slow first answer is acceptable;
    ``online``: each request needs its own answer (False: a whole dataset is scored offline);
    ``peak_concurrency``: requests in flight at the busiest moment; ``memory_mb``: what the
    model needs in memory."""

    name: str
    payload_mb: float
    processing_s: float
    online: bool = True
    idle_periods: bool = False
    tolerates_cold_start: bool = False
    peak_concurrency: int = 1
    memory_mb: int = 1024


def recommend(w: Workload) -> str:
    """The cheapest option that meets the workload, by AWS's documented limits."""
    lim = _limits()
    if not w.online:
        return BATCH
    if w.payload_mb > lim["async_payload_mb"] or w.processing_s > lim["async_timeout_s"]:
        raise ValueError(f"{w.name}: beyond every endpoint's limits (async: {lim['async_payload_mb']} MB, "
                         f"{lim['async_timeout_s']} s): use batch transform or split the input")
    if w.payload_mb > lim["realtime_payload_mb"] or w.processing_s > lim["realtime_timeout_s"]:
        return ASYNC
    if (w.idle_periods and w.tolerates_cold_start and w.payload_mb <= lim["serverless_payload_mb"]
            and w.processing_s <= lim["serverless_timeout_s"] and w.memory_mb <= max(lim["serverless_memory_mb"])
            and w.peak_concurrency <= lim["serverless_max_concurrency"]):
        return SERVERLESS
    return REAL_TIME


def option_of(config: dict) -> str:
    """The inference option a ``DescribeEndpointConfig`` answer sets up."""
    if config.get("AsyncInferenceConfig"):
        return ASYNC
    variants = config.get("ProductionVariants") or []
    if variants and all(v.get("ServerlessConfig") for v in variants):
        return SERVERLESS
    return REAL_TIME


def problems(config: dict, w: Workload) -> list[str]:
    """What the endpoint configuration lacks for the workload (empty: it fits)."""
    lim = _limits()
    out: list[str] = []
    want, got = recommend(w), option_of(config)
    if want == BATCH:
        return [f"{w.name} is scored offline: a batch transform job, not an endpoint"]
    if got != want:
        out.append(f"{w.name} needs {want} inference, this configuration sets up {got}")
    if got == SERVERLESS:
        for v in config.get("ProductionVariants", []):
            sc = v["ServerlessConfig"]
            memory, concurrency = sc.get("MemorySizeInMB"), sc.get("MaxConcurrency", 0)
            if memory not in lim["serverless_memory_mb"]:
                out.append(f"MemorySizeInMB {memory} is not one of {lim['serverless_memory_mb']}")
            elif memory < w.memory_mb:
                out.append(f"MemorySizeInMB {memory} is less than the {w.memory_mb} MB the model needs")
            if not 1 <= concurrency <= lim["serverless_max_concurrency"]:
                out.append(f"MaxConcurrency {concurrency} is outside 1-{lim['serverless_max_concurrency']}")
            elif concurrency < w.peak_concurrency:
                out.append(f"MaxConcurrency {concurrency} throttles the peak of {w.peak_concurrency} concurrent requests")
            provisioned = sc.get("ProvisionedConcurrency")
            if provisioned is not None and provisioned > concurrency:
                out.append(f"ProvisionedConcurrency {provisioned} exceeds MaxConcurrency {concurrency}")
    if got == ASYNC:
        output = (config.get("AsyncInferenceConfig") or {}).get("OutputConfig") or {}
        if not str(output.get("S3OutputPath", "")).startswith("s3://"):
            out.append("AsyncInferenceConfig.OutputConfig.S3OutputPath is missing: answers have nowhere to go")
        topics = output.get("NotificationConfig") or {}
        for key in ("SuccessTopic", "ErrorTopic"):
            if not str(topics.get(key, "")).startswith("arn:"):
                out.append(f"NotificationConfig.{key} is missing: nobody hears about {key[:-5].lower()}es")
    return out


def throttled(concurrent_requests: int, max_concurrency: int) -> int:
    """Requests a serverless endpoint refuses (ThrottlingException) in a burst of concurrent ones."""
    return max(0, concurrent_requests - max_concurrency)


__all__ = ["Workload", "recommend", "option_of", "problems", "throttled", "REAL_TIME", "SERVERLESS", "ASYNC", "BATCH"]
