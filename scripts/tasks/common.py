"""Shared plumbing of the PyTorch reference scripts (forecast_torch.py, classify_torch.py): torch set up as the
guide asks (OMP_WAIT_POLICY=PASSIVE before the import, few threads), reading the file scripts/tasks/prepare.ts
writes, the learning-rate schedule lstm-ts uses (src/optim/schedule.ts, per epoch), and the run record."""

import json
import math
import os
import platform
import subprocess
import time
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # without it torch runs 3-4x slower on this machine

import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from safetensors_io import read_safetensors  # noqa: E402


def setup(threads):
    torch.set_num_threads(threads)


def load_prepared(path):
    """(metadata dict, tensors) of a file written by prepare.ts."""
    header, tensors = read_safetensors(path)
    return json.loads(header["__metadata__"]["config"]), tensors


def schedule_lr(kind, lr, epoch, epochs):
    """The rate of epoch t (0-based), exactly as src/optim/schedule.ts (makeSchedule): constant, or cosine from lr at
    t = 0 down to 0 at the last epoch t = epochs - 1 (horizon T = max(1, epochs - 1))."""
    if kind == "constant":
        return lr
    if kind == "cosine":
        total = max(1, epochs - 1)
        return 0.5 * lr * (1 + math.cos(math.pi * min(epoch, total) / total))
    raise ValueError(f"unknown schedule {kind}")


def machine():
    """What the numbers were measured on: CPU model, torch version, load average."""
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), "")
    except OSError:
        pass
    return {
        "cpu": model or platform.processor(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "loadavg": list(os.getloadavg()),
    }


def add_training_args(p, data, epochs, batch, lr):
    """The options both scripts share, with the task's defaults."""
    p.add_argument("--data", default=data)
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn"])
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--batch", type=int, default=batch)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--schedule", default="cosine", choices=["constant", "cosine"])
    p.add_argument("--clip", type=float, default=1.0, help="max global gradient norm; 0 for none")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json-out")


def fit(model, args, seed, train_count, batch_loss, validate):
    """Adam with the per-epoch schedule and gradient clipping, minibatches of a seeded permutation of 0..train_count-1.
    `batch_loss(positions)` is the loss of one minibatch; `validate()` a score, higher better, after each epoch.
    Returns the history and the best epoch (its score and a copy of its weights), as early stopping keeps it."""
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(seed)
    best = {"score": -math.inf}
    history = []
    for epoch in range(args.epochs):
        for g in opt.param_groups:
            g["lr"] = schedule_lr(args.schedule, args.lr, epoch, args.epochs)
        model.train()
        order = torch.randperm(train_count, generator=gen)
        total = 0.0
        for i in range(0, train_count, args.batch):
            positions = order[i:i + args.batch]
            loss = batch_loss(positions)
            opt.zero_grad()
            loss.backward()
            if args.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            total += loss.item() * len(positions)
        score = validate()
        history.append({"epoch": epoch + 1, "train_loss": total / train_count, "valid_score": score})
        if score > best["score"]:
            best = {"score": score, "epoch": epoch + 1, "state": {k: v.clone() for k, v in model.state_dict().items()}}
    return history, best


def run_seeds(args, run_one, summarize):
    """Runs every seed of --seeds, printing one JSON line each, then the summary (also to --json-out)."""
    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        start = time.perf_counter()
        r = run_one(seed)
        r = {"seed": seed, "seconds": round(time.perf_counter() - start, 1)} | r
        runs.append(r)
        print(json.dumps({k: v for k, v in r.items() if k != "history"}), flush=True)
    summary = summarize(runs) | {"seconds_mean": sum(r["seconds"] for r in runs) / len(runs), "machine": machine()}
    print(json.dumps(summary), flush=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"summary": summary, "runs": runs}, f, indent=1)
