#!/usr/bin/python3
"""One command, one run: bloomnet's training step (bench/train_bench, best SIMD kernels) and the
best of the PyTorch peer's three variants (train_step_torch.py), on 1 and 2 cores (for the peer
the best of its torch / OpenBLAS thread counts on that many), side by side with their ratio and
each side's share of this machine's measured FMA peak; then the step's three dense products alone
against OpenBLAS's sgemm at the same shapes (what the best BLAS here reaches where the step spends
most of its time). Every time is the median of REPETITIONS timings, all of which the JSON keeps
(the *_reps lists), so that a ratio comes with the spread of the times it divides.

  bench/peers/compare_train.py [--bench build/release/bench/train_bench] [--json OUT]

Needs python3-torch with libopenblas0-pthread (scripts/bootstrap.sh --torch).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_step_torch  # noqa: E402  (the peer, beside this file)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPETITIONS = 5  # as train_bench repeats its SIMD rows (kRepetitions)


def run_bench(bench, pattern, min_time):
    """train_bench's rows matching pattern, each repetition one row (Google Benchmark's mean,
    median and stddev of the repetitions left out), from its JSON."""
    out = subprocess.run(
        [bench, "--benchmark_format=json", f"--benchmark_filter={pattern}",
         f"--benchmark_min_time={min_time}"],
        check=True, capture_output=True, text=True).stdout
    return [b for b in json.loads(out)["benchmarks"]
            if b.get("run_type", "iteration") == "iteration"]


def arg(name, key):
    """The integer value of /key:<value>/ in a benchmark's name."""
    return int(name.split(f"/{key}:")[1].split("/")[0])


def ours(bench, config, min_time):
    """Our steps at one configuration and the FMA peaks (train_bench measures them at start and
    prints each step's share; the scalar references are left out: they take seconds per step). A
    step is the median of train_bench's repetitions, beside all of them (ms, fastest first)."""
    V, k, d, B = config
    repeated, peaks = {}, {}
    for b in run_bench(bench, f"^train/step/[^s].*/V:{V}/k:{k}/d:{d}/B:{B}/.*$", min_time):
        threads = arg(b["name"], "threads")
        peaks[threads] = b["GFLOP/s"] / b["peak_share"]
        repeated.setdefault((*(arg(b["name"], key) for key in "VkdB"), threads), []).append(b)
    steps = {}
    for key, runs in repeated.items():
        # The median repetition, with the cores' round trip measured after it (two threads).
        median = sorted(runs, key=lambda b: b["steps/s"])[(len(runs) - 1) // 2]
        steps[key] = {"ms": 1e3 / median["steps/s"], "round_trip_ns": median.get("round_trip_ns"),
                      "reps": sorted(1e3 / b["steps/s"] for b in runs)}
    return steps, peaks


def our_products(bench, config, min_time):
    """Our three products alone (train/dense, best SIMD kernels) at one configuration: ms per
    product, every repetition of train_bench's (fastest first), keyed by (product, threads)."""
    V, _, d, B = config
    repeated = {}
    for b in run_bench(bench, f"^train/dense/.*/V:{V}/d:{d}/B:{B}/.*$", min_time):
        product = b["name"].split("/")[2]
        repeated.setdefault((product, arg(b["name"], "threads")), []).append(b["real_time"])
    return {key: sorted(ms) for key, ms in repeated.items()}


def openblas_product(product, V, d, B, threads, min_seconds, repetitions):
    """OpenBLAS's sgemm at one of the products' shapes: as many timings as ours (fastest first)."""
    return sorted(train_step_torch.time_product(product, V, d, B, threads, min_seconds)
                  for _ in range(repetitions))


def compare_products(bench, min_seconds, peaks):
    """The step's three products, ours against OpenBLAS's sgemm, a configuration's back to back."""
    rows = []
    print(f"\n{'V':>6} {'d':>4} {'B':>4} {'thr':>3} {'product':>15} | {'bloomnet ms':>11} "
          f"{'of peak':>7} | {'OpenBLAS ms':>11} {'of peak':>7}")
    for V, k, d, B in train_step_torch.CONFIGS:
        products = our_products(bench, (V, k, d, B), min_seconds)
        flops = 2.0 * B * d * V
        for (product, threads), ours_reps in sorted(products.items()):
            theirs_reps = openblas_product(product, V, d, B, threads, min_seconds, REPETITIONS)
            ours_ms, theirs_ms = statistics.median(ours_reps), statistics.median(theirs_reps)
            row = {"V": V, "d": d, "B": B, "threads": threads, "product": product,
                   "bloomnet_ms": ours_ms, "bloomnet_ms_reps": ours_reps,
                   "openblas_ms": theirs_ms, "openblas_ms_reps": theirs_reps,
                   "peak_gflops": peaks[threads]}
            rows.append(row)
            shares = (flops / (ms * 1e-3) * 1e-9 / peaks[threads] for ms in (ours_ms, theirs_ms))
            print(f"{V:6d} {d:4d} {B:4d} {threads:3d} {product:>15} | {ours_ms:11.3f} "
                  f"{next(shares):6.0%} | {theirs_ms:11.3f} {next(shares):6.0%}", flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default=os.path.join(ROOT, "build/release/bench/train_bench"))
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    if not os.path.exists(args.bench):
        sys.exit(f"compare_train: {args.bench} not found; build with scripts/test.sh or "
                 "cmake --build --preset release")
    blas = train_step_torch.require_openblas()
    print(f"PyTorch {train_step_torch.torch.__version__} on {blas}")
    rows = []
    print(f"{'V':>6} {'k':>2} {'d':>4} {'B':>4} {'thr':>3} | {'bloomnet ms':>11} {'of peak':>7} | "
          f"{'torch best ms':>13} {'variant threads':>18} | {'speed-up':>8}")
    for V, k, d, B in train_step_torch.CONFIGS:
        # Both sides of a configuration are measured back to back: the machine is shared.
        steps, peaks = ours(args.bench, (V, k, d, B), args.min_seconds)
        flops = 6.0 * B * d * V
        for threads in (1, 2):
            ours_ms = steps[(V, k, d, B, threads)]["ms"]
            # Each variant on each of torch's / OpenBLAS's thread counts, named as the report
            # names them.
            settings = {f"{v} {t}/{b}": (v, (t, b))
                        for t, b in train_step_torch.THREAD_SETTINGS[threads]
                        for v in train_step_torch.VARIANTS}

            def time_setting(name):
                variant, threads_of = settings[name]
                return train_step_torch.time_step(variant, V, k, d, B, threads_of,
                                                  args.min_seconds)

            torch_ms = {name: time_setting(name) for name in settings}
            best = min(torch_ms, key=torch_ms.get)
            # The best of one timing each is the lowest of several noisy numbers: it is timed
            # again, as often as our step, and those timings alone give its time.
            best_reps = sorted(time_setting(best) for _ in range(REPETITIONS))
            best_ms = statistics.median(best_reps)
            share = flops / (ours_ms * 1e-3) * 1e-9 / peaks[threads]
            row = {"V": V, "k": k, "d": d, "B": B, "threads": threads, "bloomnet_ms": ours_ms,
                   "bloomnet_ms_reps": steps[(V, k, d, B, threads)]["reps"],
                   "round_trip_ns": steps[(V, k, d, B, threads)]["round_trip_ns"],
                   "bloomnet_peak_share": share, "torch_ms": torch_ms, "torch_best": best,
                   "torch_best_ms": best_ms, "torch_best_ms_reps": best_reps,
                   "speedup": best_ms / ours_ms, "peak_gflops": peaks[threads]}
            rows.append(row)
            print(f"{V:6d} {k:2d} {d:4d} {B:4d} {threads:3d} | {ours_ms:11.3f} {share:6.0%} | "
                  f"{best_ms:13.3f} {best:>18} | {row['speedup']:7.2f}x", flush=True)
    best_ours = {c: min(r["bloomnet_ms"] for r in rows if (r["V"], r["k"], r["d"], r["B"]) == c)
                 for c in train_step_torch.CONFIGS}
    best_torch = {c: min(r["torch_best_ms"] for r in rows
                         if (r["V"], r["k"], r["d"], r["B"]) == c) for c in train_step_torch.CONFIGS}
    print("best of both thread counts:")
    for c in train_step_torch.CONFIGS:
        print(f"  V={c[0]} k={c[1]} d={c[2]} B={c[3]}: bloomnet {best_ours[c]:.3f} ms, torch "
              f"{best_torch[c]:.3f} ms, {best_torch[c] / best_ours[c]:.2f}x")
    print(f"FMA peak measured (last): {peaks[1]:.0f} GFLOP/s on 1 thread, {peaks[2]:.0f} on 2")
    products = compare_products(args.bench, args.min_seconds, peaks)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "peaks": peaks, "products": products,
                       "torch": train_step_torch.torch.__version__, "blas": blas}, f, indent=1)


if __name__ == "__main__":
    main()
