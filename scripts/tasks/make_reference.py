"""Writes scripts/tasks/reference.json from the --json-out files of the two reference runs (see README.md here):
the defaults the forecast / classify commands are to use, the PyTorch test metrics per seed, the baselines, the
machine, and the bar the lstm-ts runs must meet against them (test MAE within 5%, accuracy within 1.5 points).

  /usr/bin/python3 scripts/tasks/make_reference.py /tmp/lstm-ts-tasks/final-forecast.json /tmp/lstm-ts-tasks/final-classify.json
"""

import json
import os
import sys

TRAINING = ("cell", "hidden", "layers", "bidirectional", "dropout", "epochs", "batch", "lr", "schedule", "clip")


def main(forecast_path, classify_path):
    with open(forecast_path) as f:
        forecast = json.load(f)
    with open(classify_path) as f:
        classify = json.load(f)
    fc, cc = forecast["summary"]["config"], classify["summary"]["config"]
    out = {
        "forecast": {
            "dataset": forecast["summary"]["dataset"],
            "defaults": {"window": fc["window"], "horizon": fc["horizon"], "covariates": fc["columns"][1:], "valid": 0.1, "test": 0.1,
                         "season": "found: 7 from the daily date step", "loss": fc["loss"], "optimizer": "adam",
                         "keep": "the epoch with the lowest validation MAE"} | {k: fc[k] for k in TRAINING},
            "torch": [{"seed": r["seed"], "test": r["test"], "best_epoch": r["best_epoch"], "seconds": r["seconds"]} for r in forecast["runs"]],
            "torch_test_mae_mean": forecast["summary"]["test_mae_mean"],
            "baselines_test": {"seasonalNaive": forecast["summary"]["seasonal_naive_test"], "naive": forecast["summary"]["naive_test"]},
            "bar": {"mase_below": 1.0, "test_mae_within_fraction_of_torch_mean": 0.05},
            "machine": forecast["summary"]["machine"],
        },
        "classify": {
            "dataset": classify["summary"]["dataset"],
            "defaults": {"tokens": cc["tokens"], "lowercase": cc["lowercase"], "split": "stratified", "split_seed": cc["split_seed"],
                         "valid": 0.1, "test": 0.1, "embed": cc["embed"], "pool": cc["pool"], "class_weights": cc["class_weights"],
                         "loss": "cross-entropy", "optimizer": "adam", "keep": "the epoch with the highest validation accuracy"}
                        | {k: cc[k] for k in TRAINING},
            "sizes": cc["sizes"],
            "torch": [{"seed": r["seed"], "test": r["test"], "best_epoch": r["best_epoch"], "seconds": r["seconds"]} for r in classify["runs"]],
            "torch_test_accuracy_mean": classify["summary"]["test_accuracy_mean"],
            "majority_test": classify["summary"]["majority_test"],
            "bar": {"test_accuracy_within_points_of_torch_mean": 1.5},
            "machine": classify["summary"]["machine"],
        },
    }
    path = os.path.join(os.path.dirname(__file__), "reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
