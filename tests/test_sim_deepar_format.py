"""The DeepAR format validator, with the documentation's own examples
(https://docs.aws.amazon.com/sagemaker/latest/dg/deepar.html,
https://docs.aws.amazon.com/sagemaker/latest/dg/deepar_hyperparameters.html)."""
from __future__ import annotations

import json

from awslabs.sim import deepar_format as df

DOC_EXAMPLE = "\n".join([
    '{"start": "2009-11-01 00:00:00", "target": [4.3, "NaN", 5.1], "cat": [0, 1], "dynamic_feat": [[1.1, 1.2, 0.5]]}',
    '{"start": "2012-01-30 00:00:00", "target": [1.0, -5.0, 2.0], "cat": [2, 3], "dynamic_feat": [[1.1, 2.05, 3.3]]}',
    '{"start": "1999-01-30 00:00:00", "target": [2.0, 1.0, null], "cat": [1, 4], "dynamic_feat": [[1.3, 0.4, 1.0]]}',
])


def test_the_documented_example_is_valid():
    report = df.validate_dataset(DOC_EXAMPLE, "train.json", time_freq="D")
    assert report.ok, report.errors
    assert (report.num_cat, report.num_dynamic_feat, len(report.records)) == (2, 1, 3)


def test_each_broken_rule_gets_its_own_message():
    errors = df.validate_record({"start": "2020-01-01T00:00:00Z", "target": [1, "x"], "cat": [1.5],
                                 "dynamic_feat": [[1.0]], "price": 3}, "line 7")
    text = " | ".join(errors)
    assert "line 7: unknown field(s) ['price']" in text
    assert "'start' must be 'YYYY-MM-DD HH:MM:SS'" in text
    assert "'target' has non-numeric values at positions [1]" in text
    assert "'cat' must be an array of non-negative integers" in text
    assert "dynamic_feat[0] has 1 values but 'target' has 2" in text
    assert df.validate_record({"start": "2020-01-01", "target": [1, 2], "dynamic_feat": [[1, None]]}, "l")[0].endswith(
        "dynamic_feat[0] has missing values, which DeepAR does not accept")


def test_cross_record_rules_and_frequency_grid():
    lines = [{"start": "2020-01-01 00:00:00", "target": [1, 2], "cat": [0]},
             {"start": "2020-01-01 06:00:00", "target": [1, 2], "cat": [0, 1]},
             {"start": "2020-01-01 00:00:00", "target": [1, 2]}]
    errors = df.validate_dataset(lines, "d", time_freq="D").errors
    assert any("line 2: 'start' '2020-01-01 06:00:00' is not on the D grid" in e for e in errors)
    assert any("line 2: 2 categorical features, the first record has 1" in e for e in errors)
    assert any("2 of 3 records have 'cat'" in e for e in errors)
    assert df.on_frequency_grid(df.parse_start("2020-01-01 10:15:00"), "15min")
    assert not df.on_frequency_grid(df.parse_start("2020-01-01 10:10:00"), "15min")
    assert df.validate_dataset("not json\n", "x").errors == ["x line 1: not JSON (Expecting value); the format is JSON Lines"]


def test_the_split_rule():
    train = [{"start": "2020-01-01 00:00:00", "target": [1, 2, 3]}]
    assert df.validate_split(train, [{"start": "2020-01-01 00:00:00", "target": [1, 2, 3, 4, 5]}], 2) == []
    assert "test must be train + prediction_length (2)" in df.validate_split(
        train, [{"start": "2020-01-01 00:00:00", "target": [1, 2, 3, 4]}], 2)[0]
    assert "are not the training points" in df.validate_split(
        train, [{"start": "2020-01-01 00:00:00", "target": [9, 2, 3, 4, 5]}], 2)[0]


def test_required_hyperparameters():
    assert df.validate_hyperparameters({"time_freq": "D", "context_length": "28", "prediction_length": "14",
                                        "epochs": "20", "likelihood": "student-T"}) == []
    errors = df.validate_hyperparameters({"time_freq": "2d", "prediction_length": 0, "likelihood": "poisson"})
    assert "hyperparameter 'context_length' is required" in errors and "hyperparameter 'epochs' is required" in errors
    assert any("time_freq '2d'" in e for e in errors) and any("prediction_length must be a positive" in e for e in errors)
    assert any("likelihood 'poisson'" in e for e in errors)
    assert json.dumps(df.LIKELIHOODS)


def test_time_freq_is_an_optional_integer_then_m_w_d_h_or_min():
    # deepar_hyperparameters.html (read 2026-12-06): "It also supports multiples of these basic
    # frequencies. For example, 5min specifies a frequency of 5 minutes ... Valid values: An integer
    # followed by M, W, D, H, or min. For example, 5min."
    base = {"context_length": 28, "prediction_length": 14, "epochs": 10}
    for freq in ("M", "W", "D", "H", "min", "5min", "2H", "12H", "3D", "2W", "1D"):
        assert df.validate_hyperparameters({**base, "time_freq": freq}) == [], freq
    for freq in ("0H", "2h", "H2", "1.5H", "2 H", "Y", "15s", ""):
        assert any("time_freq" in e for e in df.validate_hyperparameters({**base, "time_freq": freq})), freq
    assert df.on_frequency_grid(df.parse_start("2020-01-01 10:00:00"), "2H")
    assert not df.on_frequency_grid(df.parse_start("2020-01-01 10:30:00"), "12H")
    assert df.on_frequency_grid(df.parse_start("2020-01-01 00:00:00"), "3D")
    assert not df.on_frequency_grid(df.parse_start("2020-01-01 06:00:00"), "3D")
