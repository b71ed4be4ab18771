"""data-quality: a messy customers table (missing values, income outliers, a plan column with case,
whitespace and typo problems, duplicate rows, 1:9 churners) is profiled with a Glue Data Quality
ruleset written in DQDL, cleaned, split without leakage, imputed / clipped / one-hot encoded /
standardised with statistics fitted on the training split only, rebalanced with SMOTE on the training
split only, and checked again with the same ruleset; a DataBrew recipe does the row-level cleaning
and its effect is reproduced and compared with the clean step's output.

moto implements neither Glue Data Quality nor DataBrew jobs: the ruleset text lives in S3 and
``awslabs.local.dqdl`` evaluates it (``local``); moto stores the DataBrew dataset and recipe, and
``awslabs.local.databrew`` applies the published recipe's steps like a recipe job (``local``). The
feature engineering runs locally with pandas, scikit-learn and imbalanced-learn (``awslabs.local.data_prep``),
as a SageMaker Processing job would; every check reads the files back from S3 and recomputes what they
should hold from the split files, independently.
"""
from __future__ import annotations

import io
import json

from awslabs import labkit
from awslabs.lab import Check, equal, expect
from awslabs.local import data_prep as prep
from awslabs.local import databrew as brewer
from awslabs.local import dqdl

RAW_KEY = "raw/customers.csv"
RULES_KEY = "rules/customers.dqdl"
CLEAN_KEY = "clean/customers.csv"
CURATED_KEY = "curated/customers.csv"
PARAMS_KEY = "features/params.json"
BALANCED_KEY = "features/train_balanced.csv"
RECIPE_OUTPUT_KEY = "databrew-output/customers.csv"
SPLITS = ("train", "validation", "test")
ALLOWED_PLANS = ("basic", "standard", "premium")
MIN_INCOME_COMPLETENESS = 0.95  # the task: at most 5 % of incomes may be missing
AGE_RANGE = (18, 100)

# The learner's ruleset (the task's reference answer; variants in practice/variants.py).
RULESET = """Rules = [
    RowCount > 100,
    IsUnique "customer_id",
    Completeness "income" > 0.95,
    IsComplete "age",
    ColumnValues "age" between 18 and 100,
    ColumnValues "plan" in ["basic", "standard", "premium"],
    ColumnValues "churned" in [0, 1]
]
"""

# The DataBrew recipe: the row-level cleaning only (nothing fitted on the data), DataBrew's
# documented operation names and parameters (all parameter values are strings).
RECIPE_STEPS = [
    {"Action": {"Operation": "REMOVE_COMBINED",
                "Parameters": {"sourceColumn": "plan", "removeLeadingAndTrailingWhitespace": "true"}}},
    {"Action": {"Operation": "LOWER_CASE", "Parameters": {"sourceColumn": "plan"}}},
    {"Action": {"Operation": "REPLACE_TEXT", "Parameters": {"sourceColumn": "plan", "pattern": "^standrd$",
                                                              "value": "standard"}}},
    {"Action": {"Operation": "REPLACE_TEXT", "Parameters": {"sourceColumn": "plan", "pattern": "^premum$",
                                                              "value": "premium"}}},
    {"Action": {"Operation": "DELETE_DUPLICATE_ROWS"}},
]


# -- names ------------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("data")


def _recipe(ctx):
    return ctx.name("customers-clean", max_len=255)


def _dataset(ctx):
    return ctx.name("customers-raw", max_len=255)


def _ruleset_name(ctx):
    return ctx.name("customers-rules", max_len=255)


def _split_key(name):
    return f"split/{name}.csv"


def _features_key(name):
    return f"features/{name}.csv"


# -- reading S3 -------------------------------------------------------------------------------------
def _has(ctx, key) -> bool:
    return key in labkit.object_keys(ctx, _bucket(ctx), key)


def _csv(ctx, key):
    """The CSV at ``key`` as a data frame, or ``None`` when it is not there."""
    import pandas as pd

    if not _has(ctx, key):
        return None
    return pd.read_csv(io.BytesIO(labkit.read_object(ctx, _bucket(ctx), key)))


def _json(ctx, key):
    return json.loads(labkit.read_object(ctx, _bucket(ctx), key)) if _has(ctx, key) else None


def _put_csv(ctx, key, frame):
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=frame.to_csv(index=False).encode(),
                                ContentType="text/csv")


def _put_json(ctx, key, data):
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=json.dumps(data, indent=1).encode(),
                                ContentType="application/json")


def _ruleset_text(ctx) -> str | None:
    return labkit.read_object(ctx, _bucket(ctx), RULES_KEY).decode() if _has(ctx, RULES_KEY) else None


# -- step 1: the raw data ---------------------------------------------------------------------------
def apply_prepare(ctx):
    ctx.create_bucket(_bucket(ctx))
    _put_csv(ctx, RAW_KEY, prep.messy_customers())


def check_prepare(ctx):
    raw = _csv(ctx, RAW_KEY)
    if raw is None:
        yield labkit.not_run("the raw customers table is in S3")
        return
    churn = raw[prep.LABEL].mean()
    yield expect("the raw table is messy: missing values, duplicate rows, case/typo problems in plan",
                 raw["income"].isna().any() and raw.duplicated().any() and not raw["plan"].isin(ALLOWED_PLANS).all(),
                 f"{len(raw)} rows, {int(raw['income'].isna().sum())} incomes missing, "
                 f"{int(raw.duplicated().sum())} duplicate rows")
    yield expect("about one churner in ten (1:9)", 0.08 <= churn <= 0.12, f"{churn:.3f}")


# -- step 2: the learner's DQDL ruleset ---------------------------------------------------------------
def apply_ruleset(ctx, text: str = RULESET):
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=RULES_KEY, Body=text.encode(), ContentType="text/plain")
    if ctx.on_aws:
        ctx.track("glue:data-quality-ruleset", _ruleset_name(ctx))
        ctx.client("glue").create_data_quality_ruleset(
            Name=_ruleset_name(ctx), Ruleset=text, Description="customers table: ids, completeness, ranges",
            Tags=ctx.tags)


def _probe(changes: str = ""):
    """A small, clean customers table the task's ruleset must accept, with one problem put in."""
    import numpy as np
    import pandas as pd

    n = 200
    frame = pd.DataFrame({"customer_id": [f"P{i:04d}" for i in range(n)], "age": 20.0 + np.arange(n) % 60,
                          "income": 30000.0 + 150 * np.arange(n), "tenure_months": np.arange(n) % 72,
                          "plan": [ALLOWED_PLANS[i % 3] for i in range(n)],
                          "churned": (np.arange(n) % 10 == 0).astype(int)})
    if changes == "duplicate id":
        frame.loc[1, "customer_id"] = frame.loc[0, "customer_id"]
    elif changes == "10 % of incomes missing":
        frame.loc[::10, "income"] = np.nan
    elif changes == "3 % of incomes missing":
        frame.loc[:5, "income"] = np.nan
    elif changes == "one age missing":
        frame.loc[3, "age"] = np.nan
    elif changes == "an age of 150":
        frame.loc[4, "age"] = 150.0
    elif changes == "a plan 'Premium'":
        frame.loc[5, "plan"] = "Premium"
    elif changes == "a label of 2":
        frame.loc[6, "churned"] = 2
    elif changes == "only 50 rows":
        frame = frame.head(50)
    return frame


MUST_FAIL = ("duplicate id", "10 % of incomes missing", "one age missing", "an age of 150", "a plan 'Premium'",
             "a label of 2", "only 50 rows")
MUST_PASS = ("", "3 % of incomes missing")


def check_ruleset(ctx):
    text = _ruleset_text(ctx)
    if text is None:
        yield labkit.not_run(f"the DQDL ruleset is at s3://{_bucket(ctx)}/{RULES_KEY}")
        return
    yield expect("the DQDL ruleset is in S3", True, f"{len(text.splitlines())} lines")
    try:
        rules = dqdl.parse(text)
    except dqdl.DQDLError as err:
        yield Check("the ruleset is valid DQDL", False, str(err), "local")
        return
    yield expect("the ruleset is valid DQDL", True, f"{len(rules)} rules", "local")
    too_strict = [p or "the clean table" for p in MUST_PASS if dqdl.evaluate(text, _probe(p))["Score"] < 1]
    yield expect("a clean table (and one with 3 % of incomes missing) passes every rule", not too_strict,
                 f"rules fail on: {', '.join(too_strict)} — the task allows up to 5 % missing incomes"
                 if too_strict else "all PASS", "local")
    missed = [p for p in MUST_FAIL if dqdl.evaluate(text, _probe(p))["Score"] == 1]
    yield expect("each problem the task names makes a rule FAIL", not missed,
                 f"nothing fails on: {', '.join(missed)} (check the threshold / values of that rule)"
                 if missed else f"{len(MUST_FAIL)} problems caught", "local")
    if ctx.on_aws:
        stored = ctx.client("glue").get_data_quality_ruleset(Name=_ruleset_name(ctx))
        yield equal("Glue stores the ruleset (CreateDataQualityRuleset)", stored.get("Ruleset", "").strip(),
                    text.strip())
    else:
        yield ctx.aws_only("Glue stores the ruleset (CreateDataQualityRuleset)",
                           "moto does not implement Glue Data Quality: the DQDL text stays in S3 and is "
                           "evaluated by awslabs.local.dqdl")


# -- step 3: profile the raw data with the ruleset ----------------------------------------------------
def _evaluate_into(ctx, data_key: str, result_key: str):
    text, frame = _ruleset_text(ctx), _csv(ctx, data_key)
    result = dqdl.evaluate(text, frame)
    result.update({"RulesetName": _ruleset_name(ctx), "DataSource": f"s3://{_bucket(ctx)}/{data_key}",
                   "EvaluatedBy": "awslabs.local.dqdl"})
    _put_json(ctx, result_key, result)


def apply_profile(ctx):
    _evaluate_into(ctx, RAW_KEY, "results/raw.json")


def _problem_columns(raw) -> set[str]:
    """The columns of the raw table with a problem, found with plain pandas (not the evaluator)."""
    found = set()
    if raw["customer_id"].duplicated().any():
        found.add("customer_id")
    if raw["income"].isna().mean() > 1 - MIN_INCOME_COMPLETENESS:
        found.add("income")
    if raw["age"].isna().any() or not raw["age"].dropna().between(*AGE_RANGE).all():
        found.add("age")
    if not raw["plan"].isin(ALLOWED_PLANS).all():
        found.add("plan")
    return found


def check_profile(ctx):
    result, raw = _json(ctx, "results/raw.json"), _csv(ctx, RAW_KEY)
    if result is None or raw is None:
        yield labkit.not_run("the ruleset's results on the raw data", "local")
        return
    rows = [m for r in result["RuleResults"] for k, m in r.get("EvaluatedMetrics", {}).items() if k.endswith("RowCount")]
    yield equal("the profile ran on the raw table (RowCount metric = its rows)", result.get("RowCount"), len(raw), "local")
    failed = " ".join(r["Description"] for r in result["RuleResults"] if r["Result"] == "FAIL")
    uncaught = sorted(c for c in _problem_columns(raw) if f'"{c}"' not in failed)
    yield expect("a rule FAILs on every column the raw data has a problem in (ids, income, age, plan)",
                 not uncaught and result["Score"] < 1,
                 f"score {result['Score']:.2f}; no failing rule on: {', '.join(uncaught)}" if uncaught
                 else f"score {result['Score']:.2f}, {sum(r['Result'] == 'FAIL' for r in result['RuleResults'])} FAIL"
                 + (f", RowCount {rows[0]:.0f}" if rows else ""), "local")


# -- step 4: row-level cleaning -----------------------------------------------------------------------
def apply_clean(ctx):
    _put_csv(ctx, CLEAN_KEY, prep.clean(_csv(ctx, RAW_KEY)))


def check_clean(ctx):
    clean, raw = _csv(ctx, CLEAN_KEY), _csv(ctx, RAW_KEY)
    if clean is None or raw is None:
        yield labkit.not_run("the cleaned table is in S3", "local")
        return
    expected_ids = raw["customer_id"].nunique()
    yield expect("one row per customer: duplicates dropped, nobody lost",
                 clean["customer_id"].is_unique and len(clean) == expected_ids,
                 f"{len(clean)} rows for {expected_ids} customers", "local")
    bad = sorted(set(clean["plan"]) - set(ALLOWED_PLANS))
    yield expect("plan holds only basic / standard / premium (trimmed, lower case, typos fixed)", not bad,
                 f"unexpected: {bad}" if bad else "ok", "local")
    yield expect("missing values are left for the imputer fitted after the split",
                 clean["income"].isna().sum() == raw.drop_duplicates()["income"].isna().sum(),
                 f"{int(clean['income'].isna().sum())} incomes still missing", "local")


# -- step 5: the split, before anything is fitted -----------------------------------------------------
def apply_split(ctx, source_key: str = CLEAN_KEY):
    for name, frame in prep.split(_csv(ctx, source_key)).items():
        _put_csv(ctx, _split_key(name), frame)


def check_split(ctx):
    parts = {n: _csv(ctx, _split_key(n)) for n in SPLITS}
    clean = _csv(ctx, CLEAN_KEY)
    if clean is None or any(p is None for p in parts.values()):
        yield labkit.not_run("train / validation / test are in S3", "local")
        return
    ids = {n: set(p["customer_id"]) for n, p in parts.items()}
    overlap = (ids["train"] & ids["validation"]) | (ids["train"] & ids["test"]) | (ids["validation"] & ids["test"])
    yield expect("no customer id in two splits, and every cleaned customer in one",
                 not overlap and set().union(*ids.values()) == set(clean["customer_id"])
                 and sum(len(p) for p in parts.values()) == len(clean),
                 f"{len(overlap)} ids shared" if overlap else
                 " / ".join(f"{n} {len(p)}" for n, p in parts.items()), "local")
    overall = clean[prep.LABEL].mean()
    ratios = {n: p[prep.LABEL].mean() for n, p in parts.items()}
    yield expect("stratified: each split keeps the churn rate (±1 row)",
                 all(abs(r - overall) * len(parts[n]) <= 1 for n, r in ratios.items()),
                 ", ".join(f"{n} {r:.3f}" for n, r in ratios.items()) + f" (all {overall:.3f})", "local")
    shares = [len(parts[n]) / len(clean) for n in SPLITS]
    yield expect("70 / 15 / 15", all(abs(s - e) < 0.02 for s, e in zip(shares, prep.SPLIT)),
                 " / ".join(f"{s:.2f}" for s in shares), "local")


# -- step 6: impute, clip, encode, scale — fitted on train only -------------------------------------
def apply_engineer(ctx, impute_on_all: bool = False, scale_on_all: bool = False, clip: bool = True,
                   target_on_all: bool = False, in_sample_target: bool = False):
    import pandas as pd

    parts = {n: _csv(ctx, _split_key(n)) for n in SPLITS}
    everything = pd.concat(parts.values(), ignore_index=True)
    fitted = prep.fit(parts["train"], impute_on=everything if impute_on_all else None,
                      scale_on=everything if scale_on_all else None, target_on=everything if target_on_all else None)
    for name, frame in parts.items():
        training_rows = name == "train" and not in_sample_target
        _put_csv(ctx, _features_key(name), prep.transform(frame, fitted, clip=clip, training_rows=training_rows))
    curated = pd.concat([prep.curate(f, fitted.medians, fitted.fence).assign(split=n) for n, f in parts.items()],
                        ignore_index=True)
    _put_csv(ctx, CURATED_KEY, curated)
    _put_json(ctx, PARAMS_KEY, fitted.as_json())


def _expected_train_statistics(train):
    """What the features must have been fitted with, computed here from split/train.csv alone."""
    medians = {c: float(train[c].median()) for c in prep.IMPUTED}
    q1, q3 = train["income"].quantile(0.25), train["income"].quantile(0.75)
    fence = (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1))
    filled = train.copy()
    for c in prep.IMPUTED:
        filled[c] = filled[c].fillna(medians[c])
    filled["income"] = filled["income"].clip(*fence)
    means = {c: float(filled[c].mean()) for c in prep.NUMERIC}
    stds = {c: float(filled[c].std(ddof=0)) for c in prep.NUMERIC}
    return medians, fence, means, stds


def check_engineer(ctx):
    import numpy as np

    features = {n: _csv(ctx, _features_key(n)) for n in SPLITS}
    splits = {n: _csv(ctx, _split_key(n)) for n in SPLITS}
    if any(f is None for f in features.values()) or any(s is None for s in splits.values()):
        yield labkit.not_run("the engineered features are in S3", "local")
        return
    medians, fence, means, stds = _expected_train_statistics(splits["train"])
    nulls = {n: int(f[list(prep.NUMERIC)].isna().sum().sum()) for n, f in features.items()}
    yield expect("no missing values left in any split", not any(nulls.values()), str(nulls), "local")

    def unscaled(name, column):
        frame = features[name].set_index("customer_id").loc[splits[name]["customer_id"]]
        return frame[column].to_numpy() * stds[column] + means[column]

    wrong = {}
    for c in prep.IMPUTED:
        for name in SPLITS:
            was_missing = splits[name][c].isna().to_numpy()
            values = unscaled(name, c)[was_missing]
            expected = min(max(medians[c], fence[0]), fence[1]) if c == "income" else medians[c]
            if len(values) and not np.allclose(values, expected, rtol=0, atol=1e-6 * max(1, abs(expected))):
                wrong[f"{name}.{c}"] = f"{values[0]:.2f} (train median {expected:.2f})"
    yield expect("imputed values equal the TRAIN median (validation and test too)", not wrong,
                 "; ".join(f"{k}: {v}" for k, v in wrong.items()) or
                 ", ".join(f"{c} {medians[c]:.2f}" for c in prep.IMPUTED), "local")
    top = max(unscaled(n, "income").max() for n in SPLITS)
    raw_top = max(s["income"].max() for s in splits.values())
    yield expect(f"income clipped at the train IQR fence (Q3 + 1.5 IQR = {fence[1]:.2f})",
                 raw_top > fence[1] and abs(top - fence[1]) < 1e-6 * fence[1],
                 f"largest income after: {top:.2f} (before: {raw_top:.2f})", "local")
    plan_columns = [f"plan_{p}" for p in sorted(ALLOWED_PLANS)]
    present = all(c in f.columns for f in features.values() for c in plan_columns)
    exclusive = present and all((f[plan_columns].sum(axis=1) == 1).all() for f in features.values())
    yield expect("one-hot plan columns present and mutually exclusive (one 1 per row)", exclusive,
                 ", ".join(plan_columns) if present else f"columns: {list(features['train'].columns)}", "local")
    yield _target_encoding_check(features, splits)
    bands = {n: np.digitize(s["tenure_months"], [12, 24, 48]) for n, s in splits.items()}
    yield expect("tenure binned into bands <12, 12-23, 24-47, >=48 months (0..3)",
                 all((features[n].set_index("customer_id").loc[splits[n]["customer_id"], "tenure_band"].to_numpy()
                      == bands[n]).all() for n in SPLITS if "tenure_band" in features[n].columns)
                 and all("tenure_band" in f.columns for f in features.values()),
                 "bands " + ", ".join(str(int(b)) for b in sorted(set(bands["train"]))), "local")
    train_mean = {c: float(features["train"][c].mean()) for c in prep.NUMERIC}
    val_expected = {c: (float(splits["validation"][c].fillna(medians.get(c, 0.0)).clip(*(fence if c == "income" else
                                                                              (-np.inf, np.inf))).mean()) - means[c])
                    / stds[c] for c in prep.NUMERIC}
    val_actual = {c: float(features["validation"][c].mean()) for c in prep.NUMERIC}
    fitted_on_train = all(abs(train_mean[c]) < 1e-9 for c in prep.NUMERIC) and all(
        abs(val_actual[c] - val_expected[c]) < 1e-9 and abs(val_actual[c]) > 1e-6 for c in prep.NUMERIC)
    yield expect("scaler fitted on train only: train mean 0, validation mean not 0 but (mean − train mean) / train std",
                 fitted_on_train, ", ".join(f"{c}: train {train_mean[c]:+.2e} validation {val_actual[c]:+.3f} "
                                            f"(expected {val_expected[c]:+.3f})" for c in prep.NUMERIC), "local")


def _target_encoding_check(features, splits) -> Check:
    """plan_target_mean: validation/test rows carry the TRAIN churn rate of their plan; each training
    row the rate of its plan in the other folds (fold = row position % 5), recomputed here."""
    import numpy as np

    train = splits["train"]
    rates = train.groupby("plan")["churned"].mean()
    problems = []
    for name in ("validation", "test"):
        if "plan_target_mean" not in features[name].columns:
            return Check("target encoding fitted on train only (out-of-fold on train)", False,
                         "no plan_target_mean column", "local")
        got = features[name].set_index("customer_id").loc[splits[name]["customer_id"], "plan_target_mean"].to_numpy()
        want = splits[name]["plan"].map(rates).to_numpy()
        if not np.allclose(got, want):
            problems.append(f"{name}: {got[0]:.4f} for plan {splits[name]['plan'][0]} (train rate {want[0]:.4f})")
    folds = np.arange(len(train)) % 5
    want = [train["churned"][(folds != folds[i]) & (train["plan"] == train["plan"][i])].mean() for i in range(len(train))]
    got = features["train"].set_index("customer_id").loc[train["customer_id"], "plan_target_mean"].to_numpy()
    if not np.allclose(got, want):
        problems.append("train rows are not encoded out-of-fold (a row's own label is in its encoding)")
    return expect("target encoding fitted on train only (out-of-fold on train)", not problems,
                  "; ".join(problems) or ", ".join(f"{p} {r:.3f}" for p, r in rates.items()), "local")


# -- step 7: SMOTE on the training split only ---------------------------------------------------------
def apply_rebalance(ctx, also_holdout: bool = False):
    train, params = _csv(ctx, _features_key("train")), _json(ctx, PARAMS_KEY)
    _put_csv(ctx, BALANCED_KEY, prep.rebalance(train, params))
    if also_holdout:  # the mutant: validation and test "rebalanced" too
        for name in ("validation", "test"):
            frame = _csv(ctx, _features_key(name))
            _put_csv(ctx, _features_key(name), prep.rebalance(frame, params).drop(columns="synthetic"))


def _segment_fit(synthetic, minority):
    """For each synthetic row, the smallest distance to a segment between two original minority rows
    (x + u·(n − x), 0 ≤ u ≤ 1), computed here with numpy."""
    import numpy as np

    x = minority[:, None, :]  # (m, 1, d)
    d = minority[None, :, :] - x  # (m, m, d): n − x
    norm = (d ** 2).sum(-1)
    best = []
    for s in synthetic:
        u = np.where(norm > 0, ((s - x) * d).sum(-1) / np.where(norm > 0, norm, 1), 0).clip(0, 1)
        best.append(float(np.sqrt(((x + u[..., None] * d - s) ** 2).sum(-1)).min()))
    return np.array(best)


def check_rebalance(ctx):
    balanced = _csv(ctx, BALANCED_KEY)
    train = _csv(ctx, _features_key("train"))
    if balanced is None or train is None:
        yield labkit.not_run("the rebalanced training set is in S3", "local")
        return
    counts = balanced[prep.LABEL].value_counts().to_dict()
    yield expect("classes balanced 1:1 in the training set after SMOTE", counts.get(0) == counts.get(1) == (
        train[prep.LABEL] == 0).sum(), f"{counts}", "local")
    synthetic = balanced[balanced["synthetic"] == 1]
    originals = balanced[balanced["synthetic"] == 0].drop(columns="synthetic")
    yield expect("the original training rows are all kept, unchanged",
                 originals.reset_index(drop=True).round(9).equals(train.reset_index(drop=True).round(9)),
                 f"{len(originals)} originals", "local")
    minority = train[train[prep.LABEL] == 1][list(prep.NUMERIC)].to_numpy()
    distance = _segment_fit(synthetic[list(prep.NUMERIC)].to_numpy(), minority)
    yield expect("every synthetic row lies on a segment between two minority training rows",
                 len(distance) > 0 and (synthetic[prep.LABEL] == 1).all() and distance.max() < 1e-6,
                 f"{len(distance)} synthetic rows, largest distance {distance.max() if len(distance) else 0:.2e}",
                 "local")
    holdout_ok, detail = True, []
    for name in ("validation", "test"):
        features, split = _csv(ctx, _features_key(name)), _csv(ctx, _split_key(name))
        same = features is not None and split is not None and sorted(features["customer_id"]) == sorted(split["customer_id"])
        holdout_ok &= same
        detail.append(f"{name} {len(features) if features is not None else 0} rows, churn "
                      f"{features[prep.LABEL].mean() if features is not None else 0:.3f}")
    yield expect("validation and test untouched: their own customers only, natural churn rate", holdout_ok,
                 "; ".join(detail), "local")


# -- step 8: the ruleset again, on the curated table -------------------------------------------------
def apply_recheck(ctx):
    _evaluate_into(ctx, CURATED_KEY, "results/curated.json")


def check_recheck(ctx):
    result, curated = _json(ctx, "results/curated.json"), _csv(ctx, CURATED_KEY)
    if result is None or curated is None:
        yield labkit.not_run("the ruleset's results on the curated table", "local")
        return
    yield equal("evaluated on the curated table (RowCount = its rows)", result.get("RowCount"), len(curated), "local")
    failing = [f"{r['Description']}: {r.get('EvaluationMessage', '')}" for r in result["RuleResults"]
               if r["Result"] != "PASS"]
    yield expect("every rule PASSes on the curated table (score 1.0)", not failing and result["Score"] == 1,
                 "; ".join(failing) or f"{len(result['RuleResults'])} rules PASS", "local")


# -- step 9: the DataBrew recipe ---------------------------------------------------------------------
def apply_databrew_recipe(ctx, steps: list | None = None):
    brew = ctx.client("databrew")
    ctx.track("databrew:dataset", _dataset(ctx))
    brew.create_dataset(Name=_dataset(ctx), Format="CSV", FormatOptions={"Csv": {"Delimiter": ",", "HeaderRow": True}},
                        Input={"S3InputDefinition": {"Bucket": _bucket(ctx), "Key": RAW_KEY}}, Tags=ctx.tags)
    ctx.track("databrew:recipe", _recipe(ctx))
    brew.create_recipe(Name=_recipe(ctx), Description="row-level cleaning of the customers table",
                       Steps=RECIPE_STEPS if steps is None else steps, Tags=ctx.tags)
    brew.publish_recipe(Name=_recipe(ctx), Description="first published version")


def _published(ctx) -> dict | None:
    brew = ctx.client("databrew")
    try:
        return brew.describe_recipe(Name=_recipe(ctx), RecipeVersion="LATEST_PUBLISHED")
    except Exception as err:  # noqa: BLE001 - not found / not published yet
        if labkit.error_code(err) in ("ResourceNotFoundException", "ValidationException"):
            return None
        raise


def _dataset_input(ctx) -> dict | None:
    try:
        return ctx.client("databrew").describe_dataset(Name=_dataset(ctx))["Input"].get("S3InputDefinition")
    except Exception as err:  # noqa: BLE001
        if labkit.error_code(err) == "ResourceNotFoundException":
            return None
        raise


def check_databrew_recipe(ctx):
    location, recipe = _dataset_input(ctx), _published(ctx)
    yield equal("the DataBrew dataset reads the raw table", location and (location.get("Bucket"), location.get("Key")),
                (_bucket(ctx), RAW_KEY))
    if recipe is None:
        yield Check("the recipe is published (a job runs a published version)", False, "no published version")
        return
    operations = [s.get("Action", {}).get("Operation") for s in recipe.get("Steps", [])]
    unknown = [o for o in operations if o not in brewer.ACTIONS]
    yield expect("the recipe is published and uses DataBrew's operation names",
                 float(recipe.get("RecipeVersion", "0")) >= 1 and not unknown,
                 f"version {recipe.get('RecipeVersion')}: {operations}" + (f"; unknown: {unknown}" if unknown else ""))
    raw = _csv(ctx, RAW_KEY)
    name = "the recipe's effect on the raw table equals the clean step's (trim, lower case, typos, duplicates)"
    try:
        out = brewer.apply_recipe(raw, recipe.get("Steps", []))
    except brewer.RecipeError as err:
        yield Check(name, False, str(err), "local")
        return
    # the clean step's transformation (awslabs.local.data_prep), not the DataBrew runner, is the yardstick;
    # it is computed here because in practice the clean step runs only after every task passed
    yield _same_table(name, out, prep.clean(raw))


def _same_table(name: str, actual, expected) -> Check:
    """Same customers, same values (row order is not a contract)."""
    if expected is None:
        return Check(name, False, "the clean step's output is missing", "local")
    columns = list(expected.columns)
    if list(actual.columns) != columns:
        return Check(name, False, f"columns {list(actual.columns)}, expected {columns}", "local")
    def text(frame):  # nulls compare equal to each other (NaN != NaN otherwise)
        frame = frame.sort_values(columns).reset_index(drop=True)
        return frame.astype(str).mask(frame.isna(), "<null>")

    a, e = text(actual), text(expected)
    if len(a) != len(e):
        return Check(name, False, f"{len(a)} rows, the clean step has {len(e)}", "local")
    differ = int((a != e).any(axis=1).sum())
    return Check(name, differ == 0, f"{len(a)} rows" if differ == 0 else f"{differ} rows differ", "local")


# -- step 10: the recipe job (local) -----------------------------------------------------------------
def apply_recipe_job(ctx):
    labkit.record(ctx, "recipe_job", brewer.run_recipe_job(ctx, _recipe(ctx), _dataset(ctx), _bucket(ctx),
                                                           RECIPE_OUTPUT_KEY))


def check_recipe_job(ctx):
    import pandas as pd

    out = _csv(ctx, RECIPE_OUTPUT_KEY)
    if out is None:
        yield labkit.not_run(f"the recipe job's output is at s3://{_bucket(ctx)}/{RECIPE_OUTPUT_KEY}", "local")
        return
    clean = _csv(ctx, CLEAN_KEY)
    yield _same_table("the job's output in S3 equals the clean step's output", out, clean)
    raw = _csv(ctx, RAW_KEY)
    yield equal("the job read the raw table and dropped its exact duplicates",
                len(out), len(raw) - int(raw.duplicated().sum()) if isinstance(raw, pd.DataFrame) else None, "local")


# -- mutations ----------------------------------------------------------------------------------------
def _completeness_threshold_too_low(ctx):
    apply_ruleset(ctx, RULESET.replace('Completeness "income" > 0.95', 'Completeness "income" > 0.5'))


def _plan_case_insensitive_by_threshold(ctx):
    apply_ruleset(ctx, RULESET.replace('in ["basic", "standard", "premium"]',
                                       'in ["basic", "standard", "premium"] with threshold > 0.9'))


def _profile_on_clean(ctx):
    """The ruleset evaluated on a cleaned copy: the profile then hides the raw table's problems."""
    _put_csv(ctx, "scratch/cleaned.csv", prep.clean(_csv(ctx, RAW_KEY)))
    _evaluate_into(ctx, "scratch/cleaned.csv", "results/raw.json")


def _dedupe_skipped(ctx):
    raw = _csv(ctx, RAW_KEY)
    cleaned = prep.clean(raw)
    _put_csv(ctx, CLEAN_KEY, __import__("pandas").concat([cleaned, cleaned.head(5)], ignore_index=True))


def _split_raw(ctx):
    apply_split(ctx, RAW_KEY)


def _random_unstratified(ctx):
    clean = _csv(ctx, CLEAN_KEY).sort_values(prep.LABEL).reset_index(drop=True)  # positional cut, sorted data
    n = len(clean)
    cuts = (0, int(n * 0.70), int(n * 0.85), n)
    for name, (a, b) in zip(SPLITS, zip(cuts, cuts[1:])):
        _put_csv(ctx, _split_key(name), clean.iloc[a:b])


def _smote_on_holdout_too(ctx):
    apply_rebalance(ctx, also_holdout=True)


def _random_oversampling_with_noise(ctx):
    import numpy as np
    import pandas as pd

    train = _csv(ctx, _features_key("train"))
    minority = train[train[prep.LABEL] == 1]
    extra = minority.sample(int((train[prep.LABEL] == 0).sum() - len(minority)), replace=True, random_state=1)
    extra = extra.assign(**{c: extra[c] + np.random.default_rng(1).normal(0, 0.05, len(extra)) for c in prep.NUMERIC})
    extra["customer_id"] = [f"SYN{i:04d}" for i in range(1, len(extra) + 1)]
    _put_csv(ctx, BALANCED_KEY, pd.concat([train.assign(synthetic=0), extra.assign(synthetic=1)], ignore_index=True))


def _recipe_without_dedupe(ctx):
    apply_databrew_recipe(ctx, [s for s in RECIPE_STEPS if s["Action"]["Operation"] != "DELETE_DUPLICATE_ROWS"])


def _recipe_without_typo_fix(ctx):
    apply_databrew_recipe(ctx, [s for s in RECIPE_STEPS if s["Action"]["Operation"] != "REPLACE_TEXT"])


def _recipe_job_on_unpublished(ctx):
    """The job run with the recipe's steps minus the last one (an edit never published)."""
    raw = _csv(ctx, RAW_KEY)
    _put_csv(ctx, RECIPE_OUTPUT_KEY, brewer.apply_recipe(raw, RECIPE_STEPS[:-1]))


MUTATIONS = {
    "ruleset": [("Completeness \"income\" > 0.5 (wrong threshold)", _completeness_threshold_too_low),
                ("plan values allowed 10 % off the list (with threshold > 0.9)", _plan_case_insensitive_by_threshold)],
    "profile": [("the profile ran on the cleaned table, not the raw one", _profile_on_clean)],
    "clean": [("duplicate rows kept", _dedupe_skipped)],
    "split": [("the raw table split (duplicates land in two splits)", _split_raw),
              ("a positional cut of label-sorted rows (not stratified)", _random_unstratified)],
    "engineer": [("imputer fitted on the whole data (leakage)", lambda ctx: apply_engineer(ctx, impute_on_all=True)),
                 ("scaler fitted before the split (on all rows)", lambda ctx: apply_engineer(ctx, scale_on_all=True)),
                 ("outliers not clipped", lambda ctx: apply_engineer(ctx, clip=False)),
                 ("target encoding fitted on all rows (test labels leak)",
                  lambda ctx: apply_engineer(ctx, target_on_all=True)),
                 ("training rows target-encoded in-sample (their own label leaks)",
                  lambda ctx: apply_engineer(ctx, in_sample_target=True))],
    "rebalance": [("SMOTE applied to validation and test too", _smote_on_holdout_too),
                  ("random oversampling with noise instead of SMOTE", _random_oversampling_with_noise)],
    "databrew_recipe": [("recipe step missing: DELETE_DUPLICATE_ROWS", _recipe_without_dedupe),
                        ("recipe steps missing: the REPLACE_TEXT typo fixes", _recipe_without_typo_fix)],
    "recipe_job": [("the job ran an unpublished edit without DELETE_DUPLICATE_ROWS", _recipe_job_on_unpublished)],
}
