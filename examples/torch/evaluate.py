# Perplexity on a text and greedy generation from a prefix, for a model exported by lstm-ts or saved by
# train_ddp.py, computed as `lstm eval` and `lstm generate` compute them: the same windows, the same carried state,
# the same argmax. Prints one JSON object, so its numbers can be set beside lstm-ts's.
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lstm_torch import encode, evaluate, generate_greedy, load_exported, read_text, text_to_tokens  # noqa: E402


def main():
    p = argparse.ArgumentParser(description="perplexity and greedy generation of an exported lstm-ts model in PyTorch")
    p.add_argument("--model", required=True, help="safetensors state dict with its JSON sidecar beside it")
    p.add_argument("--data", help="UTF-8 text to compute the perplexity on")
    p.add_argument("--batch", type=int, default=32, help="rows evaluated in parallel (lstm eval --batch)")
    p.add_argument("--steps", type=int, default=35, help="tokens per window (lstm eval --steps)")
    p.add_argument("--prefix", help="text to continue greedily")
    p.add_argument("--length", type=int, default=100, help="tokens to generate after the prefix")
    args = p.parse_args()
    model, sidecar = load_exported(args.model)
    result = {}
    if args.data is not None:
        ids = encode(text_to_tokens(read_text(args.data), sidecar["text"]), sidecar["vocab"]["tokens"])
        result["loss"], result["perplexity"] = evaluate(model, ids, args.batch, args.steps)
        result["tokens"] = len(ids)
    if args.prefix is not None:
        result["text"] = generate_greedy(model, sidecar, args.prefix, args.length)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
