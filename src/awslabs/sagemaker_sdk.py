"""The SageMaker Python SDK (3.x) pointed at a lab's target — every emulator workaround in one place.

``sdk_session(ctx, default_bucket)`` returns a ``sagemaker.core.helper.session_helper.Session``
whose boto3 session reaches the same place as ``ctx.client()``: the in-process moto mock (a
plain boto3 session with the fake credentials is intercepted by the active mock), a moto server
(every client and resource the SDK creates gets the target's ``endpoint_url``), or the real
account (the target's own credentials). The SDK is imported here, inside functions, never when
``awslabs`` is imported: it takes ~2 s to import and ``awslabs list`` must stay instant.

What is set, and why (measured with sagemaker 3.27, sagemaker-core 2.27, moto 5.2.5; see
``shared/reference/sagemaker-sdk.md``):

- ``AWS_EC2_METADATA_DISABLED=true`` off AWS: otherwise boto's credential chain may probe the
  instance-metadata endpoint (a network timeout) when the SDK builds a session of its own.
- ``SAGEMAKER_VALIDATE_ROLE=false`` off AWS: building a ``ModelTrainer`` validates the role with
  ``iam:SimulatePrincipalPolicy``, which moto does not implement (a raw ``NotImplementedError``).
  On AWS the validation runs, as it should.
- **telemetry opt-out**: ``train``/``deploy`` send a usage GET to an S3 URL; a config YAML with
  ``SageMaker.PythonSDK.Modules.TelemetryOptOut: true`` is written once and named in
  ``SAGEMAKER_USER_CONFIG_OVERRIDE`` (the SDK's documented user-config override). An existing
  override is left alone.
- **config validated once**: with any config file in play the SDK re-validates the whole
  config against its JSON schema on *every* lookup (``jsonschema.validate`` re-checks the schema
  each time: ~0.3 s, nine lookups per ``train``); ``SageMakerConfig.validate_sagemaker_config`` is
  wrapped so that a config already found valid is not validated again (same result, ~2 s saved
  per job on a 2-core machine).
- **empty dicts dropped**: moto answers ``"VpcConfig": {}`` / ``"DataCaptureConfig": {}``, which
  sagemaker-core's pydantic shapes reject; an ``after-call.sagemaker`` handler removes empty
  dicts from responses. It is registered on the boto3 session *before any client exists*,
  because sagemaker-core caches clients per session and a client only sees the handlers its
  session had when it was made.
- **requests captured**: a ``before-parameter-build.sagemaker.CreateTrainingJob`` handler keeps
  each request the SDK sends (``captured_requests(session)``). moto replaces a job's
  ``MetricDefinitions`` with a canned one and drops its ``Environment``, so the local runner runs
  the request the SDK really sent.
- **unique job names**: ``base_job_name(ctx, stem)`` (``awslabs-<lab>-<run>-<stem>``, at most 48
  characters, to which the SDK appends ``-<yyyymmddHHMMSS>``): the SDK's default names have
  one-second resolution, moto silently overwrites a duplicate job, AWS rejects one.
- **default bucket**: the lab's own bucket, so the SDK never creates ``sagemaker-<region>-<account>``
  (an untracked resource).
- **no SDK sleeps on moto**: labs call ``train(wait=False)`` and poll ``describe_*`` themselves (moto
  is ``Completed`` / ``InService`` at once; on AWS they wait with boto3 waiters), so the SDK's
  fixed 5 s / 30 s polling sleeps are never paid.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_TELEMETRY_YAML = "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"


SDK_REQUIREMENT = "sagemaker>=3,<4"


def require_sdk() -> None:
    """Fail the step with an instruction, not a traceback, when the SDK is not installed."""
    import importlib.util

    if importlib.util.find_spec("sagemaker") is None or importlib.util.find_spec("sagemaker.train") is None:
        from .lab import StepFailed

        raise StepFailed(f"this lab drives SageMaker through the SageMaker Python SDK 3.x: "
                         f"pip install '{SDK_REQUIREMENT}'")


def prepare_environment(on_aws: bool) -> None:
    """Process-wide settings the SDK reads at import/session time (idempotent)."""
    with _lock:
        if not on_aws:
            os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
            os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")
        os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
        if "SAGEMAKER_USER_CONFIG_OVERRIDE" not in os.environ:
            path = Path(tempfile.gettempdir()) / "awslabs-sagemaker-sdk-config.yaml"
            path.write_text(_TELEMETRY_YAML)
            os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"] = str(path)


_validated: set[str] = set()


def _memoise_config_validation() -> None:
    import json

    from sagemaker.core.config.config_manager import SageMakerConfig

    original = SageMakerConfig.validate_sagemaker_config
    if getattr(original, "_awslabs_memoised", False):
        return

    def validate(sagemaker_config=None):
        key = json.dumps(sagemaker_config, sort_keys=True, default=str)
        if key not in _validated:
            original(sagemaker_config)  # raises when invalid: nothing is remembered then
            _validated.add(key)

    validate._awslabs_memoised = True
    SageMakerConfig.validate_sagemaker_config = staticmethod(validate)


def _drop_empty_dicts(parsed: Any, **_: Any) -> None:
    if isinstance(parsed, dict):
        for key in [k for k, v in parsed.items() if isinstance(v, dict) and not v and k != "ResponseMetadata"]:
            del parsed[key]


def boto3_session_for(target):
    """A fresh boto3 session that reaches ``target`` (never the target's own session: the SDK's
    event handlers must not leak into the clients of ``ctx.client``)."""
    import boto3

    endpoint = getattr(target, "endpoint_url", None)
    if target.name == "aws":
        creds = target.boto3_session().get_credentials().get_frozen_credentials()
        kwargs = {"aws_access_key_id": creds.access_key, "aws_secret_access_key": creds.secret_key,
                  "aws_session_token": creds.token}
    else:
        from .targets import FAKE_CREDENTIALS

        kwargs = dict(FAKE_CREDENTIALS)

    from botocore.config import Config

    # AWS_ENDPOINT_URL (exported for practice) must not redirect in-process moto or real AWS
    ignore_env = Config(ignore_configured_endpoint_urls=True)

    def _with_target(kw: dict) -> dict:
        if endpoint:
            kw.setdefault("endpoint_url", endpoint)
        kw["config"] = kw["config"].merge(ignore_env) if kw.get("config") else ignore_env
        return kw

    class _EndpointSession(boto3.session.Session):
        """Every client/resource made from this session goes to the target's endpoint."""

        def client(self, *args, **kw):
            return super().client(*args, **_with_target(kw))

        def resource(self, *args, **kw):
            return super().resource(*args, **_with_target(kw))

    return _EndpointSession(region_name=target.region, **kwargs)


def sdk_session(ctx, default_bucket: str):
    """A SageMaker SDK session for the lab's target, with the workarounds above applied."""
    require_sdk()
    prepare_environment(ctx.on_aws)
    boto_session = boto3_session_for(ctx.target)
    captured: dict[str, dict] = {}

    def capture(params: dict, **_: Any) -> None:
        captured[params.get("TrainingJobName", "")] = dict(params)

    events = boto_session.events
    events.register("after-call.sagemaker", lambda parsed=None, **kw: _drop_empty_dicts(parsed))
    events.register("before-parameter-build.sagemaker.CreateTrainingJob", capture)
    from sagemaker.core.helper.session_helper import Session

    with _lock:
        _memoise_config_validation()
    session = Session(boto_session=boto_session, default_bucket=default_bucket)
    session._awslabs_captured = captured  # noqa: SLF001 - read by captured_requests()
    return session


def pipeline_session(ctx, default_bucket: str):
    """A ``PipelineSession`` for the lab's target (SageMaker Pipelines): under it, ``processor.run``,
    ``trainer.train`` and ``ModelBuilder.register`` start nothing and return step arguments. Same
    workarounds as ``sdk_session`` (environment, empty dicts dropped, config validated once)."""
    require_sdk()
    prepare_environment(ctx.on_aws)
    # The pipeline classes import sagemaker.ai_registry, whose AIRHub class makes a
    # boto3.client("sagemaker") at import time (sagemaker 3.27): without a default region that
    # raises NoRegionError. The client is never used by the lab; the region only lets it be built.
    os.environ.setdefault("AWS_DEFAULT_REGION", ctx.region)
    boto_session = boto3_session_for(ctx.target)
    boto_session.events.register("after-call.sagemaker", lambda parsed=None, **kw: _drop_empty_dicts(parsed))
    from sagemaker.core.workflow.pipeline_context import PipelineSession

    with _lock:
        _memoise_config_validation()
    return PipelineSession(boto_session=boto_session, default_bucket=default_bucket)


def captured_requests(session) -> dict[str, dict]:
    """``CreateTrainingJob`` requests sent through ``session``, by job name."""
    return getattr(session, "_awslabs_captured", {})


def base_job_name(ctx, stem: str) -> str:
    """The ``base_job_name`` for a job of this run: with the SDK's 15-character timestamp suffix
    the name stays within the 63 characters of ``TrainingJobName``."""
    return ctx.name(stem, max_len=48)


__all__ = ["require_sdk", "sdk_session", "pipeline_session", "boto3_session_for", "prepare_environment", "captured_requests", "base_job_name"]
