"""Writes test/fixtures/tasks/metrics.json: random cases with the forecast and class metrics computed by numpy, using
the textbook formulas (not the ones in src/train/metrics.ts), for test/train-metrics.test.ts to compare against.

  /usr/bin/python3 scripts/tasks/make_metric_fixtures.py

Formulas: MAE, RMSE; sMAPE = 100 * mean(2|F - A| / (|A| + |F|)) with 0/0 terms as 0 (M4); MASE = MAE / the
in-sample seasonal-naive MAE of the training values (Hyndman & Koehler 2006); the seasonal-naive forecast
y[T + h - m * (floor((h - 1) / m) + 1)] for h = 1..H (FPP3 5.2, 1-based h); precision and recall per class with
scikit-learn's zero_division=0, F1 = 2PR / (P + R) (0 when P + R = 0), macro = their mean over all C classes;
the sample ACF as statsmodels' acf (adjusted=False). Deterministic: numpy's default_rng(12).
"""

import json
import os

import numpy as np

rng = np.random.default_rng(12)


def forecast_case(n, season, scale_of_values, zeros):
    train = rng.normal(100, 20, size=60).round(3) * scale_of_values
    actual = rng.normal(100, 20, size=n).round(3) * scale_of_values
    predicted = (actual + rng.normal(0, 10, size=n)).round(3) * 1.0
    actual[:zeros] = 0.0  # A = F = 0: the sMAPE term is 0
    predicted[:zeros] = 0.0
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    err = predicted - actual
    denom = np.abs(actual) + np.abs(predicted)
    terms = np.where(denom > 0, 2 * np.abs(err) / np.where(denom > 0, denom, 1), 0.0)
    mae = np.mean(np.abs(err))
    return {
        "season": season, "train": train.tolist(), "actual": actual.tolist(), "predicted": predicted.tolist(),
        "scale": scale, "mae": mae, "rmse": np.sqrt(np.mean(err**2)), "smape": 100 * np.mean(terms), "mase": mae / scale,
    }


def snaive_case(T, H, m):
    y = rng.normal(0, 1, size=T).round(4)
    h = np.arange(1, H + 1)
    forecast = y[T + h - m * ((h - 1) // m + 1) - 1]  # 1-based y_t is y[t - 1]
    return {"history": y.tolist(), "horizon": H, "season": m, "forecast": forecast.tolist()}


def class_case(n, C, never_predicted):
    actual = rng.integers(0, C, size=n)
    predicted = np.where(rng.random(n) < 0.6, actual, rng.integers(0, C, size=n))
    predicted[predicted == never_predicted] = (never_predicted + 1) % C
    cm = np.zeros((C, C), dtype=np.int64)
    np.add.at(cm, (actual, predicted), 1)
    f1 = []
    for c in range(C):
        tp = np.sum((actual == c) & (predicted == c))
        p = tp / np.sum(predicted == c) if np.sum(predicted == c) > 0 else 0.0
        r = tp / np.sum(actual == c) if np.sum(actual == c) > 0 else 0.0
        f1.append(2 * p * r / (p + r) if p + r > 0 else 0.0)
    return {
        "classes": C, "actual": actual.tolist(), "predicted": predicted.tolist(), "accuracy": float(np.mean(actual == predicted)),
        "confusion": cm.tolist(), "f1": [float(v) for v in f1], "macroF1": float(np.mean(f1)),
    }


def acf_case(n, lags):
    x = np.cumsum(rng.normal(0, 1, size=n)).round(4)
    d = x - x.mean()
    full = np.correlate(d, d, mode="full")[n - 1:]
    return {"x": x.tolist(), "acf": (full[: lags + 1] / full[0]).tolist()}


def main():
    out = {
        "forecast": [forecast_case(40, 7, 1.0, 0), forecast_case(25, 1, 0.01, 3), forecast_case(50, 12, 1000.0, 1)],
        "seasonalNaive": [snaive_case(20, 10, 4), snaive_case(9, 3, 7), snaive_case(15, 5, 1)],
        "classes": [class_case(200, 2, -1), class_case(300, 4, 2)],
        "acf": [acf_case(80, 10)],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "tasks", "metrics.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, default=float)
        f.write("\n")
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
