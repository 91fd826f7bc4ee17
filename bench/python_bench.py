#!/usr/bin/python3
"""The Python module's speed against the C++ library underneath, in one run:

  - batched contains from numpy: a split-block filter of n keys at 10 bits per key queried with
    2n random 64-bit keys (half inserted), exactly as bloom_bench's bloom/contains_batch does,
    timed from Python (`filter.contains(keys)`) and by bloom_bench itself, alternating, several
    repetitions each (min and median per key);
  - the cost of one call: `key in filter` for one Python int, and `filter.contains(array)` for a
    one-key array, each against bloom_bench's one-key contains at the same n.

    PYTHONPATH=build/release/python bench/python_bench.py --bloom-bench build/release/bench/bloom_bench \
        [--n 1000000] [--repetitions 7] [--json OUT.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np

import bloomnet


def cpp_ns_per_key(binary, name, min_seconds):
    """bloom_bench's ns_per_key for one benchmark (one repetition; the counter is in seconds)."""
    out = subprocess.run([binary, f"--benchmark_filter=^{name}$", "--benchmark_format=json",
                          f"--benchmark_min_time={min_seconds}"],
                         check=True, capture_output=True, text=True).stdout
    rows = [b for b in json.loads(out)["benchmarks"] if b["name"] == name]
    if not rows:
        sys.exit(f"python_bench: bloom_bench has no benchmark {name}")
    return rows[0]["ns_per_key"] * 1e9


def python_batched_ns_per_key(f, probes, min_seconds):
    """Seconds of f.contains(probes) per key, repeated for at least min_seconds."""
    calls, start = 0, time.perf_counter()
    while True:
        f.contains(probes)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / calls / len(probes) * 1e9


def summary(values):
    return {"min": min(values), "median": statistics.median(values), "all": values}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bloom-bench", required=True, help="the bloom_bench binary")
    parser.add_argument("--n", type=int, default=1_000_000, help="keys in the filter")
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--min-seconds", type=float, default=0.5)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    bloomnet.set_threads(1)

    n = args.n
    keys = np.random.default_rng(n).integers(0, 2**64, size=2 * n, dtype=np.uint64)
    f = bloomnet.SplitBlockFilter(n=n, bits_per_key=10)
    f.insert(keys[:n])
    assert f.contains(keys[:n]).all()
    batch_name = f"bloom/contains_batch/splitblock_{bloomnet.kernels}/n:{n}/threads:1/real_time"
    one_name = f"bloom/contains_hit/splitblock_{bloomnet.kernels}/n:{n}/real_time"

    cpp, python = [], []
    for repetition in range(args.repetitions):  # alternating: a noisy neighbour hits both
        cpp.append(cpp_ns_per_key(args.bloom_bench, batch_name, args.min_seconds))
        python.append(python_batched_ns_per_key(f, keys, args.min_seconds))
        print(f"repetition {repetition + 1}/{args.repetitions}: C++ {cpp[-1]:.2f} ns/key, "
              f"Python {python[-1]:.2f} ns/key", file=sys.stderr)

    one_key = int(keys[0])
    one_array = keys[:1].copy()
    calls = 200_000
    in_ns = min(timeit.repeat(lambda: one_key in f, number=calls, repeat=5)) / calls * 1e9
    array_ns = min(timeit.repeat(lambda: f.contains(one_array), number=calls,
                                 repeat=5)) / calls * 1e9
    cpp_one = cpp_ns_per_key(args.bloom_bench, one_name, args.min_seconds)

    result = {
        "n": n, "bits_per_key": 10, "kernels": bloomnet.kernels, "threads": 1,
        "batched_contains": {"cpp_ns_per_key": summary(cpp), "python_ns_per_key": summary(python),
                             "ratio_of_medians": statistics.median(python) / statistics.median(cpp),
                             "ratio_of_minima": min(python) / min(cpp)},
        "one_key": {"python_in_ns": in_ns, "python_contains_one_key_array_ns": array_ns,
                    "cpp_contains_ns": cpp_one},
    }
    b = result["batched_contains"]
    print(f"batched contains at n = {n}: Python {b['python_ns_per_key']['median']:.2f} ns/key, "
          f"C++ {b['cpp_ns_per_key']['median']:.2f} ns/key (medians of {args.repetitions}; "
          f"ratio {b['ratio_of_medians']:.2f}, of minima {b['ratio_of_minima']:.2f}); one key: "
          f"`in` {in_ns:.0f} ns, contains(1-key array) {array_ns:.0f} ns, C++ {cpp_one:.1f} ns")
    if args.json:
        temporary = args.json + ".tmp"
        with open(temporary, "w") as out:
            json.dump(result, out, indent=2)
        os.replace(temporary, args.json)


if __name__ == "__main__":
    main()
