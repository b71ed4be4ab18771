"""Cleaning and feature engineering done locally with pandas / scikit-learn / imbalanced-learn: what a
SageMaker Processing job (or a Glue job) would run on the lab's data, done here on the data in S3.

The order is the lesson: row-level cleaning that learns nothing from the data (trim, case, typos,
exact duplicates) may run on the whole dataset; everything that *fits* a statistic (the imputer's
median, the outlier fences, the one-hot categories, the scaler's mean and standard deviation, SMOTE's
neighbours) is fitted on the training split only, after a stratified split, and then applied
unchanged to validation and test. SMOTE touches the training split only.

``messy_customers()`` generates the lab's raw data deterministically (fixed seed): missing values,
income outliers, a plan column with case, whitespace and typo problems, exact duplicate rows, and a
1:9 class imbalance.
"""
from __future__ import annotations

from dataclasses import dataclass

SEED = 18
N_CUSTOMERS = 400
N_CHURNED = 40  # 1:9
N_DUPLICATES = 12
PLANS = ("basic", "standard", "premium")
TYPOS = {"standrd": "standard", "premum": "premium"}
NUMERIC = ("age", "income", "tenure_months")
IMPUTED = ("age", "income")
CLIPPED = "income"
IQR_FACTOR = 1.5  # Tukey's fences: Q1 - 1.5 IQR, Q3 + 1.5 IQR
LABEL = "churned"
ID = "customer_id"
SPLIT = (0.70, 0.15, 0.15)
SMOTE_K = 5
TENURE_BANDS = (12, 24, 48)  # months: <12, 12-23, 24-47, >=48 -> ordinal bands 0..3 (fixed edges, not fitted)
TARGET_FOLDS = 5  # out-of-fold target encoding of the training rows: fold = row position % 5


def messy_customers(seed: int = SEED):
    """The raw customers table: 400 customers + 12 exact duplicate rows, shuffled."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = N_CUSTOMERS
    age = rng.integers(18, 80, n).astype(float)
    income = np.round(rng.lognormal(10.8, 0.35, n), 2)
    tenure = rng.integers(0, 73, n)
    plan = rng.choice(PLANS, n, p=[0.5, 0.3, 0.2]).astype(object)
    churned = np.zeros(n, dtype=int)
    churned[rng.choice(n, N_CHURNED, replace=False)] = 1
    # churners: shorter tenure, a little younger (so SMOTE has something to interpolate)
    tenure = np.where(churned == 1, rng.integers(0, 18, n), tenure)
    age[rng.choice(n, 24, replace=False)] = np.nan  # 6 %
    income[rng.choice(n, 32, replace=False)] = np.nan  # 8 %
    outliers = rng.choice(np.where(~np.isnan(income))[0], 6, replace=False)
    income[outliers] = np.round(income[outliers] * 12, 2)
    messy = rng.choice(n, 60, replace=False)
    for k, i in enumerate(messy):
        plan[i] = (str(plan[i]).capitalize(), str(plan[i]).upper(), f" {plan[i]} ")[k % 3]
    for i in rng.choice(np.where(plan == "standard")[0], 4, replace=False):
        plan[i] = "standrd"
    for i in rng.choice(np.where(plan == "premium")[0], 3, replace=False):
        plan[i] = "premum"
    frame = pd.DataFrame({ID: [f"C{i:04d}" for i in range(1, n + 1)], "age": age, "income": income,
                          "tenure_months": tenure, "plan": plan, LABEL: churned})
    duplicates = frame.iloc[rng.choice(n, N_DUPLICATES, replace=False)]
    frame = pd.concat([frame, duplicates], ignore_index=True)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


# -- 1. cleaning that learns nothing from the data ------------------------------------------------
def clean(raw):
    """Trim and lower-case ``plan``, fix the known typos, drop exact duplicate rows (first kept)."""
    frame = raw.copy()
    plan = frame["plan"].map(lambda v: v if not isinstance(v, str) else v.strip().lower())
    frame["plan"] = plan.map(lambda v: TYPOS.get(v, v))
    return frame.drop_duplicates(keep="first").reset_index(drop=True)


# -- 2. the split, before anything is fitted --------------------------------------------------------
def split(cleaned, seed: int = SEED):
    """Stratified 70/15/15 train/validation/test split on the label, disjoint by row."""
    from sklearn.model_selection import train_test_split

    train, rest = train_test_split(cleaned, test_size=SPLIT[1] + SPLIT[2], stratify=cleaned[LABEL],
                                   random_state=seed)
    validation, test = train_test_split(rest, test_size=SPLIT[2] / (SPLIT[1] + SPLIT[2]),
                                        stratify=rest[LABEL], random_state=seed)
    return {"train": train.reset_index(drop=True), "validation": validation.reset_index(drop=True),
            "test": test.reset_index(drop=True)}


# -- 3. imputation, outliers, encoding, scaling: fitted on train ------------------------------------
@dataclass
class Fitted:
    medians: dict
    fence: tuple
    categories: list
    means: dict
    scales: dict
    target_means: dict
    target_prior: float

    def as_json(self) -> dict:
        return {"impute_median": self.medians, "income_fence": list(self.fence),
                "plan_categories": self.categories, "scaler_mean": self.means, "scaler_scale": self.scales,
                "plan_target_mean": self.target_means, "target_prior": self.target_prior,
                "tenure_bands": list(TENURE_BANDS)}


def fit(train, impute_on=None, scale_on=None, target_on=None) -> Fitted:
    """Learn every statistic from ``train`` (``impute_on`` / ``scale_on`` / ``target_on`` exist for the
    lab's mutants: the leakage mistakes of fitting on more rows than the training split)."""
    impute_on = train if impute_on is None else impute_on
    scale_on = train if scale_on is None else scale_on
    target_on = train if target_on is None else target_on
    medians = {c: float(impute_on[c].median()) for c in IMPUTED}
    q1, q3 = (float(train[CLIPPED].quantile(q)) for q in (0.25, 0.75))
    fence = (q1 - IQR_FACTOR * (q3 - q1), q3 + IQR_FACTOR * (q3 - q1))
    categories = sorted(train["plan"].dropna().unique())
    prepared = curate(scale_on, medians, fence)
    means = {c: float(prepared[c].mean()) for c in NUMERIC}
    scales = {c: float(prepared[c].std(ddof=0)) or 1.0 for c in NUMERIC}
    target_means = {str(k): float(v) for k, v in target_on.groupby("plan")[LABEL].mean().items()}
    return Fitted(medians, fence, categories, means, scales, target_means, float(target_on[LABEL].mean()))


def out_of_fold_target_means(train) -> list[float]:
    """Each training row's plan encoded with the churn rate of the same plan in the OTHER folds
    (fold = row position % TARGET_FOLDS): a row never sees its own label."""
    import numpy as np

    folds = np.arange(len(train)) % TARGET_FOLDS
    plans, labels = train["plan"].to_numpy(), train[LABEL].to_numpy()
    encoded = []
    for i in range(len(train)):
        others = (folds != folds[i]) & (plans == plans[i])
        encoded.append(float(labels[others].mean()) if others.any() else float(labels[folds != folds[i]].mean()))
    return encoded


def curate(frame, medians: dict, fence: tuple):
    """Imputed and clipped, not yet encoded or scaled: the table the DQDL ruleset describes."""
    out = frame.copy()
    for c in IMPUTED:
        out[c] = out[c].fillna(medians[c])
    out[CLIPPED] = out[CLIPPED].clip(*fence)
    return out


def transform(frame, fitted: Fitted, clip: bool = True, training_rows: bool = False):
    """The model-ready features: imputed, clipped, ``tenure_band`` (binned, ordinal), one-hot
    ``plan_<value>``, ``plan_target_mean`` (target encoding: the train churn rate of the plan,
    out-of-fold for the training rows themselves), standardised numerics."""
    import numpy as np
    import pandas as pd

    out = curate(frame, fitted.medians, fitted.fence if clip else (float("-inf"), float("inf")))
    out["tenure_band"] = np.digitize(out["tenure_months"], TENURE_BANDS)
    for c in NUMERIC:
        out[c] = (out[c] - fitted.means[c]) / fitted.scales[c]
    onehot = pd.DataFrame({f"plan_{v}": (out["plan"] == v).astype(int) for v in fitted.categories}, index=out.index)
    if training_rows:
        out["plan_target_mean"] = out_of_fold_target_means(frame)
    else:
        out["plan_target_mean"] = out["plan"].map(lambda p: fitted.target_means.get(p, fitted.target_prior))
    return pd.concat([out[[ID, *NUMERIC, "tenure_band"]], onehot, out[["plan_target_mean", LABEL]]], axis=1)


# -- 4. SMOTE on the training split ---------------------------------------------------------------
def rebalance(features, params: dict, seed: int = SEED):
    """SMOTE-NC (continuous columns interpolated, ``plan`` taken from the neighbours) until the classes
    are balanced; synthetic rows get ids ``SYN0001``... and ``synthetic = 1``, their ``tenure_band``
    from their interpolated tenure and their ``plan_target_mean`` from the train encoding (``params``:
    what ``Fitted.as_json`` wrote)."""
    import numpy as np
    import pandas as pd
    from imblearn.over_sampling import SMOTENC

    plan_columns = [c for c in features.columns if c.startswith("plan_")]
    plan = np.array([c[len("plan_"):] for c in plan_columns], dtype=object)[features[plan_columns].to_numpy().argmax(1)]
    X = features[list(NUMERIC)].astype(object).assign(plan=plan).to_numpy()
    y = features[LABEL].to_numpy()
    sampler = SMOTENC(categorical_features=[len(NUMERIC)], k_neighbors=SMOTE_K, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    new = X_res[len(features):]
    synthetic = pd.DataFrame({ID: [f"SYN{i:04d}" for i in range(1, len(new) + 1)]})
    for j, c in enumerate(NUMERIC):
        synthetic[c] = new[:, j].astype(float)
    for c in plan_columns:
        synthetic[c] = (new[:, len(NUMERIC)] == c[len("plan_"):]).astype(int)
    tenure = synthetic["tenure_months"] * params["scaler_scale"]["tenure_months"] + params["scaler_mean"]["tenure_months"]
    synthetic["tenure_band"] = np.digitize(tenure.round(9), params["tenure_bands"])
    synthetic["plan_target_mean"] = new[:, len(NUMERIC)].astype(str)
    synthetic["plan_target_mean"] = synthetic["plan_target_mean"].map(
        lambda p: params["plan_target_mean"].get(p, params["target_prior"]))
    synthetic[LABEL] = y_res[len(features):]
    original = features.assign(synthetic=0)
    return pd.concat([original, synthetic.assign(synthetic=1)], ignore_index=True)[[*features.columns, "synthetic"]]
