"""Validate SageMaker requests the way the service would, where the emulator cannot.

moto does not implement ``CreateLabelingJob`` and accepts any ``CreateHyperParameterTuningJob``
without checking its rules. These validators reject what AWS documents it rejects:

1. **The API's own constraints** (``validate_shape``): required members, string length and
   pattern, numeric ranges, list sizes and enums, read from the SageMaker service model that ships
   with botocore (the same model the API reference pages are generated from).
2. **Rules written in the documentation** but not in the model:

   ``CreateLabelingJob`` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateLabelingJob.html,
   https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HumanTaskConfig.html)
   - ``LabelAttributeName`` cannot end with ``-metadata``; for image classification it cannot end
     with ``-ref`` either;
   - ``NumberOfHumanWorkersPerDataObject`` is 1..9;
   - ``TaskTimeLimitInSeconds`` >= 30 and, for image and text tasks, <= 28,800 (8 hours);
   - ``TaskAvailabilityLifetimeInSeconds`` <= 43,200 (12 h) for the public (Mechanical Turk)
     workforce, <= 2,592,000 (30 days) for private and vendor workforces;
   - built-in task types use the Ground Truth pre-annotation and consolidation Lambdas of the
     job's Region (``PRE-<Task>`` / ``ACS-<Task>``, accounts in ``GROUND_TRUTH_LAMBDA_ACCOUNTS``);
   - the label category file has ``"document-version": "2018-11-28"``, unique labels, and at least
     two of them for image classification.

   ``CreateHyperParameterTuningJob``
   (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HyperParameterTuningJobConfig.html,
   https://docs.aws.amazon.com/sagemaker/latest/dg/automatic-model-tuning-how-it-works.html,
   https://docs.aws.amazon.com/sagemaker/latest/dg/automatic-model-tuning-define-ranges.html)
   - ``Logarithmic`` scaling only for ranges whose values are all > 0; ``ReverseLogarithmic`` only
     for continuous ranges entirely within 0 <= x < 1 (never for integer ranges);
   - at most 30 hyperparameters in all ranges together; MinValue <= MaxValue;
   - ``Grid`` supports only categorical parameters; ``MaxNumberOfTrainingJobs`` may be omitted
     and, if given, must equal the number of distinct combinations;
   - ``Hyperband`` needs ``TrainingJobEarlyStoppingType`` ``Off`` (it stops jobs itself);
     ``StrategyConfig`` only with Hyperband;
   - every other strategy needs ``MaxNumberOfTrainingJobs``;
   - the objective metric must be one of the training definition's ``MetricDefinitions`` when
     the image is not a built-in algorithm (built-ins define their own metrics);
   - warm start: 1 to 5 parent jobs.

``validate_*`` return a list of problems (empty: the request would be accepted on these counts).
"""
from __future__ import annotations

import functools
import itertools
import json
import math
import re
from typing import Any

from awslabs import facts

# Ground Truth's pre-annotation (PRE-*) and consolidation (ACS-*) Lambdas live in one AWS-owned
# account per Region: the list in HumanTaskConfig.PreHumanTaskLambdaArn /
# AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn (API reference, see above).
GROUND_TRUTH_LAMBDA_ACCOUNTS = {
    "us-east-1": "432418664414",
    "us-east-2": "266458841044",
    "us-west-2": "081040173940",
    "ca-central-1": "918755190332",
    "eu-west-1": "568282634449",
    "eu-west-2": "487402164563",
    "eu-central-1": "203001061592",
    "ap-northeast-1": "477331159723",
    "ap-northeast-2": "845288260483",
    "ap-south-1": "565803892007",
    "ap-southeast-1": "377565633583",
    "ap-southeast-2": "454466003867",
}

IMAGE_AND_TEXT_TASKS = (
    "ImageMultiClass",
    "ImageMultiClassMultiLabel",
    "BoundingBox",
    "SemanticSegmentation",
    "TextMultiClass",
    "TextMultiClassMultiLabel",
    "NamedEntityRecognition",
)
LABEL_CATEGORY_DOCUMENT_VERSION = "2018-11-28"


def ground_truth_lambda_arn(kind: str, task: str, region: str) -> str:
    """``kind`` is ``PRE`` (pre-annotation) or ``ACS`` (annotation consolidation)."""
    if kind not in ("PRE", "ACS"):
        raise ValueError("kind is PRE or ACS")
    try:
        account = GROUND_TRUTH_LAMBDA_ACCOUNTS[region]
    except KeyError:
        raise ValueError(f"Ground Truth built-in task Lambdas are not listed for {region}") from None
    return f"arn:aws:lambda:{region}:{account}:function:{kind}-{task}"


# -- 1. the API model's constraints ------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _service_model():
    import botocore.session

    return botocore.session.get_session().get_service_model("sagemaker")


def validate_shape(operation: str, params: dict) -> list[str]:
    """Check ``params`` against the input shape of a SageMaker operation (min/max, pattern, enum,
    required, unknown members). botocore's client-side validator checks only types and minimums;
    the service checks the rest, so this does too."""
    shape = _service_model().operation_model(operation).input_shape
    problems: list[str] = []
    _check(shape, params, operation, problems)
    return problems


def _check(shape, value: Any, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object")
            return
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required")
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is None:
                problems.append(f"{path}.{name}: unknown parameter")
                continue
            _check(member, member_value, f"{path}.{name}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        if "min" in meta and len(value) < meta["min"]:
            problems.append(f"{path}: at least {meta['min']} items")
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: at most {meta['max']} items")
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map")
            return
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: at most {meta['max']} entries")
        for k, v in value.items():
            _check(shape.key, k, f"{path}<key {k}>", problems)
            _check(shape.value, v, f"{path}[{k}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string")
            return
        if "min" in meta and len(value) < meta["min"]:
            problems.append(f"{path}: shorter than {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: longer than {meta['max']}")
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} is not one of {list(enum)}")
        pattern = meta.get("pattern")
        if pattern and not _full_match(pattern, value):
            problems.append(f"{path}: {value!r} does not match {pattern}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer")
            return
        if "min" in meta and value < meta["min"]:
            problems.append(f"{path}: below the minimum {meta['min']}")
        if "max" in meta and value > meta["max"]:
            problems.append(f"{path}: above the maximum {meta['max']}")
    elif kind in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected true or false")


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str):
    # The model's patterns are Java regexes; the ones SageMaker uses are also valid in Python
    # once \p{...} classes (none in the members we validate) are left aside.
    try:
        return re.compile(pattern, re.S)
    except re.error:
        return None


def _full_match(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return True if compiled is None else compiled.fullmatch(value) is not None


# -- 2a. CreateLabelingJob ---------------------------------------------------------------------


def validate_label_categories(document: dict, task: str = "ImageMultiClass") -> list[str]:
    problems = []
    if document.get("document-version") != LABEL_CATEGORY_DOCUMENT_VERSION:
        problems.append(f'document-version must be "{LABEL_CATEGORY_DOCUMENT_VERSION}"')
    labels = document.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, dict) and "label" in x for x in labels):
        return problems + ['labels must be a list of {"label": ...} objects']
    names = [x["label"] for x in labels]
    if len(set(names)) != len(names):
        problems.append("label categories must be unique")
    minimum = 2 if task.startswith(("ImageMultiClass", "TextMultiClass")) else 1
    if len(names) < minimum:
        problems.append(f"{task} needs at least {minimum} label categories")
    return problems


def validate_labeling_job(request: dict, region: str, task: str = "ImageMultiClass") -> list[str]:
    problems = validate_shape("CreateLabelingJob", request)
    attr = request.get("LabelAttributeName", "")
    if attr.endswith("-metadata"):
        problems.append("LabelAttributeName cannot end with -metadata")
    if task != "SemanticSegmentation" and attr.endswith("-ref"):
        problems.append(f"LabelAttributeName cannot end with -ref for {task}")
    human = request.get("HumanTaskConfig", {})
    workers = human.get("NumberOfHumanWorkersPerDataObject")
    if isinstance(workers, int) and not 1 <= workers <= 9:
        problems.append("NumberOfHumanWorkersPerDataObject must be 1..9")
    limit = human.get("TaskTimeLimitInSeconds")
    if isinstance(limit, int) and task in IMAGE_AND_TEXT_TASKS and limit > facts.value("groundtruth.task_time_limit_s")["image_text_max"]:
        problems.append("TaskTimeLimitInSeconds is at most 28,800 (8 hours) for image and text tasks")
    lifetime = human.get("TaskAvailabilityLifetimeInSeconds")
    public = "PublicWorkforceTaskPrice" in human or ":workteam/public-crowd/" in human.get("WorkteamArn", "")
    if isinstance(lifetime, int):
        caps = facts.value("groundtruth.task_availability_s")
        cap = caps["public"] if public else caps["private_or_vendor"]
        if lifetime > cap:
            problems.append(f"TaskAvailabilityLifetimeInSeconds is at most {cap:,} for this workforce")
    if task in IMAGE_AND_TEXT_TASKS and region in GROUND_TRUTH_LAMBDA_ACCOUNTS:
        expected_pre = ground_truth_lambda_arn("PRE", task, region)
        expected_acs = ground_truth_lambda_arn("ACS", task, region)
        if human.get("PreHumanTaskLambdaArn") != expected_pre:
            problems.append(f"PreHumanTaskLambdaArn for {task} in {region} is {expected_pre}")
        acs = human.get("AnnotationConsolidationConfig", {}).get("AnnotationConsolidationLambdaArn")
        if acs != expected_acs:
            problems.append(f"AnnotationConsolidationLambdaArn for {task} in {region} is {expected_acs}")
    return problems


# -- 2b. CreateHyperParameterTuningJob ---------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def grid_size(parameter_ranges: dict) -> int:
    """Distinct combinations of the categorical values (what a Grid job trains)."""
    sizes = [len(r.get("Values", [])) for r in parameter_ranges.get("CategoricalParameterRanges", [])]
    return math.prod(sizes) if sizes else 0


def grid_combinations(parameter_ranges: dict) -> list[dict[str, str]]:
    ranges = parameter_ranges.get("CategoricalParameterRanges", [])
    names = [r["Name"] for r in ranges]
    return [dict(zip(names, combo)) for combo in itertools.product(*[r["Values"] for r in ranges])]


def _is_builtin_algorithm(image: str) -> bool:
    # Built-in algorithms publish their own metrics; framework images (scikit-learn, PyTorch...)
    # and your own containers need MetricDefinitions.
    repo = image.split("/", 1)[-1].split(":", 1)[0]
    return repo in BUILTIN_REPOSITORIES


BUILTIN_REPOSITORIES = {
    "pca",
    "kmeans",
    "linear-learner",
    "factorization-machines",
    "forecasting-deepar",
    "blazingtext",
    "image-classification",
    "object-detection",
    "semantic-segmentation",
    "knn",
    "lda",
    "ntm",
    "randomcutforest",
    "ipinsights",
    "object2vec",
    "seq2seq",
    "sagemaker-xgboost",
}


def validate_tuning_job(request: dict) -> list[str]:
    problems = validate_shape("CreateHyperParameterTuningJob", request)
    config = request.get("HyperParameterTuningJobConfig", {})
    strategy = config.get("Strategy")
    ranges = config.get("ParameterRanges", {})
    limits = config.get("ResourceLimits", {})
    total = sum(len(ranges.get(k, [])) for k in ("IntegerParameterRanges", "ContinuousParameterRanges", "CategoricalParameterRanges"))
    cap = facts.value("hpo.max_hyperparameters")
    if total > cap:
        problems.append(f"at most {cap} hyperparameters can be tuned, got {total}")
    for kind in ("IntegerParameterRanges", "ContinuousParameterRanges"):
        for r in ranges.get(kind, []):
            low, high = _number(r.get("MinValue")), _number(r.get("MaxValue"))
            name = r.get("Name")
            if low is None or high is None:
                problems.append(f"{name}: MinValue and MaxValue must be numbers")
                continue
            if kind == "IntegerParameterRanges" and not (low.is_integer() and high.is_integer()):
                problems.append(f"{name}: integer ranges need integer bounds")
            if low > high:
                problems.append(f"{name}: MinValue is greater than MaxValue")
            scaling = r.get("ScalingType", "Auto")
            if scaling == "Logarithmic" and low <= 0:
                problems.append(f"{name}: Logarithmic scaling needs values greater than 0")
            if scaling == "ReverseLogarithmic":
                if kind == "IntegerParameterRanges":
                    problems.append(f"{name}: ReverseLogarithmic is not supported for integer ranges")
                elif not (0 <= low and high < 1):
                    problems.append(f"{name}: ReverseLogarithmic needs the range within 0 <= x < 1")
    if strategy == "Grid":
        if ranges.get("IntegerParameterRanges") or ranges.get("ContinuousParameterRanges"):
            problems.append("Grid search supports only categorical parameters")
        wanted = limits.get("MaxNumberOfTrainingJobs")
        if wanted is not None and wanted != grid_size(ranges):
            problems.append(
                f"Grid: MaxNumberOfTrainingJobs must equal the {grid_size(ranges)} distinct combinations (or be omitted)"
            )
    elif "MaxNumberOfTrainingJobs" not in limits:
        problems.append(f"{strategy}: ResourceLimits.MaxNumberOfTrainingJobs is required")
    if strategy == "Hyperband" and config.get("TrainingJobEarlyStoppingType", "Off") != "Off":
        problems.append("Hyperband has its own early stopping: TrainingJobEarlyStoppingType must be Off")
    if "StrategyConfig" in config and strategy != "Hyperband":
        problems.append("StrategyConfig is only for the Hyperband strategy")
    definition = request.get("TrainingJobDefinition", {})
    algorithm = definition.get("AlgorithmSpecification", {})
    objective = config.get("HyperParameterTuningJobObjective", {}).get("MetricName")
    image = algorithm.get("TrainingImage", "")
    if objective and image and not _is_builtin_algorithm(image):
        names = [m.get("Name") for m in algorithm.get("MetricDefinitions", [])]
        if objective not in names:
            problems.append(f"objective metric {objective!r} is not among MetricDefinitions {names}")
    for name in definition.get("StaticHyperParameters", {}):
        tuned = {r.get("Name") for k in ("IntegerParameterRanges", "ContinuousParameterRanges", "CategoricalParameterRanges") for r in ranges.get(k, [])}
        if name in tuned:
            problems.append(f"{name} is both static and tuned")
    return problems


def to_json(request: dict) -> str:
    return json.dumps(request, indent=2, sort_keys=True, default=str)


# -- image URIs --------------------------------------------------------------------------------

# Built-in algorithm and framework images are pulled from AWS-owned ECR registries, one account
# per Region and image family. Source: "Docker Registry Paths and Example Code",
# https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html
# (per-Region pages such as .../dg-ecr-paths/ecr-us-east-1.html#pca-us-east-1), cross-checked
# with the SageMaker Python SDK's image_uri_config/pca.json and sklearn.json.
PCA_REGISTRY = {
    "us-east-1": "382416733822",
    "us-east-2": "404615174143",
    "us-west-1": "632365934929",
    "us-west-2": "174872318107",
    "ca-central-1": "469771592824",
    "sa-east-1": "855470959533",
    "eu-west-1": "438346466558",
    "eu-west-2": "644912444149",
    "eu-west-3": "749696950732",
    "eu-central-1": "664544806723",
    "eu-north-1": "669576153137",
    "me-south-1": "249704162688",
    "ap-east-1": "286214385809",
    "ap-south-1": "991648021394",
    "ap-northeast-1": "351501993468",
    "ap-northeast-2": "835164637446",
    "ap-southeast-1": "475088953585",
    "ap-southeast-2": "712309505854",
}
SKLEARN_REGISTRY = {
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
    "ca-central-1": "341280168497",
    "sa-east-1": "737474898029",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "eu-central-1": "492215442770",
    "eu-north-1": "662702820516",
    "me-south-1": "801668240914",
    "ap-east-1": "651117190479",
    "ap-south-1": "720646828776",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
}


def _registry(table: dict, region: str, what: str) -> str:
    try:
        return table[region]
    except KeyError:
        raise ValueError(f"no {what} registry account recorded for {region}; see the ECR paths page") from None


def pca_image_uri(region: str) -> str:
    """The built-in PCA algorithm, version tag ``1`` (the stable tag the docs recommend)."""
    return f"{_registry(PCA_REGISTRY, region, 'PCA')}.dkr.ecr.{region}.amazonaws.com/pca:1"


def sklearn_image_uri(region: str, version: str = "1.2-1") -> str:
    """The SageMaker scikit-learn framework container (CPU, Python 3)."""
    return f"{_registry(SKLEARN_REGISTRY, region, 'scikit-learn')}.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:{version}-cpu-py3"


# -- built-in PCA hyperparameters --------------------------------------------------------------

# "PCA Hyperparameters", https://docs.aws.amazon.com/sagemaker/latest/dg/PCA-reference.html:
# feature_dim, mini_batch_size and num_components are required positive integers;
# algorithm_mode is regular|randomized; subtract_mean true|false; extra_components a
# non-negative integer or -1 (randomized mode only). All values are strings in the API.
PCA_REQUIRED = ("feature_dim", "mini_batch_size", "num_components")


def validate_pca_hyperparameters(hp: dict[str, str]) -> list[str]:
    problems = []
    for name in PCA_REQUIRED:
        if name not in hp:
            problems.append(f"{name} is required")
    for name, value in hp.items():
        if not isinstance(value, str):
            problems.append(f"{name}: hyperparameter values are strings in the API, got {type(value).__name__}")
    def positive(name):
        text = hp.get(name)
        if isinstance(text, str) and not (text.isdigit() and int(text) > 0):
            problems.append(f"{name} must be a positive integer, got {text!r}")
    for name in PCA_REQUIRED:
        positive(name)
    mode = hp.get("algorithm_mode", "regular")  # strings only; non-strings were reported above
    if mode not in ("regular", "randomized"):
        problems.append(f"algorithm_mode must be regular or randomized, got {mode!r}")
    if hp.get("subtract_mean", "true") not in ("true", "false"):
        problems.append("subtract_mean must be true or false")
    if isinstance(hp.get("extra_components"), str):
        extra = hp["extra_components"]
        if not (extra == "-1" or extra.isdigit()):
            problems.append("extra_components must be a non-negative integer or -1")
        elif mode != "randomized" and extra != "-1":
            problems.append("extra_components is only valid in randomized mode")
    dims, comps = str(hp.get("feature_dim", "")), str(hp.get("num_components", ""))
    # Not in the table, but PCA cannot return more components than there are input dimensions.
    if dims.isdigit() and comps.isdigit() and int(comps) > int(dims):
        problems.append("num_components cannot exceed feature_dim")
    return problems
