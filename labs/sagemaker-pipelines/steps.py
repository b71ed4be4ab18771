"""SageMaker Pipelines with the SageMaker Python SDK (3.x): processing -> training -> evaluation ->
condition on a metric -> register model. The definition is read back from the target; executions
are run by the local pipeline executor (awslabs.local.pipelines) on moto and the server, by
SageMaker Pipelines on AWS."""
from __future__ import annotations

import functools
import io
import json
import tarfile
from pathlib import Path

from awslabs.lab import equal, expect
from awslabs.labkit import error_code, not_run, object_keys, read_object

CODE = Path(__file__).parent / "code"
SKLEARN_VERSION = "1.2-1"
INSTANCE = "ml.m5.large"
ROWS, FEATURES, MISSING_EVERY = 600, 5, 23  # every 23rd raw row has an empty cell
THRESHOLD_PARAMETER, DEFAULT_THRESHOLD, HIGH_THRESHOLD = "AccuracyThreshold", 0.7, 0.99
METRIC_PATH = "metrics.accuracy.value"
STEP_TYPES = {"Preprocess": "Processing", "Train": "Training", "Evaluate": "Processing",
              "CheckAccuracy": "Condition", "Register": "RegisterModel"}
APPROVAL = "PendingManualApproval"
CACHE_EXPIRE = "P30D"
HYPERPARAMETERS = {"epochs": 200, "learning-rate": 0.5}


# --------------------------------------------------------------------------- names
def _bucket(ctx):
    return ctx.name("data")


def _uri(ctx, key=""):
    return f"s3://{_bucket(ctx)}/{key}"


def _pipeline(ctx):
    return ctx.name("pipeline")


def _group(ctx):
    return ctx.name("models")


def _role_arn(ctx):
    return ctx.client("iam").get_role(RoleName=ctx.name("sm-role", max_len=64))["Role"]["Arn"]


# --------------------------------------------------------------------------- data
@functools.lru_cache(maxsize=1)
def _raw_csv() -> bytes:
    """600 rows, 5 features and a 0/1 label (with a header); every 23rd row has an empty cell."""
    import numpy as np

    rng = np.random.default_rng(11)
    weights = rng.normal(size=FEATURES)
    X = rng.normal(size=(ROWS, FEATURES))
    y = (X @ weights + rng.normal(scale=0.8, size=ROWS) > 0).astype(int)
    lines = [",".join([f"f{i}" for i in range(FEATURES)] + ["label"])]
    for i in range(ROWS):
        cells = [f"{v:.4f}" for v in X[i]] + [str(y[i])]
        if i % MISSING_EVERY == 7:
            cells[i % FEATURES] = ""
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def _complete_rows(raw: bytes) -> int:
    """Rows of the raw CSV with every cell filled (what preprocessing must keep)."""
    return sum(1 for line in raw.decode().splitlines()[1:] if all(c.strip() for c in line.split(",")))


# --------------------------------------------------------------------------- reading the target
def _definition(ctx) -> dict | None:
    try:
        return json.loads(ctx.client("sagemaker").describe_pipeline(PipelineName=_pipeline(ctx))["PipelineDefinition"])
    except Exception as err:  # noqa: BLE001
        if error_code(err) in ("ResourceNotFound", "ValidationException"):
            return None
        raise


def _executions(ctx) -> list[dict]:
    """The pipeline's executions, oldest first."""
    from awslabs.local.pipelines import PipelineExecutor

    try:
        return PipelineExecutor(ctx, {}, _bucket(ctx)).executions(_pipeline(ctx))
    except Exception as err:  # noqa: BLE001
        if error_code(err) in ("ResourceNotFound", "ValidationException"):
            return []
        raise


def _parameters(ctx, arn) -> dict:
    given = ctx.client("sagemaker").list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)
    return {p["Name"]: p["Value"] for p in given.get("PipelineParameters", [])}


def _record(ctx, index) -> dict | None:
    """What the executor (or, on AWS, ListPipelineExecutionSteps) says of execution ``index``."""
    executions = _executions(ctx)
    if len(executions) <= index:
        return None
    arn = executions[index]["PipelineExecutionArn"]
    if ctx.on_aws:
        sm = ctx.client("sagemaker")
        steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn, SortOrder="Ascending")["PipelineExecutionSteps"]
        status = sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
        return {"PipelineExecutionArn": arn, "PipelineExecutionStatus": status, "PipelineExecutionSteps": steps}
    from awslabs.local.pipelines import PipelineExecutor

    return PipelineExecutor(ctx, {}, _bucket(ctx)).read_record(_pipeline(ctx), arn)


def _step(record, name) -> dict:
    return next((s for s in (record or {}).get("PipelineExecutionSteps", []) if s["StepName"] == name), {})


def _job_arn(step: dict, kind: str) -> str | None:
    return (step.get("Metadata") or {}).get(kind, {}).get("Arn")


def _evaluation(ctx, record) -> dict | None:
    """evaluation.json of an execution's Evaluate step, read from S3 where its job uploaded it."""
    arn = _job_arn(_step(record, "Evaluate"), "ProcessingJob")
    if not arn:
        return None
    job = ctx.client("sagemaker").describe_processing_job(ProcessingJobName=arn.rsplit("/", 1)[-1])
    out = next(o for o in job["ProcessingOutputConfig"]["Outputs"] if o["OutputName"] == "evaluation")
    bucket, _, prefix = out["S3Output"]["S3Uri"][5:].partition("/")
    return json.loads(read_object(ctx, bucket, f"{prefix.rstrip('/')}/evaluation.json"))


def _model_packages(ctx) -> list[dict]:
    try:
        return ctx.client("sagemaker").list_model_packages(ModelPackageGroupName=_group(ctx)).get(
            "ModelPackageSummaryList", [])
    except Exception as err:  # noqa: BLE001
        if error_code(err) in ("ResourceNotFound", "ValidationException"):
            return []
        raise


# --------------------------------------------------------------------------- the SDK pipeline
def build_pipeline(ctx, threshold_default=DEFAULT_THRESHOLD, cache=True, approval=APPROVAL, code_dir=CODE,
                   expire=CACHE_EXPIRE):
    """The pipeline, defined with the SageMaker Python SDK 3.x under a PipelineSession."""
    from awslabs.sagemaker_sdk import pipeline_session

    session = pipeline_session(ctx, _bucket(ctx))
    from sagemaker.core import image_uris
    from sagemaker.core.processing import ScriptProcessor
    from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
    from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig, SourceCode
    from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
    from sagemaker.core.workflow.functions import JsonGet
    from sagemaker.core.workflow.parameters import ParameterFloat
    from sagemaker.core.workflow.properties import PropertyFile
    from sagemaker.mlops.workflow.condition_step import ConditionStep
    from sagemaker.mlops.workflow.model_step import ModelStep
    from sagemaker.mlops.workflow.pipeline import Pipeline
    from sagemaker.mlops.workflow.steps import CacheConfig, ProcessingStep, TrainingStep
    from sagemaker.serve.model_builder import ModelBuilder
    from sagemaker.train import ModelTrainer

    _quiet()  # after the imports: the SDK sets its loggers' levels when they are imported
    role = _role_arn(ctx)
    image = image_uris.retrieve("sklearn", region=ctx.region, version=SKLEARN_VERSION)  # offline lookup
    threshold = ParameterFloat(name=THRESHOLD_PARAMETER, default_value=threshold_default)

    def s3_in(name, uri, local):
        return ProcessingInput(input_name=name, s3_input=ProcessingS3Input(
            s3_uri=uri, local_path=f"/opt/ml/processing/input/{local}", s3_data_type="S3Prefix", s3_input_mode="File"))

    def s3_out(name, key):
        return ProcessingOutput(output_name=name, s3_output=ProcessingS3Output(
            s3_uri=_uri(ctx, key), local_path=f"/opt/ml/processing/output/{name}", s3_upload_mode="EndOfJob"))

    def processor(stem):
        return ScriptProcessor(role=role, image_uri=image, command=["python3"], instance_type=INSTANCE,
                               instance_count=1, sagemaker_session=session, base_job_name=stem)

    prep = ProcessingStep(
        name="Preprocess",
        step_args=processor("preprocess").run(
            code=str(Path(code_dir) / "preprocess.py"), inputs=[s3_in("raw", _uri(ctx, "raw/"), "raw")],
            outputs=[s3_out("train", "prepared/train"), s3_out("test", "prepared/test")]),
        cache_config=CacheConfig(enable_caching=True, expire_after=expire) if cache else None)
    trainer = ModelTrainer(
        sagemaker_session=session, role=role, training_image=image, base_job_name="train",
        source_code=SourceCode(source_dir=str(Path(code_dir) / "train"), entry_script="train.py"),
        compute=Compute(instance_type=INSTANCE, instance_count=1),
        hyperparameters=dict(HYPERPARAMETERS), output_data_config=OutputDataConfig(s3_output_path=_uri(ctx, "models")))
    train = TrainingStep(name="Train", step_args=trainer.train(input_data_config=[InputData(
        channel_name="train", data_source=prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri)]))
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        step_args=processor("evaluate").run(
            code=str(Path(code_dir) / "evaluate.py"),
            inputs=[s3_in("model", train.properties.ModelArtifacts.S3ModelArtifacts, "model"),
                    s3_in("test", prep.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri, "test")],
            outputs=[s3_out("evaluation", "evaluation")]),
        property_files=[report])
    builder = ModelBuilder(s3_model_data_url=train.properties.ModelArtifacts.S3ModelArtifacts, image_uri=image,
                           role_arn=role, sagemaker_session=session)
    register = ModelStep(name="Register", step_args=builder.register(
        model_package_group_name=_group(ctx), content_types=["text/csv"], response_types=["text/csv"],
        inference_instances=[INSTANCE], transform_instances=[INSTANCE], approval_status=approval))
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(
            left=JsonGet(step_name=evaluate.name, property_file=report, json_path=METRIC_PATH), right=threshold)],
        if_steps=[register], else_steps=[])
    return Pipeline(name=_pipeline(ctx), parameters=[threshold], steps=[prep, train, evaluate, check],
                    sagemaker_session=session)


def _quiet():
    """The SDK logs at INFO/WARNING on every call (step code never prints)."""
    import logging

    for name in ["sagemaker", *[n for n in logging.root.manager.loggerDict if n.startswith("sagemaker")]]:
        logging.getLogger(name).setLevel(logging.ERROR)


def upsert(ctx, pipeline) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.upsert(role_arn=_role_arn(ctx), tags=[{"Key": k, "Value": v} for k, v in ctx.tags.items()])


def _create_group(ctx):
    ctx.track("sagemaker:model-package-group", _group(ctx))
    ctx.client("sagemaker").create_model_package_group(
        ModelPackageGroupName=_group(ctx), ModelPackageGroupDescription="models from the lab's pipeline",
        Tags=ctx.tag_list())


def _define(ctx, **kwargs):
    import warnings

    _quiet()
    _create_group(ctx)
    ctx.track("sagemaker:pipeline", _pipeline(ctx))
    with warnings.catch_warnings():  # "Running within a PipelineSession ... No Job being started"
        warnings.simplefilter("ignore")
        upsert(ctx, build_pipeline(ctx, **kwargs))


def _start(ctx, threshold=None):
    params = [] if threshold is None else [{"Name": THRESHOLD_PARAMETER, "Value": str(threshold)}]
    ctx.client("sagemaker").start_pipeline_execution(PipelineName=_pipeline(ctx), PipelineParameters=params)


def _run_pending(ctx):
    if ctx.on_aws:
        import time

        sm = ctx.client("sagemaker")
        for execution in _executions(ctx):  # SageMaker Pipelines runs them: wait for each to end
            for _ in range(240):
                status = sm.describe_pipeline_execution(
                    PipelineExecutionArn=execution["PipelineExecutionArn"])["PipelineExecutionStatus"]
                if status not in ("Executing", "Stopping"):
                    break
                time.sleep(15)
        return
    from awslabs.local.pipelines import executor_for

    executor_for(ctx, _bucket(ctx)).run_pending(_pipeline(ctx))


# --------------------------------------------------------------------------- steps
def apply_prepare_data(ctx):
    from awslabs.local.sagemaker_labkit import execution_role

    ctx.create_bucket(_bucket(ctx))
    s3 = ctx.client("s3")
    s3.put_object(Bucket=_bucket(ctx), Key="raw/customers.csv", Body=_raw_csv())
    for path in (CODE / "preprocess.py", CODE / "evaluate.py", CODE / "train" / "train.py"):
        s3.put_object(Bucket=_bucket(ctx), Key=f"lab-code/{path.relative_to(CODE)}", Body=path.read_bytes())
    execution_role(ctx, _bucket(ctx))


def check_prepare_data(ctx):
    keys = object_keys(ctx, _bucket(ctx), "raw/")
    yield equal("the raw data is in S3 under raw/", keys, ["raw/customers.csv"])
    raw = read_object(ctx, _bucket(ctx), "raw/customers.csv") if keys else b""
    yield expect("the raw data has incomplete rows for preprocessing to drop",
                 raw and _complete_rows(raw) < ROWS, f"{_complete_rows(raw) if raw else 0} of {ROWS} rows complete")
    role = ctx.client("iam").get_role(RoleName=ctx.name("sm-role", max_len=64))["Role"]
    trust = json.dumps(role["AssumeRolePolicyDocument"])
    yield expect("the execution role trusts sagemaker.amazonaws.com", "sagemaker.amazonaws.com" in trust, role["RoleName"])


def apply_define_pipeline(ctx):
    _define(ctx)


def check_define_pipeline(ctx):
    from awslabs.local.pipelines import all_steps, dependencies, parse_duration

    definition = _definition(ctx)
    if definition is None:
        yield not_run("the pipeline definition is read back from SageMaker")
        return
    steps = all_steps(definition)
    yield equal("step names and types (read back with DescribePipeline)",
                {n: s.get("Type") for n, s in steps.items()}, STEP_TYPES)
    deps = dependencies(definition)
    expected = {"Preprocess": set(), "Train": {"Preprocess"}, "Evaluate": {"Train", "Preprocess"},
                "CheckAccuracy": {"Evaluate"}, "Register": {"Train"}}
    yield equal("data dependencies: each step waits for the steps whose properties it uses",
                {n: sorted(d) for n, d in deps.items()}, {n: sorted(d) for n, d in expected.items()})
    model_in = [i["S3Input"]["S3Uri"] for i in steps.get("Evaluate", {}).get("Arguments", {}).get("ProcessingInputs", [])
                if i.get("InputName") == "model"]
    yield equal("Evaluate reads the model from the Train step's ModelArtifacts.S3ModelArtifacts property",
                model_in, [{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}])
    conditions = steps.get("CheckAccuracy", {}).get("Arguments", {}).get("Conditions", [])
    cond = conditions[0] if len(conditions) == 1 else {}
    left = (cond.get("LeftValue") or {}).get("Std:JsonGet", {})
    params = {p["Name"]: p for p in definition.get("Parameters", [])}
    threshold = params.get(THRESHOLD_PARAMETER, {})
    yield expect(f"CheckAccuracy: {METRIC_PATH} of evaluation.json >= the {THRESHOLD_PARAMETER} parameter "
                 f"(Float, default {DEFAULT_THRESHOLD})",
                 cond.get("Type") == "GreaterThanOrEqualTo" and left.get("Path") == METRIC_PATH
                 and left.get("PropertyFile") == {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"}
                 and cond.get("RightValue") == {"Get": f"Parameters.{THRESHOLD_PARAMETER}"}
                 and threshold.get("Type") == "Float" and float(threshold.get("DefaultValue", -1)) == DEFAULT_THRESHOLD,
                 json.dumps({"condition": cond, "parameter": threshold})[:300])
    files = steps.get("Evaluate", {}).get("PropertyFiles", [])
    yield equal("Evaluate declares the property file evaluation.json of its evaluation output", files,
                [{"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}])
    if_steps = [s["Name"] for s in steps.get("CheckAccuracy", {}).get("Arguments", {}).get("IfSteps", [])]
    register = steps.get("Register", {}).get("Arguments", {})
    containers = register.get("InferenceSpecification", {}).get("Containers", [{}])
    yield expect(f"Register runs only when the condition holds, into {_group(ctx)}, as {APPROVAL}, with the trained model",
                 if_steps == ["Register"] and register.get("ModelPackageGroupName") == _group(ctx)
                 and register.get("ModelApprovalStatus") == APPROVAL
                 and containers[0].get("ModelDataUrl") == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                 json.dumps({"if": if_steps, **{k: register.get(k) for k in ("ModelPackageGroupName", "ModelApprovalStatus")}}))
    cache = steps.get("Preprocess", {}).get("CacheConfig") or {}
    try:
        days = parse_duration(cache.get("ExpireAfter", "")).days
    except ValueError:
        days = 0
    yield expect("Preprocess has caching on (CacheConfig Enabled, an ExpireAfter of at least a day)",
                 cache.get("Enabled") is True and days >= 1, json.dumps(cache))
    group = ctx.client("sagemaker").list_model_package_groups(NameContains=_group(ctx)).get("ModelPackageGroupSummaryList", [])
    yield expect("the model package group exists", any(g["ModelPackageGroupName"] == _group(ctx) for g in group),
                 _group(ctx))


def apply_start_execution(ctx):
    _start(ctx)


def check_start_execution(ctx):
    executions = _executions(ctx)
    yield expect("an execution of the pipeline was started", executions, f"{len(executions)} execution(s)")
    if executions:
        params = _parameters(ctx, executions[0]["PipelineExecutionArn"])
        value = float(params.get(THRESHOLD_PARAMETER, DEFAULT_THRESHOLD))
        yield equal(f"the first execution keeps the default {THRESHOLD_PARAMETER}", value, DEFAULT_THRESHOLD)


def apply_run_pipeline(ctx):
    _run_pending(ctx)


def _accuracy(ctx, model_uri, test_uri) -> float:
    """Accuracy recomputed here, independently of evaluate.py: model.json from model.tar.gz,
    scored on the test split's objects."""
    import numpy as np

    bucket, _, key = model_uri[5:].partition("/")
    with tarfile.open(fileobj=io.BytesIO(read_object(ctx, bucket, key))) as tar:
        model = json.load(tar.extractfile("model.json"))
    tbucket, _, prefix = test_uri[5:].partition("/")
    rows = [np.loadtxt(io.BytesIO(read_object(ctx, tbucket, k)), delimiter=",", ndmin=2)
            for k in object_keys(ctx, tbucket, prefix)]
    data = np.vstack(rows)
    scores = data[:, 1:] @ np.array(model["weights"]) + model["bias"]
    return float(np.mean((scores > 0) == (data[:, 0] == 1)))


def check_run_pipeline(ctx):
    label = "emulated" if ctx.on_aws else "local"
    record = _record(ctx, 0)
    if record is None:
        yield not_run("the first execution ran", label)
        return
    statuses = {s["StepName"]: s.get("StepStatus") for s in record.get("PipelineExecutionSteps", [])}
    yield equal("the first execution succeeded with every step (Register included)",
                (record.get("PipelineExecutionStatus"), statuses),
                ("Succeeded", {name: "Succeeded" for name in STEP_TYPES}), label)
    sm = ctx.client("sagemaker")
    prep = sm.describe_processing_job(ProcessingJobName=_job_arn(_step(record, "Preprocess"), "ProcessingJob").rsplit("/", 1)[-1])
    outputs = {o["OutputName"]: o["S3Output"]["S3Uri"] for o in prep["ProcessingOutputConfig"]["Outputs"]}
    rows = 0
    for uri in outputs.values():
        bucket, _, prefix = uri[5:].partition("/")
        rows += sum(len(read_object(ctx, bucket, k).decode().splitlines()) for k in object_keys(ctx, bucket, prefix))
    expected_rows = _complete_rows(read_object(ctx, _bucket(ctx), "raw/customers.csv"))
    yield equal("Preprocess uploaded train + test splits holding exactly the raw data's complete rows",
                rows, expected_rows, label)
    train = sm.describe_training_job(TrainingJobName=_job_arn(_step(record, "Train"), "TrainingJob").rsplit("/", 1)[-1])
    artefact = f"{train['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{train['TrainingJobName']}/output/model.tar.gz"
    evaluate = sm.describe_processing_job(ProcessingJobName=_job_arn(_step(record, "Evaluate"), "ProcessingJob").rsplit("/", 1)[-1])
    model_input = next((i["S3Input"]["S3Uri"] for i in evaluate["ProcessingInputs"] if i["InputName"] == "model"), None)
    abucket, _, akey = artefact[5:].partition("/")
    yield expect("Evaluate's model input is the Train job's model.tar.gz (the property flowed between steps)",
                 model_input == artefact and akey in object_keys(ctx, abucket, akey), f"{model_input} vs {artefact}", label)
    report = _evaluation(ctx, record) or {}
    reported = report.get("metrics", {}).get("accuracy", {}).get("value")
    recomputed = _accuracy(ctx, artefact, outputs["test"])
    yield expect("evaluation.json's accuracy is the trained model's accuracy on the test split (recomputed here)",
                 reported is not None and abs(reported - recomputed) < 1e-9 and reported >= DEFAULT_THRESHOLD,
                 f"evaluation.json {reported}, recomputed {recomputed:.4f}", label)
    packages = _model_packages(ctx)
    package = sm.describe_model_package(ModelPackageName=packages[0]["ModelPackageArn"]) if len(packages) == 1 else {}
    urls = [c.get("ModelDataUrl") for c in package.get("InferenceSpecification", {}).get("Containers", [])]
    yield equal("the condition held, so one model version was registered, PendingManualApproval, with that artefact",
                (len(packages), package.get("ModelApprovalStatus"), urls), (1, APPROVAL, [artefact]))


def apply_rerun_higher_threshold(ctx):
    _start(ctx, HIGH_THRESHOLD)


def check_rerun_higher_threshold(ctx):
    executions = _executions(ctx)
    yield expect("a second execution was started", len(executions) >= 2, f"{len(executions)} execution(s)")
    if len(executions) < 2:
        return
    value = float(_parameters(ctx, executions[-1]["PipelineExecutionArn"]).get(THRESHOLD_PARAMETER, DEFAULT_THRESHOLD))
    first = _evaluation(ctx, _record(ctx, 0)) or {}
    accuracy = first.get("metrics", {}).get("accuracy", {}).get("value")
    yield expect(f"its {THRESHOLD_PARAMETER} is above the first model's accuracy (the condition must fail)",
                 accuracy is not None and value > accuracy, f"threshold {value}, first accuracy {accuracy}")


def apply_observe_rerun(ctx):
    _run_pending(ctx)


def check_observe_rerun(ctx):
    label = "emulated" if ctx.on_aws else "local"
    first, record = _record(ctx, 0), _record(ctx, len(_executions(ctx)) - 1)
    if record is None or first is None or record["PipelineExecutionArn"] == first["PipelineExecutionArn"]:
        yield not_run("the second execution ran", label)
        return
    cond = (_step(record, "CheckAccuracy").get("Metadata") or {}).get("Condition", {})
    names = [s["StepName"] for s in record.get("PipelineExecutionSteps", [])]
    yield equal("the condition evaluated False and the execution stopped before Register",
                (cond.get("Outcome"), "Register" in names, record.get("PipelineExecutionStatus")),
                ("False", False, "Succeeded"), label)
    yield equal("the model group still holds only the first execution's version", len(_model_packages(ctx)), 1)
    hit = _step(record, "Preprocess").get("CacheHitResult") or {}
    yield equal("Preprocess was a cache hit on the first execution (same arguments, within ExpireAfter)",
                hit.get("SourcePipelineExecutionArn"), first["PipelineExecutionArn"], label)
    exec_id = record["PipelineExecutionArn"].rsplit("/", 1)[-1]
    jobs = ctx.client("sagemaker").list_processing_jobs(NameContains=exec_id[:24]).get("ProcessingJobSummaries", [])
    train_jobs = ctx.client("sagemaker").list_training_jobs(NameContains=exec_id[:24]).get("TrainingJobSummaries", [])
    kinds = sorted(j["ProcessingJobName"].split("-")[-2] for j in jobs)
    yield equal("no Preprocess job ran in the second execution; Evaluate and Train (no cache) ran again",
                (kinds, len(train_jobs)), (["Evaluate"], 1))


# --------------------------------------------------------------------------- mutations
def _no_cache(ctx):
    _define(ctx, cache=False)


def _approved_straight_away(ctx):
    _define(ctx, approval="Approved")


def _threshold_passed_as_default(ctx):
    _start(ctx, DEFAULT_THRESHOLD + 0.0001)


def _threshold_too_low(ctx):
    _start(ctx, 0.5)


MUTATIONS = {
    "define_pipeline": [("caching left off the Preprocess step", _no_cache),
                        ("model registered as Approved, skipping manual approval", _approved_straight_away)],
    "start_execution": [("first execution started with another threshold", _threshold_passed_as_default)],
    "rerun_higher_threshold": [("rerun with a threshold the model passes", _threshold_too_low)],
}
