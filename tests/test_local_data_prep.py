"""awslabs.local.data_prep against hand-computed statistics."""
import numpy as np
import pandas as pd

from awslabs.local import data_prep as prep


def test_the_messy_table_is_deterministic_and_messy():
    a, b = prep.messy_customers(), prep.messy_customers()
    assert a.equals(b)
    assert len(a) == 412 and a.duplicated().sum() == 12
    assert a.drop_duplicates()["churned"].sum() == 40  # 1:9
    assert {"standrd", "premum"} <= set(a["plan"])


def test_clean_fixes_rows_without_learning_anything():
    raw = pd.DataFrame({"customer_id": ["1", "1", "2"], "age": [None, None, 3.0], "income": [1.0, 1.0, 2.0],
                        "tenure_months": [1, 1, 2], "plan": [" Basic", " Basic", "standrd"], "churned": [0, 0, 1]})
    out = prep.clean(raw)
    assert out["plan"].tolist() == ["basic", "standard"] and out["age"].isna().sum() == 1


def _train():
    return pd.DataFrame({"customer_id": list("abcde"), "age": [20.0, None, 40.0, 50.0, 60.0],
                         "income": [10.0, 20.0, 30.0, None, 100.0], "tenure_months": [1, 2, 3, 4, 5],
                         "plan": ["basic", "premium", "basic", "standard", "basic"], "churned": [0, 0, 0, 1, 0]})


def test_fit_on_train_by_hand():
    fitted = prep.fit(_train())
    assert fitted.medians == {"age": 45.0, "income": 25.0}  # (40+50)/2, (20+30)/2
    # observed incomes 10, 20, 30, 100 (linear quantiles): Q1 17.5, Q3 47.5, IQR 30 -> fences -27.5 and 92.5
    assert fitted.fence == (-27.5, 92.5)
    assert fitted.categories == ["basic", "premium", "standard"]
    # curated income: 10, 20, 30, 25 (imputed), 92.5 (clipped) -> mean 35.5
    assert fitted.means["income"] == 35.5
    assert np.isclose(fitted.scales["income"], np.std([10, 20, 30, 25, 92.5]))


def test_target_encoding_by_hand():
    train = _train()
    fitted = prep.fit(train)
    assert fitted.target_means == {"basic": 0.0, "premium": 0.0, "standard": 1.0}
    # out-of-fold with 5 folds and 5 rows: each row sees the other four. 'basic' rows see other basics (0);
    # 'premium' (b) and 'standard' (d) have no other row of their plan, so they get the other rows'
    # overall rate: b sees a, c, d, e (1 churner in 4), d sees a, b, c, e (none)
    assert prep.out_of_fold_target_means(train) == [0.0, 0.25, 0.0, 0.0, 0.0]
    out = prep.transform(train, fitted, training_rows=False)
    assert out["plan_target_mean"].tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]  # in-sample: row d sees its own label
    assert out["tenure_band"].tolist() == [0, 0, 0, 0, 0]


def test_transform_applies_train_statistics_to_other_rows():
    fitted = prep.fit(_train())
    other = pd.DataFrame({"customer_id": ["x"], "age": [None], "income": [5000.0], "tenure_months": [3],
                          "plan": ["gold"], "churned": [0]})
    out = prep.transform(other, fitted)
    assert np.isclose(out["age"][0], (45.0 - fitted.means["age"]) / fitted.scales["age"])
    assert np.isclose(out["income"][0], (92.5 - 35.5) / fitted.scales["income"])  # clipped at the train fence
    assert out[["plan_basic", "plan_premium", "plan_standard"]].sum(axis=1)[0] == 0  # unseen category


def test_smote_interpolates_between_minority_rows():
    rng = np.random.default_rng(0)
    n = 40
    features = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "age": rng.normal(size=n),
                             "income": rng.normal(size=n), "tenure_months": rng.normal(size=n),
                             "plan_basic": [1, 0] * 20, "plan_premium": [0, 1] * 20, "plan_standard": 0,
                             "churned": [1 if i < 8 else 0 for i in range(n)]})
    params = {"scaler_scale": {"tenure_months": 10.0}, "scaler_mean": {"tenure_months": 30.0},
              "tenure_bands": [12, 24, 48], "plan_target_mean": {"basic": 0.25, "premium": 0.15}, "target_prior": 0.2}
    features["tenure_band"] = 0
    features["plan_target_mean"] = features["plan_basic"].map({1: 0.25, 0: 0.15})
    out = prep.rebalance(features, params)
    synthetic = out[out["synthetic"] == 1]
    # a synthetic row's band follows its own tenure (x 10 + 30 months); its encoding its plan's train rate
    assert (synthetic["tenure_band"] == np.digitize(synthetic["tenure_months"] * 10 + 30, [12, 24, 48])).all()
    assert (synthetic["plan_target_mean"] == synthetic["plan_basic"].map({1: 0.25, 0: 0.15})).all()
    assert out["churned"].value_counts().to_dict() == {0: 32, 1: 32}
    minority = features[features["churned"] == 1][["age", "income", "tenure_months"]].to_numpy()
    for row in out[out["synthetic"] == 1][["age", "income", "tenure_months"]].to_numpy():
        d = minority[None, :, :] - minority[:, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            u = np.nan_to_num(((row - minority[:, None, :]) * d).sum(-1) / (d ** 2).sum(-1)).clip(0, 1)
        assert np.sqrt(((minority[:, None, :] + u[..., None] * d - row) ** 2).sum(-1)).min() < 1e-9
