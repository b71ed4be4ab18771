"""A small probabilistic forecaster (not DeepAR) and the seasonal-naive baseline, with DeepAR's metrics.

The local stand-in for a DeepAR forecast, so a learner sees real p10/p50/p90 numbers on moto:

- **Seasonal regression + residual bootstrap**: per series, least squares on an intercept, a
  linear trend, one dummy per season position (day of week for daily data) and the series'
  ``dynamic_feat`` values; the point forecast extends those terms over the horizon (the dynamic
  features are known in the future, as DeepAR requires); ``num_samples`` sample paths add
  residuals drawn with replacement from the fit; quantiles are taken across the paths.
- **Seasonal naive** (the baseline): the last observed season repeated; its quantiles come from the
  empirical distribution of the series' seasonal differences ``y[t] - y[t - season]``.

Metrics as the DeepAR documentation defines them for the test channel
(https://docs.aws.amazon.com/sagemaker/latest/dg/deepar.html): RMSE of the mean forecast over the
last ``prediction_length`` points of every series, and the weighted quantile loss
``wQL[tau] = 2 * sum(tau*max(y-q,0) + (1-tau)*max(q-y,0)) / sum(|y|)``.
numpy only; deterministic for a given seed.
"""
from __future__ import annotations

from dataclasses import dataclass

QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class Forecast:
    model: str
    mean: list[list[float]]  # per series, per horizon step
    quantiles: dict[float, list[list[float]]]

    def to_deepar_json(self, i: int) -> dict:
        """Series ``i`` in DeepAR's inference response shape."""
        return {"quantiles": {str(q): self.quantiles[q][i] for q in self.quantiles}, "mean": self.mean[i]}


def _design(n: int, offset: int, season: int, feats: list[list[float]]):
    import numpy as np

    t = np.arange(offset, offset + n, dtype=float)
    cols = [np.ones(n), t / 100.0]
    for k in range(1, season):
        cols.append(((t.astype(int) % season) == k).astype(float))
    for feat in feats:
        cols.append(np.asarray(feat, dtype=float))
    return np.column_stack(cols)


def seasonal_bootstrap(series: list[dict], prediction_length: int, season: int = 7, num_samples: int = 200,
                       seed: int = 0, quantiles=QUANTILES) -> Forecast:
    """Forecast each training series' next ``prediction_length`` points. ``dynamic_feat`` arrays
    must cover the training range plus the horizon."""
    import numpy as np

    rng = np.random.default_rng(seed)
    means, qs = [], {q: [] for q in quantiles}
    for record in series:
        y = np.asarray(record["target"], dtype=float)
        feats = record.get("dynamic_feat", [])
        n = len(y)
        X = _design(n, 0, season, [f[:n] for f in feats])
        ok = ~np.isnan(y)
        coef, *_ = np.linalg.lstsq(X[ok], y[ok], rcond=None)
        residuals = y[ok] - X[ok] @ coef
        Xf = _design(prediction_length, n, season, [f[n:n + prediction_length] for f in feats])
        point = Xf @ coef
        paths = point + rng.choice(residuals, size=(num_samples, prediction_length), replace=True)
        means.append(paths.mean(axis=0).tolist())
        for q in quantiles:
            qs[q].append(np.quantile(paths, q, axis=0).tolist())
    return Forecast("seasonal regression + residual bootstrap (awslabs local model, not DeepAR)", means, qs)


def seasonal_naive(series: list[dict], prediction_length: int, season: int = 7, quantiles=QUANTILES) -> Forecast:
    import numpy as np

    means, qs = [], {q: [] for q in quantiles}
    for record in series:
        y = np.asarray(record["target"], dtype=float)
        last = y[-season:]
        point = np.array([last[h % season] for h in range(prediction_length)])
        diffs = y[season:] - y[:-season]
        diffs = diffs[~np.isnan(diffs)]
        means.append(point.tolist())
        for q in quantiles:
            qs[q].append((point + np.quantile(diffs, q)).tolist())
    return Forecast("seasonal naive (last week repeated)", means, qs)


def weighted_quantile_loss(actual: list[list[float]], predicted: list[list[float]], tau: float) -> float:
    import numpy as np

    y, q = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    loss = tau * np.maximum(y - q, 0) + (1 - tau) * np.maximum(q - y, 0)
    return float(2 * loss.sum() / np.abs(y).sum())


def rmse(actual: list[list[float]], predicted: list[list[float]]) -> float:
    import numpy as np

    y, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def evaluate(forecast: Forecast, actual: list[list[float]]) -> dict[str, float]:
    import numpy as np

    scores = {f"wQL[{q}]": weighted_quantile_loss(actual, forecast.quantiles[q], q) for q in forecast.quantiles}
    scores["mean_wQL"] = float(np.mean([scores[f"wQL[{q}]"] for q in forecast.quantiles]))
    scores["RMSE"] = rmse(actual, forecast.mean)
    low, high = min(forecast.quantiles), max(forecast.quantiles)
    y = np.asarray(actual)
    inside = (y >= np.asarray(forecast.quantiles[low])) & (y <= np.asarray(forecast.quantiles[high]))
    scores["coverage"] = float(inside.mean())
    return scores


__all__ = ["Forecast", "seasonal_bootstrap", "seasonal_naive", "weighted_quantile_loss", "rmse", "evaluate", "QUANTILES"]
