"""Shared plumbing of the PyTorch reference scripts (forecast_torch.py, classify_torch.py): torch set up as the
guide asks (OMP_WAIT_POLICY=PASSIVE before the import, few threads), reading the file scripts/tasks/prepare.ts
writes, the learning-rate schedule lstm-ts uses (src/optim/schedule.ts, per epoch), and the run record."""

import json
import math
import os
import platform
import subprocess
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
    """The rate of epoch t (0-based), as src/optim/schedule.ts: constant, or cosine from lr to 0 at t = epochs."""
    if kind == "constant":
        return lr
    if kind == "cosine":
        return 0.5 * lr * (1 + math.cos(math.pi * min(epoch, epochs) / epochs))
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
