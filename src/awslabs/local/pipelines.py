"""A SageMaker Pipelines executor without SageMaker: the pipeline definition JSON, interpreted locally.

moto stores a pipeline (``CreatePipeline`` / ``DescribePipeline``) and starts executions
(``StartPipelineExecution``), but runs nothing: the execution never leaves ``Executing``, no job
is created, and ``ListPipelineExecutionSteps`` is not implemented. This module does what the
Pipelines service does with the definition (``DescribePipeline``'s ``PipelineDefinition``, schema
https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/):

1. **Order**: a step runs after every step it references (``{"Get": "Steps.<name>..."}``,
   ``Std:JsonGet`` property files) and every step in its ``DependsOn``; steps inside a
   ``Condition`` step's ``IfSteps`` / ``ElseSteps`` run only on that branch
   (https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps.html).
2. **Expressions**: ``Parameters.<name>`` (the execution's values over the defaults),
   ``Execution.PipelineExecutionId`` / ``PipelineExecutionArn`` / ``PipelineName``,
   ``Steps.<name>.<property path>`` (the step's properties, i.e. its job's ``Describe*`` response
   shape), ``Std:Join`` and ``Std:JsonGet`` (a value read from a processing step's property file)
   (https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-propertyfile.html).
3. **Step types**:
   - ``Processing``: a processing job (created through the API, so it is on the target) run by
     :class:`ProcessingRunner`, which honours the processing container contract: each
     ``ProcessingInputs[].S3Input`` is downloaded from S3 into its ``LocalPath`` before the
     start, the ``AppSpecification`` entrypoint and arguments run as a local process, and each
     ``ProcessingOutputConfig.Outputs[].S3Output.LocalPath`` is uploaded to its ``S3Uri`` at the
     end (``EndOfJob``) (https://docs.aws.amazon.com/sagemaker/latest/dg/build-your-own-processing-container.html).
     ``/opt/ml/processing`` is a temp folder: paths under it in the entrypoint and arguments are
     rewritten, so a script that finds its data relative to its own location (the code input is
     ``/opt/ml/processing/input/code``) sees the same tree as in the container.
   - ``Training``: a training job created through the API and run by the training runner
     (``sagemaker_runner``), which writes ``model.tar.gz`` to the job's output path.
   - ``Condition``: ``Equals``, ``GreaterThan(OrEqualTo)``, ``LessThan(OrEqualTo)``, ``In``,
     ``Not``, ``Or`` (all conditions of the list must hold), outcome ``True`` / ``False``.
   - ``RegisterModel``: ``CreateModelPackage`` with the step's arguments (a version in the group).
   - ``Fail``: the execution fails with the step's ``ErrorMessage``.
4. **Caching** (``CacheConfig``, https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-caching.html):
   a step with ``Enabled: true`` is not run again when an earlier *successful* run of the same
   step of the same pipeline, within ``ExpireAfter`` (ISO 8601 duration), had the same cache key;
   its properties are those of that run and the step carries ``CacheHitResult``
   (``SourcePipelineExecutionArn``). The key is the step's documented attributes
   (https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-default-keys.html): Processing —
   ``AppSpecification``, ``Environment``, ``ProcessingInputs``; Training —
   ``AlgorithmSpecification``, ``CheckpointConfig``, ``DebugHookConfig``,
   ``DebugRuleConfigurations``, ``Environment``, ``HyperParameters``, ``InputDataConfig``.
5. **Records**: what ``ListPipelineExecutionSteps`` and ``DescribePipelineExecution`` would
   answer is written to S3 under the pipeline's prefix,
   ``s3://<bucket>/<pipeline>/executions/<execution id>.json`` (``PipelineExecutionStatus``,
   ``PipelineExecutionSteps`` in the API's shape, plus each step's resolved ``Properties``), so a
   check — or a learner — reads it from the target. An execution already recorded is not run
   again: ``run_pending`` is idempotent.

Not honoured: retries, parallelism limits, ``Lambda``/``Callback``/``Transform``/``Tuning``/
``EMR`` steps (a step of another type fails the execution with a message), multi-instance jobs,
``Continuous`` upload mode (uploaded at the end), and moto's own execution status (it stays as
moto has it; the record carries the real outcome).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

PROCESSING_ROOT = "/opt/ml/processing"
CACHE_KEYS = {
    "Processing": ("AppSpecification", "Environment", "ProcessingInputs"),
    "Training": ("AlgorithmSpecification", "CheckpointConfig", "DebugHookConfig", "DebugRuleConfigurations",
                 "Environment", "HyperParameters", "InputDataConfig"),
}
SUPPORTED_STEP_TYPES = ("Processing", "Training", "Condition", "RegisterModel", "Fail")


class PipelineError(Exception):
    """A step failed; the message is the step's FailureReason."""


# ------------------------------------------------------------------------------------------ helpers
def split_s3_uri(uri: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def parse_duration(text: str) -> dt.timedelta:
    """An ISO 8601 duration as CacheConfig's ExpireAfter takes it (``P30D``, ``PT1H``, ``P1Y2M``,
    the documentation's short forms ``30d`` and ``T16m``). Months are 30 days, years 365."""
    if not text:
        raise ValueError("empty duration")
    body = text.strip().upper()
    body = body[1:] if body.startswith("P") else body
    date_part, _, time_part = body.partition("T")
    units = {"Y": 365 * 86400, "M": 30 * 86400, "W": 7 * 86400, "D": 86400}
    seconds = 0.0
    for part, table in ((date_part, units), (time_part, {"H": 3600, "M": 60, "S": 1})):
        pos = 0
        for match in re.finditer(r"(\d+(?:\.\d+)?)([A-Z])", part):
            if match.start() != pos or match.group(2) not in table:
                raise ValueError(f"not an ISO 8601 duration: {text!r}")
            seconds += float(match.group(1)) * table[match.group(2)]
            pos = match.end()
        if pos != len(part):
            raise ValueError(f"not an ISO 8601 duration: {text!r}")
    if seconds <= 0:
        raise ValueError(f"not a positive duration: {text!r}")
    return dt.timedelta(seconds=seconds)


def _get_path(obj: Any, path: str) -> Any:
    """``ModelArtifacts.S3ModelArtifacts`` / ``ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri``
    / ``FinalMetricDataList['acc'].Value`` (a list indexed by its name-like key, or by number)."""
    for token in re.findall(r"[^.\[\]]+|\[[^\]]*\]", path):
        if token.startswith("["):
            key = token[1:-1].strip("'\"")
            if isinstance(obj, list):
                if key.isdigit():
                    obj = obj[int(key)]
                    continue
                named = [item for item in obj if isinstance(item, dict) and key in (
                    item.get("OutputName"), item.get("ChannelName"), item.get("MetricName"), item.get("Name"))]
                if not named:
                    raise KeyError(f"no item named {key!r}")
                obj = named[0]
            else:
                obj = obj[key]
        else:
            obj = obj[token]
    return obj


def json_get(document: Any, path: str) -> Any:
    """``Std:JsonGet``'s path (``metrics.accuracy.value``, ``a.b[0].c``) into a JSON document."""
    return _get_path(document, path)


def references(expr: Any) -> set[str]:
    """The step names an expression refers to (``Steps.<name>...``)."""
    found: set[str] = set()
    if isinstance(expr, dict):
        get = expr.get("Get")
        if isinstance(get, str) and get.startswith("Steps."):
            found.add(get.split(".")[1].split("[")[0])
        for value in expr.values():
            found |= references(value)
    elif isinstance(expr, list):
        for value in expr:
            found |= references(value)
    return found


def all_steps(definition: dict) -> dict[str, dict]:
    """Every step by name, nested condition branches included."""
    out: dict[str, dict] = {}

    def walk(steps):
        for step in steps:
            out[step["Name"]] = step
            if step.get("Type") == "Condition":
                walk(step.get("Arguments", {}).get("IfSteps", []))
                walk(step.get("Arguments", {}).get("ElseSteps", []))

    walk(definition.get("Steps", []))
    return out


def dependencies(definition: dict) -> dict[str, set[str]]:
    """For each step, the steps it waits for: data references and ``DependsOn``."""
    steps = all_steps(definition)
    deps: dict[str, set[str]] = {}
    for name, step in steps.items():
        args = step.get("Arguments", {})
        if step.get("Type") == "Condition":
            args = {"Conditions": args.get("Conditions", [])}
        deps[name] = (references(args) | set(step.get("DependsOn", []))) & set(steps)
        deps[name].discard(name)
    return deps


def _evaluate_condition(cond: dict, resolve: Callable[[Any], Any]) -> bool:
    kind = cond["Type"]
    if kind == "Not":
        return not _evaluate_condition(cond["Expression"], resolve)
    if kind == "Or":
        return any(_evaluate_condition(c, resolve) for c in cond["Conditions"])
    if kind == "In":
        value = resolve(cond["QueryValue"])
        return any(value == resolve(v) for v in cond["Values"])
    left, right = resolve(cond["LeftValue"]), resolve(cond["RightValue"])
    if kind == "Equals":
        return left == right
    left, right = float(left), float(right)
    return {"GreaterThan": left > right, "GreaterThanOrEqualTo": left >= right,
            "LessThan": left < right, "LessThanOrEqualTo": left <= right}[kind]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat()


# ------------------------------------------------------------------------------------------ processing
@dataclass
class ProcessingRun:
    job_name: str
    base_dir: Path
    status: str = "InProgress"
    returncode: int | None = None
    failure_reason: str | None = None
    argv: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    downloaded: dict[str, int] = field(default_factory=dict)  # input name -> objects
    uploaded: dict[str, list[str]] = field(default_factory=dict)  # output name -> keys

    @property
    def ok(self) -> bool:
        return self.status == "Completed"


class ProcessingRunner:
    """Runs one processing job's request (``CreateProcessingJob`` shape) as a local process."""

    def __init__(self, clients, env: dict[str, str]):
        self.clients = clients
        self.child_env = dict(env)

    def local(self, base: Path, path: str) -> Path:
        if not path.startswith(PROCESSING_ROOT):
            raise ValueError(f"LocalPath {path!r} is not under {PROCESSING_ROOT}")
        return base / path[len(PROCESSING_ROOT):].lstrip("/")

    def _rewrite(self, base: Path, value: str) -> str:
        return value.replace(PROCESSING_ROOT, str(base)) if isinstance(value, str) else value

    def run(self, job_name: str, request: dict, base_dir: Path | None = None, timeout: float = 300.0) -> ProcessingRun:
        s3 = self.clients.client("s3")
        base = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix=f"processing-{job_name[:40]}-"))
        base.mkdir(parents=True, exist_ok=True)
        run = ProcessingRun(job_name, base)
        for item in request.get("ProcessingInputs", []):
            source = item.get("S3Input")
            if not source:
                raise PipelineError(f"input {item.get('InputName')}: only S3 inputs run locally")
            dest = self.local(base, source["LocalPath"])
            dest.mkdir(parents=True, exist_ok=True)
            bucket, prefix = split_s3_uri(source["S3Uri"])
            count = 0
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    key = obj["Key"]
                    if key.endswith("/"):
                        continue
                    rel = key[len(prefix):].lstrip("/") or key.rsplit("/", 1)[-1]
                    target = dest / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    s3.download_file(bucket, key, str(target))
                    count += 1
            run.downloaded[item.get("InputName", "")] = count
        outputs = (request.get("ProcessingOutputConfig") or {}).get("Outputs", [])
        for item in outputs:
            self.local(base, item["S3Output"]["LocalPath"]).mkdir(parents=True, exist_ok=True)
        app = request.get("AppSpecification", {})
        argv = [self._rewrite(base, a) for a in (app.get("ContainerEntrypoint") or []) +
                (app.get("ContainerArguments") or [])]
        if not argv:
            raise PipelineError("AppSpecification has no ContainerEntrypoint: nothing to run locally")
        if Path(argv[0]).name.startswith("python"):
            argv[0] = sys.executable  # the image's python3 is this venv's interpreter
        run.argv = argv
        (base / "config").mkdir(exist_ok=True)
        (base / "config" / "processingjobconfig.json").write_text(json.dumps({**request, "ProcessingJobName": job_name},
                                                                            default=str))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOTO_", "SM_"))}
        env.update(self.child_env)
        env.update(request.get("Environment") or {})
        env["PYTHONUNBUFFERED"] = "1"
        try:
            proc = subprocess.run(argv, cwd=str(base), env=env, capture_output=True, text=True, timeout=timeout)
            run.returncode = proc.returncode
            run.lines = (proc.stdout + proc.stderr).splitlines()
        except subprocess.TimeoutExpired:
            run.status, run.failure_reason = "Stopped", f"MaxRuntimeExceeded: ran longer than {timeout:.0f}s"
            return run
        if run.returncode != 0:
            run.status = "Failed"
            tail = "\n".join(run.lines[-15:])
            run.failure_reason = f"AlgorithmError: exit code {run.returncode}\n{tail}"[:1024]
            return run
        for item in outputs:  # EndOfJob: uploaded once the process has exited
            out = item["S3Output"]
            local = self.local(base, out["LocalPath"])
            bucket, prefix = split_s3_uri(out["S3Uri"])
            keys = []
            for path in sorted(local.rglob("*")):
                if path.is_file():
                    key = f"{prefix.rstrip('/')}/{path.relative_to(local)}".lstrip("/")
                    s3.upload_file(str(path), bucket, key)
                    keys.append(key)
            run.uploaded[item["OutputName"]] = keys
        run.status = "Completed"
        return run


# ------------------------------------------------------------------------------------------ executor
@dataclass
class ExecutionRecord:
    arn: str
    status: str
    steps: list[dict]
    parameters: dict[str, Any]

    def step(self, name: str) -> dict | None:
        return next((s for s in self.steps if s["StepName"] == name), None)


def execution_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def record_key(pipeline: str, arn: str) -> str:
    return f"{pipeline}/executions/{execution_id(arn)}.json"


class PipelineExecutor:
    """Runs a pipeline's executions locally. ``clients`` has ``.client(service)``; ``track``
    (optional) is called as ``track(kind, id, **extra)`` before each job or model package is
    created, so cleanup finds it."""

    def __init__(self, clients, env: dict[str, str], bucket: str, *, track: Callable[..., Any] | None = None,
                 workdir: Path | None = None, region: str = "us-east-1", account: str = "000000000000"):
        self.clients = clients
        self.env = env
        self.bucket = bucket
        self.track = track
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="pipelines-"))
        self.region, self.account = region, account

    # -- records ---------------------------------------------------------------------------------
    def read_record(self, pipeline: str, arn: str) -> dict | None:
        s3 = self.clients.client("s3")
        try:
            body = s3.get_object(Bucket=self.bucket, Key=record_key(pipeline, arn))["Body"].read()
        except Exception as err:  # noqa: BLE001 - NoSuchKey: not run yet
            if "NoSuchKey" in str(err) or "404" in str(err) or "Not Found" in str(err):
                return None
            raise
        return json.loads(body)

    def _write_record(self, pipeline: str, record: dict) -> None:
        self.clients.client("s3").put_object(Bucket=self.bucket, Key=record_key(pipeline, record["PipelineExecutionArn"]),
                                             Body=json.dumps(record, indent=2, default=str).encode(),
                                             ContentType="application/json")

    def executions(self, pipeline: str) -> list[dict]:
        """The pipeline's executions, oldest first (all pages)."""
        sm = self.clients.client("sagemaker")
        found, token = [], None
        while True:
            page = sm.list_pipeline_executions(PipelineName=pipeline, **({"NextToken": token} if token else {}))
            found += page.get("PipelineExecutionSummaries", [])
            token = page.get("NextToken")
            if not token:
                break
        return sorted(found, key=lambda e: (e["StartTime"], e["PipelineExecutionArn"]))

    def run_pending(self, pipeline: str) -> list[dict]:
        """Run every execution of ``pipeline`` that has no record yet, oldest first; return every
        execution's record, oldest first."""
        records = []
        for summary in self.executions(pipeline):
            arn = summary["PipelineExecutionArn"]
            record = self.read_record(pipeline, arn)
            if record is None:
                record = self.run_execution(pipeline, arn, previous=records)
            records.append(record)
        return records

    # -- one execution ----------------------------------------------------------------------------
    def run_execution(self, pipeline: str, arn: str, previous: list[dict] | None = None) -> dict:
        sm = self.clients.client("sagemaker")
        try:
            definition = json.loads(sm.describe_pipeline_definition_for_execution(
                PipelineExecutionArn=arn)["PipelineDefinition"])
        except Exception:  # noqa: BLE001 - fall back to the pipeline's current definition
            definition = json.loads(sm.describe_pipeline(PipelineName=pipeline)["PipelineDefinition"])
        params = {p["Name"]: p.get("DefaultValue") for p in definition.get("Parameters", [])}
        types = {p["Name"]: p.get("Type", "String") for p in definition.get("Parameters", [])}
        given = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn).get("PipelineParameters", [])
        for item in given:
            kind = types.get(item["Name"], "String")
            value = item["Value"]
            params[item["Name"]] = float(value) if kind == "Float" else int(value) if kind == "Integer" else \
                (str(value).lower() == "true") if kind == "Boolean" else value
        state = _Execution(self, pipeline, arn, definition, params, previous or [])
        status = state.run()
        record = {
            "PipelineArn": arn.split("/execution/")[0],
            "PipelineExecutionArn": arn,
            "PipelineExecutionStatus": status,
            "Parameters": params,
            "PipelineExecutionSteps": state.steps,
            "RunBy": "awslabs.local.pipelines",
        }
        if state.failure:
            record["FailureReason"] = state.failure
        self._write_record(pipeline, record)
        return record


class _Execution:
    def __init__(self, executor: PipelineExecutor, pipeline: str, arn: str, definition: dict, params: dict,
                 previous: list[dict]):
        self.x = executor
        self.pipeline, self.arn, self.definition, self.params = pipeline, arn, definition, params
        self.previous = previous
        self.props: dict[str, Any] = {}  # step name -> properties
        self.property_files: dict[str, dict[str, Any]] = {}  # step name -> file name -> document
        self.steps: list[dict] = []
        self.failure: str | None = None
        self.exec_id = execution_id(arn)

    # -- expressions ------------------------------------------------------------------------------
    def resolve(self, expr: Any) -> Any:
        if isinstance(expr, list):
            return [self.resolve(v) for v in expr]
        if not isinstance(expr, dict):
            return expr
        if set(expr) == {"Get"}:
            return self._get(expr["Get"])
        if set(expr) == {"Std:Join"}:
            join = expr["Std:Join"]
            return str(join.get("On", "")).join(str(self.resolve(v)) for v in join.get("Values", []))
        if set(expr) == {"Std:JsonGet"}:
            spec = expr["Std:JsonGet"]
            ref = spec["PropertyFile"]["Get"] if isinstance(spec["PropertyFile"], dict) else spec["PropertyFile"]
            _, step, _, name = ref.split(".", 3)
            document = self.property_files.get(step, {}).get(name)
            if document is None:
                raise PipelineError(f"property file {name} of step {step} is not available")
            return json_get(document, spec["Path"])
        return {k: self.resolve(v) for k, v in expr.items()}

    def _get(self, ref: str) -> Any:
        head, _, rest = ref.partition(".")
        if head == "Parameters":
            return self.params[rest]
        if head == "Execution":
            return {"PipelineExecutionId": self.exec_id, "PipelineExecutionArn": self.arn,
                    "PipelineName": self.pipeline, "StartDateTime": _iso(time.time()),
                    "CurrentDateTime": _iso(time.time())}[rest]
        if head == "Steps":
            step, _, path = rest.partition(".")
            if step not in self.props:
                raise PipelineError(f"step {step} has no properties (it did not run)")
            return _get_path(self.props[step], path)
        raise PipelineError(f"cannot resolve {ref!r}")

    # -- the run ----------------------------------------------------------------------------------
    def run(self) -> str:
        deps = dependencies(self.definition)
        top = self.definition.get("Steps", [])
        try:
            self._run_block(top, deps, done=set())
        except PipelineError as err:
            self.failure = str(err)
            return "Failed"
        return "Succeeded"

    def _run_block(self, steps: list[dict], deps: dict[str, set[str]], done: set[str]) -> None:
        pending = {s["Name"]: s for s in steps}
        order = [s["Name"] for s in steps]
        while pending:
            ready = [n for n in order if n in pending and deps[n] <= done]
            if not ready:
                raise PipelineError(f"steps {sorted(pending)} wait for steps that never ran: "
                                    f"{sorted(set().union(*(deps[n] for n in pending)) - done)}")
            for name in ready:
                self._run_step(pending.pop(name), deps, done)
                done.add(name)

    def _run_step(self, step: dict, deps: dict[str, set[str]], done: set[str]) -> None:
        name, kind = step["Name"], step.get("Type")
        entry: dict[str, Any] = {"StepName": name, "StepType": kind, "StartTime": _iso(time.time()),
                                 "AttemptCount": 1}
        if step.get("DisplayName"):
            entry["StepDisplayName"] = step["DisplayName"]
        self.steps.append(entry)
        try:
            if kind not in SUPPORTED_STEP_TYPES:
                raise PipelineError(f"step type {kind} is not run by the local executor "
                                    f"(supported: {', '.join(SUPPORTED_STEP_TYPES)})")
            if kind == "Condition":
                args = step.get("Arguments", {})
                outcome = all(_evaluate_condition(c, self.resolve) for c in args.get("Conditions", []))
                entry["Metadata"] = {"Condition": {"Outcome": "True" if outcome else "False"}}
                entry["StepStatus"], entry["EndTime"] = "Succeeded", _iso(time.time())
                self.props[name] = {"Outcome": outcome}
                branch = args.get("IfSteps" if outcome else "ElseSteps", [])
                self._run_block(branch, deps, done | {name})
                return
            if kind == "Fail":
                message = self.resolve(step.get("Arguments", {}).get("ErrorMessage", ""))
                entry["Metadata"] = {"Fail": {"ErrorMessage": message}}
                raise PipelineError(f"Fail step {name}: {message}")
            args = self.resolve(step.get("Arguments", {}))
            cached = self._cache_hit(step, args)
            if cached:
                source, props, files = cached
                entry["CacheHitResult"] = {"SourcePipelineExecutionArn": source}
                entry["Metadata"] = props.pop("_metadata", {})
                self.props[name], self.property_files[name] = props, files
                entry["StepStatus"], entry["EndTime"] = "Succeeded", _iso(time.time())
                entry["Properties"], entry["PropertyFiles"] = props, files
                entry["CacheKey"] = self._cache_key(step, args)
                return
            runner = {"Processing": self._processing, "Training": self._training,
                      "RegisterModel": self._register}[kind]
            props, metadata = runner(step, args)
            self.props[name] = props
            entry["Metadata"] = metadata
            entry["Properties"] = props
            entry["PropertyFiles"] = self.property_files.get(name, {})
            if self._caching(step):
                entry["CacheKey"] = self._cache_key(step, args)
            entry["StepStatus"], entry["EndTime"] = "Succeeded", _iso(time.time())
        except PipelineError as err:
            entry["StepStatus"], entry["EndTime"] = "Failed", _iso(time.time())
            entry["FailureReason"] = str(err)[:1024]
            raise
        except Exception as err:  # noqa: BLE001 - any other error fails the step, not the executor
            entry["StepStatus"], entry["EndTime"] = "Failed", _iso(time.time())
            entry["FailureReason"] = f"{type(err).__name__}: {err}"[:1024]
            raise PipelineError(f"step {name}: {entry['FailureReason']}") from err

    # -- caching ----------------------------------------------------------------------------------
    @staticmethod
    def _caching(step: dict) -> bool:
        return bool((step.get("CacheConfig") or {}).get("Enabled"))

    @staticmethod
    def _cache_key(step: dict, args: dict) -> str:
        attrs = {k: args.get(k) for k in CACHE_KEYS.get(step.get("Type"), tuple(sorted(args)))}
        return hashlib.sha256(_canonical([step["Name"], step.get("Type"), attrs]).encode()).hexdigest()

    def _cache_hit(self, step: dict, args: dict):
        if not self._caching(step):
            return None
        expire = (step.get("CacheConfig") or {}).get("ExpireAfter")
        window = parse_duration(expire) if expire else None
        key = self._cache_key(step, args)
        now = dt.datetime.now(dt.timezone.utc)
        for record in reversed(self.previous):  # the most recent successful run wins
            if record.get("PipelineExecutionStatus") != "Succeeded":
                continue
            for prior in record.get("PipelineExecutionSteps", []):
                if prior["StepName"] != step["Name"] or prior.get("StepStatus") != "Succeeded":
                    continue
                if prior.get("CacheKey") != key:
                    continue
                if window is not None and now - dt.datetime.fromisoformat(prior["StartTime"]) > window:
                    continue
                source = (prior.get("CacheHitResult") or {}).get("SourcePipelineExecutionArn") or \
                    record["PipelineExecutionArn"]
                props = json.loads(json.dumps(prior.get("Properties", {})))
                props["_metadata"] = prior.get("Metadata", {})
                return source, props, prior.get("PropertyFiles", {})
        return None

    # -- step types -------------------------------------------------------------------------------
    def _job_name(self, step: dict) -> str:
        """``pipelines-<execution id>-<step>-<hash>`` as Pipelines names its jobs (at most 63)."""
        digest = hashlib.sha1(f"{self.arn}/{step['Name']}".encode()).hexdigest()[:6]
        stem = re.sub(r"[^a-zA-Z0-9-]", "-", step["Name"])[:20]
        return f"pipelines-{self.exec_id[:24]}-{stem}-{digest}"[:63].rstrip("-")

    def _processing(self, step: dict, args: dict):
        sm = self.x.clients.client("sagemaker")
        job = self._job_name(step)
        if self.x.track:
            self.x.track("sagemaker:job", job, type="processing")
        request = {k: v for k, v in args.items() if k != "ProcessingJobName"}
        sm.create_processing_job(ProcessingJobName=job, **{k: v for k, v in request.items()
                                                            if k in _PROCESSING_API_FIELDS})
        runner = ProcessingRunner(self.x.clients, self.x.env)
        run = runner.run(job, request, base_dir=self.x.workdir / job)
        if not run.ok:
            raise PipelineError(f"processing job {job}: {run.status}: {run.failure_reason}")
        props = {**request, "ProcessingJobName": job, "ProcessingJobStatus": "Completed",
                 "ProcessingJobArn": f"arn:aws:sagemaker:{self.x.region}:{self.x.account}:processing-job/{job}"}
        files = {}
        for spec in step.get("PropertyFiles", []):
            output = _get_path(request.get("ProcessingOutputConfig", {}).get("Outputs", []), f"[{spec['OutputName']}]")
            bucket, prefix = split_s3_uri(output["S3Output"]["S3Uri"])
            key = f"{prefix.rstrip('/')}/{spec['FilePath']}".lstrip("/")
            body = self.x.clients.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
            files[spec["PropertyFileName"]] = json.loads(body)
        self.property_files[step["Name"]] = files
        return props, {"ProcessingJob": {"Arn": props["ProcessingJobArn"]}}

    def _training(self, step: dict, args: dict):
        from .sagemaker_runner import SageMakerTrainingRunner

        sm = self.x.clients.client("sagemaker")
        job = self._job_name(step)
        if self.x.track:
            self.x.track("sagemaker:job", job, type="training")
        request = {k: v for k, v in args.items() if k != "TrainingJobName"}
        sm.create_training_job(TrainingJobName=job, **request)
        described = sm.describe_training_job(TrainingJobName=job)
        runner = SageMakerTrainingRunner(self.x.clients, self.x.env, region=self.x.region, account=self.x.account)
        run = runner.run(job, job={**described, **request, "TrainingJobName": job},
                         base_dir=self.x.workdir / job)
        if not run.ok:
            raise PipelineError(f"training job {job}: {run.status}: {run.failure_reason}")
        props = {**request, "TrainingJobName": job, "TrainingJobStatus": "Completed",
                 "TrainingJobArn": described.get("TrainingJobArn"),
                 "ModelArtifacts": {"S3ModelArtifacts": run.model_artifact},
                 "FinalMetricDataList": [{"MetricName": k, "Value": v} for k, v in run.final_metrics().items()]}
        return props, {"TrainingJob": {"Arn": props["TrainingJobArn"]}}

    def _register(self, step: dict, args: dict):
        sm = self.x.clients.client("sagemaker")
        request = {k: v for k, v in args.items() if k in _MODEL_PACKAGE_API_FIELDS}
        group = request.get("ModelPackageGroupName")  # the group's owner tracks it (its deleter takes the versions)
        arn = sm.create_model_package(**request)["ModelPackageArn"]
        described = sm.describe_model_package(ModelPackageName=arn)
        props = {"ModelPackageArn": arn, "ModelApprovalStatus": described.get("ModelApprovalStatus"),
                 "ModelPackageGroupName": group}
        return props, {"RegisterModel": {"Arn": arn}}


_PROCESSING_API_FIELDS = ("ProcessingInputs", "ProcessingOutputConfig", "ProcessingResources", "StoppingCondition",
                          "AppSpecification", "Environment", "NetworkConfig", "RoleArn", "ExperimentConfig")
_MODEL_PACKAGE_API_FIELDS = ("ModelPackageGroupName", "ModelPackageDescription", "InferenceSpecification",
                             "ModelApprovalStatus", "MetadataProperties", "ModelMetrics", "CustomerMetadataProperties",
                             "DriftCheckBaselines", "Domain", "Task", "SamplePayloadUrl")


def executor_for(ctx, bucket: str) -> PipelineExecutor:
    """The executor for a lab context: the target's clients, its subprocess environment, the
    run's ledger and scratch folder."""
    return PipelineExecutor(ctx, ctx.subprocess_env(), bucket, track=ctx.track, workdir=Path(ctx.workdir) / "pipelines",
                            region=ctx.region, account=ctx.account)


__all__ = ["PipelineExecutor", "ProcessingRunner", "ProcessingRun", "ExecutionRecord", "PipelineError", "executor_for",
           "parse_duration", "dependencies", "all_steps", "references", "json_get", "record_key", "execution_id",
           "CACHE_KEYS", "PROCESSING_ROOT"]
