"""awslabs.sim.clarify_config: the analysis configuration's documented rules on fixed inputs
(https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-configure-analysis.html)."""
from __future__ import annotations

import copy

from awslabs.sim import clarify_config as cc

VALID = {
    "version": "1.0", "dataset_type": "text/csv", "headers": ["a", "sex", "y"], "label": "y",
    "label_values_or_threshold": [1], "facet": [{"name_or_index": "sex", "value_or_threshold": ["female"]}],
    "methods": {"pre_training_bias": {"methods": ["CI", "DPL", "KL", "JS", "KS"]},
                "post_training_bias": {"methods": "all"},
                "shap": {"baseline": [[1]], "num_samples": 50, "agg_method": "mean_abs"}},
    "predictor": {"model_name": "m", "instance_type": "ml.m5.large", "initial_instance_count": 1},
}


def _with(change):
    config = copy.deepcopy(VALID)
    change(config)
    return cc.validate(config)


def test_a_documented_configuration_is_valid():
    assert cc.validate(VALID) == []


def test_the_documented_metric_codes():
    assert cc.PRE_TRAINING_METRICS == ("CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "CDDL")
    assert {"DPPL", "DI", "AD", "RD", "TE", "DCAcc", "DCR", "SD", "DAR", "DRR", "CDDPL", "FT", "GE"} == set(cc.POST_TRAINING_METRICS)
    assert cc.requested_metrics(VALID)["post_training"] == list(cc.POST_TRAINING_METRICS)  # "all"


def test_near_misses_say_what_to_fix():
    assert any("must be a list" in p for p in _with(lambda c: c["facet"][0].update(value_or_threshold="female")))
    assert any("label_values_or_threshold" in p for p in _with(lambda c: c.pop("label_values_or_threshold")))
    assert any("unknown metric DIR" in p for p in _with(
        lambda c: c["methods"]["pre_training_bias"].update(methods=["CI", "DIR"])))
    assert any("predictor" in p for p in _with(lambda c: c.pop("predictor")))
    assert any("instance_type" in p for p in _with(lambda c: c["predictor"].pop("instance_type")))
    assert any("agg_method" in p for p in _with(lambda c: c["methods"]["shap"].update(agg_method="max")))
    assert any("not one of the headers" in p for p in _with(lambda c: c["facet"][0].update(name_or_index="gender")))
    assert any("dataset_type" in p for p in _with(lambda c: c.update(dataset_type="csv")))


def test_a_shap_baseline_is_optional_by_the_schema():
    # documented: without a baseline Clarify computes one (K-means); the lab's task asks for one
    assert _with(lambda c: c["methods"]["shap"].pop("baseline")) == []


def test_label_threshold_may_be_a_number():
    assert _with(lambda c: c.update(label_values_or_threshold=0)) == []


def test_the_processing_job_contract():
    request = {
        "AppSpecification": {"ImageUri": cc.image_uri("us-east-1")},
        "ProcessingInputs": [{"InputName": "analysis_config"}, {"InputName": "dataset"}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "analysis_result"}]},
    }
    assert cc.processing_job_problems(request) == []
    assert cc.image_uri("us-east-1") == "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"
    request["ProcessingInputs"][0]["InputName"] = "config"
    request["AppSpecification"]["ContainerEntrypoint"] = ["python3"]
    problems = cc.processing_job_problems(request)
    assert any("'analysis_config'" in p for p in problems) and any("not supported" in p for p in problems)
