#!/usr/bin/python3
"""One command, one run: bloomnet's training step (bench/train_bench, best SIMD kernels) and the
best of the PyTorch peer's three variants (train_step_torch.py), at 1 and 2 threads, side by side
with their ratio and each side's share of this machine's measured FMA peak.

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


def ours(bench, config, min_time):
    """Our steps at one configuration and the FMA peaks (train_bench measures them at start and
    prints each step's share), from Google Benchmark's JSON (the scalar references are left out:
    they take seconds per step). A step is the median of train_bench's repetitions."""
    V, k, d, B = config
    pattern = f"^train/step/[^s].*/V:{V}/k:{k}/d:{d}/B:{B}/.*$"
    out = subprocess.run(
        [bench, "--benchmark_format=json", f"--benchmark_filter={pattern}",
         f"--benchmark_min_time={min_time}"],
        check=True, capture_output=True, text=True).stdout
    repeated, peaks = {}, {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue  # Google Benchmark's mean, median, stddev of the repetitions
        name = b["name"]
        threads = int(name.split("threads:")[1].split("/")[0])
        peaks[threads] = b["GFLOP/s"] / b["peak_share"]
        V, k, d, B = (int(name.split(f"/{key}:")[1].split("/")[0]) for key in "VkdB")
        repeated.setdefault((V, k, d, B, threads), []).append(1e3 / b["steps/s"])
    steps = {key: {"ms": statistics.median(ms)} for key, ms in repeated.items()}
    return steps, peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default=os.path.join(ROOT, "build/release/bench/train_bench"))
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    if not os.path.exists(args.bench):
        sys.exit(f"compare_train: {args.bench} not found; build with scripts/test.sh or "
                 "cmake --build --preset release")
    train_step_torch.require_openblas()
    rows = []
    print(f"{'V':>6} {'k':>2} {'d':>4} {'B':>4} {'thr':>3} | {'bloomnet ms':>11} {'of peak':>7} | "
          f"{'torch best ms':>13} {'variant':>12} | {'speed-up':>8}")
    for V, k, d, B in train_step_torch.CONFIGS:
        # Both sides of a configuration are measured back to back: the machine is shared.
        steps, peaks = ours(args.bench, (V, k, d, B), args.min_seconds)
        flops = 6.0 * B * d * V
        for threads in (1, 2):
            ours_ms = steps[(V, k, d, B, threads)]["ms"]
            torch_ms = {v: train_step_torch.time_step(v, V, k, d, B, threads, args.min_seconds)
                        for v in train_step_torch.VARIANTS}
            best = min(torch_ms, key=torch_ms.get)
            share = flops / (ours_ms * 1e-3) * 1e-9 / peaks[threads]
            row = {"V": V, "k": k, "d": d, "B": B, "threads": threads, "bloomnet_ms": ours_ms,
                   "bloomnet_peak_share": share, "torch_ms": torch_ms, "torch_best": best,
                   "speedup": torch_ms[best] / ours_ms, "peak_gflops": peaks[threads]}
            rows.append(row)
            print(f"{V:6d} {k:2d} {d:4d} {B:4d} {threads:3d} | {ours_ms:11.3f} {share:6.0%} | "
                  f"{torch_ms[best]:13.3f} {best:>12} | {row['speedup']:7.2f}x", flush=True)
    best_ours = {c: min(r["bloomnet_ms"] for r in rows if (r["V"], r["k"], r["d"], r["B"]) == c)
                 for c in train_step_torch.CONFIGS}
    best_torch = {c: min(min(r["torch_ms"].values()) for r in rows
                         if (r["V"], r["k"], r["d"], r["B"]) == c) for c in train_step_torch.CONFIGS}
    print("best of both thread counts:")
    for c in train_step_torch.CONFIGS:
        print(f"  V={c[0]} k={c[1]} d={c[2]} B={c[3]}: bloomnet {best_ours[c]:.3f} ms, torch "
              f"{best_torch[c]:.3f} ms, {best_torch[c] / best_ours[c]:.2f}x")
    print(f"FMA peak measured (last): {peaks[1]:.0f} GFLOP/s on 1 thread, {peaks[2]:.0f} on 2")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "peaks": peaks}, f, indent=1)


if __name__ == "__main__":
    main()
