#!/usr/bin/python3
"""The PyTorch reference for lstm-ts' quality bar: Dive into Deep Learning's "concise" LSTM (ch. 8.5 / 9.2).

Reproduces d2l's train_ch8 with nn.LSTM exactly: The Time Machine preprocessed to lower-case letters and
spaces, char tokens, d2l's Vocab ('<unk>' first, then by frequency, ties in first-appearance order), the first
--max-tokens tokens (0 = all), sequential partitioning with a fresh random offset in [0, num_steps] each epoch,
one-hot inputs, nn.LSTM + nn.Linear, zero state at the first minibatch of each epoch then carried and detached,
mean cross-entropy, SGD (torch.optim.SGD), d2l's grad_clipping (global L2 norm, theta 1), and the epoch
perplexity exp(sum(l * n) / sum(n)).

Run with Debian's python3-torch:
    /usr/bin/python3 scripts/quality/d2l_torch.py --data ../shared/data/timemachine.txt --max-tokens 10000 --epochs 500 --json
"""
import argparse
import collections
import json
import math
import os
import random
import re
import sys
import time

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402


# --- data: d2l 8.2 (read_time_machine, tokenize, Vocab, load_corpus_time_machine) ---------------------------

def read_lines(path):
    with open(path, 'r', encoding='utf-8') as f:
        lines = f.readlines()
    return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]


class Vocab:
    def __init__(self, tokens):
        counter = collections.Counter(tokens)
        self.token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ['<unk>']
        self.token_to_idx = {'<unk>': 0}
        for token, _ in self.token_freqs:
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)


def load_corpus(path, max_tokens):
    lines = read_lines(path)
    tokens = [ch for line in lines for ch in line]
    # d2l builds the vocabulary from the whole text, then truncates the corpus; on The Time Machine the first
    # 10,000 characters already hold all 26 letters and the space, so both orders give the same 28 tokens.
    vocab = Vocab(tokens)
    corpus = [vocab.token_to_idx[t] for t in tokens]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


# --- minibatches: d2l 8.3 seq_data_iter_sequential ----------------------------------------------------------

def seq_data_iter_sequential(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps)  # inclusive, as in d2l
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset: offset + num_tokens])
    Ys = torch.tensor(corpus[offset + 1: offset + 1 + num_tokens])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]


# --- model: d2l 8.6 / 9.2 RNNModel around nn.LSTM -------------------------------------------------------------

class RNNModel(nn.Module):
    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.linear = nn.Linear(self.num_hiddens, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state

    def begin_state(self, batch_size):
        shape = (self.rnn.num_layers, batch_size, self.num_hiddens)
        return (torch.zeros(shape), torch.zeros(shape))


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def train_epoch(net, corpus, batch_size, num_steps, loss, updater, clip):
    state = None
    loss_sum, count = 0.0, 0
    for X, Y in seq_data_iter_sequential(corpus, batch_size, num_steps):
        if state is None:
            state = net.begin_state(batch_size=X.shape[0])
        else:
            for s in state:
                s.detach_()
        y = Y.T.reshape(-1)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        updater.zero_grad()
        l.backward()
        if clip > 0:
            grad_clipping(net, clip)
        updater.step()
        loss_sum += float(l) * y.numel()
        count += y.numel()
    return loss_sum, count


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='The Time Machine (or any) text file')
    ap.add_argument('--max-tokens', type=int, default=10000, help='first N char tokens (0 = all); d2l: 10000')
    ap.add_argument('--epochs', type=int, default=500)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--steps', type=int, default=35)
    ap.add_argument('--lr', type=float, default=1.0)
    ap.add_argument('--clip', type=float, default=1.0, help='d2l grad_clipping theta (0 = none)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', action='store_true', help='one JSON line per epoch and a final {"summary": ...} line')
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    corpus, vocab = load_corpus(args.data, args.max_tokens)
    net = RNNModel(nn.LSTM(len(vocab), args.hidden), len(vocab))
    loss = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(net.parameters(), args.lr)
    if not args.json:
        print(f'corpus {len(corpus)} tokens, vocab {len(vocab)}, torch {torch.__version__}, '
              f'{torch.get_num_threads()} threads', flush=True)

    started = time.perf_counter()
    train_seconds, tokens_total = 0.0, 0
    ppl = float('nan')
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        loss_sum, count = train_epoch(net, corpus, args.batch, args.steps, loss, updater, args.clip)
        seconds = time.perf_counter() - t0
        train_seconds += seconds
        tokens_total += count
        ppl = math.exp(loss_sum / count)
        if args.json:
            print(json.dumps({'epoch': epoch, 'loss': loss_sum / count, 'perplexity': ppl, 'seconds': seconds,
                              'tokensPerSec': count / seconds}), flush=True)
        else:
            print(f'epoch {epoch}: perplexity {ppl:.3f} ({seconds:.2f}s, {count / seconds:,.0f} tokens/s)', flush=True)
    wall = time.perf_counter() - started
    summary = {'wall_seconds': wall, 'tokens_per_sec': tokens_total / train_seconds if train_seconds > 0 else None,
               'final_perplexity': ppl, 'epochs': args.epochs, 'tokens': len(corpus), 'vocab_size': len(vocab),
               'torch': torch.__version__, 'threads': torch.get_num_threads()}
    if args.json:
        print(json.dumps({'summary': summary}), flush=True)
    else:
        print(f'done: final perplexity {ppl:.3f}, {wall:.1f}s, {summary["tokens_per_sec"]:,.0f} tokens/s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
