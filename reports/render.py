#!/usr/bin/python3
"""Draws the figures of a bloomnet report and writes its REPORT.md.

    reports/render.py DIR

DIR is what `bloomnet report` wrote (report.json, train_log.csv, sweep.csv, fpr_curve.csv,
compare/, compare_exact/) or what `bloomnet compare --out DIR` wrote (compare.json and the CSVs
of its figures). Every number and every verdict in the markdown comes from those files: the
library decides (lib/src/verdicts.cpp, sweep_fit.cpp), this script only draws and writes.
Figures are PNG files beside the data (matplotlib, no display).
"""
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

METHOD_STYLE = {  # colour, marker, label
    "trained": ("tab:blue", "o", "trained ReLU net"),
    "linear": ("tab:purple", "v", "trained linear net (no ReLU)"),
    "exact": ("tab:green", "s", "exact construction (best h)"),
    "jl": ("tab:red", "^", "JL superposition (tuned beta)"),
    "theory": ("black", None, "exact construction, theory"),
}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text):
    return float(text) if text not in ("", None) else math.nan


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}g}"


def save(fig, path):
    """Writes the figure beside its destination, then renames it over: never a partial PNG."""
    fig.tight_layout()
    temporary = path + ".tmp.png"
    fig.savefig(temporary, dpi=110)
    plt.close(fig)
    os.replace(temporary, path)


def write_text(path, text):
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        f.write(text)
    os.replace(temporary, path)


# --- the reading of one network (a compare directory) ---------------------------------------

def draw_reading(folder):
    summary = json.load(open(os.path.join(folder, "compare.json")))
    head = np.loadtxt(os.path.join(folder, "w_in_head.csv"), delimiter=",", ndmin=2)
    fig, ax = plt.subplots(figsize=(7, 6))
    bound = float(np.max(np.abs(head))) or 1.0
    image = ax.imshow(head, cmap="RdBu_r", vmin=-bound, vmax=bound, aspect="auto",
                      interpolation="nearest")
    ax.set_xlabel("hidden neuron j")
    ax.set_ylabel("token t")
    ax.set_title(f"W_in[t, j] of the first {head.shape[0]} tokens "
                 f"(modes {summary['modes']['background']:+.2f} / {summary['modes']['hash']:+.2f})")
    fig.colorbar(image, ax=ax)
    save(fig, os.path.join(folder, "w_in_heatmap.png"))

    bins = read_csv(os.path.join(folder, "w_in_histogram.csv"))
    lo = np.array([number(b["lo"]) for b in bins])
    hi = np.array([number(b["hi"]) for b in bins])
    counts = np.array([number(b["count"]) for b in bins])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(lo, counts, width=hi - lo, align="edge", color="tab:gray", edgecolor="black",
           linewidth=0.3)
    ax.set_yscale("log")
    for key, colour, label in (("background", "tab:blue", "c0 (background)"),
                               ("hash", "tab:red", "c1 (hash bits)")):
        ax.axvline(summary["modes"][key], color=colour, linestyle="--", label=label)
    ax.set_xlabel("entry of W_in")
    ax.set_ylabel("entries (log)")
    ax.set_title(f"Histogram of W_in: snap fraction {summary['snap_fraction']:.3f}")
    ax.legend()
    save(fig, os.path.join(folder, "w_in_histogram.png"))

    counts = np.array([int(r["hash_count"]) for r in read_csv(os.path.join(folder,
                                                                           "hash_counts.csv"))])
    fig, ax = plt.subplots(figsize=(7, 4))
    edges = np.arange(counts.min() - 0.5, counts.max() + 1.5)
    ax.hist(counts, bins=edges, color="tab:gray", edgecolor="black", linewidth=0.3)
    ax.axvline(summary["hash_count_optimum"], color="tab:red", linestyle="--",
               label=f"optimum (d/k) ln 2 = {summary['hash_count_optimum']:.1f}")
    ax.axvline(summary["hash_count_mean"], color="tab:blue", linestyle=":",
               label=f"mean {summary['hash_count_mean']:.2f}")
    ax.set_xlabel("hash bits |H^(t)| of a token")
    ax.set_ylabel("tokens")
    ax.set_title("Extracted hash bits per token")
    ax.legend()
    save(fig, os.path.join(folder, "hash_counts.png"))
    return summary


# --- the report -----------------------------------------------------------------------------

def draw_training(folder):
    log = read_csv(os.path.join(folder, "train_log.csv"))
    steps = [int(r["step"]) for r in log]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(steps, [number(r["mse"]) for r in log], "o-", label="held-out eps (MSE)")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("eps")
    ax2 = ax.twinx()
    ax2.plot(steps, [number(r["topk_exact"]) for r in log], "s--", color="tab:orange",
             label="top-k exact")
    ax2.set_ylabel("top-k exact")
    ax.set_title("Reference run: held-out metrics during training")
    fig.legend(loc="center right")
    save(fig, os.path.join(folder, "training.png"))


def sweep_table(cells):
    """{method: {width: cell}} from report.json's sweep cells (means over seeds)."""
    table = {}
    for c in cells:
        table.setdefault(c["method"], {})[c["width"]] = c
    return table


def draw_sweep(folder, table, fits):
    fig, ax = plt.subplots(figsize=(8, 5))
    for method, (colour, marker, label) in METHOD_STYLE.items():
        if method not in table:
            continue
        widths = sorted(table[method])
        eps = [number(table[method][w]["mse"]) for w in widths]
        if method == "theory":
            ax.plot(widths, eps, "-", color=colour, linewidth=1, label=label)
        else:
            ax.plot(widths, eps, marker, color=colour, label=label)
        fit = next((f for f in fits if f["method"] == method), None)
        if fit and method != "theory":
            xs = np.linspace(min(widths), max(widths), 50)
            ax.plot(xs, np.exp(fit["intercept"] + fit["slope_per_width"] * xs), ":",
                    color=colour, linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("hidden width d")
    ax.set_ylabel("held-out eps (MSE), log scale")
    ax.set_title("eps against width (dotted: fits of ln eps linear in d)")
    ax.legend(fontsize=8)
    save(fig, os.path.join(folder, "eps_vs_width.png"))


def draw_fpr(folder):
    curve = read_csv(os.path.join(folder, "fpr_curve.csv"))
    n = [int(r["n"]) for r in curve]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.errorbar(n, [number(r["fpr_measured"]) for r in curve],
                yerr=[2 * number(r["fpr_stderr"]) for r in curve], fmt="o", label="measured (±2 se)")
    ax.plot(n, [number(r["fpr_theory"]) for r in curve], "-", label="(1 - (1 - 1/m)^(hn))^h")
    ax.plot(n, [number(r["fpr_distinct"]) for r in curve], "--",
            label="distinct positions (exact law)")
    ax.set_yscale("log")
    ax.set_xlabel("keys n in the filter")
    ax.set_ylabel("false-positive rate")
    ax.set_title("Measured FPR against theory (m = 256, h = 6, V = 5000)")
    ax.legend()
    save(fig, os.path.join(folder, "fpr_vs_theory.png"))
    return curve


def relinked(markdown, subfolder):
    """A compare section's image links, made relative to the report directory."""
    return markdown.replace("](", f"]({subfolder}/").replace("### ", "### ", 1)


def write_report(folder):
    report = json.load(open(os.path.join(folder, "report.json")))
    draw_training(folder)
    trained = draw_reading(os.path.join(folder, "compare"))
    exact = draw_reading(os.path.join(folder, "compare_exact"))
    fits = report["sweep"]["fits"]
    table = sweep_table(report["sweep"]["cells"])
    draw_sweep(folder, table, fits)
    curve = draw_fpr(folder)
    ref = report["reference"]
    cfg = ref["config"]
    sweep = report["sweep"]
    lines = []
    add = lines.append
    add("# bloomnet report: do neural networks learn Bloom filters?\n")
    add(f"Written by `bloomnet report{' --quick' if report['quick'] else ''}` "
        f"({report['kernels']} kernels, {report['bench']['threads']} threads, "
        f"{report['seconds']['total_before_render']:.0f} s). Every number below is from this run; "
        "the data files sit beside this page.\n")

    add("## The three claims\n")
    add("| claim | answer | evidence |\n|---|---|---|")
    for v in report["verdicts"]:
        add(f"| {v['claim']} ({v['rule']}) | **{v['answer']}** | {v['evidence']} |")
    add("")

    add("## The reference run\n")
    add(f"V = {cfg['V']}, k = {cfg['k']}, d = {cfg['d']}, {cfg['optimizer']} lr {cfg['lr']}, "
        f"{cfg['loss']} loss, batch {cfg['batch']}, {cfg['steps']} steps "
        f"({ref['ms_per_step']:.2f} ms per step). Held-out ({ref['sets']} sets): eps "
        f"{ref['mse']:.4g}, top-k exact {ref['topk_exact']:.3f}, false positives per set "
        f"{ref['false_positives_mean']:.3f}, recall {ref['recall']:.3f}.\n")
    add("![held-out metrics during training](training.png)\n")

    add("## Reading the networks as Bloom filters\n")
    for sub in ("compare", "compare_exact"):
        add(relinked(open(os.path.join(folder, sub, "COMPARE.md")).read(), sub))
    add("### Agreement table\n")
    add("| | snap fraction | form | hash bits / token | union accuracy | positives = filter "
        "(exact match) | mean Jaccard | FPR of its hashes | random-filter FPR | eps |")
    add("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in (("trained", trained), ("exact construction", exact)):
        add(f"| {name} | {r['snap_fraction']:.3f} | {r['form']} | {r['hash_count_mean']:.2f} | "
            f"{r['union_accuracy']:.4f} | {r['agreement_exact_match']:.4f} | "
            f"{r['agreement_jaccard']:.4f} | {fmt(r['filter_fpr_measured'])} | "
            f"{fmt(r['fpr_theory'])} | {fmt(r['metrics']['mse'], 4)} |")
    add("")
    add(f"The exact construction's hashes were recovered exactly: "
        f"{'yes' if exact.get('hashes_recovered') else 'NO'}.\n")
    comp = report["compile"]
    add(f"Compiled into a {comp['m']}-bit filter ({comp['filter_bytes']} bytes of masks), the "
        f"trained net's hashes answer a whole-vocabulary query in {comp['filter_ns_per_query']:.0f} ns "
        f"against {comp['network_ns_per_query']:.0f} ns for the float network "
        f"({comp['speedup']:.1f}x), with the same positive set in "
        f"{100 * comp['agreement_exact_match']:.1f}% of held-out sets (mean Jaccard "
        f"{comp['agreement_jaccard']:.3f}).\n")

    add("## Width scaling\n")
    add(f"V = {sweep['V']}, k = {sweep['k']}; trained nets: Adam, {sweep['training']}; "
        f"{sweep['eval_sets']} held-out sets per point. A fixed budget per width: where the last "
        f"quarter of training still lowered eps by more than {100 * sweep['still_improving_gain']:.0f}% "
        "the row is marked as still improving (an optimisation limit, not the law).\n")
    add("![eps against width](eps_vs_width.png)\n")
    methods = [m for m in METHOD_STYLE if m in table]
    widths = sorted({w for m in methods for w in table[m]})
    add("| d | " + " | ".join(methods) + " |")
    add("|---|" + "---|" * len(methods))
    for w in widths:
        cells = []
        for m in methods:
            c = table[m].get(w)
            if c is None:
                cells.append("n/a")
                continue
            hashes = number(c["hashes"]) if m in ("exact", "theory") else math.nan
            cells.append(fmt(number(c["mse"]))
                         + (f" (h={hashes:.0f})" if not math.isnan(hashes) else "")
                         + (" (still improving)" if c["still_improving"] else ""))
        add(f"| {w} | " + " | ".join(cells) + " |")
    add("")
    add("| method | points | ln eps vs d: slope, R^2 | ln eps vs ln d: slope, R^2 | better fit |")
    add("|---|---|---|---|---|")
    for f in fits:
        unresolved = f" (+{f['unresolved']} with eps below 1e-12, left out)" if f["unresolved"] else ""
        add(f"| {f['method']} | {f['points']}{unresolved} | {f['slope_per_width']:.4f}, "
            f"{f['r2_linear']:.3f} | {f['slope_log_log']:.3f}, {f['r2_log_log']:.3f} | {f['law']} |")
    add("")

    add("## A filter's false-positive rate against theory\n")
    fc = report["fpr_curve"]
    add(f"The exact construction's filter (V = {fc['V']}, m = {fc['m']}, h = {fc['h']}), "
        f"{fc['sets_per_point']} random sets per point.\n")
    add("![FPR against theory](fpr_vs_theory.png)\n")
    add("| keys n | measured FPR | classic theory | distinct-positions law |")
    add("|---|---|---|---|")
    for r in curve:
        add(f"| {r['n']} | {fmt(number(r['fpr_measured']))} ± {fmt(2 * number(r['fpr_stderr']), 2)} | "
            f"{fmt(number(r['fpr_theory']))} | {fmt(number(r['fpr_distinct']))} |")
    add("")

    add("## Benchmark summary\n")
    b = report["bench"]
    add(f"| measure | value |\n|---|---|\n| kernels | {b['kernels']} |\n"
        f"| threads | {b['threads']} |\n"
        f"| training step (V 1024, d 64, batch 256) | {b['train_ms_per_step']:.3f} ms |\n"
        f"| whole-vocabulary query, float network | {b['network_ns_per_query']:.0f} ns |\n"
        f"| whole-vocabulary query, compiled filter | {b['filter_ns_per_query']:.0f} ns |\n")
    add("The benchmark report (every layer against its peers, as dimensions scale) is "
        "`reports/BENCHMARKS.md`, written by `bench/run.sh`.\n")
    seconds = report["seconds"]
    add("Time per stage: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()) + ".\n")
    write_text(os.path.join(folder, "REPORT.md"), "\n".join(lines))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: render.py DIR (a bloomnet report or compare directory)")
    folder = sys.argv[1]
    if os.path.exists(os.path.join(folder, "report.json")):
        write_report(folder)
    elif os.path.exists(os.path.join(folder, "compare.json")):
        draw_reading(folder)
    else:
        sys.exit(f"render.py: {folder} holds neither report.json nor compare.json")


if __name__ == "__main__":
    main()
