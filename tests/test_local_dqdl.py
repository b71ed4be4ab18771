"""awslabs.local.dqdl against hand-computed values and the DQDL reference's own examples."""
import math

import pandas as pd
import pytest

from awslabs.local import dqdl

FRAME = pd.DataFrame({
    "id": ["a", "b", "c", "c", "d"],  # 'c' twice: 3 of 5 values occur exactly once
    "score": [1.0, 2.0, None, 4.0, 5.0],  # 4 of 5 present; mean 3.0; population std sqrt(2.5)
    "plan": ["basic", "basic", "premium", "Premium", None],
    "name": ["ann", "bo", "cy", "dee", "ed"],
})


def results(rules: str) -> list[tuple[str, str]]:
    return [(r["Description"], r["Result"]) for r in dqdl.evaluate(f"Rules = [ {rules} ]", FRAME)["RuleResults"]]


def metric(rule: str) -> float:
    (only,) = dqdl.evaluate(f"Rules = [ {rule} ]", FRAME)["RuleResults"]
    return next(iter(only["EvaluatedMetrics"].values()))


def test_the_reference_example_parses():
    rules = dqdl.parse('Rules = [ IsComplete "order-id", IsUnique "order-id" ]')
    assert [r.rule_type for r in rules] == ["IsComplete", "IsUnique"]
    assert rules[0].columns == ("order-id",)


def test_metrics_by_hand():
    assert metric("RowCount > 0") == 5
    assert metric('Completeness "score" > 0.5') == pytest.approx(0.8)
    assert metric('Uniqueness "id" > 0') == pytest.approx(0.6)  # a, b, d occur exactly once
    assert metric('Mean "score" > 0') == pytest.approx(3.0)
    assert metric('StandardDeviation "score" > 0') == pytest.approx(math.sqrt(2.5))
    assert metric('Sum "score" > 0') == pytest.approx(12.0)
    assert metric('DistinctValuesCount "plan" > 0') == 3  # basic, premium, Premium (nulls not counted)


def test_pass_and_fail():
    assert results('IsComplete "name", IsComplete "score", IsUnique "name", IsUnique "id"') == [
        ('IsComplete "name"', "PASS"), ('IsComplete "score"', "FAIL"),
        ('IsUnique "name"', "PASS"), ('IsUnique "id"', "FAIL")]
    assert [r for _, r in results('Completeness "score" > 0.8, Completeness "score" >= 0.8')] == ["FAIL", "PASS"]
    assert [r for _, r in results("RowCount between 1 and 5, RowCount between 6 and 9, RowCount = 5")] == [
        "PASS", "FAIL", "PASS"]


def test_column_values_every_row_or_a_threshold():
    allowed = 'ColumnValues "plan" in ["basic", "premium"]'  # 3 of 5 rows: 'Premium' and the null fail
    assert results(allowed)[0][1] == "FAIL"
    assert metric(allowed) == pytest.approx(0.6)
    assert results(f"{allowed} with threshold >= 0.6")[0][1] == "PASS"
    assert results(f"{allowed} with threshold > 0.6")[0][1] == "FAIL"
    assert metric('ColumnValues "plan" in ["basic", "premium", "Premium", NULL]') == 1.0
    assert metric('ColumnValues "score" between 2 and 4') == pytest.approx(0.4)  # 2.0 and 4.0, the null fails
    assert metric('ColumnValues "name" matches "[a-c].*"') == pytest.approx(0.6)  # ann, bo, cy
    assert metric('ColumnValues "plan" not in ["basic"]') == pytest.approx(0.6)  # premium, Premium, null
    assert metric('ColumnLength "name" <= 2') == pytest.approx(0.6)  # bo, cy, ed


def test_composite_rules():
    assert results('(IsComplete "name") and (IsUnique "name")')[0][1] == "PASS"
    assert results('(IsComplete "name") and (IsUnique "id")')[0][1] == "FAIL"
    assert results('(IsComplete "score") or (IsUnique "name")')[0][1] == "PASS"
    assert results('(RowCount > 10) or ((IsComplete "name") and (IsUnique "name"))')[0][1] == "PASS"


def test_glue_result_shape():
    out = dqdl.evaluate('Rules = [ RowCount > 1, IsComplete "score" ]', FRAME)
    assert out["Score"] == 0.5
    first, second = out["RuleResults"]
    assert (first["Name"], first["Result"], second["Name"], second["Result"]) == ("Rule_1", "PASS", "Rule_2", "FAIL")
    assert second["EvaluatedMetrics"] == {"Column.score.Completeness": pytest.approx(0.8)}
    assert "EvaluationMessage" in second and "EvaluationMessage" not in first


@pytest.mark.parametrize("text, complaint", [
    ('rules = [ RowCount > 1 ]', "expected Rules"),
    ('Rules = [ RowCount > 1 ', "ends early"),
    ('Rules = [ Completeness "a" ]', "expression"),
    ('Rules = [ IsComplete ]', "column name"),
    ('Rules = [ Bogus "a" ]', "unknown rule type"),
    ('Rules = [ IsComplete "a" and IsUnique "a" ]', "expected"),
    ('Rules = [ (IsComplete "a") and (IsUnique "a") or (RowCount > 1) ]', "parentheses"),
    ('Rules = [ RowCount between 5 and 1 ]', "lower bound"),
    ('Rules = [ Mean "a" > 1 with threshold > 0.5 ]', "threshold"),
])
def test_parse_errors(text, complaint):
    with pytest.raises(dqdl.DQDLError, match=complaint):
        dqdl.parse(text)


def test_a_missing_column_fails_the_rule():
    (only,) = dqdl.evaluate('Rules = [ IsComplete "nope" ]', FRAME)["RuleResults"]
    assert only["Result"] == "FAIL" and "does not exist" in only["EvaluationMessage"]
