"""PyTorch reference for lstm-ts's forecaster: the SequenceRegressor of notes/lanes.md ("Shared decisions") trained on
the windows scripts/tasks/prepare.ts wrote (same split, same scaling), with the loss, optimizer and schedule the
lstm-ts run will use. Prints one JSON line per seed and a summary; --json-out writes them all.

  npx tsx scripts/tasks/prepare.ts forecast --window 28 --horizon 7
  /usr/bin/python3 scripts/tasks/forecast_torch.py --data /tmp/lstm-ts-tasks/births.safetensors --seeds 0,1,2

Model: dense input (B, T, F) batch-first -> LSTM/GRU/RNN (layers, optional bidirectional) -> h_n of the last layer
(both directions concatenated, i.e. forward at T-1 and backward at 0) -> Linear(D*H, horizon*K), on scaled targets.
Initialisation is PyTorch's own (uniform +-1/sqrt(H) for the cell, kaiming-uniform for the head).
The model kept is the one with the lowest validation MAE (early stopping's best checkpoint); test metrics are in
the original units, after the scaler's inverse, beside the seasonal-naive and naive baselines from prepare.ts.
"""

import argparse

import numpy as np

from common import add_training_args, fit, load_prepared, run_seeds, setup, torch

nn = torch.nn
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class SequenceRegressor(nn.Module):
    def __init__(self, features, hidden, layers, outputs, cell="lstm", bidirectional=False, dropout=0.0):
        super().__init__()
        self.directions = 2 if bidirectional else 1
        self.rnn = CELLS[cell](features, hidden, layers, batch_first=True, bidirectional=bidirectional,
                               dropout=dropout if layers > 1 else 0.0)
        self.head = nn.Linear(self.directions * hidden, outputs)

    def forward(self, x):
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # (L*D, B, H)
        last = torch.cat(list(h_n[-self.directions:]), dim=1)  # (B, D*H): forward then backward
        return self.head(last)


LOSSES = {"mse": nn.MSELoss(), "mae": nn.L1Loss(), "huber": nn.HuberLoss(delta=1.0)}


def metrics(truth, pred, scale):
    """numpy's formulas for what src/train/metrics.ts computes (MAE, RMSE, sMAPE in %, MASE)."""
    err = pred - truth
    mae = float(np.mean(np.abs(err)))
    return {
        "mae": mae,
        "rmse": float(np.sqrt(np.mean(err**2))),
        "smape": float(100 * np.mean(2 * np.abs(err) / (np.abs(truth) + np.abs(pred)))),
        "mase": mae / scale,
    }


def predict(model, x, meta, batch=1024):
    """Forecasts in original units, (count, horizon) for the first target."""
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)]).double().numpy()
    K = meta["targets"]
    mean, std = meta["scaler"]["mean"][0], meta["scaler"]["std"][0]
    return out[:, 0::K] * std + mean


def run(args, meta, data, seed):
    torch.manual_seed(seed)
    outputs = meta["horizon"] * meta["targets"]
    model = SequenceRegressor(data["train_x"].shape[2], args.hidden, args.layers, outputs, args.cell, args.bidirectional, args.dropout)
    loss_fn = LOSSES[args.loss]
    x, y = data["train_x"], data["train_y"]

    def test_metrics():
        return metrics(data["test_truth"].numpy(), predict(model, data["test_x"], meta), meta["maseScale"])

    def valid_score():  # minus the validation MAE in original units: higher is better
        return -metrics(data["valid_truth"].numpy(), predict(model, data["valid_x"], meta), meta["maseScale"])["mae"]

    history, best = fit(model, args, seed, len(x), lambda b: loss_fn(model(x[b]), y[b]), valid_score)
    last = test_metrics()
    model.load_state_dict(best["state"])
    return {"best_epoch": best["epoch"], "valid_mae": -best["score"], "test": test_metrics(), "test_last_epoch": last,
            "history": history}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_training_args(p, data="/tmp/lstm-ts-tasks/births.safetensors", epochs=30, batch=64, lr=3e-3)
    p.add_argument("--loss", default="mse", choices=list(LOSSES))
    args = p.parse_args()
    setup(args.threads)
    meta, data = load_prepared(args.data)
    data = {k: (v.float() if k.endswith(("_x", "_y")) else v) for k, v in data.items()}

    def summarize(runs):
        maes = [r["test"]["mae"] for r in runs]
        return {
            "task": "forecast", "dataset": meta["dataset"],
            "config": vars(args) | {"window": meta["window"], "horizon": meta["horizon"], "columns": meta["columns"]},
            "test_mae_mean": float(np.mean(maes)), "test_mae_max": float(np.max(maes)),
            "test_mase_max": float(np.max([r["test"]["mase"] for r in runs])),
            "seasonal_naive_test": meta["baselines"]["test"]["seasonalNaive"], "naive_test": meta["baselines"]["test"]["naive"],
        }

    run_seeds(args, lambda seed: run(args, meta, data, seed), summarize)


if __name__ == "__main__":
    main()
