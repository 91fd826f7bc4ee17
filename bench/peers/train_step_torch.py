#!/usr/bin/python3
"""The PyTorch peer of bloomnet's training step (bench/train_bench.cpp): the same network, loss and
optimizer, written the three ways a researcher would write it, timed on 1 and 2 cores.

  dense        nn.Linear(V, d) on the k-hot input, ReLU, nn.Linear(d, V)
  gather       W_in[S].sum(1) + b_in (a gather-sum of embedding rows), ReLU, nn.Linear(d, V)
  embeddingbag nn.EmbeddingBag(V, d, mode="sum") + b_in, ReLU, nn.Linear(d, V)

Loss: cross-entropy against the uniform target on S, i.e. log-softmax gathered at the members and
averaged; optimizer Adam (lr 0.01). The sets are drawn before timing. Prints one JSON object per
(configuration, variant, torch's and OpenBLAS's threads) with milliseconds per step, or a table
with --table.
time_product times the step's three dense products alone through the same BLAS (compare_train.py).

Needs Debian's python3-torch and libopenblas0-pthread (scripts/bootstrap.sh --torch): without
OpenBLAS torch falls back to the reference BLAS and is about 10x slower, which is no peer. Two more
ways the peer would be a strawman, both mended here: OpenBLAS keeps its own thread count, which
torch.set_num_threads does not change (a "1 thread" step would run its products on every core), and
OpenBLAS's kernels: see choose_openblas_kernels.
"""
import argparse
import ctypes
import functools
import itertools
import json
import os
import subprocess
import sys
import time


# OpenBLAS's kernels for x86-64, widest first, with the CPU flags each needs (OpenBLAS 0.3.21's
# names; Cooperlake's sgemm is SkylakeX's, plus bfloat16 routines).
KERNELS_BY_FLAGS = [
    ("Cooperlake", {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"}),
    ("SkylakeX", {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}),
    ("Haswell", {"avx2", "fma"}),
]


def widest_kernels(flags):
    """The widest of KERNELS_BY_FLAGS a CPU with these /proc/cpuinfo flags runs, or None."""
    return next((name for name, needs in KERNELS_BY_FLAGS if needs <= set(flags)), None)


def choose_openblas_kernels():
    """Sets OPENBLAS_CORETYPE to the widest kernels this CPU's flags allow, before torch loads
    OpenBLAS (which reads the variable once, as it loads). OpenBLAS alone picks its kernels from the
    CPU's model number, and 0.3.21 predates CPUs it runs on: on this project's Intel Xeon (family 6,
    model 207) it falls back to Prescott's SSE3 kernels, sgemm 4x slower than with SkylakeX's
    AVX-512 ones. And a variable already in the environment may hold it back (an earlier machine
    of ours set Haswell, AVX2, on an AMD EPYC with AVX-512). Returns (the environment's value or
    None, the value set or None: no /proc/cpuinfo, or none of the kernels above fits)."""
    found = os.environ.pop("OPENBLAS_CORETYPE", None)
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next((line.split(":", 1)[1].split() for line in cpuinfo
                          if line.startswith("flags")), [])
    except OSError:
        flags = []
    chosen = widest_kernels(flags)
    if chosen is not None:
        os.environ["OPENBLAS_CORETYPE"] = chosen
    return found, chosen


ENVIRONMENT_CORETYPE, CHOSEN_CORETYPE = choose_openblas_kernels()
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


@functools.cache
def openblas_path():
    """The OpenBLAS library torch loaded, or exits: the reference BLAS would be no peer."""
    a = torch.rand(64, 64)
    (a @ a).sum()
    with open("/proc/self/maps") as maps:
        loaded = {line.split()[-1] for line in maps if "blas" in line}
    library = next((path for path in sorted(loaded) if "libopenblas" in path), None)
    if library is None:
        sys.exit("train_step_torch: torch runs on the reference BLAS (%s); install "
                 "libopenblas0-pthread (scripts/bootstrap.sh --torch)" % ", ".join(sorted(loaded)))
    return library


@functools.cache
def openblas():
    """torch's OpenBLAS through ctypes."""
    blas = ctypes.CDLL(openblas_path())
    blas.openblas_get_corename.restype = ctypes.c_char_p
    blas.openblas_get_config.restype = ctypes.c_char_p
    return blas


def kernels_openblas_picks_alone():
    """The kernels the same OpenBLAS picks with no OPENBLAS_CORETYPE, loaded in a fresh process
    (the variable only counts as the library loads)."""
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_CORETYPE"}
    probe = ("import ctypes, sys; blas = ctypes.CDLL(sys.argv[1]); "
             "blas.openblas_get_corename.restype = ctypes.c_char_p; "
             "print(blas.openblas_get_corename().decode())")
    run = subprocess.run([sys.executable, "-c", probe, openblas_path()], env=env,
                         capture_output=True, text=True, check=False)
    return run.stdout.strip() if run.returncode == 0 else "unknown"


def require_openblas():
    """OpenBLAS's version and the kernels it runs ("OpenBLAS 0.3.21 ..., SkylakeX kernels (...)"),
    or exits."""
    blas = openblas()
    config, core = blas.openblas_get_config().decode(), blas.openblas_get_corename().decode()
    notes = []
    if CHOSEN_CORETYPE:
        notes.append(f"OPENBLAS_CORETYPE={CHOSEN_CORETYPE}, the widest this CPU's flags allow; "
                     f"OpenBLAS alone picks {kernels_openblas_picks_alone()}")
    if ENVIRONMENT_CORETYPE and ENVIRONMENT_CORETYPE != CHOSEN_CORETYPE:
        notes.append(f"OPENBLAS_CORETYPE={ENVIRONMENT_CORETYPE} in the environment, replaced")
    return f"{config}, {core} kernels" + (f" ({'; '.join(notes)})" if notes else "")


# The (torch, OpenBLAS) thread counts that use a number of cores. On two cores a user may give both
# libraries both (their threads then contend: each pool spins while the other works) or one of
# them one; the peer gets the best of the three.
THREAD_SETTINGS = {1: [(1, 1)], 2: [(2, 2), (2, 1), (1, 2)]}


def set_threads(torch_threads, blas_threads):
    """torch's threads and OpenBLAS's: torch.set_num_threads leaves OpenBLAS's alone."""
    torch.set_num_threads(torch_threads)
    openblas().openblas_set_num_threads(blas_threads)


def time_step(variant, V, k, d, B, threads, min_seconds):
    """Milliseconds per step with threads = (torch's, OpenBLAS's) thread counts."""
    set_threads(*threads)
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
    return milliseconds_per_call(lambda i: step(batches[i % len(batches)]), min_seconds)


def milliseconds_per_call(call, min_seconds):
    """call(i) for i = 0, 1, ... until min_seconds have passed and at least 3 calls: ms per call."""
    calls, start = 0, time.perf_counter()
    while True:
        call(calls)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and calls >= 3:
            return 1e3 * elapsed / calls


def time_product(product, V, d, B, threads, min_seconds):
    """OpenBLAS's sgemm (torch.mm into a preallocated output) at the shape and in the layouts of
    one of the step's three products as train_bench times them alone (train/dense): the hidden
    layer h (B x d) and its transpose (d x B), the output weights W_outT (d x V), the logits'
    gradient dz (B x V). Plain products: ours also add the bias, sum dz's columns or apply the
    ReLU's mask, work this side leaves out. Milliseconds per product (the first call untimed) on
    `threads` OpenBLAS threads."""
    set_threads(1, threads)
    torch.manual_seed(0)
    h, h_t, W_outT, dz = torch.rand(B, d), torch.rand(d, B), torch.rand(d, V), torch.rand(B, V)
    a, b = {"logits": (h, W_outT), "weight_gradient": (h_t, dz),
            "hidden_gradient": (dz, W_outT.t())}[product]
    out = torch.empty(a.shape[0], b.shape[1])
    torch.mm(a, b, out=out)
    return milliseconds_per_call(lambda _: torch.mm(a, b, out=out), min_seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2", help="cores: 1, 2 or both")
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--configs", default="all", help="all, or indices such as 0,1")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    configs = CONFIGS if args.configs == "all" else [CONFIGS[int(i)] for i in args.configs.split(",")]
    blas = require_openblas()
    for V, k, d, B in configs:
        for cores in (int(t) for t in args.threads.split(",")):
            for threads, variant in itertools.product(THREAD_SETTINGS[cores], VARIANTS):
                ms = time_step(variant, V, k, d, B, threads, args.min_seconds)
                row = {"V": V, "k": k, "d": d, "B": B, "torch_threads": threads[0],
                       "blas_threads": threads[1], "variant": variant, "ms_per_step": ms,
                       "torch": torch.__version__, "blas": blas}
                if args.table:
                    print(f"V={V:6d} k={k} d={d:4d} B={B:4d} threads={threads[0]}/{threads[1]} "
                          f"{variant:13s} {ms:9.3f} ms/step", flush=True)
                else:
                    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
