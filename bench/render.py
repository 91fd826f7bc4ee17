#!/usr/bin/python3
"""Renders the benchmark report from Google Benchmark's JSON files.

    bench/render.py DATA_DIR OUT.md

DATA_DIR holds what bench/run.sh wrote: peak.json, bloom.json, network.json, train.json, python.json
(bench/python_bench.py) and, when PyTorch was available, torch.json (bench/peers/compare_train.py). Tables and plots (PNG, beside
the JSON) go into OUT.md; every ratio compares two rows of the same run.
"""
import json
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def load(folder, name):
    path = os.path.join(folder, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def rows(data):
    """{name: benchmark} for the runs (no aggregates), skipping errors. A benchmark repeated
    (--benchmark_repetitions, or Repetitions() in the benchmark) is its median repetition by
    ns_per_key (or real_time without it), with the fastest one's as ns_per_key_min (real_time_min),
    every repetition's as ns_per_key_reps (real_time_reps) and the count as repetitions; each
    phase_ms/<phase> counter (train/step) also gets its least over the repetitions, as
    phase_ms/<phase>_min."""
    runs = {}
    for b in (data or {}).get("benchmarks", []):
        if b.get("run_type", "iteration") == "iteration" and not b.get("error_occurred"):
            # Repetitions() in the benchmark adds /repeats:N to the name; the flag does not.
            runs.setdefault(re.sub(r"/repeats:\d+", "", b["name"]), []).append(b)
    out = {}
    for name, repeated in runs.items():
        if len(repeated) > 1:
            key = "ns_per_key" if "ns_per_key" in repeated[0] else "real_time"
            repeated = sorted(repeated, key=lambda b: b[key])
            row = dict(repeated[(len(repeated) - 1) // 2])
            row[key + "_min"] = repeated[0][key]
            row[key + "_reps"] = [b[key] for b in repeated]
            for counter in [c for c in row if c.startswith("phase_ms/")]:
                row[counter + "_min"] = min(b[counter] for b in repeated)
            row["repetitions"] = len(repeated)
            out[name] = row
        else:
            out[name] = repeated[-1]
    return out


def args_of(name):
    """The key:value pieces of a benchmark name, as ints where they are."""
    out = {}
    for piece in name.split("/"):
        if ":" in piece:
            key, value = piece.split(":", 1)
            out[key] = int(value) if value.isdigit() else value
    return out


def prefix(name):
    """The name without its arguments and Google Benchmark's own suffixes."""
    return "/".join(p for p in name.split("/") if ":" not in p and p != "real_time")


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}g}"


def save(fig, path):
    fig.tight_layout()
    temporary = path + ".tmp.png"
    fig.savefig(temporary, dpi=100)
    plt.close(fig)
    os.replace(temporary, path)


def ns(b, counter):
    return b[counter] * 1e9 if b and counter in b else None


def peaks(data):
    """peak_bench's limits: FMA peaks by (kernels, threads), triads by threads, and the cores'
    round trip (ns; None without the row)."""
    fma, triad, round_trip = {}, {}, None
    for name, b in rows(data).items():
        threads = args_of(name).get("threads")
        if name.startswith("peak/multiply_add/"):
            fma[(name.split("/")[2], threads)] = b["GFLOP/s"]
        elif name.startswith("peak/triad/"):
            triad[threads] = b["GB/s"]
        elif name.startswith("peak/core_round_trip/"):
            round_trip = b["round_trip_ns"]
    return fma, triad, round_trip


def step_kernels(name):
    """The kernels of train/step/<kernels>/... or train/dense/<product>/<kernels>/..."""
    return name.split("/")[2 if name.startswith("train/step/") else 3]


def simd_step_kernels(bench):
    """The SIMD kernels train_bench's steps ran (rows by name), or None."""
    return next((step_kernels(name) for name in bench if name.startswith("train/step/")
                 and "scalar" not in name), None)


def best_peaks(fma, train, torch):
    """The FMA peak of each (kernels, threads): the best this run measured, by peak_bench and by
    train_bench and compare_train.py as they start (a row's GFLOP/s over its peak_share: they
    measure once and divide every row by it). A busy neighbour or a slow phase of the host only
    lowers a peak, and on a shared VM the clock has moved by half between two programs of one run.
    Returns the best peaks and, for each, what every program measured."""
    seen = {key: {"peak_bench": value} for key, value in fma.items()}
    simd = simd_step_kernels(rows(train))
    for name, b in rows(train).items():
        if b.get("peak_share") and "GFLOP/s" in b:
            key = (step_kernels(name), args_of(name).get("threads"))
            seen.setdefault(key, {})["train_bench"] = b["GFLOP/s"] / b["peak_share"]
    if simd:
        # compare_train.py runs train_bench's best kernels.
        for threads, value in (torch or {}).get("peaks", {}).items():
            seen.setdefault((simd, int(threads)), {})["compare_train.py"] = value
    return {key: max(by.values()) for key, by in seen.items()}, seen


def share_of_peak(flops, ms, peak):
    """The share of a peak (GFLOP/s) that flops done in ms milliseconds reach."""
    return flops / (ms * 1e-3) * 1e-9 / peak


def ns_per_key_table(add, by, sizes, columns):
    """One row per key count, one column per (benchmark name, heading): ns per key."""
    add("| keys n | " + " | ".join(c[1] for c in columns) + " |")
    add("|---|" + "---|" * len(columns))
    for n in sizes:
        add(f"| {n:.0e} | " + " | ".join(fmt(ns(by.get(c[0], {}).get(n), "ns_per_key"))
                                        for c in columns) + " |")
    add("")


def l3_bytes(context):
    """The last-level cache of this machine from Google Benchmark's context (0 when unknown)."""
    sizes = [c["size"] for c in context.get("caches", []) if c.get("level") == 3]
    return max(sizes) if sizes else 0


def bloom_section(folder, data, lines):
    bench = rows(data)
    if not bench:
        return
    add = lines.append
    by = {}  # "<operation>/<variant>[/threads:<t>]" -> {n: row}
    for name, b in bench.items():
        args = args_of(name)
        if "n" not in args:
            continue
        key = prefix(name) + (f"/threads:{args['threads']}" if "threads" in args else "")
        by.setdefault(key, {})[args["n"]] = b
    sizes = sorted({n for v in by.values() for n in v})
    split = next((p.split("/")[2] for p in by if p.startswith("bloom/contains_hit/splitblock_")
                  and not p.endswith("scalar")), "splitblock_simd")
    l3 = l3_bytes(data.get("context", {}))
    repetitions = max((b.get("repetitions", 1) for b in bench.values()), default=1)

    def get(key, n, counter="ns_per_key"):
        b = by.get(key, {}).get(n)
        if not b or counter not in b:
            return None
        return b[counter] * (1e9 if counter.startswith("ns_per_key") else 1)

    def reps(key, n):
        """Every repetition's ns per key (None for a row run once)."""
        b = by.get(key, {}).get(n)
        return [x * 1e9 for x in b["ns_per_key_reps"]] if b and "ns_per_key_reps" in b else None

    def cell(key, n):
        """median (min) ns per key."""
        median = get(key, n)
        return "-" if median is None else time_cell(median, get(key, n, "ns_per_key_min"))

    add("## Bloom filters and their peer\n")
    add(f"ns per key at 10 bits per key (`build/release/bench/bloom_bench`), median (and minimum) "
        f"of {repetitions} repetitions, so a noisy neighbour shows as a gap between the two. Every "
        "key is hashed inside the timed loop, ours and the peer's. `bitpacked`: the classic filter "
        "(h = 7); `splitblock_*`: the split-block filter (SPEC section 3); `libbloom`: Debian's "
        "libbloom 1.6 through its C API (murmur2, 7 hashes). One thread unless a column says "
        f"otherwise; the L3 of this machine holds {l3 / 2**20:.0f} MiB (shared with neighbours).\n")
    add("| keys n | filter size | split hit | split miss | split batched | split batched, 2 threads "
        "| libbloom hit | libbloom miss | bitpacked hit | bitpacked miss |")
    add("|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        size = get(f"bloom/contains_hit/{split}", n, "filter_bytes")
        where = "-" if size is None else (f"{size / 2**20:.2g} MiB "
                                          + ("(in L3)" if l3 and size < l3 else "(past L3)"))
        add(f"| {n:.0e} | {where} | {cell(f'bloom/contains_hit/{split}', n)} | "
            f"{cell(f'bloom/contains_miss/{split}', n)} | "
            f"{cell(f'bloom/contains_batch/{split}/threads:1', n)} | "
            f"{cell(f'bloom/contains_batch/{split}/threads:2', n)} | "
            f"{cell('peer/contains_hit/libbloom', n)} | {cell('peer/contains_miss/libbloom', n)} | "
            f"{cell('bloom/contains_hit/bitpacked', n)} | {cell('bloom/contains_miss/bitpacked', n)} |")
    add("")
    add("Inserts, ns per key, median (min):\n")
    add("| keys n | split, 1 thread | split, 2 threads | split scalar | bitpacked | libbloom |")
    add("|---|---|---|---|---|---|")
    for n in sizes:
        add(f"| {n:.0e} | {cell(f'bloom/insert/{split}/threads:1', n)} | "
            f"{cell(f'bloom/insert/{split}/threads:2', n)} | "
            f"{cell('bloom/insert/splitblock_scalar', n)} | {cell('bloom/insert/bitpacked', n)} | "
            f"{cell('peer/insert/libbloom', n)} |")
    add("")
    add("Bits per key and the measured FPR of misses (the split-block formula in brackets):\n")
    add("| keys n | bits per key split / bitpacked / libbloom | FPR split (theory) | FPR bitpacked "
        "| FPR libbloom | split contains vs libbloom | split batched vs libbloom |")
    add("|---|---|---|---|---|---|---|")
    ratio = lambda a, b: a / b if a and b else None  # noqa: E731
    for n in sizes:
        lib = [get("peer/contains_hit/libbloom", n), get("peer/contains_miss/libbloom", n)]
        ours = [get(f"bloom/contains_hit/{split}", n), get(f"bloom/contains_miss/{split}", n)]
        lib_mean = sum(lib) / 2 if all(lib) else None
        ours_mean = sum(ours) / 2 if all(ours) else None
        bits = [get(k, n, "bits_per_key") for k in (f"bloom/contains_hit/{split}",
                                                    "bloom/contains_hit/bitpacked",
                                                    "peer/contains_hit/libbloom")]
        add(f"| {n:.0e} | {' / '.join(fmt(b) for b in bits)} | "
            f"{fmt(get(f'bloom/contains_miss/{split}', n, 'fpr'))} "
            f"({fmt(get(f'bloom/contains_miss/{split}', n, 'fpr_theory'))}) | "
            f"{fmt(get('bloom/contains_miss/bitpacked', n, 'fpr'))} | "
            f"{fmt(get('peer/contains_miss/libbloom', n, 'fpr'))} | "
            f"{fmt(ratio(lib_mean, ours_mean))}x | "
            f"{fmt(ratio(lib_mean, get(f'bloom/contains_batch/{split}/threads:1', n)))}x |")
    add("")

    # The targets of the filters (issue "Performance, round two"): each the median and the
    # fastest repetition.
    def one_key(n, counter="ns_per_key"):
        values = [get(f"bloom/contains_hit/{split}", n, counter),
                  get(f"bloom/contains_miss/{split}", n, counter)]
        return sum(values) / 2 if all(values) else None

    batched = f"bloom/contains_batch/{split}/threads:"
    batch1 = lambda n, counter="ns_per_key": get(batched + "1", n, counter)  # noqa: E731
    batch2 = lambda n: get(batched + "2", n)  # noqa: E731
    # Up to a 2 MiB filter the batched kernel runs the one-key test in a plain loop: beside a
    # one-key target, it is the same test without the call into the runtime-chosen kernel.
    targets = [("one key at a time, 10^5 keys (mean of hit and miss)", 100_000, one_key(100_000),
                one_key(100_000, "ns_per_key_min"), 1.5, True),
               ("one key at a time, 10^6 keys", 1_000_000, one_key(1_000_000),
                one_key(1_000_000, "ns_per_key_min"), 2.0, True),
               ("batched, 10^7 keys", 10_000_000, batch1(10_000_000),
                batch1(10_000_000, "ns_per_key_min"), 3.0, False),
               ("batched, 10^8 keys", 100_000_000, batch1(100_000_000),
                batch1(100_000_000, "ns_per_key_min"), 8.0, False)]

    def reads(n, threads):
        """The fastest way of reading the batched test's blocks with nothing tested, and its name."""
        ways = [(get(k, n), k.split("/")[2]) for k in by
                if k.startswith("bloom/block_reads/") and k.endswith(f"/threads:{threads}")]
        ways = [w for w in ways if w[0] is not None]
        return min(ways) if ways else (None, None)

    speedup = ratio(batch1(100_000_000), batch2(100_000_000))
    reads_speedup = ratio(reads(100_000_000, 1)[0], reads(100_000_000, 2)[0])
    add("Targets, on this run's medians, each time's fastest repetition in brackets and, for the "
        "two threads' speed-up, its range over every pairing of the repetitions; \"at best only\" "
        "where only the fastest meets the goal. \"The test without the call\": the batched "
        "column at the same n, which below a 2 MiB filter runs the same test in a plain loop "
        "inside the kernel; "
        "one key at a time adds the call into the kernel the CPU's instruction set chose at run "
        "time, which a binary for any x86-64 cannot inline. \"The blocks read alone\": the same "
        "keys' blocks of the same filter read with nothing tested (`bloom/block_reads`, the "
        "fastest of a plain loop and each block requested 32 or 128 keys ahead), what the memory "
        "alone costs under the batched test.\n")
    add("| target | measured | the test without the call | the blocks read alone | goal | met |")
    add("|---|---|---|---|---|---|")
    bound = []  # (n, the batched test, its blocks read alone) where both were measured
    for what, n, value, fastest, goal, one_at_a_time in targets:
        met = "-" if value is None else target_met(value, fastest, goal, lower_is_better=True)
        reference = f"{cell(batched + '1', n)} ns" if one_at_a_time else "-"
        alone, way = reads(n, 1)
        memory = ("-" if alone is None
                  else f"{cell(f'bloom/block_reads/{way}/threads:1', n)} ns ({way})")
        if value is not None and alone is not None:
            bound.append((n, value, alone))
        add(f"| {what} | {time_cell(value, fastest)} ns | {reference} | {memory} | <= {goal} ns "
            f"| {met} |")
    speedup_reps = (reps(batched + "1", 100_000_000), reps(batched + "2", 100_000_000))
    spread = ratio_range(*speedup_reps)
    met = "-" if speedup is None else target_met(speedup, spread and spread[1], 1.8)
    measured = "-" if speedup is None else ratio_and_spread(speedup, *speedup_reps)
    memory = "-" if reads_speedup is None else f"{fmt(reads_speedup)}x"
    add(f"| batched, 10^8 keys: 2 threads against 1 | {measured} | - | {memory} | >= 1.8x "
        f"| {met} |")
    add("")
    if bound:
        add("The batched test against the reads it makes, one thread: "
            + "; ".join(f"{n:.0e} keys {fmt(test)} against {fmt(alone)} ns "
                        f"({64 / alone:.2g} GB/s of 64-byte lines)" for n, test, alone in bound)
            + (". At each the test takes at most 15% more than reading its blocks: the memory "
               "bounds it, and the test adds little." if all(test <= 1.15 * alone for _, test, alone
                                                            in bound) else
               ". The test takes more than 15% longer than its reads somewhere: the test itself, "
               "not only the memory, sets the time there.") + "\n")
    opened = {name.split("/")[1]: b for name, b in bench.items()
              if name.startswith(("bloom/open_mapped/", "bloom/load/"))}
    if opened:
        size = next(iter(opened.values())).get("filter_bytes", 0)
        times = {k: b["real_time"] for k, b in opened.items()}  # milliseconds
        add(f"Opening a {size / 2**30:.3g} GiB filter file and answering one key: by memory map "
            f"{fmt(times.get('open_mapped'))} ms, read whole {fmt(times.get('load'))} ms.\n")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, op in zip(axes, ("contains_hit", "insert")):
        for p, values in sorted(by.items()):
            if f"/{op}/" not in p:
                continue
            xs = sorted(values)
            ax.plot(xs, [values[n]["ns_per_key"] * 1e9 for n in xs], "o-",
                    label="/".join(p.split("/")[2:]))
        if op == "contains_hit":
            for threads in (1, 2):
                values = by.get(f"bloom/contains_batch/{split}/threads:{threads}", {})
                xs = sorted(values)
                ax.plot(xs, [values[n]["ns_per_key"] * 1e9 for n in xs], "s--",
                        label=f"{split} batched, {threads} thread{'s' if threads > 1 else ''}")
        if l3:
            ax.axvline(l3 * 8 / 10, color="gray", linestyle=":", label="filter size = L3")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("keys n")
        ax.set_ylabel("ns per key (median)")
        ax.set_title(op.replace("_", " "))
        ax.legend(fontsize=7)
    save(fig, os.path.join(folder, "bloom.png"))
    add("![ns per key against n](bench/bloom.png)\n")


def python_section(data, lines):
    """The Python module against bloom_bench in the same run (bench/python_bench.py)."""
    if not data:
        return
    add = lines.append
    b, one = data["batched_contains"], data["one_key"]
    cpp, py = b["cpp_ns_per_key"], b["python_ns_per_key"]
    add("## The Python module\n")
    add(f"Batched `contains` on a split-block filter of {data['n']:.0e} keys at "
        f"{data['bits_per_key']} bits per key ({data['kernels']}, {data['threads']} thread), "
        f"2n random keys per call, half of them inserted: from numpy (`filter.contains(keys)`) and "
        f"as `bloom_bench` runs it, alternating, {len(py['all'])} repetitions each "
        "(`bench/python_bench.py`).\n")
    add("| | min ns/key | median ns/key |\n|---|---|---|")
    add(f"| C++ (`bloom/contains_batch`) | {fmt(cpp['min'])} | {fmt(cpp['median'])} |")
    add(f"| Python, numpy uint64 keys | {fmt(py['min'])} | {fmt(py['median'])} |")
    add(f"| Python / C++ | {fmt(b['ratio_of_minima'])}x | {fmt(b['ratio_of_medians'])}x |\n")
    add(f"One key per call: `key in filter` {fmt(one['python_in_ns'])} ns, "
        f"`filter.contains(one_key_array)` {fmt(one['python_contains_one_key_array_ns'])} ns, "
        f"against {fmt(one['cpp_contains_ns'])} ns for the test itself in C++: the rest is the cost "
        "of a Python call (argument conversion, the GIL released and taken back for arrays).\n")


def network_section(folder, data, fma, lines):
    bench = rows(data)
    if not bench:
        return
    add = lines.append
    positives = {}
    forward = {}
    for name, b in bench.items():
        a = args_of(name)
        if name.startswith("network/positives/"):
            positives.setdefault(name.split("/")[2], {})[(a["V"], a["d"])] = b
        elif name.startswith("network/forward/"):
            forward.setdefault(name.split("/")[2], {})[(a["V"], a["d"], a["k"], a["B"])] = b
    if positives:
        add("## Whole-vocabulary queries\n")
        add("One query = every token the filter of a set S (k = 16) reports, the same filter four "
            "ways (`network_bench`, `network/positives/*`); microseconds per query, and the "
            "compiled filter's speed-up over the float network at its best (batched).\n")
        ways = ["float_b1", "float_b64", "bitpacked", "compiled_masks", "compiled_rows"]
        add("| V | d | " + " | ".join(ways) + " | rows vs float | masks vs float |")
        add("|---|---|" + "---|" * (len(ways) + 2))
        for key in sorted(positives.get("compiled_rows", {})):
            us = {w: positives.get(w, {}).get(key, {}).get("ns_per_set", math.nan) * 1e6
                  for w in ways}
            best_float = min(us["float_b1"], us["float_b64"])
            add(f"| {key[0]} | {key[1]} | " + " | ".join(fmt(us[w]) for w in ways) +
                f" | {fmt(best_float / us['compiled_rows'])}x | "
                f"{fmt(best_float / us['compiled_masks'])}x |")
        add("")
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for w in ways:
            pts = sorted((V, b["ns_per_set"] * 1e6) for (V, d), b in positives.get(w, {}).items()
                         if d == 256)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=w)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("vocabulary V (d = 256)")
        ax.set_ylabel("microseconds per query")
        ax.legend(fontsize=8)
        save(fig, os.path.join(folder, "positives.png"))
        add("![query time against V](bench/positives.png)\n")
    if forward:
        add("## Batched forward as dimensions scale\n")
        best = next((k for k in forward if k != "scalar"), None)
        peak = max((v for (kname, t), v in fma.items() if kname == best), default=None)
        add(f"`network/forward/{best}` around the centre (V 16384, d 256, k 8, B 64), one dimension "
            f"at a time; GFLOP/s of the output GEMM and its share of the measured FMA peak on all "
            f"threads ({fmt(peak)} GFLOP/s).\n")
        add("| V | d | k | B | microseconds | GFLOP/s | of peak |")
        add("|---|---|---|---|---|---|---|")
        for key in sorted(forward[best]):
            b = forward[best][key]
            add(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {fmt(b['real_time'])} | "
                f"{fmt(b['GFLOP/s'])} | {fmt(b['GFLOP/s'] / peak if peak else None, 2)} |")
        centre = (16384, 256, 8, 64)
        if "scalar" in forward and centre in forward["scalar"] and centre in forward[best]:
            add(f"\nAt the centre, SIMD vs scalar in this run: "
                f"{forward['scalar'][centre]['real_time'] / forward[best][centre]['real_time']:.0f}x.\n")
        fig, axes = plt.subplots(1, 4, figsize=(16, 4))
        for ax, (i, label) in zip(axes, enumerate(("V", "d", "k", "B"))):
            pts = sorted((key[i], b["real_time"]) for key, b in forward[best].items()
                         if all(key[j] == centre[j] for j in range(4) if j != i))
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(label)
            ax.set_ylabel("microseconds")
        save(fig, os.path.join(folder, "forward.png"))
        add("![forward time against V, d, k, B](bench/forward.png)\n")


STEP_SIZES = ((1024, 4, 64, 256), (4096, 8, 128, 256), (16384, 8, 256, 512))


def repetitions(bench):
    """How many times the repeated rows of a layer ran (1 if none was repeated)."""
    return max((b.get("repetitions", 1) for b in bench.values()), default=1)


def median_and_fastest(median, fastest):
    """A cell: the median, and the fastest repetition's value in brackets (None for a row run
    once: the median alone)."""
    return median if fastest is None else f"{median} ({fastest})"


def fastest_share(share, b):
    """The share of the peak of a repeated row's fastest repetition, from the median's share;
    None for a row run once."""
    return share * b["real_time"] / b["real_time_min"] if "real_time_min" in b else None


def target_met(median, best, goal, lower_is_better=False):
    """A target's verdict, higher being better (a time: lower): "yes" when the median meets the
    goal, "at best only" when only the best of the repetitions does (None: there was one), else
    "no"."""
    def meets(x):
        return x <= goal if lower_is_better else x >= goal
    if meets(median):
        return "yes"
    return "at best only" if best is not None and meets(best) else "no"


def torch_best_ms(row):
    """The PyTorch peer's best variant's time in a compare_train.py row: the median of its own
    repetitions (an older JSON without them: its one timing)."""
    return row.get("torch_best_ms", min(row["torch_ms"].values()))


def ratio_range(numerator_reps, denominator_reps):
    """The ratio of two sides' times over any pairing of their repetitions: (least, greatest);
    None when a side has no repetitions on record."""
    if not numerator_reps or not denominator_reps:
        return None
    return (min(numerator_reps) / max(denominator_reps),
            max(numerator_reps) / min(denominator_reps))


def time_cell(median, fastest):
    """A cell: a median time, and the fastest repetition's in brackets (None: none to give)."""
    return median_and_fastest(fmt(median), fastest and fmt(fastest))


def time_and_spread(median, reps):
    """A cell: a median time, and the fastest repetition's in brackets when there were several."""
    return time_cell(median, min(reps) if reps and len(reps) > 1 else None)


def ratio_and_spread(ratio, numerator_reps, denominator_reps):
    """A cell: a ratio of medians, and its range over the repetitions in brackets."""
    spread = ratio_range(numerator_reps, denominator_reps)
    return f"{ratio:.2f}x" + (f" ({spread[0]:.2f}-{spread[1]:.2f}x)" if spread else "")


def train_name(part, simd, size, threads):
    """A train_bench row's name: train/<part>/<kernels>/threads:<n>/V/k/d/B; the dense products
    (train/dense/<product>) have no k in theirs."""
    V, k, d, B = size
    with_k = "" if part.startswith("dense/") else f"/k:{k}"
    return f"train/{part}/{simd}/threads:{threads}/V:{V}{with_k}/d:{d}/B:{B}/real_time"


def step_parts(bench, simd, size, threads, peak):
    """Where one step's time goes (ms), from the rows of one run at one size and thread count:
    the step, its three products, the loss and Adam alone, and the rest (the step minus those:
    the first layer's gather and scatter, the sampler, and whatever the parts cost more inside the
    step than alone). peak: the FMA peak (GFLOP/s) the step's share is read against. None
    without the step's row."""
    V, _, d, B = size
    step = bench.get(train_name("step", simd, size, threads))
    dense = [bench.get(train_name(f"dense/{p}", simd, size, threads))
             for p in ("logits", "weight_gradient", "hidden_gradient")]
    parts = [bench.get(train_name(f"part/{p}", simd, size, threads)) for p in ("loss", "optimizer")]
    if step is None:
        return None
    out = {"step": step["real_time"], "flops": 6.0 * B * d * V}
    if all(dense):
        out["products"] = sum(b["real_time"] for b in dense)
    if all(parts):
        out["loss"], out["optimizer"] = (b["real_time"] for b in parts)
        out["optimizer_gbs"] = parts[1].get("GB/s")
    if "products" in out and peak:
        # The step's share with nothing but its products; with the parts measured too, its share
        # with the products at 100% of the peak and everything else as measured.
        at_peak = out["flops"] / (peak * 1e9) * 1e3
        out["ceiling_alone"] = at_peak / out["products"]
        if "loss" in out:
            out["ceiling_at_peak"] = at_peak / (at_peak + out["step"] - out["products"])
    if "products" in out and "loss" in out:
        out["rest"] = out["step"] - out["products"] - out["loss"] - out["optimizer"]
    return out


def openblas_share(torch, size, threads, peak):
    """The step's share of the peak were its three products as fast as OpenBLAS's sgemm alone at
    their shapes on as many threads (compare_train.py's products) and nothing else took time."""
    V, _, d, B = size
    times = [r["openblas_ms"] for r in (torch or {}).get("products", [])
             if (r["V"], r["d"], r["B"], r["threads"]) == (V, d, B, threads)]
    if len(times) != 3:
        return "-"
    return f"{share_of_peak(6.0 * B * d * V, sum(times), peak):.0%}"


def train_targets(bench, torch, share, add):
    """The performance issue's step targets, each with three ceilings measured in the same run: the
    step's flops at the speed of its products alone, and at the speed of OpenBLAS's sgemm at their
    shapes, and its share were the products at the peak and the other passes as measured
    (step_parts)."""
    simd = simd_step_kernels(bench)
    if simd is None:
        return
    add("Targets of the performance issue, on this run" +
        (": the step's median share (its fastest repetition's in brackets); \"at best only\" "
         "where only the fastest meets the goal" if repetitions(bench) > 1 else "") +
        ". \"Products alone\": the step's flops over "
        "the sum of the three `train/dense` times at the same size, the share the step would have "
        "if nothing else took time. \"OpenBLAS alone\": the same with the three products as fast "
        "as OpenBLAS's sgemm at their shapes (`bench/peers/compare_train.py`, the products' table "
        "below), the best BLAS on this machine. \"Products at the peak\": the share it would have if "
        "the products ran at 100% of the peak and everything else took what it takes in this run "
        "(the table after this one)." +
        (" Against PyTorch: the ratio of the two sides' medians, each at its faster thread "
         "count, with its range over any pairing of their repetitions in brackets (\"at best "
         "only\" where only the top of that range meets the goal)."
         if any("torch_best_ms_reps" in r for r in (torch or {}).get("rows", [])) else "") +
        "\n")
    add("| target | measured | products alone | OpenBLAS alone | products at the peak | goal | met |\n"
        "|---|---|---|---|---|---|---|")
    for size, threads, goal in ((STEP_SIZES[1], 1, 0.8), (STEP_SIZES[1], 2, 0.8),
                                (STEP_SIZES[2], 1, 0.8), (STEP_SIZES[2], 2, 0.8),
                                (STEP_SIZES[0], 2, 0.7)):
        V, k, d, B = size
        name = train_name("step", simd, size, threads)
        if name not in bench:
            continue
        b = bench[name]
        value = share(name, b)
        best = fastest_share(value, b)
        parts = step_parts(bench, simd, size, threads, b["GFLOP/s"] / value)
        alone, at_peak = (f"{parts[c]:.0%}" if c in parts else "-"
                          for c in ("ceiling_alone", "ceiling_at_peak"))
        met = target_met(value, best, goal)
        measured = median_and_fastest(f"{value:.0%}", best and f"{best:.0%}")
        openblas = openblas_share(torch, size, threads, b["GFLOP/s"] / value)
        add(f"| step at (V {V}, k {k}, d {d}, B {B}), {threads} thread{'s' if threads > 1 else ''} "
            f"| {measured} of peak | {alone} | {openblas} | {at_peak} | >= {goal:.0%} | {met} |")
    rows_here = [r for r in (torch or {}).get("rows", [])
                 if (r["V"], r["k"], r["d"], r["B"]) == STEP_SIZES[0]]
    if rows_here:
        # Each side at its faster thread count, by the median of its repetitions.
        ours_row = min(rows_here, key=lambda r: r["bloomnet_ms"])
        theirs_row = min(rows_here, key=torch_best_ms)
        ours, theirs = ours_row["bloomnet_ms"], torch_best_ms(theirs_row)
        ours_reps, theirs_reps = ours_row.get("bloomnet_ms_reps"), theirs_row.get(
            "torch_best_ms_reps")
        spread = ratio_range(theirs_reps, ours_reps)
        add(f"| step at (V 1024, k 4, d 64, B 256): PyTorch's best against ours, best vs best "
            f"| {ratio_and_spread(theirs / ours, theirs_reps, ours_reps)} | - | - | - | >= 4x "
            f"| {target_met(theirs / ours, spread and spread[1], 4.0)} |")
    add("")
    if rows_here:
        # The fastest a step could be with nothing but its parts taking time: the bound the 4x
        # against PyTorch meets or not before any overhead of ours.
        sums = [(sum(parts[p] for p in ("products", "loss", "optimizer")), threads)
                for threads in (1, 2)
                for parts in [step_parts(bench, simd, STEP_SIZES[0], threads, None)]
                if parts and "loss" in parts and "products" in parts]
        if sums:
            fastest, threads = min(sums)
            add(f"At (V 1024, k 4, d 64, B 256) the step's parts alone (the products, the loss and "
                f"Adam, the next table) sum to {fmt(fastest)} ms on {threads} thread"
                f"{'s' if threads > 1 else ''}, the fastest a step could be with nothing else "
                f"taking time: against PyTorch's best, {fmt(theirs)} ms, at most "
                f"{theirs / fastest:.1f}x.\n")
    rows_of_parts = [(size, threads, step_parts(bench, simd, size, threads, None))
                     for size in STEP_SIZES for threads in (1, 2)]
    rows_of_parts = [r for r in rows_of_parts if r[2] and "rest" in r[2]]
    if not rows_of_parts:
        return
    add("Where a step's time goes, ms: the three products (`train/dense`), the softmax with the "
        "cross-entropy and its gradient (`train/part/loss`) and Adam (`train/part/optimizer`, "
        "its state hot in the caches, at the bandwidth in brackets) each run alone, and the rest: "
        "the step minus those, which holds the first layer's gather and scatter-add, the sampler "
        "and whatever the parts cost more inside the step than alone. Each row is measured "
        "minutes apart from the others: a slow phase of the machine lands in the rest.\n")
    add("| V | k | d | B | threads | step | products | loss | Adam (GB/s) | rest |")
    add("|---|---|---|---|---|---|---|---|---|---|")
    for size, threads, parts in rows_of_parts:
        add(f"| {' | '.join(str(x) for x in size)} | {threads} | {fmt(parts['step'])} | "
            f"{fmt(parts['products'])} | {fmt(parts['loss'])} | {fmt(parts['optimizer'])} "
            f"({fmt(parts['optimizer_gbs'])}) | {fmt(parts['rest'])} |")
    add("")
    phases_inside_steps(bench, simd, add)


PHASES = ("sample", "forward", "loss", "backward", "optimizer", "clear")


def parts_alone(bench, simd, size, threads, names):
    """ms of the named parts of a step timed alone (train/dense/<product>, train/part/<pass>) at
    one size and thread count, summed: the medians' sum and the fastest repetitions' (None for a
    part run once); None if one is missing."""
    found = [bench.get(train_name(n, simd, size, threads)) for n in names]
    if not all(found):
        return None
    fastest = (sum(b["real_time_min"] for b in found)
               if all("real_time_min" in b for b in found) else None)
    return sum(b["real_time"] for b in found), fastest


def phases_inside_steps(bench, simd, add):
    """The step's phases timed inside the steps (train_bench's phase_ms counters of the median
    repetition, and each phase's least over the repetitions), in a row above the same parts timed
    alone where there are such: the products of forward and backward, the loss, Adam."""
    table = []
    for size in STEP_SIZES:
        for threads in (1, 2):
            step = bench.get(train_name("step", simd, size, threads))
            if step is None or any(f"phase_ms/{p}" not in step for p in PHASES):
                continue
            inside = {p: (step[f"phase_ms/{p}"], step.get(f"phase_ms/{p}_min")) for p in PHASES}
            alone = {phase: parts_alone(bench, simd, size, threads, names)
                     for phase, names in (("forward", ("dense/logits",)),
                                          ("backward", ("dense/weight_gradient",
                                                        "dense/hidden_gradient")),
                                          ("loss", ("part/loss",)),
                                          ("optimizer", ("part/optimizer",)))}
            table.append((size, threads, step, inside, alone))
    if not table:
        return
    add("The same steps' phases, timed inside them (the `phase_ms` counters of `train/step`; "
        "`Trainer::phase_seconds`), ms per step, in the row \"inside\"; below it, \"alone\", the "
        "same parts timed alone where there is one: forward is the first layer's gather and the "
        "logits' product (alone: the product), backward the two gradients' products and the "
        "scatter-add (alone: the two products), then the loss, Adam, and clearing the gradient's "
        "rows of the batch's tokens. Untimed: the step less its phases. A cell is the median "
        "repetition's time (the phases: those of the step's median repetition, so that untimed "
        "compares times of the same steps)" +
        (", with the least of the repetitions in brackets, each phase and part on its own"
         if repetitions(bench) > 1 else "") + ".\n")
    add("| V | k | d | B | threads | timed | step | sample | forward | loss | backward | Adam | "
        "clear | untimed |")
    add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for size, threads, step, inside, alone in table:
        sizes = " | ".join(str(x) for x in size)
        phase_cells = [time_cell(m, least) for m, least in inside.values()]
        untimed = step["real_time"] - sum(m for m, _ in inside.values())
        add(f"| {sizes} | {threads} | inside | "
            f"{time_cell(step['real_time'], step.get('real_time_min'))} | "
            f"{' | '.join(phase_cells)} | {fmt(untimed)} |")
        alone_cells = []
        for p in PHASES:
            if alone.get(p):
                alone_cells.append(time_cell(*alone[p]))
                least_ratio = (inside[p][1] / alone[p][1]
                               if inside[p][1] and alone[p][1] else None)
                ratios.append((inside[p][0] / alone[p][0], least_ratio, p))
            else:
                alone_cells.append("-")
        add(f"| {sizes} | {threads} | alone | - | {' | '.join(alone_cells)} | - |")
    add("")
    if ratios:
        names = {"forward": "forward", "backward": "backward", "loss": "the loss",
                 "optimizer": "Adam"}
        spans = []
        for p in ("forward", "backward", "loss", "optimizer"):
            medians = [r for r, _, q in ratios if q == p]
            leasts = [r for _, r, q in ratios if q == p and r]
            if medians:
                span = f"{names[p]} {min(medians):.2f}-{max(medians):.2f}x"
                if len(leasts) == len(medians):
                    span += f" ({min(leasts):.2f}-{max(leasts):.2f}x)"
                spans.append(span)
        add("Inside the steps against alone, the range over these sizes and thread counts of "
            "median against median" +
            (" (least against least in brackets)" if repetitions(bench) > 1 else "") + ": " +
            ", ".join(spans) +
            ". Forward and backward also hold the gather and the scatter-add, which their "
            "products alone do not.\n")


def products_against_openblas(torch, fma, kernels, add):
    """The step's three products alone, ours against OpenBLAS's sgemm (compare_train.py)."""
    if not torch.get("products"):
        return
    add("The step's three dense products alone, ours (`train/dense`) against OpenBLAS's sgemm at "
        "the same shapes and layouts (`torch.mm` into a preallocated output, on as many OpenBLAS "
        "threads; ours also add the bias, sum the gradient's columns or apply the ReLU's mask), "
        "each the median of 5 timings" +
        (" (the fastest in brackets; the ratio's range over any pairing of the two sides' "
         "timings)" if all("openblas_ms_reps" in r for r in torch["products"]) else "") +
        ", a configuration's two sides back to back:\n")
    add("| V | d | B | threads | product | bloomnet ms | of peak | OpenBLAS ms | of peak | "
        "OpenBLAS / bloomnet |")
    add("|---|---|---|---|---|---|---|---|---|---|")
    for r in torch["products"]:
        peak = fma.get((kernels, r["threads"]), r["peak_gflops"])
        ours, theirs = (share_of_peak(2.0 * r["B"] * r["d"] * r["V"], r[side], peak)
                        for side in ("bloomnet_ms", "openblas_ms"))
        ours_reps, theirs_reps = r.get("bloomnet_ms_reps"), r.get("openblas_ms_reps")
        add(f"| {r['V']} | {r['d']} | {r['B']} | {r['threads']} | {r['product']} | "
            f"{time_and_spread(r['bloomnet_ms'], ours_reps)} | {ours:.0%} | "
            f"{time_and_spread(r['openblas_ms'], theirs_reps)} | {theirs:.0%} | "
            f"{ratio_and_spread(r['openblas_ms'] / r['bloomnet_ms'], theirs_reps, ours_reps)} |")
    add("")


def train_section(folder, data, torch, fma, lines):
    bench = rows(data)
    if not bench:
        return
    add = lines.append
    add("## Training step\n")
    add("`train_bench`: one step (sample, forward, cross-entropy gradient, backward, Adam); share "
        "of the FMA peak for the same kernels and thread count (the best measured in this run, the "
        "first table)." +
        (f" The SIMD rows ran {repetitions(bench)} times: median (and fastest) time, and the share "
         "of both; a gap between the two is the machine's noise." if repetitions(bench) > 1 else "")
        + "\n")
    add("| benchmark | V | k | d | B | ms | GFLOP/s | of peak | round trip ns |")
    add("|---|---|---|---|---|---|---|---|---|")

    def share(name, b):
        peak = fma.get((step_kernels(name), args_of(name).get("threads")))
        return b["GFLOP/s"] / peak if peak and "GFLOP/s" in b else b.get("peak_share")

    steps = []
    for name in sorted(n for n in bench if not n.startswith("train/part/")):
        b = bench[name]
        a = args_of(name)
        label = prefix(name)
        value = share(name, b)
        best = fastest_share(value, b)
        ms = median_and_fastest(fmt(b["real_time"]), best and fmt(b["real_time_min"]))
        of_peak = median_and_fastest(fmt(value, 2), best and fmt(best, 2))
        add(f"| {label}/threads:{a.get('threads')} | {a.get('V', '')} | {a.get('k', '')} | "
            f"{a.get('d', '')} | {a.get('B', '')} | {ms} | {fmt(b.get('GFLOP/s'))} | {of_peak} | "
            f"{fmt(b.get('round_trip_ns'))} |")
        if name.startswith("train/step/") and "scalar" not in name:
            steps.append((a["threads"], a["B"] * a["d"] * a["V"], b["real_time"], a))
    add("")
    train_targets(bench, torch, share, add)
    # Growth: time per step over B d V, against the largest configuration's.
    add("Growth: time per step divided by B d V (ns), per thread count; linear growth keeps it "
        "constant.\n")
    add("| threads | B d V | ns per B d V | vs the largest | within 20% |")
    add("|---|---|---|---|---|")
    for threads in sorted({s[0] for s in steps}):
        mine = sorted(s for s in steps if s[0] == threads)
        ref = mine[-1][2] * 1e6 / mine[-1][1]
        for _, work, ms, _ in mine:
            per = ms * 1e6 / work
            add(f"| {threads} | {work:.3g} | {per:.4f} | {per / ref:.2f} | "
                f"{'yes' if abs(per / ref - 1) <= 0.2 else 'no'} |")
    add("")
    if torch:
        add(f"PyTorch peer (`bench/peers/compare_train.py`, PyTorch {torch.get('torch', '')} on "
            f"{torch.get('blas', 'OpenBLAS')}; the best of three variants and, on two cores, of "
            "torch's and OpenBLAS's thread counts (torch / OpenBLAS after the variant)" +
            (", chosen by one timing each and then timed again as often as our step; each side "
             "the median of its repetitions (the fastest in brackets), the speed-up the ratio of "
             "the medians (its range over any pairing of the repetitions in brackets)"
             if all("torch_best_ms_reps" in r for r in torch["rows"]) else "") +
            "; both sides of a row measured back to back):\n")
        add("| V | k | d | B | threads | bloomnet ms | of peak | round trip ns | PyTorch best ms "
            "| variant, threads | speed-up |")
        add("|---|---|---|---|---|---|---|---|---|---|---|")
        best = simd_step_kernels(bench)
        for r in torch["rows"]:
            peak = fma.get((best, r["threads"]), r["peak_gflops"])
            share = share_of_peak(6.0 * r["B"] * r["d"] * r["V"], r["bloomnet_ms"], peak)
            ours_reps, theirs_reps = r.get("bloomnet_ms_reps"), r.get("torch_best_ms_reps")
            add(f"| {r['V']} | {r['k']} | {r['d']} | {r['B']} | {r['threads']} | "
                f"{time_and_spread(r['bloomnet_ms'], ours_reps)} | {share:.0%} | "
                f"{fmt(r.get('round_trip_ns'))} | {time_and_spread(torch_best_ms(r), theirs_reps)} "
                f"| {r['torch_best']} | {ratio_and_spread(r['speedup'], theirs_reps, ours_reps)} |")
        add("")
        products_against_openblas(torch, fma, best, add)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench/render.py DATA_DIR OUT.md")
    folder, out = sys.argv[1], sys.argv[2]
    peak, bloom, network, train, torch, python = (
        load(folder, n) for n in ("peak", "bloom", "network", "train", "torch", "python"))
    fma, triad, round_trip = peaks(peak)
    fma, peaks_seen = best_peaks(fma, train, torch)
    lines = ["# bloomnet benchmarks\n"]
    context = (bloom or network or train or peak or {}).get("context", {})
    # Runs before the processor was recorded name only the host.
    cpu = f"{context['cpu_model']}, " if "cpu_model" in context else ""
    lines.append(f"Written by `bench/run.sh` on {context.get('host_name', '?')} "
                 f"({cpu}{context.get('num_cpus', '?')} CPUs at "
                 f"{context.get('mhz_per_cpu', '?')} MHz, "
                 f"{context.get('date', '?')}). One run; shared machines are noisy, so read ratios "
                 "within this run rather than absolute times across runs.\n")
    lines.append("## This machine's limits\n")
    lines.append("| measure | threads | value |\n|---|---|---|")
    for (kernels, threads), v in sorted(fma.items()):
        by = peaks_seen[(kernels, threads)]
        sources = (" (the best of " + ", ".join(f"{program} {value:.0f}" for program, value
                                                 in by.items()) + ")") if len(by) > 1 else ""
        lines.append(f"| FMA peak, {kernels} | {threads} | {v:.0f} GFLOP/s{sources} |")
    for threads, v in sorted(triad.items()):
        lines.append(f"| streaming triad | {threads} | {v:.1f} GB/s |")
    if round_trip is not None:
        lines.append(f"| a cache line between two cores and back | 2 | {round_trip:.0f} ns |")
    lines.append("")
    if any(len(by) > 1 for by in peaks_seen.values()):
        lines.append("Every share of the peak in this report is taken against the best FMA peak "
                     "this run measured for those kernels and threads: `peak_bench` first, then "
                     "`train_bench` and `compare_train.py` each as they start. A busy neighbour or a "
                     "slow phase of the host only lowers a peak.\n")
    if round_trip is not None:
        seen = [round_trip] + [b["round_trip_ns"] for b in [*rows(train).values(),
                                                            *(torch or {}).get("rows", [])]
                               if b.get("round_trip_ns") is not None]
        lines.append("On a VM the round trip moves with where the host puts the two vCPUs (sharing "
                     "a cache or not); two-thread training steps, whose barriers and hand-overs "
                     "cross between the cores, show the one measured right after them beside their "
                     f"time. In this run it ranged from {min(seen):.0f} to {max(seen):.0f} ns.\n")
    bloom_section(folder, bloom, lines)
    python_section(python, lines)
    network_section(folder, network, fma, lines)
    train_section(folder, train, torch, fma, lines)
    temporary = out + ".tmp"
    with open(temporary, "w") as f:
        f.write("\n".join(lines))
    os.replace(temporary, out)


if __name__ == "__main__":
    main()
