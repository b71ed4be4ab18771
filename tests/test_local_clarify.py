"""awslabs.local.clarify: AWS's bias-metric formulas and exact SHAP against values computed by
hand on a tiny table, and the Clarify container contract run end to end on moto."""
from __future__ import annotations

import csv
import io
import json
import math

import boto3
import pytest
from moto import mock_aws

from awslabs.local import clarify

# The tiny table: 6 rows of facet a, 4 of facet d (the sensitive value).
#   facet a: y = 1 1 1 1 0 0   y' = 1 1 0 0 1 0   -> TP 2, FN 2, FP 1, TN 1; qa = 4/6, q'a = 3/6, acc 3/6
#   facet d: y = 1 0 0 0       y' = 0 1 0 0       -> TP 0, FN 1, FP 1, TN 2; qd = 1/4, q'd = 1/4, acc 2/4
Y = [1, 1, 1, 1, 0, 0, 1, 0, 0, 0]
Y_HAT = [1, 1, 0, 0, 1, 0, 0, 1, 0, 0]
FACET = ["m"] * 6 + ["f"] * 4
D = [f == "f" for f in FACET]


def test_pre_training_metrics_follow_the_documented_formulas():
    got = clarify.pre_training_metrics([y == 1 for y in Y], D)
    pa, pd = (1 / 3, 2 / 3), (3 / 4, 1 / 4)  # P(y=0), P(y=1) per facet
    assert got["CI"] == pytest.approx((6 - 4) / (6 + 4))  # 0.2
    assert got["DPL"] == pytest.approx(2 / 3 - 1 / 4)  # 5/12
    assert got["KL"] == pytest.approx(1 / 3 * math.log(4 / 9) + 2 / 3 * math.log(8 / 3))  # 0.38358
    assert got["KL"] == pytest.approx(0.383576, abs=1e-6)
    # JS against the mixture P = (13/24, 11/24)
    js = 0.5 * (1 / 3 * math.log(8 / 13) + 2 / 3 * math.log(16 / 11) + 3 / 4 * math.log(18 / 13) + 1 / 4 * math.log(6 / 11))
    assert got["JS"] == pytest.approx(js)
    assert got["KS"] == pytest.approx(5 / 12)
    assert got["TVD"] == pytest.approx(5 / 12)
    assert got["LP"] == pytest.approx(math.sqrt(2) * 5 / 12)
    assert pa and pd


def test_facet_a_and_d_are_not_interchangeable():
    swapped = clarify.pre_training_metrics([y == 1 for y in Y], [not d for d in D])
    assert swapped["CI"] == pytest.approx(-0.2) and swapped["DPL"] == pytest.approx(-5 / 12)


def test_post_training_metrics_follow_the_documented_formulas():
    got = clarify.post_training_metrics([y == 1 for y in Y], [p == 1 for p in Y_HAT], D)
    assert got["DPPL"] == pytest.approx(3 / 6 - 1 / 4)  # q'a - q'd = 0.25
    assert got["DI"] == pytest.approx((1 / 4) / (3 / 6))  # q'd / q'a = 0.5
    assert got["AD"] == pytest.approx(3 / 6 - 2 / 4)  # 0
    assert got["RD"] == pytest.approx(2 / (2 + 2) - 0 / (0 + 1))  # 0.5
    assert got["TE"] == pytest.approx(1 / 1 - 2 / 1)  # FNd/FPd - FNa/FPa = -1


def test_an_empty_facet_fails_the_job():
    with pytest.raises(clarify.ClarifyError):
        clarify.pre_training_metrics([True, False], [False, False])


def test_selects_compares_values_as_text():
    assert clarify.selects(["1", "0", "1.0"], [1]) == [True, False, True]
    assert clarify.selects(["female", "male"], ["female"]) == [True, False]
    assert clarify.label_positive(["0", "1", "2"], 0) == [False, True, True]  # a bare number is a threshold
    assert clarify.label_positive(["0", "1", "2"], [2]) == [False, False, True]


# -- SHAP -------------------------------------------------------------------------------------------------
W, B = [2.0, -1.0, 0.5], 1.0


def _linear(rows):
    return [sum(w * x for w, x in zip(W, row)) + B for row in rows]


def test_shap_of_a_linear_model_is_w_times_x_minus_baseline():
    rows, baseline = [[1, 2, 3], [0, 0, 0], [4, -1, 2]], [[0.5, 1, 1]]
    phi, expected = clarify.exact_shap(_linear, rows, baseline)
    for row, values in zip(rows, phi):
        assert values == pytest.approx([w * (x - b) for w, x, b in zip(W, row, baseline[0])])
    assert phi[0] == pytest.approx([1.0, -1.0, 1.0])
    assert expected == pytest.approx(2 * 0.5 - 1 + 0.5 + 1)  # f(baseline) = 1.5


def test_several_baseline_rows_average_the_baseline():
    phi, expected = clarify.exact_shap(_linear, [[1, 2, 3]], [[0, 0, 0], [2, 2, 2]])
    assert phi[0] == pytest.approx([2 * (1 - 1), -1 * (2 - 1), 0.5 * (3 - 1)])
    assert expected == pytest.approx(((0 + 1) + (4 - 2 + 1 + 1)) / 2)


def test_shap_is_efficient_and_splits_an_interaction_evenly():
    def f(rows):
        return [r[0] * r[1] + r[2] ** 2 for r in rows]

    rows, baseline = [[1, 1, 0], [2, 3, 1], [-1, 4, 2]], [[0, 0, 0]]
    phi, expected = clarify.exact_shap(f, rows, baseline)
    for row, values in zip(rows, phi):
        assert sum(values) == pytest.approx(f([row])[0] - f(baseline)[0])  # efficiency
    assert phi[0] == pytest.approx([0.5, 0.5, 0.0])  # x0*x1 from (0,0) to (1,1): shared equally
    assert phi[1][2] == pytest.approx(1.0)  # an additive term is its own: 1^2 - 0
    assert expected == 0


def test_a_baseline_of_the_wrong_width_fails():
    with pytest.raises(clarify.ClarifyError, match="3 features"):
        clarify.exact_shap(_linear, [[1, 2, 3]], [[1, 2]])


def test_global_aggregations():
    local = [[1, -3], [-1, 1]]
    assert clarify.aggregate(local, "mean_abs") == pytest.approx([1, 2])
    assert clarify.aggregate(local, "median") == pytest.approx([0, -1])
    assert clarify.aggregate(local, "mean_sq") == pytest.approx([1, 5])


def test_the_model_artefact_round_trips_and_scores_a_logistic():
    model = clarify.read_model_artefact(clarify.linear_model_artefact(["x"], [2.0], -1.0))
    assert model["features"] == ["x"]
    assert clarify.score(model, [[0.5], [0]]) == pytest.approx([0.5, 1 / (1 + math.exp(1))])
    with pytest.raises(clarify.ClarifyError, match="expects 1 features"):
        clarify.score(model, [[1, 2]])


# -- the processing job on moto --------------------------------------------------------------------------
CONFIG = {
    "dataset_type": "text/csv", "headers": ["signal", "sex", "y"], "label": "y", "label_values_or_threshold": [1],
    "facet": [{"name_or_index": "sex", "value_or_threshold": ["f"]}], "excluded_columns": ["sex"],
    "methods": {"pre_training_bias": {"methods": ["CI", "DPL"]}, "post_training_bias": {"methods": ["DPPL", "DI", "TE"]},
                "shap": {"baseline": [[0]]}},
    "predictor": {"model_name": "m", "instance_type": "ml.m5.large", "initial_instance_count": 1},
}


class _Clients:
    def __init__(self):
        self.made = {s: boto3.client(s, region_name="us-east-1") for s in ("s3", "sagemaker")}

    def client(self, service):
        return self.made[service]


def _job(clients, config=CONFIG, input_name="analysis_config"):
    s3, sm = clients.client("s3"), clients.client("sagemaker")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="cfg/analysis_config.json", Body=json.dumps(config).encode())
    # the model's input "signal" is the prediction itself: score sigmoid(10 x - 5)
    rows = "".join(f"{p},{f},{y}\n" for p, f, y in zip(Y_HAT, FACET, Y))
    s3.put_object(Bucket="bkt", Key="data/d.csv", Body=rows.encode())
    s3.put_object(Bucket="bkt", Key="model/model.tar.gz", Body=clarify.linear_model_artefact(["signal"], [10.0], -5.0))
    sm.create_model(ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
                    PrimaryContainer={"Image": "i", "ModelDataUrl": "s3://bkt/model/model.tar.gz"})
    sm.create_processing_job(
        ProcessingJobName="j", RoleArn="arn:aws:iam::123456789012:role/r",
        AppSpecification={"ImageUri": "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"},
        ProcessingInputs=[
            {"InputName": input_name, "S3Input": {"S3Uri": "s3://bkt/cfg/analysis_config.json", "S3DataType": "S3Prefix",
                                                  "LocalPath": "/opt/ml/processing/input/config", "S3InputMode": "File"}},
            {"InputName": "dataset", "S3Input": {"S3Uri": "s3://bkt/data/", "S3DataType": "S3Prefix",
                                                 "LocalPath": "/opt/ml/processing/input/data", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "analysis_result", "S3Output": {
            "S3Uri": "s3://bkt/out", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5}})


@mock_aws
def test_the_job_writes_analysis_json_in_the_documented_shape():
    clients = _Clients()
    _job(clients)
    written = clarify.run_processing_job(clients, "j")
    assert written == {"analysis": "s3://bkt/out/analysis.json", "local_shap": "s3://bkt/out/explanations_shap/out.csv"}
    s3 = clients.client("s3")
    analysis = json.loads(s3.get_object(Bucket="bkt", Key="out/analysis.json")["Body"].read())
    pre = analysis["pre_training_bias_metrics"]
    assert pre["label"] == "y" and pre["label_value_or_threshold"] == "1"
    [entry] = pre["facets"]["sex"]
    assert entry["value_or_threshold"] == "f"
    assert {m["name"]: m["value"] for m in entry["metrics"]} == pytest.approx({"CI": 0.2, "DPL": 5 / 12})
    assert entry["metrics"][0]["description"] == "Class Imbalance (CI)"
    [post] = analysis["post_training_bias_metrics"]["facets"]["sex"]
    assert {m["name"]: m["value"] for m in post["metrics"]} == pytest.approx({"DPPL": 0.25, "DI": 0.5, "TE": -1.0})
    shap = analysis["explanations"]["kernel_shap"]["label0"]
    assert list(shap["global_shap_values"]) == ["signal"]
    assert shap["expected_value"] == pytest.approx(1 / (1 + math.exp(5)))  # f(baseline 0)
    local = list(csv.reader(io.StringIO(s3.get_object(Bucket="bkt", Key="out/explanations_shap/out.csv")["Body"].read().decode())))
    assert local[0] == ["signal"] and len(local) == 1 + len(Y)
    # one feature: its SHAP value is all of f(x) - f(baseline)
    assert float(local[1][0]) == pytest.approx(1 / (1 + math.exp(-5)) - 1 / (1 + math.exp(5)))


@mock_aws
def test_the_contract_names_are_required():
    clients = _Clients()
    _job(clients, input_name="config")
    with pytest.raises(clarify.ClarifyError, match="analysis_config"):
        clarify.run_processing_job(clients, "j")


@mock_aws
def test_a_facet_value_that_matches_no_row_fails_the_job():
    clients = _Clients()
    _job(clients, {**CONFIG, "facet": [{"name_or_index": "sex", "value_or_threshold": ["x"]}]})
    with pytest.raises(clarify.ClarifyError, match="matches no row"):
        clarify.run_processing_job(clients, "j")


@mock_aws
def test_the_model_must_take_the_columns_sent():
    clients = _Clients()
    _job(clients, {k: v for k, v in CONFIG.items() if k != "excluded_columns"})
    with pytest.raises(clarify.ClarifyError, match="cannot parse column 'sex'"):
        clarify.run_processing_job(clients, "j")
    clients.client("s3").put_object(Bucket="bkt", Key="data/d.csv", Body=b"1,0,1\n0,1,0\n")  # numeric, 2 columns sent
    with pytest.raises(clarify.ClarifyError, match="expects 1 features"):
        clarify.run_processing_job(clients, "j")
