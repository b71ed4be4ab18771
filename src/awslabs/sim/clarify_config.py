"""SageMaker Clarify's analysis configuration file (``analysis_config.json``) and the processing
job contract, as documented rules: what a valid configuration for a tabular binary-classification
bias and SHAP analysis must contain, and the metric codes Clarify knows.

Sources (read 2026-12-06, registered in ``awslabs.facts``):
https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-configure-analysis.html
https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-configure-parameters.html
https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-measure-data-bias.html
https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-measure-post-training-bias.html
https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-feature-attribute-shap-baselines.html

Pure functions: no AWS calls, no data. The data-dependent rules (does the facet value occur in
the dataset, does the model accept the columns sent to it) are the local runner's.
"""
from __future__ import annotations

from typing import Any

from awslabs import facts

PRE_TRAINING_METRICS: tuple[str, ...] = tuple(facts.value("clarify.metric_codes")["pre_training"])
POST_TRAINING_METRICS: tuple[str, ...] = tuple(facts.value("clarify.metric_codes")["post_training"])
_CONTRACT = facts.value("clarify.processing_contract")
CONFIG_INPUT_NAME: str = _CONTRACT["config_input"]
DATASET_INPUT_NAME: str = _CONTRACT["dataset_input"]
OUTPUT_NAME: str = _CONTRACT["output"]
CONFIG_LOCAL_PATH: str = _CONTRACT["config_path"]
DATASET_LOCAL_PATH: str = _CONTRACT["dataset_path"]
OUTPUT_LOCAL_PATH: str = _CONTRACT["output_path"]
DATASET_TYPES = ("text/csv", "application/jsonlines", "application/json", "application/x-parquet",
                 "application/x-image")
AGG_METHODS = ("mean_abs", "median", "mean_sq")  # how local SHAP values become global ones
DEFAULT_PROBABILITY_THRESHOLD = 0.5
IMAGE_REPOSITORY = "sagemaker-clarify-processing"
IMAGE_REGISTRY: dict[str, str] = facts.value("clarify.image_registry")


def image_uri(region: str) -> str:
    """The prebuilt Clarify processing image of a region (``sagemaker-clarify-processing:1.0``)."""
    account = IMAGE_REGISTRY.get(region, IMAGE_REGISTRY["us-east-1"])
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{IMAGE_REPOSITORY}:1.0"


def _methods(section: Any, known: tuple[str, ...], where: str, problems: list[str]) -> list[str]:
    """The metric codes a ``methods.<pre|post>_training_bias.methods`` value asks for ("all" or a list)."""
    if not isinstance(section, dict) or "methods" not in section:
        problems.append(f"{where} needs a 'methods' key: \"all\" or a list of metric codes")
        return []
    wanted = section["methods"]
    if wanted == "all":
        return list(known)
    if not isinstance(wanted, list) or not wanted:
        problems.append(f"{where}.methods must be \"all\" or a non-empty list of metric codes")
        return []
    unknown = [m for m in wanted if m not in known]
    if unknown:
        problems.append(f"{where}.methods: unknown metric {', '.join(map(str, unknown))} "
                        f"(Clarify knows {', '.join(known)})")
    return [m for m in wanted if m in known]


def requested_metrics(config: dict) -> dict[str, list[str]]:
    """``{"pre_training": [...], "post_training": [...]}``: the known codes the config asks for."""
    methods = config.get("methods") or {}
    scratch: list[str] = []
    return {
        "pre_training": _methods(methods["pre_training_bias"], PRE_TRAINING_METRICS, "pre", scratch)
        if "pre_training_bias" in methods else [],
        "post_training": _methods(methods["post_training_bias"], POST_TRAINING_METRICS, "post", scratch)
        if "post_training_bias" in methods else [],
    }


def validate(config: Any) -> list[str]:
    """Every documented rule the configuration breaks, each said as what to fix ([] when valid)."""
    if not isinstance(config, dict):
        return ["the analysis configuration must be a JSON object"]
    problems: list[str] = []
    if config.get("dataset_type") not in DATASET_TYPES:
        problems.append(f"dataset_type must be one of {', '.join(DATASET_TYPES)} (got {config.get('dataset_type')!r})")
    headers = config.get("headers")
    if headers is not None and (not isinstance(headers, list) or not all(isinstance(h, str) for h in headers)):
        problems.append("headers must be an array of column names")
    methods = config.get("methods")
    if not isinstance(methods, dict) or not methods:
        problems.append("methods is required: pre_training_bias, post_training_bias, shap, ...")
        methods = {}
    bias = "pre_training_bias" in methods or "post_training_bias" in methods
    if bias:
        if not config.get("label"):
            problems.append("bias metrics need 'label': the name (or index) of the target column")
        threshold = config.get("label_values_or_threshold")
        if threshold is None:
            problems.append("bias metrics need 'label_values_or_threshold': the label value(s) of the positive "
                            "outcome (a list), or a threshold above which the outcome is positive")
        elif not isinstance(threshold, (list, int, float)) or isinstance(threshold, bool) or threshold == []:
            problems.append("label_values_or_threshold must be a list of label values or a number (threshold)")
        facets = config.get("facet")
        if not isinstance(facets, list) or not facets:
            problems.append("bias metrics need 'facet': a list of {name_or_index, value_or_threshold}")
            facets = []
        for i, facet in enumerate(facets):
            if not isinstance(facet, dict) or "name_or_index" not in facet:
                problems.append(f"facet[{i}] needs name_or_index (the sensitive column)")
                continue
            name = facet["name_or_index"]
            if isinstance(name, str) and isinstance(headers, list) and name not in headers:
                problems.append(f"facet[{i}].name_or_index {name!r} is not one of the headers")
            value = facet.get("value_or_threshold")
            if value is not None and not isinstance(value, list):
                problems.append(f"facet[{i}].value_or_threshold must be a list (the sensitive value(s) of the facet, "
                                f"or [threshold] for a numeric facet), not {type(value).__name__} {value!r}")
        label = config.get("label")
        if isinstance(label, str) and isinstance(headers, list) and label not in headers:
            problems.append(f"label {label!r} is not one of the headers")
    if "pre_training_bias" in methods:
        _methods(methods["pre_training_bias"], PRE_TRAINING_METRICS, "methods.pre_training_bias", problems)
    if "post_training_bias" in methods:
        _methods(methods["post_training_bias"], POST_TRAINING_METRICS, "methods.post_training_bias", problems)
    shap = methods.get("shap")
    if shap is not None:
        if not isinstance(shap, dict):
            problems.append("methods.shap must be an object")
        else:
            agg = shap.get("agg_method", "mean_abs")
            if agg not in AGG_METHODS:
                problems.append(f"methods.shap.agg_method must be one of {', '.join(AGG_METHODS)}")
            samples = shap.get("num_samples")
            if samples is not None and (not isinstance(samples, int) or isinstance(samples, bool) or samples < 1):
                problems.append("methods.shap.num_samples must be a positive integer")
            baseline = shap.get("baseline")
            if baseline is not None and not (isinstance(baseline, str) and baseline.startswith("s3://")) and not (
                    isinstance(baseline, list) and baseline and all(isinstance(r, list) for r in baseline)):
                problems.append("methods.shap.baseline must be an S3 URI or a list of rows (each a list of values)")
    if "post_training_bias" in methods or shap is not None:
        predictor = config.get("predictor")
        if not isinstance(predictor, dict) or not (predictor.get("model_name") or predictor.get("endpoint_name")):
            problems.append("post-training bias and SHAP need 'predictor' with a model_name (Clarify creates a "
                            "shadow endpoint from it) or an endpoint_name")
        elif predictor.get("model_name") and not predictor.get("endpoint_name"):
            for key in ("instance_type", "initial_instance_count"):
                if key not in predictor:
                    problems.append(f"predictor.{key} is required with model_name (the shadow endpoint's size)")
    threshold = config.get("probability_threshold")
    if threshold is not None and not (isinstance(threshold, (int, float)) and 0 <= threshold <= 1):
        problems.append("probability_threshold must be a number between 0 and 1")
    return problems


def processing_job_problems(request: dict) -> list[str]:
    """What a CreateProcessingJob request (or DescribeProcessingJob answer) breaks of Clarify's
    container contract: the input and output names the container looks for."""
    problems: list[str] = []
    inputs = {i.get("InputName"): i for i in request.get("ProcessingInputs", [])}
    for name in (CONFIG_INPUT_NAME, DATASET_INPUT_NAME):
        if name not in inputs:
            problems.append(f"no processing input named {name!r} (inputs: {', '.join(map(str, inputs)) or 'none'})")
    outputs = [o.get("OutputName") for o in (request.get("ProcessingOutputConfig") or {}).get("Outputs", [])]
    if OUTPUT_NAME not in outputs:
        problems.append(f"no processing output named {OUTPUT_NAME!r} (outputs: {', '.join(map(str, outputs)) or 'none'})")
    app = request.get("AppSpecification") or {}
    if IMAGE_REPOSITORY not in app.get("ImageUri", ""):
        problems.append(f"the image must be the prebuilt Clarify image ({IMAGE_REPOSITORY}), not {app.get('ImageUri')!r}")
    if app.get("ContainerEntrypoint") or app.get("ContainerArguments"):
        problems.append("ContainerEntrypoint and ContainerArguments are not supported by the Clarify image")
    return problems
