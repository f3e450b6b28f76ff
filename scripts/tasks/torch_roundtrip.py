"""A forecaster or classifier exported by `lstm export --format torch`, in PyTorch: the module the sidecar's "torch"
entry describes (forecast_torch.SequenceRegressor or classify_torch.SequenceClassifier) loads the state dict
strictly, runs the inputs test/export-task-torch.test.ts wrote, and writes its outputs; with --save it then takes
one Adam step on a made-up loss and saves the new state dict, as a user who trains on in PyTorch would, with its
outputs after the step, for `lstm import` to bring back.

  /usr/bin/python3 scripts/tasks/torch_roundtrip.py --weights m.torch.safetensors --inputs in.safetensors --out out.safetensors [--save trained.safetensors]
"""

import argparse
import json
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from classify_torch import SequenceClassifier  # noqa: E402
from forecast_torch import SequenceRegressor  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402


def build(spec):
    cell = spec["rnn"].lower()
    directions = 2 if spec["bidirectional"] else 1
    if spec["module"] == "SequenceRegressor":
        return SequenceRegressor(spec["input_size"], spec["hidden_size"], spec["num_layers"], spec["outputs"], cell, spec["bidirectional"], spec["dropout"])
    embed = spec["embedding_dim"] or 0
    model = SequenceClassifier(spec["vocab_size"], embed, spec["hidden_size"], spec["num_layers"], spec["num_classes"], cell,
                               spec["bidirectional"], spec["pool"], spec["dropout"])
    assert model.directions == directions
    return model


def run(model, spec, inputs):
    with torch.no_grad():
        if spec["module"] == "SequenceRegressor":
            return model(inputs["x"].float())
        return model(inputs["ids"].long(), inputs["lengths"].long())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--save")
    args = p.parse_args()
    torch.set_num_threads(1)
    with open(args.weights + ".json") as f:
        spec = json.load(f)["torch"]
    model = build(spec)
    _, state = read_safetensors(args.weights)
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    model.eval()
    _, inputs = read_safetensors(args.inputs)
    outputs = {"output": run(model, spec, inputs).contiguous()}
    if args.save:
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        out = model(inputs["x"].float()) if spec["module"] == "SequenceRegressor" else model(inputs["ids"].long(), inputs["lengths"].long())
        (out ** 2).mean().backward()
        opt.step()
        model.eval()
        write_safetensors(args.save, {k: v.detach().contiguous() for k, v in model.state_dict().items()}, {"format": "pt"})
        outputs["trained"] = run(model, spec, inputs).contiguous()
    write_safetensors(args.out, outputs, {})


if __name__ == "__main__":
    main()
