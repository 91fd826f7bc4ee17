#!/usr/bin/python3
"""The PyTorch peer of bloomnet's training step (bench/train_bench.cpp): the same network, loss and
optimizer, written the three ways a researcher would write it, timed at 1 and 2 threads.

  dense        nn.Linear(V, d) on the k-hot input, ReLU, nn.Linear(d, V)
  gather       W_in[S].sum(1) + b_in (a gather-sum of embedding rows), ReLU, nn.Linear(d, V)
  embeddingbag nn.EmbeddingBag(V, d, mode="sum") + b_in, ReLU, nn.Linear(d, V)

Loss: cross-entropy against the uniform target on S, i.e. log-softmax gathered at the members and
averaged; optimizer Adam (lr 0.01). The sets are drawn before timing. Prints one JSON object per
(configuration, variant, threads) with milliseconds per step, or a table with --table.

Needs Debian's python3-torch and libopenblas0-pthread (scripts/bootstrap.sh --torch): without
OpenBLAS torch falls back to the reference BLAS and is about 10x slower, which is no peer.
"""
import argparse
import json
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("PyTorch is not installed for /usr/bin/python3: run scripts/bootstrap.sh --torch")

CONFIGS = [(1024, 4, 64, 256), (4096, 8, 128, 256), (16384, 8, 256, 512)]


class Dense(nn.Module):
    def __init__(self, V, d):
        super().__init__()
        self.V = V
        self.inp, self.out = nn.Linear(V, d), nn.Linear(d, V)

    def forward(self, S):
        x = torch.zeros(S.shape[0], self.V).scatter_(1, S, 1.0)
        return self.out(torch.relu(self.inp(x)))


class Gather(nn.Module):
    def __init__(self, V, d):
        super().__init__()
        self.W_in = nn.Parameter(torch.empty(V, d).uniform_(-V**-0.5, V**-0.5))
        self.b_in = nn.Parameter(torch.empty(d).uniform_(-V**-0.5, V**-0.5))
        self.out = nn.Linear(d, V)

    def forward(self, S):
        return self.out(torch.relu(self.W_in[S].sum(1) + self.b_in))


class Bag(nn.Module):
    def __init__(self, V, d):
        super().__init__()
        self.bag = nn.EmbeddingBag(V, d, mode="sum")
        self.b_in = nn.Parameter(torch.zeros(d))
        self.out = nn.Linear(d, V)

    def forward(self, S):
        return self.out(torch.relu(self.bag(S) + self.b_in))


VARIANTS = {"dense": Dense, "gather": Gather, "embeddingbag": Bag}


def require_openblas():
    """Refuses to time torch on the reference BLAS: the BLAS torch loaded must be OpenBLAS."""
    a = torch.rand(64, 64)
    (a @ a).sum()
    with open("/proc/self/maps") as maps:
        loaded = {line.split()[-1] for line in maps if "blas" in line}
    if not any("openblas" in path for path in loaded):
        sys.exit("train_step_torch: torch runs on the reference BLAS (%s); install "
                 "libopenblas0-pthread (scripts/bootstrap.sh --torch)" % ", ".join(sorted(loaded)))


def time_step(variant, V, k, d, B, threads, min_seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = VARIANTS[variant](V, d)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    batches = [torch.rand(B, V).topk(k, dim=1).indices for _ in range(4)]

    def step(S):
        opt.zero_grad(set_to_none=True)
        loss = -torch.log_softmax(model(S), dim=1).gather(1, S).mean()
        loss.backward()
        opt.step()
        return loss

    for S in batches[:2]:
        step(S)  # warm-up: allocations, Adam state
    steps, start = 0, time.perf_counter()
    while True:
        step(batches[steps % len(batches)])
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and steps >= 3:
            return 1e3 * elapsed / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--configs", default="all", help="all, or indices such as 0,1")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    configs = CONFIGS if args.configs == "all" else [CONFIGS[int(i)] for i in args.configs.split(",")]
    require_openblas()
    for V, k, d, B in configs:
        for threads in (int(t) for t in args.threads.split(",")):
            for variant in VARIANTS:
                ms = time_step(variant, V, k, d, B, threads, args.min_seconds)
                row = {"V": V, "k": k, "d": d, "B": B, "threads": threads,
                       "variant": variant, "ms_per_step": ms, "torch": torch.__version__}
                if args.table:
                    print(f"V={V:6d} k={k} d={d:4d} B={B:4d} threads={threads} "
                          f"{variant:13s} {ms:9.3f} ms/step", flush=True)
                else:
                    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
