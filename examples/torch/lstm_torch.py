# PyTorch side of `lstm export --format torch` / `lstm import`: d2l's RNNModel with lstm-ts's state-dict names,
# loading an export (safetensors + JSON sidecar) and saving weights back, and tokenization, perplexity and greedy
# generation done step for step as lstm-ts does them, so both sides report the same numbers for the same weights.
# Needs only torch: without the `safetensors` package a minimal reader and writer of the format stand in.
import json
import math
import os
import re
import struct

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads otherwise spin and slow other processes
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

try:
    from safetensors.torch import load_file, save_file
except ImportError:  # the format is an 8-byte header length, a JSON header, then the raw little-endian tensors
    _DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32}

    def load_file(path):
        with open(path, "rb") as f:
            header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
            data = f.read()
        header.pop("__metadata__", None)
        return {name: torch.frombuffer(bytearray(data[h["data_offsets"][0]:h["data_offsets"][1]]), dtype=_DTYPES[h["dtype"]])
                .reshape(h["shape"]).clone() for name, h in header.items()}

    def save_file(tensors, path, metadata=None):
        names = {v: k for k, v in _DTYPES.items()}
        header, blobs, offset = ({"__metadata__": metadata} if metadata else {}), [], 0
        for name in sorted(tensors):
            t = tensors[name].detach().cpu().contiguous()
            blob = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
            header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
            blobs.append(blob)
            offset += len(blob)
        raw = json.dumps(header, separators=(",", ":")).encode()
        raw += b" " * (-len(raw) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


class RNNModel(nn.Module):
    """d2l's language model: one-hot (or embedded) tokens -> nn.LSTM/GRU/RNN -> nn.Linear, logits (T*B, V) time-major."""

    def __init__(self, rnn, vocab_size, embedding_dim=None):
        super().__init__()
        self.rnn = rnn
        self.vocab_size = vocab_size
        self.num_directions = 2 if rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_directions * rnn.hidden_size, vocab_size)
        self.embedding = None if embedding_dim is None else nn.Embedding(vocab_size, embedding_dim)

    def forward(self, inputs, state):
        ids = inputs.T.long()  # (B, T) -> (T, B): the layer runs time-major
        X = F.one_hot(ids, self.vocab_size).float() if self.embedding is None else self.embedding(ids)
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape(-1, Y.shape[-1])), state

    def begin_state(self, batch_size, device=None):
        h = torch.zeros(self.num_directions * self.rnn.num_layers, batch_size, self.rnn.hidden_size, device=device)
        return (h, torch.zeros_like(h)) if isinstance(self.rnn, nn.LSTM) else h


def build_model(spec):
    """The sidecar's "torch" block -> an RNNModel with freshly initialised weights."""
    kwargs = dict(input_size=spec["input_size"], hidden_size=spec["hidden_size"], num_layers=spec["num_layers"],
                  dropout=spec["dropout"], bidirectional=spec["bidirectional"])
    if spec["rnn"] == "RNN":
        kwargs["nonlinearity"] = spec["nonlinearity"]
    return RNNModel(getattr(nn, spec["rnn"])(**kwargs), spec["vocab_size"], spec["embedding_dim"])


def sidecar_path_for(weights_path):
    """book.safetensors -> book.safetensors.json, as lstm export and lstm import name it."""
    return weights_path + ".json"


def legacy_sidecar_path_for(weights_path):
    """book.safetensors -> book.json, the name lstm-ts 0.1 gave the sidecar (still read)."""
    root, ext = os.path.splitext(weights_path)
    return (root if ext.lower() in (".safetensors", ".onnx") else weights_path) + ".json"


def load_exported(weights_path, sidecar_path=None):
    """(model, sidecar) from the two files lstm export wrote; load_state_dict is strict, so names and shapes must fit."""
    if sidecar_path is None:
        sidecar_path = sidecar_path_for(weights_path)
        if not os.path.exists(sidecar_path) and os.path.exists(legacy_sidecar_path_for(weights_path)):
            sidecar_path = legacy_sidecar_path_for(weights_path)
    with open(sidecar_path, encoding="utf-8") as f:
        sidecar = json.load(f)
    model = build_model(sidecar["torch"])
    model.load_state_dict(load_file(weights_path))
    return model, sidecar


def save_for_import(model, sidecar, weights_path, note=None):
    """Writes the state dict (float32) and its sidecar where `lstm import --from weights_path` finds them."""
    tensors = {k: v.detach().cpu().float() for k, v in model.state_dict().items()}
    tmp = f"{weights_path}.tmp-{os.getpid()}"
    save_file(tensors, tmp, metadata={"format": "pt"})
    os.replace(tmp, weights_path)  # a reader never sees half a file
    with open(sidecar_path_for(weights_path), "w", encoding="utf-8") as f:
        json.dump({**sidecar, **({"torch_training": note} if note else {})}, f, indent=2, ensure_ascii=False)


# ---- text, as lstm-ts reads and tokenizes it (src/data/text.ts, src/train/corpus.ts) ----

try:
    import regex as _re_unicode  # supports \p{...}: word tokens then match lstm-ts exactly
    _WORD = _re_unicode.compile(r"\n|[\p{L}\p{N}\p{M}]+(?:['’-][\p{L}\p{N}\p{M}]+)*|[^\s]")
except ImportError:  # [^\W_] is letters and digits; only combining marks differ
    _WORD = re.compile(r"\n|[^\W_]+(?:['’-][^\W_]+)*|[^\s]")
_CLOSING = set(".,;:!?)]}”’…%")
_OPENING = set("([{“")


def read_text(path):
    with open(path, encoding="utf-8-sig") as f:  # text mode turns \r\n and \r into \n, as lstm-ts does
        return f.read()


def text_to_tokens(text, settings):
    kind, preprocess = settings["tokens"], settings["preprocess"]
    if preprocess == "none":
        return list(text) if kind == "char" else _WORD.findall(text)
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    lines = [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]
    return [ch for line in lines for ch in line] if kind == "char" else [t for line in lines for t in _WORD.findall(line)]


def detokenize(tokens, kind):
    if kind == "char":
        return "".join(tokens)
    out, prev = "", None
    for token in tokens:
        glue = prev is None or prev == "\n" or token == "\n" or prev in _OPENING or token in _CLOSING
        out += token if glue else " " + token
        prev = token
    return out


def encode(tokens, vocab_tokens):
    index = {t: i for i, t in enumerate(vocab_tokens)}
    return [index.get(t, 0) for t in tokens]  # 0 is '<unk>'


@torch.no_grad()
def evaluate(model, ids, batch_size, num_steps):
    """lstm-ts's evaluateLoss: B rows of equal length read in windows of num_steps, the state carried across them."""
    model.eval()
    data = torch.tensor(ids)
    B = min(batch_size, len(ids) - 1)
    row = (len(ids) - 1) // B
    state, total, count = model.begin_state(B), 0.0, 0
    for t0 in range(0, row, num_steps):
        T = min(num_steps, row - t0)
        X = torch.stack([data[b * row + t0:b * row + t0 + T] for b in range(B)])
        Y = torch.stack([data[b * row + t0 + 1:b * row + t0 + 1 + T] for b in range(B)])
        logits, state = model(X, state)
        total += F.cross_entropy(logits.double(), Y.T.reshape(-1), reduction="sum").item()
        count += B * T
    return total / count, math.exp(total / count)


@torch.no_grad()
def generate_greedy(model, sidecar, prefix, length):
    """lstm-ts's generate with strategy greedy: warm up on the prefix, then feed back the argmax token."""
    model.eval()
    settings, vocab = sidecar["text"], sidecar["vocab"]["tokens"]
    tokens = text_to_tokens(prefix, {**settings, "preprocess": "none"})
    unknown = [t for t in tokens if t not in set(vocab)]
    if unknown:
        raise SystemExit(f"prefix has tokens not in the vocabulary: {unknown}")
    ids = encode(tokens, vocab)
    state = model.begin_state(1)
    if len(ids) > 1:
        _, state = model(torch.tensor([ids[:-1]]), state)
    for _ in range(length):
        logits, state = model(torch.tensor([[ids[-1]]]), state)
        ids.append(int(logits[0].argmax()))  # the first maximum on ties, as lstm-ts's argmax
    return detokenize([vocab[i] for i in ids], settings["tokens"])
