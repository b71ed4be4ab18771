"""The local forecaster and DeepAR's metrics, with hand-worked numbers."""
from __future__ import annotations

import pytest

from awslabs.local import seasonal_forecast as sf


def test_weighted_quantile_loss_by_hand():
    # y = [10, 20], q = [12, 15], tau = 0.5: loss = 0.5*(0) + 0.5*2 + 0.5*5 + 0 = 3.5; wQL = 2*3.5/30
    assert sf.weighted_quantile_loss([[10, 20]], [[12, 15]], 0.5) == pytest.approx(7 / 30)
    # tau = 0.9 under-forecast (q < y) costs 0.9 per unit: 2*(0.9*5 + 0.1*2)/30
    assert sf.weighted_quantile_loss([[10, 20]], [[12, 15]], 0.9) == pytest.approx(2 * 4.7 / 30)
    assert sf.rmse([[1, 2]], [[1, 4]]) == pytest.approx(2 ** 0.5)


def test_seasonal_naive_repeats_the_last_season():
    f = sf.seasonal_naive([{"target": [1, 2, 3, 1, 2, 3]}], prediction_length=4, season=3)
    assert f.mean == [[1.0, 2.0, 3.0, 1.0]]
    assert f.quantiles[0.5] == [[1.0, 2.0, 3.0, 1.0]]  # seasonal differences are all zero


def test_seasonal_regression_recovers_a_clean_pattern_and_orders_quantiles():
    import numpy as np

    t = np.arange(70)
    y = 100 + 0.5 * t + np.array([0, 5, 10, 5, 0, -5, -10])[t % 7] + np.random.default_rng(0).normal(0, 1, 70)
    promo = (t % 10 == 0).astype(float)
    y = y + 20 * promo
    f = sf.seasonal_bootstrap([{"target": y[:56].tolist(), "dynamic_feat": [promo.tolist()]}], 14, season=7)
    scores = sf.evaluate(f, [y[56:].tolist()])
    assert scores["RMSE"] < 3 and 0.5 <= scores["coverage"] <= 1.0
    q = {k: np.asarray(v) for k, v in f.quantiles.items()}
    assert np.all(q[0.1] <= q[0.5]) and np.all(q[0.5] <= q[0.9])
    assert set(f.to_deepar_json(0)["quantiles"]) == {"0.1", "0.5", "0.9"}
