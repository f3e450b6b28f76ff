"""PyTorch's side of `lstm bench --task forecast|classify` (issue #16), used by torch_bench.py --task.

The same models, batches and optimizer as src/bench/tasks.ts, measured the same way (steps per second, best of
several timing windows, median beside it):
  forecast: nn.LSTM(4, H, batch_first) over a window of 64 steps, batch 64, Linear(H, 1) on the last step's
    output, MSE, Adam lr 1e-3; H = 64 and 128.
  classify: nn.Embedding(64, 32), a bidirectional LSTM (H = 128), batch 32, rows of lengths 20..200 (the formula of
    tasks.ts, each batch padded to its longest row), Linear(2H, 4) on each row's last valid state (h_n of both
    directions), cross-entropy, Adam lr 1e-3. Two forms of the same model:
      packed:   pack_padded_sequence(enforce_sorted=False) into one bidirectional nn.LSTM, h_n;
      unpacked: a forward nn.LSTM over the padded batch read at each row's last valid step, and a second one over
                each row reversed within its length (padding left in place after it) read at the same place:
                the backward direction's final state, computed by the fast dense kernels.
The classifier's rate is the faster of the two (trainStepsPerSec), each kept beside it.
"""
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence

FORECAST = {'features': 4, 'window': 64, 'batch': 64}
CLASSIFY = {'vocab': 64, 'embedding': 32, 'batch': 32, 'min_length': 20, 'max_length': 200, 'classes': 4}
BATCHES = 8


def classify_lengths(i):
    """As tasks.ts: row b of batch i is 20 + (k * 7919 mod 181) long, k = i * 32 + b."""
    span = CLASSIFY['max_length'] - CLASSIFY['min_length'] + 1
    return [CLASSIFY['min_length'] + ((i * CLASSIFY['batch'] + b) * 7919) % span for b in range(CLASSIFY['batch'])]


class Forecaster(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.LSTM(FORECAST['features'], hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).unsqueeze(-1)  # (B, horizon 1, targets 1)


class PackedClassifier(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.embedding = nn.Embedding(CLASSIFY['vocab'], CLASSIFY['embedding'])
        self.rnn = nn.LSTM(CLASSIFY['embedding'], hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, CLASSIFY['classes'])

    def forward(self, ids, lengths, reverse_index, last_index):
        packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.rnn(packed)
        return self.head(torch.cat([h[-2], h[-1]], dim=1))


class UnpackedClassifier(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.embedding = nn.Embedding(CLASSIFY['vocab'], CLASSIFY['embedding'])
        self.forward_rnn = nn.LSTM(CLASSIFY['embedding'], hidden, batch_first=True)
        self.backward_rnn = nn.LSTM(CLASSIFY['embedding'], hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, CLASSIFY['classes'])

    def forward(self, ids, lengths, reverse_index, last_index):
        x = self.embedding(ids)
        out_f, _ = self.forward_rnn(x)
        out_b, _ = self.backward_rnn(x.gather(1, reverse_index.expand(-1, -1, x.shape[2])))
        h_f = out_f.gather(1, last_index.expand(-1, -1, out_f.shape[2])).squeeze(1)
        h_b = out_b.gather(1, last_index.expand(-1, -1, out_b.shape[2])).squeeze(1)
        return self.head(torch.cat([h_f, h_b], dim=1))


def forecast_batches(gen):
    B, T, Fs = FORECAST['batch'], FORECAST['window'], FORECAST['features']
    return [(torch.randn((B, T, Fs), generator=gen), torch.randn((B, 1, 1), generator=gen)) for _ in range(BATCHES)]


def classify_batches(gen):
    out = []
    for i in range(BATCHES):
        lengths = torch.tensor(classify_lengths(i))
        B, T = len(lengths), int(lengths.max())
        ids = torch.randint(0, CLASSIFY['vocab'], (B, T), generator=gen)
        t = torch.arange(T).unsqueeze(0)
        n = lengths.unsqueeze(1)
        # Row b reversed within its length: position t reads len_b - 1 - t; the padding after it stays in place.
        reverse = torch.where(t < n, n - 1 - t, t).unsqueeze(-1)
        last = (lengths - 1).view(B, 1, 1)
        targets = torch.randint(0, CLASSIFY['classes'], (B,), generator=gen)
        out.append((ids, lengths, reverse, last, targets))
    return out


def bench_task(task, hidden, seed, time_windows, seconds, max_rss_mb, forms=('packed', 'unpacked')):
    """One row: the task's training steps per second (the classifier in each of `forms`), as tasks.ts measures it."""
    gen = torch.Generator().manual_seed(seed + 1)
    if task == 'forecast':
        torch.manual_seed(seed)
        net = Forecaster(hidden)
        batches = forecast_batches(gen)
        variants = {'': (net, lambda b: F.mse_loss(net(b[0]), b[1]))}
    else:
        batches = classify_batches(gen)
        variants = {}
        for name, cls in (('Packed', PackedClassifier), ('Unpacked', UnpackedClassifier)):
            if name.lower() not in forms:
                continue
            torch.manual_seed(seed)
            model = cls(hidden)
            variants[name] = (model, (lambda m: lambda b: F.cross_entropy(m(b[0], b[1], b[2], b[3]), b[4]))(model))
    row = {'task': task, 'cell': 'lstm', 'hidden': hidden, 'batch': FORECAST['batch'] if task == 'forecast' else CLASSIFY['batch']}
    for name, (net, loss_of) in variants.items():
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        st = {'k': 0, 'loss': float('nan')}

        def step():
            b = batches[st['k'] % len(batches)]
            st['k'] += 1
            opt.zero_grad()
            loss = loss_of(b)
            loss.backward()
            opt.step()
            st['loss'] = float(loss)

        step()
        best, med, calls = time_windows(step, 1, seconds, warmup=1)
        row[f'trainStepsPerSec{name}'] = best
        row[f'trainStepsPerSecMedian{name}'] = med
        row[f'lastLoss{name}'] = st['loss']
    if task == 'classify':
        faster = max((name for name in ('Packed', 'Unpacked') if f'trainStepsPerSec{name}' in row), key=lambda n: row[f'trainStepsPerSec{n}'])
        row['trainStepsPerSec'] = row[f'trainStepsPerSec{faster}']
        row['trainStepsPerSecMedian'] = row[f'trainStepsPerSecMedian{faster}']
        row['fasterForm'] = faster.lower()
    row['sequencesPerSec'] = row['trainStepsPerSec'] * row['batch']
    row['threads'] = torch.get_num_threads()
    row['maxRssMB'] = max_rss_mb()
    return row
