"""A local DataBrew recipe runner: applies a recipe's steps to a data frame with pandas.

moto stores DataBrew datasets and recipes (``CreateRecipe``, ``PublishRecipe``, ``DescribeRecipe``)
but runs no job: off AWS this module does what a recipe job would, on the dataset's S3 input, and
writes the output where the job's output location says (labelled ``local``).

The actions implemented are DataBrew's documented operation names with their documented parameters
(https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions-reference.html, registered as the fact
``databrew.recipe_actions``); every parameter value is a string, as in the API. An unknown operation
or a missing parameter raises ``RecipeError`` (DataBrew would fail the job).
"""
from __future__ import annotations

import re

from ..facts import value as _fact

ACTIONS: dict[str, tuple[str, ...]] = dict(_fact("databrew.recipe_actions"))
ONE_HOT_MAX_DISTINCT: int = _fact("databrew.one_hot_max_distinct")


class RecipeError(ValueError):
    pass


def _true(params: dict, name: str) -> bool:
    return str(params.get(name, "false")).lower() == "true"


def _column(frame, params: dict) -> str:
    column = params.get("sourceColumn")
    if column not in frame.columns:
        raise RecipeError(f"sourceColumn {column!r} is not a column of the dataset")
    return column


def _strings(series, fn):
    """Apply ``fn`` to the non-null values (a null stays null, as in DataBrew)."""
    return series.map(lambda v: v if v is None or (isinstance(v, float) and v != v) else fn(str(v)))


def apply_step(frame, step: dict):
    """One recipe step (``{"Action": {"Operation": ..., "Parameters": {...}}}``) applied to a copy."""
    import pandas as pd

    action = step.get("Action") or {}
    operation, params = action.get("Operation"), dict(action.get("Parameters") or {})
    if step.get("ConditionExpressions"):
        raise RecipeError("condition expressions are not supported by the local runner")
    if operation not in ACTIONS:
        raise RecipeError(f"operation {operation!r} is not one the local runner implements ({', '.join(ACTIONS)})")
    missing = [p for p in ACTIONS[operation][:1] if p not in params]
    if missing:
        raise RecipeError(f"{operation} needs the parameter {missing[0]}")
    frame = frame.copy()
    if operation == "DELETE_DUPLICATE_ROWS":  # an exact match of an earlier row; the first one stays
        return frame.drop_duplicates(keep="first").reset_index(drop=True)
    column = _column(frame, params)
    if operation == "REMOVE_DUPLICATES":  # a duplicate value in the source column deletes the row
        return frame.drop_duplicates(subset=[column], keep="first").reset_index(drop=True)
    if operation == "LOWER_CASE":
        frame[column] = _strings(frame[column], str.lower)
    elif operation == "REPLACE_TEXT":
        if "pattern" not in params or "value" not in params:
            raise RecipeError("REPLACE_TEXT needs pattern and value")
        pattern, replacement = re.compile(params["pattern"]), params["value"]
        frame[column] = _strings(frame[column], lambda v: pattern.sub(lambda _m: replacement, v))
    elif operation == "REMOVE_COMBINED":
        def clean(v: str) -> str:
            if _true(params, "removeLeadingAndTrailingWhitespace"):
                v = v.strip()
            if _true(params, "collapseConsecutiveWhitespace"):
                v = re.sub(r"\s{2,}", " ", v)
            if _true(params, "removeAllWhitespace"):
                v = re.sub(r"\s+", "", v)
            return v
        frame[column] = _strings(frame[column], clean)
    elif operation == "FILL_WITH_MEDIAN":  # the median of all values of this dataset
        numbers = pd.to_numeric(frame[column], errors="coerce")
        frame[column] = numbers.fillna(numbers.median())
    elif operation == "ONE_HOT_ENCODING":
        values = sorted(frame[column].dropna().astype(str).unique())
        if len(values) > ONE_HOT_MAX_DISTINCT:
            raise RecipeError(f"ONE_HOT_ENCODING: {column} has {len(values)} distinct values "
                              f"(at most {ONE_HOT_MAX_DISTINCT})")
        for v in values:
            frame[f"{column}_{v}"] = (frame[column].astype(str) == v).astype(int)
    return frame


def apply_recipe(frame, steps: list[dict]):
    """Every step in order, as a recipe job runs them."""
    for step in steps:
        frame = apply_step(frame, step)
    return frame


def run_recipe_job(ctx, recipe_name: str, dataset_name: str, output_bucket: str, output_key: str) -> dict:
    """What a DataBrew recipe job does: read the dataset's S3 input, apply the published recipe,
    write a CSV to the output location. Returns what it did (rows in, rows out, the steps)."""
    import io

    import pandas as pd

    brew, s3 = ctx.client("databrew"), ctx.client("s3")
    recipe = brew.describe_recipe(Name=recipe_name, RecipeVersion="LATEST_PUBLISHED")
    location = brew.describe_dataset(Name=dataset_name)["Input"]["S3InputDefinition"]
    raw = s3.get_object(Bucket=location["Bucket"], Key=location["Key"])["Body"].read()
    frame = pd.read_csv(io.BytesIO(raw))
    out = apply_recipe(frame, recipe.get("Steps") or [])
    s3.put_object(Bucket=output_bucket, Key=output_key, Body=out.to_csv(index=False).encode())
    return {"recipe": recipe_name, "version": recipe.get("RecipeVersion"), "rows_in": len(frame),
            "rows_out": len(out), "operations": [s["Action"]["Operation"] for s in recipe.get("Steps") or []],
            "output": f"s3://{output_bucket}/{output_key}"}
