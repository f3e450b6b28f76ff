"""PyTorch reference for lstm-ts's classifier: the SequenceClassifier of notes/lanes.md ("Shared decisions") trained on
the token ids, lengths, labels and stratified split scripts/tasks/prepare.ts wrote, with the loss, optimizer and
schedule the lstm-ts run will use. Prints one JSON line per seed and a summary; --json-out writes them all.

  npx tsx scripts/tasks/prepare.ts classify --tokens char --seed 0
  /usr/bin/python3 scripts/tasks/classify_torch.py --data /tmp/lstm-ts-tasks/names.safetensors --seeds 0,1,2

Model: ids (B, T) with lengths -> one-hot or Embedding(V, E) -> LSTM/GRU/RNN (optionally bidirectional), run on
pack_padded_sequence -> pool 'last' (h_n of the last layer, both directions concatenated) or 'mean' (the outputs'
mean over each row's valid steps) -> Linear(D*H, C); cross-entropy, optionally with 'balanced' class weights.
Initialisation is PyTorch's own. The model kept is the one with the best validation accuracy (early stopping's
best checkpoint); test accuracy and macro F1 are reported beside the majority-class baseline from prepare.ts.
"""

import argparse

import numpy as np

from common import add_training_args, fit, load_prepared, run_seeds, setup, torch

nn = torch.nn
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
pack = nn.utils.rnn.pack_padded_sequence
unpack = nn.utils.rnn.pad_packed_sequence


class SequenceClassifier(nn.Module):
    def __init__(self, vocab, embed, hidden, layers, classes, cell="lstm", bidirectional=False, pool="last", dropout=0.0):
        super().__init__()
        self.vocab = vocab
        self.pool = pool
        self.directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(vocab, embed) if embed > 0 else None  # embed 0: one-hot input
        self.rnn = CELLS[cell](embed if embed > 0 else vocab, hidden, layers, batch_first=True,
                               bidirectional=bidirectional, dropout=dropout if layers > 1 else 0.0)
        self.head = nn.Linear(self.directions * hidden, classes)

    def forward(self, ids, lengths):
        x = self.embedding(ids) if self.embedding is not None else nn.functional.one_hot(ids, self.vocab).float()
        out, state = self.rnn(pack(x, lengths, batch_first=True, enforce_sorted=False))
        if self.pool == "last":
            h_n = state[0] if isinstance(state, tuple) else state  # (L*D, B, H), rows in the caller's order
            features = torch.cat(list(h_n[-self.directions:]), dim=1)
        else:
            padded, _ = unpack(out, batch_first=True)  # zeros past each row's length
            features = padded.sum(dim=1) / lengths.unsqueeze(1).to(padded.dtype)
        return self.head(features)


def macro_f1(truth, pred, classes):
    """scikit-learn's f1_score(average='macro', labels=range(C), zero_division=0), from the confusion matrix."""
    cm = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(cm, (truth, pred), 1)
    tp = np.diag(cm)
    denom = 2 * tp + (cm.sum(0) - tp) + (cm.sum(1) - tp)
    return float(np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0))), cm


def evaluate(model, data, idx, batch=1024):
    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, len(idx), batch):
            b = idx[i:i + batch]
            T = int(data["lengths"][b].max())
            preds.append(model(data["ids"][b, :T], data["lengths"][b]).argmax(1))
    pred = torch.cat(preds).numpy()
    truth = data["classes"][idx].numpy()
    return float(np.mean(pred == truth)), truth, pred


def run(args, meta, data, seed):
    torch.manual_seed(seed)
    C = len(meta["labels"])
    model = SequenceClassifier(meta["vocabSize"], args.embed, args.hidden, args.layers, C, args.cell,
                               args.bidirectional, args.pool, args.dropout)
    weight = torch.tensor(meta["classWeights"], dtype=torch.float32) if args.class_weights else None
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    train = data["train_idx"]

    def batch_loss(positions):
        b = train[positions]
        T = int(data["lengths"][b].max())
        return loss_fn(model(data["ids"][b, :T], data["lengths"][b]), data["classes"][b])

    history, best = fit(model, args, seed, len(train), batch_loss, lambda: evaluate(model, data, data["valid_idx"])[0])
    last_acc, _, _ = evaluate(model, data, data["test_idx"])
    model.load_state_dict(best["state"])
    acc, truth, pred = evaluate(model, data, data["test_idx"])
    f1, cm = macro_f1(truth, pred, C)
    return {"best_epoch": best["epoch"], "valid_accuracy": best["score"],
            "test": {"accuracy": acc, "macroF1": f1, "confusion": cm.tolist()}, "test_accuracy_last_epoch": last_acc,
            "history": history}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_training_args(p, data="/tmp/lstm-ts-tasks/names.safetensors", epochs=20, batch=32, lr=3e-3)
    p.add_argument("--embed", type=int, default=32, help="embedding size; 0 for one-hot input")
    p.add_argument("--pool", default="last", choices=["last", "mean"])
    p.add_argument("--class-weights", action="store_true")
    args = p.parse_args()
    setup(args.threads)
    meta, raw = load_prepared(args.data)
    data = {k: v.long() for k, v in raw.items()}

    def summarize(runs):
        accs = [r["test"]["accuracy"] for r in runs]
        return {
            "task": "classify", "dataset": meta["dataset"],
            "config": vars(args) | {"tokens": meta["tokens"], "lowercase": meta["lowercase"], "split_seed": meta["seed"],
                                    "sizes": meta["sizes"]},
            "test_accuracy_mean": float(np.mean(accs)), "test_accuracy_min": float(np.min(accs)),
            "test_macro_f1_mean": float(np.mean([r["test"]["macroF1"] for r in runs])), "majority_test": meta["majority"]["test"],
        }

    run_seeds(args, lambda seed: run(args, meta, data, seed), summarize)


if __name__ == "__main__":
    main()
