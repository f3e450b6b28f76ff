# Continue training an `lstm export --format torch` model with DistributedDataParallel, on any number of processes
# and machines started by torchrun (gloo on CPUs, NCCL where every process has a GPU). Each process reads its own
# contiguous share of the corpus in d2l's sequential minibatches (state carried, detached); DDP averages gradients.
# Rank 0 saves the state dict and sidecar that `lstm import --from OUT --format torch` takes. See README.md.
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lstm_torch import encode, load_exported, read_text, save_for_import, text_to_tokens  # noqa: E402 (sets OMP_WAIT_POLICY first)

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="continue training an lstm-ts export with DistributedDataParallel (start with torchrun)")
    p.add_argument("--model", required=True, help="safetensors written by lstm export --format torch (sidecar beside it)")
    p.add_argument("--data", required=True, help="UTF-8 text to train on (the same path on every machine)")
    p.add_argument("--out", required=True, help="where rank 0 saves the trained state dict (+ sidecar) for lstm import")
    p.add_argument("--steps", type=int, default=1000, help="optimizer steps (every process takes the same number)")
    p.add_argument("--batch", type=int, help="sequences per process and step (default: the lstm-ts run's)")
    p.add_argument("--num-steps", type=int, help="tokens per sequence, the BPTT length (default: the lstm-ts run's)")
    p.add_argument("--optimizer", choices=["adam", "sgd"], help="default: the lstm-ts run's")
    p.add_argument("--lr", type=float, help="default: the lstm-ts run's")
    p.add_argument("--clip", type=float, help="global gradient-norm clip, 0 = off (default: the lstm-ts run's)")
    p.add_argument("--seed", type=int, default=0, help="seeds each process's epoch offsets (with its rank)")
    p.add_argument("--log-every", type=int, default=50)
    return p.parse_args()


def sequential_batches(ids, batch_size, num_steps, rng, device):
    """d2l's seq_data_iter_sequential, epoch after epoch: yields (X, Y, first batch of an epoch?)."""
    while True:
        offset = rng.randint(0, num_steps - 1)
        n = (len(ids) - offset - 1) // batch_size * batch_size
        Xs = torch.tensor(ids[offset:offset + n], device=device).reshape(batch_size, -1)
        Ys = torch.tensor(ids[offset + 1:offset + 1 + n], device=device).reshape(batch_size, -1)
        for i in range(0, Xs.shape[1] // num_steps * num_steps, num_steps):
            yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps], i == 0


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def main():
    args = parse_args()
    use_cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if use_cuda else "gloo")  # torchrun's environment says where the others are
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)

    model, sidecar = load_exported(args.model)
    model.to(device)
    ddp = DistributedDataParallel(model, device_ids=[local_rank] if use_cuda else None)
    trained = sidecar.get("training") or {}
    batch = args.batch or trained.get("batchSize", 32)
    num_steps = args.num_steps or trained.get("numSteps", 35)
    kind = args.optimizer or trained.get("optimizer", "adam")
    lr = args.lr or trained.get("lr", 0.002 if kind == "adam" else 1.0)
    clip = trained.get("clip", 1.0) if args.clip is None else args.clip
    optimizer = torch.optim.Adam(model.parameters(), lr=lr) if kind == "adam" else torch.optim.SGD(model.parameters(), lr=lr)

    ids = encode(text_to_tokens(read_text(args.data), sidecar["text"]), sidecar["vocab"]["tokens"])
    share = ids[rank * len(ids) // world:(rank + 1) * len(ids) // world]
    if len(share) < batch * num_steps + num_steps + 1:
        raise SystemExit(f"rank {rank}: its share of {args.data} has {len(share)} tokens, too few for --batch {batch} x --num-steps {num_steps}")
    batches = sequential_batches(share, batch, num_steps, random.Random(args.seed * 1000003 + rank), device)

    ddp.train()
    state, started, loss_sum = None, time.time(), 0.0
    for step in range(1, args.steps + 1):
        X, Y, epoch_start = next(batches)
        state = model.begin_state(batch, device) if state is None or epoch_start else detach(state)
        logits, state = ddp(X, state)
        loss = F.cross_entropy(logits, Y.T.reshape(-1))  # logits are time-major: row t*B + b
        optimizer.zero_grad()
        loss.backward()  # DDP all-reduces (averages) the gradients here
        if clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        loss_sum += loss.item()
        if rank == 0 and (step % args.log_every == 0 or step == args.steps):
            print(f"step {step}/{args.steps}  loss {loss.item():.4f}  {world} process(es)  {time.time() - started:.1f}s", flush=True)

    if rank == 0:
        note = {"steps": args.steps, "world_size": world, "backend": dist.get_backend(), "optimizer": kind, "lr": lr,
                "batch_per_process": batch, "num_steps": num_steps, "mean_loss": loss_sum / args.steps}
        save_for_import(model, sidecar, args.out, note)
        print(f"saved {args.out}; bring it back with: lstm import --from {args.out} --format torch", flush=True)
    dist.barrier()  # nobody leaves before the file is written
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
