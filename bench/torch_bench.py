#!/usr/bin/python3
"""PyTorch's side of `lstm bench`: the same d2l setting, measured the same way.

Training: one-hot input over a 28-token vocabulary (random tokens), batch 32, 35 steps, 1 layer nn.LSTM /
nn.GRU / nn.RNN, Linear(H, 28) decoder, mean cross-entropy, clip_grad_norm_ 1 (d2l's manual clip computes the
same global norm), SGD lr 1, sequential minibatches (d2l's seq_data_iter_sequential) with the state carried and
detached. Tokens/s = B*T*steps / seconds, best of several timing windows (medians beside them), as lstm bench.
Generation: d2l's predict_ch8, greedy, batch 1, one character fed at a time, under torch.no_grad().
sgemm: torch.mm of (32, H) by (H, G*H) (G = 4 LSTM, 3 GRU, 1 RNN), one thread and --threads threads.
Memory: peak resident set of the process (getrusage ru_maxrss).
Two input variants (--inputs): 'onehot', the book's F.one_hot(X).float(), and 'embedding', the same rows looked
up from a frozen nn.Embedding(28, 28) with an identity weight (a gather, as lstm-ts's row lookup, instead of
building the one-hot matrix). nn.LSTM still multiplies its input by W_ih either way: it has no entry for input
projections computed elsewhere. One-hot numbers keep their names (trainTokensPerSec, ...); embedding ones end in
Embedding (trainTokensPerSecEmbedding, ...).

--task forecast|classify measures the task models of `lstm bench --task` instead (bench/torch_tasks.py); the
hidden sizes then default to the task's (forecast 64,128; classify 128); --forms packed,unpacked says which forms
of the classifier run.

Run with Debian's torch and OpenBLAS: /usr/bin/python3 bench/torch_bench.py [--json] [--cells lstm,gru,rnn]
  [--hidden 128,256,512,1024] [--threads 2] [--seconds 2] [--length 500] [--parts train,generate,sgemm]
  [--inputs onehot,embedding] [--task lm|forecast|classify] [--forms packed,unpacked]
"""
import argparse
import json
import os
import platform
import resource
import sys
import time

# Before torch is imported: an idle OpenMP thread sleeps instead of spinning on the other core.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

CELLS = ('lstm', 'gru', 'rnn')
PARTS = ('train', 'generate', 'sgemm')
INPUTS = ('onehot', 'embedding')
GATES = {'lstm': 4, 'gru': 3, 'rnn': 1}
VOCAB = 28
TASKS = ('lm', 'forecast', 'classify')
TASK_HIDDEN = {'lm': [128, 256, 512, 1024], 'forecast': [64, 128], 'classify': [128]}
PREFIX = 'time traveller '


def csv(kind, choices=None):
    def parse(text):
        items = [s.strip() for s in text.split(',')]
        if not items or any(s == '' for s in items):
            raise argparse.ArgumentTypeError('must be a comma-separated list')
        out = []
        for s in items:
            v = kind(s)
            if choices is not None and v not in choices:
                raise argparse.ArgumentTypeError(f"'{s}' is not one of {', '.join(choices)}")
            if kind is int and v < 1:
                raise argparse.ArgumentTypeError(f"'{s}' is not a positive integer")
            if v not in out:
                out.append(v)
        return out
    return parse


def parse_args():
    p = argparse.ArgumentParser(description="PyTorch side of lstm bench (d2l setting)")
    p.add_argument('--cells', type=csv(str, CELLS), default=list(CELLS))
    p.add_argument('--hidden', type=csv(int), default=None)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seconds', type=float, default=2.0)
    p.add_argument('--length', type=int, default=500)
    p.add_argument('--parts', type=csv(str, PARTS), default=list(PARTS))
    p.add_argument('--inputs', type=csv(str, INPUTS), default=list(INPUTS))
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--steps', type=int, default=35)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--json', action='store_true')
    p.add_argument('--task', choices=TASKS, default='lm')
    p.add_argument('--forms', type=csv(str, ('packed', 'unpacked')), default=['packed', 'unpacked'])
    args = p.parse_args()
    if args.hidden is None:
        args.hidden = TASK_HIDDEN[args.task]
    return args


ARGS = parse_args()

import torch  # noqa: E402  (after OMP_WAIT_POLICY)
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

torch.set_num_threads(ARGS.threads)


def now():
    return time.perf_counter()


def time_windows(work, units, seconds, warmup=1, windows=5, min_windows=3):
    """As src/bench/timing.ts: a sizing call, then windows of a fixed number of calls; best and median rate."""
    for _ in range(warmup):
        work()
    t0 = now()
    work()
    first = max(now() - t0, 1e-7)
    per_window = max(1, round(seconds / windows / first))
    rates = [units / first]
    calls, spent = 1, first
    while len(rates) < min_windows + 1 or spent < seconds:
        t0 = now()
        for _ in range(per_window):
            work()
        dt = max(now() - t0, 1e-7)
        rates.append(units * per_window / dt)
        calls += per_window
        spent += dt
    kept = rates if per_window == 1 else rates[1:]
    s = sorted(kept)
    mid = len(s) // 2
    med = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return max(kept), med, calls


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class RNNModel(nn.Module):
    """d2l's RNNModel (ch. 9.5): one-hot of X.T, the recurrent layer, Linear over every step's output.
    With inputs='embedding' the one-hot rows are gathered from a frozen identity nn.Embedding instead."""

    def __init__(self, cell, hidden, vocab, inputs='onehot'):
        super().__init__()
        self.rnn = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[cell](vocab, hidden)
        self.vocab_size = vocab
        self.num_hiddens = hidden
        self.linear = nn.Linear(hidden, vocab)
        self.embed = None
        if inputs == 'embedding':
            self.embed = nn.Embedding(vocab, vocab)
            with torch.no_grad():
                self.embed.weight.copy_(torch.eye(vocab))
            self.embed.weight.requires_grad_(False)

    def forward(self, inputs, state):
        if self.embed is not None:
            X = self.embed(inputs.T.long())
        else:
            X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state

    def begin_state(self, batch_size):
        h = torch.zeros((1, batch_size, self.num_hiddens))
        return (h, torch.zeros_like(h)) if isinstance(self.rnn, nn.LSTM) else h


def seq_data_iter_sequential(corpus, batch_size, num_steps, gen):
    """d2l's seq_data_iter_sequential, on a tensor of ids."""
    offset = int(torch.randint(0, num_steps + 1, (1,), generator=gen))
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
    Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
    for i in range(0, (Xs.shape[1] // num_steps) * num_steps, num_steps):
        yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]


def step_flops(cell, H, B, T, V):
    """As src/bench/flops.ts: 6*N*H*(G*H + V) for the matrix products of one step (N = B*T)."""
    return 6 * B * T * H * (GATES[cell] * H + V)


def bench_training(cell, H, inputs):
    B, T, V = ARGS.batch, ARGS.steps, VOCAB
    torch.manual_seed(ARGS.seed)
    net = RNNModel(cell, H, V, inputs)
    loss_fn = nn.CrossEntropyLoss()
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=1.0)
    gen = torch.Generator().manual_seed(ARGS.seed + 2)
    corpus = torch.randint(0, V, (B * T * 24 + T + 1,), generator=torch.Generator().manual_seed(ARGS.seed + 1))
    it = seq_data_iter_sequential(corpus, B, T, gen)
    st = {'state': None, 'it': it, 'loss': float('nan')}

    def step():
        try:
            X, Y = next(st['it'])
        except StopIteration:
            st['it'] = seq_data_iter_sequential(corpus, B, T, gen)
            st['state'] = None
            X, Y = next(st['it'])
        state = st['state']
        if state is None:
            state = net.begin_state(B)
        elif isinstance(state, tuple):
            state = tuple(s.detach() for s in state)
        else:
            state = state.detach()
        y = Y.T.reshape(-1)
        y_hat, state = net(X, state)
        loss = loss_fn(y_hat, y.long()).mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        st['state'] = state
        st['loss'] = float(loss)

    step()
    best, med, calls = time_windows(step, B * T, ARGS.seconds)
    flops = step_flops(cell, H, B, T, V)
    return {'tokensPerSec': best, 'tokensPerSecMedian': med, 'steps': calls, 'flopsPerStep': flops,
            'gflops': best / (B * T) * flops / 1e9, 'lastLoss': st['loss']}


def bench_generation(cell, H, inputs):
    torch.manual_seed(ARGS.seed)
    net = RNNModel(cell, H, VOCAB, inputs)
    net.eval()
    idx = {ch: i + 1 for i, ch in enumerate('abcdefghijklmnopqrstuvwxyz ')}  # 0 is '<unk>'
    prefix = [idx[ch] for ch in PREFIX]
    length = ARGS.length

    def predict():
        """d2l's predict_ch8, greedy."""
        with torch.no_grad():
            state = net.begin_state(1)
            outputs = [prefix[0]]
            for y in prefix[1:]:
                _, state = net(torch.tensor([outputs[-1]]).reshape((1, 1)), state)
                outputs.append(y)
            for _ in range(length):
                y, state = net(torch.tensor([outputs[-1]]).reshape((1, 1)), state)
                outputs.append(int(y.argmax(dim=1).reshape(1)))
        assert len(outputs) == len(prefix) + length

    best, med, _ = time_windows(predict, length, max(0.1, ARGS.seconds / 2))
    return {'charsPerSec': best, 'charsPerSecMedian': med}


def bench_sgemm(cell, H):
    m, n, k = ARGS.batch, GATES[cell] * H, H
    g = torch.Generator().manual_seed(12345)
    a = torch.rand((m, k), generator=g) - 0.5
    b = torch.rand((k, n), generator=g) - 0.5
    c = torch.empty((m, n))
    flop = 2 * m * n * k
    secs = max(0.05, ARGS.seconds / 6)
    torch.set_num_threads(1)
    one, _, _ = time_windows(lambda: torch.mm(a, b, out=c), flop, secs, warmup=3, windows=8)
    torch.set_num_threads(ARGS.threads)
    many, _, _ = time_windows(lambda: torch.mm(a, b, out=c), flop, secs, warmup=3, windows=8)
    return {'shape': f'{m}x{k} by {k}x{n}', 'gflops1Thread': one / 1e9, 'gflops': many / 1e9}


def main_task():
    """--task forecast|classify: one row per hidden size (torch_tasks.py), then the summary."""
    import torch_tasks
    t0 = now()
    load_start = os.getloadavg()[0]
    for H in ARGS.hidden:
        row = torch_tasks.bench_task(ARGS.task, H, ARGS.seed, time_windows, ARGS.seconds, max_rss_mb, ARGS.forms)
        if ARGS.json:
            print(json.dumps(row), flush=True)
        else:
            forms = '' if ARGS.task == 'forecast' else ' (' + ', '.join(
                f"{f} {row[f'trainStepsPerSec{f.capitalize()}']:.2f}" for f in ARGS.forms) + ')'
            print(f"{ARGS.task} lstm {H}: {row['trainStepsPerSec']:.2f} steps/s{forms}, RSS {row['maxRssMB']:.0f} MiB", flush=True)
    summary = {'torch': torch.__version__, 'python': platform.python_version(), 'threads': torch.get_num_threads(),
               'ompWaitPolicy': os.environ.get('OMP_WAIT_POLICY'), 'maxRssMB': max_rss_mb(), 'task': ARGS.task,
               'loadStart': load_start, 'loadEnd': os.getloadavg()[0], 'seconds': now() - t0}
    if ARGS.json:
        print(json.dumps({'summary': summary}), flush=True)


def main():
    if ARGS.task != 'lm':
        return main_task()
    t0 = now()
    load_start = os.getloadavg()[0]
    rows = []
    if not ARGS.json:
        print(f"torch {torch.__version__}, python {platform.python_version()}, {torch.get_num_threads()} thread(s), "
              f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}; d2l setting, batch {ARGS.batch} x {ARGS.steps} steps")
        print(f"{'cell':4}  {'hidden':>6}  {'train tok/s':>11}  {'embedding':>11}  {'train GF/s':>10}  {'gen chars/s':>11}  {'embedding':>11}  {'sgemm GF/s':>10}  {'1 thread':>8}  {'RSS MiB':>7}")
    for cell in ARGS.cells:
        for H in ARGS.hidden:
            tr = {k: bench_training(cell, H, k) for k in ARGS.inputs} if 'train' in ARGS.parts else {}
            ge = {k: bench_generation(cell, H, k) for k in ARGS.inputs} if 'generate' in ARGS.parts else {}
            mm = bench_sgemm(cell, H) if 'sgemm' in ARGS.parts else None
            emb_tr, emb_ge = tr.get('embedding'), ge.get('embedding')
            oh_tr, oh_ge = tr.get('onehot'), ge.get('onehot')
            row = {
                'cell': cell, 'hidden': H,
                'trainTokensPerSec': oh_tr and oh_tr['tokensPerSec'],
                'generateCharsPerSec': oh_ge and oh_ge['charsPerSec'],
                'sgemmGflops': mm and mm['gflops'],
                'threads': torch.get_num_threads(),
                'trainTokensPerSecMedian': oh_tr and oh_tr['tokensPerSecMedian'],
                'trainFlopsPerStep': step_flops(cell, H, ARGS.batch, ARGS.steps, VOCAB),
                'trainGflops': oh_tr and oh_tr['gflops'],
                'sgemmShape': mm and mm['shape'],
                'sgemmGflops1Thread': mm and mm['gflops1Thread'],
                'generateCharsPerSecMedian': oh_ge and oh_ge['charsPerSecMedian'],
                'maxRssMB': max_rss_mb(),
                'lastLoss': oh_tr and oh_tr['lastLoss'],
                'trainTokensPerSecEmbedding': emb_tr and emb_tr['tokensPerSec'],
                'trainTokensPerSecMedianEmbedding': emb_tr and emb_tr['tokensPerSecMedian'],
                'trainGflopsEmbedding': emb_tr and emb_tr['gflops'],
                'generateCharsPerSecEmbedding': emb_ge and emb_ge['charsPerSec'],
                'generateCharsPerSecMedianEmbedding': emb_ge and emb_ge['charsPerSecMedian'],
                'lastLossEmbedding': emb_tr and emb_tr['lastLoss'],
            }
            rows.append(row)
            if ARGS.json:
                print(json.dumps(row), flush=True)
            else:
                f = lambda v, d=0: '-' if v is None else (f'{v:,.0f}' if d == 0 else f'{v:.{d}f}')  # noqa: E731
                print(f"{cell:4}  {H:>6}  {f(row['trainTokensPerSec']):>11}  {f(row['trainTokensPerSecEmbedding']):>11}  {f(row['trainGflops'], 1):>10}  "
                      f"{f(row['generateCharsPerSec']):>11}  {f(row['generateCharsPerSecEmbedding']):>11}  {f(row['sgemmGflops'], 1):>10}  {f(row['sgemmGflops1Thread'], 1):>8}  "
                      f"{row['maxRssMB']:>7.0f}", flush=True)
    summary = {'torch': torch.__version__, 'python': platform.python_version(), 'threads': torch.get_num_threads(),
               'ompWaitPolicy': os.environ.get('OMP_WAIT_POLICY'), 'maxRssMB': max_rss_mb(),
               'loadStart': load_start, 'loadEnd': os.getloadavg()[0], 'seconds': now() - t0}
    if ARGS.json:
        print(json.dumps({'summary': summary}), flush=True)
    else:
        print(f"peak resident memory: {summary['maxRssMB']:.0f} MiB; load average {load_start:.2f} at the start, "
              f"{summary['loadEnd']:.2f} at the end; {summary['seconds']:.1f} s")


if __name__ == '__main__':
    sys.exit(main())
