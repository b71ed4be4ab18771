"""awslabs.local.databrew against the DataBrew recipe-action reference's documented behaviour."""
import pandas as pd
import pytest

from awslabs.local import databrew


def step(operation, **params):
    return {"Action": {"Operation": operation, "Parameters": params}} if params else {"Action": {"Operation": operation}}


FRAME = pd.DataFrame({"k": [1, 1, 2, 1], "v": [" A ", " A ", "b", "c  d"]})


def test_delete_duplicate_rows_keeps_the_first_occurrence():
    out = databrew.apply_step(FRAME, step("DELETE_DUPLICATE_ROWS"))
    assert out.to_dict("list") == {"k": [1, 2, 1], "v": [" A ", "b", "c  d"]}


def test_remove_duplicates_looks_at_one_column():
    assert databrew.apply_step(FRAME, step("REMOVE_DUPLICATES", sourceColumn="k"))["v"].tolist() == [" A ", "b"]


def test_text_actions():
    trimmed = databrew.apply_step(FRAME, step("REMOVE_COMBINED", sourceColumn="v",
                                              removeLeadingAndTrailingWhitespace="true"))
    assert trimmed["v"].tolist() == ["A", "A", "b", "c  d"]
    assert databrew.apply_step(FRAME, step("LOWER_CASE", sourceColumn="v"))["v"].tolist() == [" a ", " a ", "b", "c  d"]
    replaced = databrew.apply_step(FRAME, step("REPLACE_TEXT", sourceColumn="v", pattern="[A-Z]", value="x"))
    assert replaced["v"].tolist() == [" x ", " x ", "b", "c  d"]


def test_fill_with_median_uses_all_values():
    frame = pd.DataFrame({"age": [10.0, None, 30.0, 40.0]})
    assert databrew.apply_step(frame, step("FILL_WITH_MEDIAN", sourceColumn="age"))["age"].tolist() == [10, 30, 30, 40]


def test_one_hot_encoding_names_and_limit():
    out = databrew.apply_step(pd.DataFrame({"s": ["L", "M", "L"]}), step("ONE_HOT_ENCODING", sourceColumn="s"))
    assert out["s_L"].tolist() == [1, 0, 1] and out["s_M"].tolist() == [0, 1, 0]
    with pytest.raises(databrew.RecipeError, match="at most 10"):
        databrew.apply_step(pd.DataFrame({"s": list("abcdefghijk")}), step("ONE_HOT_ENCODING", sourceColumn="s"))


def test_unknown_operations_and_columns_are_refused():
    with pytest.raises(databrew.RecipeError, match="not one"):
        databrew.apply_step(FRAME, step("TRIM_EVERYTHING", sourceColumn="v"))
    with pytest.raises(databrew.RecipeError, match="not a column"):
        databrew.apply_step(FRAME, step("LOWER_CASE", sourceColumn="nope"))
