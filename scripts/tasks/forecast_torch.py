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
import json
import time

import numpy as np

from common import load_prepared, machine, schedule_lr, setup, torch

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
    F = data["train_x"].shape[2]
    outputs = meta["horizon"] * meta["targets"]
    model = SequenceRegressor(F, args.hidden, args.layers, outputs, args.cell, args.bidirectional, args.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = LOSSES[args.loss]
    gen = torch.Generator().manual_seed(seed)
    x, y = data["train_x"], data["train_y"]
    best = {"valid_mae": float("inf")}
    history = []
    start = time.perf_counter()
    for epoch in range(args.epochs):
        for g in opt.param_groups:
            g["lr"] = schedule_lr(args.schedule, args.lr, epoch, args.epochs)
        model.train()
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), args.batch):
            idx = order[i:i + args.batch]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            total += loss.item() * len(idx)
        valid = metrics(data["valid_truth"].numpy(), predict(model, data["valid_x"], meta), meta["maseScale"])
        history.append({"epoch": epoch + 1, "train_loss": total / len(x), "valid_mae": valid["mae"]})
        if valid["mae"] < best["valid_mae"]:
            best = {"valid_mae": valid["mae"], "epoch": epoch + 1, "state": {k: v.clone() for k, v in model.state_dict().items()}}
    seconds = time.perf_counter() - start
    last_test = metrics(data["test_truth"].numpy(), predict(model, data["test_x"], meta), meta["maseScale"])
    model.load_state_dict(best["state"])
    test = metrics(data["test_truth"].numpy(), predict(model, data["test_x"], meta), meta["maseScale"])
    return {"seed": seed, "seconds": round(seconds, 1), "best_epoch": best["epoch"], "valid_mae": best["valid_mae"],
            "test": test, "test_last_epoch": last_test, "history": history}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="/tmp/lstm-ts-tasks/births.safetensors")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--cell", default="lstm", choices=list(CELLS))
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--schedule", default="cosine", choices=["constant", "cosine"])
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--loss", default="mse", choices=list(LOSSES))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json-out")
    args = p.parse_args()
    setup(args.threads)
    meta, data = load_prepared(args.data)
    data = {k: (v.float() if k.endswith(("_x", "_y")) else v) for k, v in data.items()}
    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        r = run(args, meta, data, seed)
        runs.append(r)
        print(json.dumps({k: v for k, v in r.items() if k != "history"}), flush=True)
    maes = [r["test"]["mae"] for r in runs]
    summary = {
        "task": "forecast", "dataset": meta["dataset"], "config": vars(args) | {"window": meta["window"], "horizon": meta["horizon"],
                                                                            "columns": meta["columns"]},
        "test_mae_mean": float(np.mean(maes)), "test_mae_max": float(np.max(maes)),
        "test_mase_max": float(np.max([r["test"]["mase"] for r in runs])),
        "seasonal_naive_test": meta["baselines"]["test"]["seasonalNaive"], "naive_test": meta["baselines"]["test"]["naive"],
        "seconds_mean": float(np.mean([r["seconds"] for r in runs])), "machine": machine(),
    }
    print(json.dumps(summary), flush=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"summary": summary, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
