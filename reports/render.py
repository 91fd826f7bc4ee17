#!/usr/bin/python3
"""Draws the figures of a bloomnet report and writes its REPORT.md.

    reports/render.py DIR

DIR is what `bloomnet report` wrote (report.json, train_log.csv, one <part>.csv per sweep,
fpr_curve.csv, frontier.csv, compare/, compare_exact/) or what `bloomnet compare --out DIR`
wrote (compare.json and the CSVs of its figures). Every number and every verdict in the markdown comes from those files: the
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


def measured(m, digits=3):
    """A Measured ({"value", "ci95"}) as "v [lo, hi]" (the value alone without an interval)."""
    if m is None or m.get("value") is None:
        return "n/a"
    lo, hi = m["ci95"]
    if lo is None or hi is None:
        return fmt(m["value"], digits)
    return f"{fmt(m['value'], digits)} [{fmt(lo, digits)}, {fmt(hi, digits)}]"


def value_of(m):
    return math.nan if m is None or m.get("value") is None else m["value"]


def errors_of(ms):
    """matplotlib yerr of Measured values: distances below and above (0 where unknown)."""
    below, above = [], []
    for m in ms:
        v = value_of(m)
        lo, hi = m["ci95"] if m else (None, None)
        below.append(v - lo if lo is not None else 0.0)
        above.append(hi - v if hi is not None else 0.0)
    return [below, above]


def by_method(cells):
    """{method: [cells in increasing width]}"""
    table = {}
    for c in cells:
        table.setdefault(c["method"], []).append(c)
    for cs in table.values():
        cs.sort(key=lambda c: c["width"])
    return table


def draw_width(folder, width):
    """Two views of eps against width: against d (an exponential is a line) up to the widths
    every method shares, and against ln d (a power law is a line) over every width."""
    table = by_method(width["cells"])
    fits = {f["method"]: f for f in width["fits"]}
    shared = max(c["width"] for c in width["cells"] if c["method"] in ("trained", "exact"))
    fig, (linear, log_log) = plt.subplots(1, 2, figsize=(12, 5))
    for ax, log_x in ((linear, False), (log_log, True)):
        for method, (colour, marker, label) in METHOD_STYLE.items():
            cells = [c for c in table.get(method, []) if log_x or c["width"] <= shared]
            if not cells:
                continue
            labelled = False
            for saturated in (False, True):
                cs = [c for c in cells if c["saturated"] == saturated and not c["unresolved"]]
                if not cs:
                    continue
                ax.errorbar([c["width"] for c in cs], [value_of(c["mse"]) for c in cs],
                            yerr=errors_of([c["mse"] for c in cs]),
                            fmt=(marker or "x") if method != "theory" else "-", color=colour,
                            mfc="none" if saturated else colour, capsize=2, linewidth=1,
                            label=None if labelled else label)
                labelled = True
            bounds = [c for c in cells if c["unresolved"] and c["mse_upper"] is not None]
            if bounds:
                ax.plot([c["width"] for c in bounds], [c["mse_upper"] for c in bounds], "v",
                        color=colour, mfc="none")
            fit = fits.get(method)
            if fit and len(fit["tail"]) >= 2 and method != "theory":
                tail = [w for w in fit["tail"] if log_x or w <= shared]
                if len(tail) >= 2:
                    xs = np.linspace(min(tail), max(tail), 50)
                    if fit["law"] == "polynomial":
                        ys = np.exp(fit["intercept_log_log"]
                                    + value_of(fit["slope_log_log"]) * np.log(xs))
                    else:
                        ys = np.exp(value_of(fit["intercept"]) + value_of(fit["slope_per_width"]) * xs)
                    ax.plot(xs, ys, ":", color=colour, linewidth=1.2)
        ax.axhline(width["no_information_mse"] / 2, color="gray", linestyle="--", linewidth=0.8,
                   label="half the no-information ceiling")
        ax.set_yscale("log")
        if log_x:
            ax.set_xscale("log")
        ax.set_xlabel("hidden width d" + (" (log)" if log_x else ""))
        ax.set_ylabel("held-out eps (MSE), log")
    linear.set_title("against d: an exponential law is a line")
    log_log.set_title("against ln d: a power law is a line")
    linear.legend(fontsize=7)
    fig.suptitle("eps against width (95% intervals over seeds and sets; hollow: saturated; "
                 "triangles: upper bounds; dotted: the fitted law)", fontsize=9)
    save(fig, os.path.join(folder, "eps_vs_width.png"))


def draw_scaling(folder, scaling):
    if not scaling:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    colours = {"trained": "tab:blue", "exact": "tab:green", "theory": "black"}
    for method, colour in colours.items():
        rows = [s for s in scaling if s["fit"]["method"] == method and s["V"] == 1024]
        if rows:
            left.errorbar([1 / s["k"] for s in rows], [value_of(s["fit"]["slope_per_width"]) for s in rows],
                          yerr=errors_of([s["fit"]["slope_per_width"] for s in rows]), fmt="o",
                          color=colour, capsize=2, label=method)
        rows = [s for s in scaling if s["fit"]["method"] == method and s["k"] == 4]
        if rows:
            right.errorbar([math.log(s["V"]) for s in rows], [value_of(s["fit"]["intercept"]) for s in rows],
                           yerr=errors_of([s["fit"]["intercept"] for s in rows]), fmt="o",
                           color=colour, capsize=2, label=method)
    ks = np.linspace(0.1, 0.55, 20)
    left.plot(ks, -(math.log(2) ** 2) * ks, "--", color="gray", label="random Bloom: -(ln 2)^2 / k")
    left.set_xlabel("1 / k")
    left.set_ylabel("tail slope of ln eps per unit of d")
    left.set_title("V = 1024: the slope against 1/k")
    left.legend(fontsize=8)
    right.set_xlabel("ln V")
    right.set_ylabel("intercept of the tail fit")
    right.set_title("k = 4: the intercept against ln V")
    right.legend(fontsize=8)
    save(fig, os.path.join(folder, "scaling.png"))


def draw_budget(folder, budget):
    if not budget:
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    for d in sorted({b["width"] for b in budget}):
        rows = sorted((b for b in budget if b["width"] == d), key=lambda b: b["steps"])
        ax.errorbar([b["steps"] for b in rows], [value_of(b["cell"]["mse"]) for b in rows],
                    yerr=errors_of([b["cell"]["mse"] for b in rows]), fmt="o-", capsize=2,
                    label=f"d = {d}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training steps (cosine schedule over the whole budget)")
    ax.set_ylabel("held-out eps")
    ax.set_title("The trained net's eps against its budget (95% intervals)")
    ax.legend()
    save(fig, os.path.join(folder, "budget.png"))


def draw_readings(folder, width):
    cells = [c for c in width["cells"] if c["method"] == "trained"]
    if not cells:
        return
    d = [c["width"] for c in cells]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label, style in (("agreement_jaccard", "the net's P(S)", "o-"),
                              ("oracle_jaccard", "perfect predictor P(S) = S", "s--"),
                              ("random_jaccard", "random filter", "^:")):
        left.errorbar(d, [value_of(c[key]) for c in cells], yerr=errors_of([c[key] for c in cells]),
                      fmt=style, capsize=2, label=label)
    left.set_xlabel("hidden width d")
    left.set_ylabel("mean Jaccard with the filter of H^")
    left.set_title("Agreement with its own filter, against the baselines")
    left.legend(fontsize=8)
    for key, label, style in (("snap_fraction", "snap fraction", "o-"),
                              ("union_accuracy", "union accuracy", "s-")):
        right.errorbar(d, [value_of(c[key]) for c in cells], yerr=errors_of([c[key] for c in cells]),
                       fmt=style, capsize=2, label=label)
    right.set_xlabel("hidden width d")
    right.set_title("Bimodality and union bits")
    right.legend(fontsize=8)
    save(fig, os.path.join(folder, "readings.png"))


def draw_variants(folder, variants):
    rows = [v for v in variants if v["cell"]["method"] == "trained"]
    if not rows:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    # The width sweep's d = 64 cell is the reference configuration the variants change.
    names = ["reference (ce2mse, cosine)" if v["part"] == "width" else v["part"] for v in rows]
    x = np.arange(len(rows))
    left.bar(x, [value_of(v["cell"]["mse"]) for v in rows],
             yerr=errors_of([v["cell"]["mse"] for v in rows]), capsize=3, color="tab:blue")
    left.set_yscale("log")
    left.set_xticks(x, names, rotation=30, ha="right", fontsize=7)
    left.set_ylabel("held-out eps")
    left.set_title("eps (95% intervals over seeds and sets)")
    right.bar(x, [value_of(v["cell"]["jaccard_over_oracle"]) for v in rows],
              yerr=errors_of([v["cell"]["jaccard_over_oracle"] for v in rows]), capsize=3,
              color="tab:orange")
    right.axhline(0, color="black", linewidth=0.8)
    right.set_xticks(x, names, rotation=30, ha="right", fontsize=7)
    right.set_ylabel("Jaccard minus the perfect predictor's")
    right.set_title("Agreement with its own filter beyond the oracle")
    save(fig, os.path.join(folder, "variants.png"))


def draw_frontier(folder, frontier):
    if not frontier:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for representation in ("trained net", "compiled filter", "exact net", "Bloom filter"):
        rows = sorted((p for p in frontier if p["representation"] == representation),
                      key=lambda p: p["d"])
        if not rows:
            continue
        # No false positive seen: the point is drawn at its 95% upper bound, as a triangle.
        seen = [value_of(p["fpr"]) > 0 for p in rows]
        fpr = [value_of(p["fpr"]) if s else p["fpr"]["ci95"][1] for p, s in zip(rows, seen)]
        for ax, x in ((left, [p["bytes"] for p in rows]), (right, [p["ns_per_query"] for p in rows])):
            line, = ax.plot(x, fpr, "-", label=representation)
            shown = [i for i, s in enumerate(seen) if s]
            ax.errorbar([x[i] for i in shown], [fpr[i] for i in shown],
                        yerr=errors_of([rows[i]["fpr"] for i in shown]), fmt="o",
                        color=line.get_color(), capsize=2)
            ax.plot([x[i] for i, s in enumerate(seen) if not s],
                    [fpr[i] for i, s in enumerate(seen) if not s], "v", color=line.get_color())
    for ax, label in ((left, "bytes the query reads"), (right, "ns per whole-vocabulary query")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("FPR of the positive set")
        ax.legend(fontsize=8)
    fig.suptitle("95% intervals over held-out sets; triangles: no false positive seen, drawn at "
                 "the 95% upper bound", fontsize=9)
    left.set_title("Accuracy against memory, as d grows")
    right.set_title("Accuracy against time, as d grows")
    save(fig, os.path.join(folder, "frontier.png"))


def draw_fpr(folder):
    curve = read_csv(os.path.join(folder, "fpr_curve.csv"))
    n = [int(r["n"]) for r in curve]
    fig, ax = plt.subplots(figsize=(7, 4))
    measured_fpr = [number(r["fpr_measured"]) for r in curve]
    ax.errorbar(n, measured_fpr,
                yerr=[[f - number(r["fpr_lo"]) for f, r in zip(measured_fpr, curve)],
                      [number(r["fpr_hi"]) - f for f, r in zip(measured_fpr, curve)]], fmt="o",
                label="measured (95% interval over sets)")
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


def cell_text(c):
    if c["unresolved"] and c["mse_upper"] is not None:
        return f"<= {fmt(c['mse_upper'])} (a bound: too few false positives)"
    text = measured(c["mse"])
    return text + (" (saturated)" if c["saturated"] else "")


def write_report(folder):
    report = json.load(open(os.path.join(folder, "report.json")))
    draw_training(folder)
    trained = draw_reading(os.path.join(folder, "compare"))
    exact = draw_reading(os.path.join(folder, "compare_exact"))
    width = report["width"]
    draw_width(folder, width)
    draw_scaling(folder, report["scaling"])
    draw_budget(folder, report["budget"])
    draw_readings(folder, width)
    draw_variants(folder, report["variants"])
    draw_frontier(folder, report["frontier"])
    curve = draw_fpr(folder)
    parts = {p["name"]: p for p in report["parts"]}
    main = parts["width"]
    ref = report["reference"]
    cfg = ref["config"]
    lines = []
    add = lines.append
    scale = report["scale"]
    add("# bloomnet report: do neural networks learn Bloom filters?\n")
    add(f"Written by `bloomnet report --scale {scale}` ({report['kernels']} kernels, "
        f"{report['threads']} threads, {report['jobs']} sweep points side by side, "
        f"{report['seconds']['total_before_render']:.0f} s). Every number below is from this "
        "run; the data files sit beside this page.")
    if scale != "full":
        add(f" **This is the {scale} scale: a smaller grid than the reference study "
            "(`bloomnet report --full`), with its own intervals.**")
    add("\n**Intervals.** Every `[lo, hi]` and `±` is a 95% interval: over the held-out sets for "
        "one network; over seeds and sets for a (method, width) cell (Student's t over the "
        f"seeds, {main['seeds']} per point, whose spread contains each seed's noise over sets; "
        "one seed: 1.96 standard errors over sets); a bootstrap over seeds and sets for fitted "
        "slopes and curvatures.\n")

    add("## The claims\n")
    add("| claim (rule) | answer | evidence |\n|---|---|---|")
    for v in report["verdicts"]:
        add(f"| {v['claim']} ({v['rule']}) | **{v['answer']}** | {v['evidence']} |")
    add("")

    add("## The reference run\n")
    add(f"V = {cfg['V']}, k = {cfg['k']}, d = {cfg['d']}, {cfg['optimizer']} lr {cfg['lr']}, "
        f"{cfg['loss']} loss, {cfg['schedule']} schedule, batch {cfg['batch']}, {cfg['steps']} "
        f"steps ({ref['ms_per_step']:.2f} ms per step)"
        + ("; the same configuration and seed as the width sweep's trained point at d = 64, "
           "seed 0, so the same net" if cfg["steps"] == main["steps"] else "")
        + f". Held-out ({ref['sets']} sets): eps {fmt(ref['mse'], 4)} ± "
        f"{fmt(1.96 * ref['mse_se'], 2)}, top-k exact {ref['topk_exact']:.3f} ± "
        f"{fmt(1.96 * ref['topk_exact_se'], 2)}, recall {ref['recall']:.3f}; tokens outside S "
        f"with a logit at least the least in S: {fmt(ref['false_positives_mean'], 3)} per set "
        f"(a count of its own, not the positive set P(S)).\n")
    add("![held-out metrics during training](training.png)\n")

    add("## Reading the networks as Bloom filters\n")
    for sub in ("compare", "compare_exact"):
        add(relinked(open(os.path.join(folder, sub, "COMPARE.md")).read(), sub))
    add(f"The exact construction's hashes were recovered exactly: "
        f"{'yes' if exact.get('hashes_recovered') else 'NO'}.\n")
    comp = report["compile"]
    add(f"Compiled into a {comp['m']}-bit filter ({comp['filter_bytes']} bytes of masks), the "
        f"trained net's hashes answer a whole-vocabulary query in {comp['filter_ns_per_query']:.0f} ns "
        f"against {comp['network_ns_per_query']:.0f} ns for the float network "
        f"({comp['speedup']:.1f}x, one timing on a shared machine), with the same positive set in "
        f"{100 * comp['agreement_exact_match']:.1f}% of {comp['sets']} held-out sets (mean Jaccard "
        f"{comp['agreement_jaccard']:.3f}).\n")

    add("## Width scaling\n")
    add(f"V = {main['V']}, k = {main['k']}; trained nets: Adam, {main['training']}; "
        f"{main['seeds']} seeds per point; at least {main['eval_sets']} held-out sets per point, "
        f"more (up to {main['max_eval_sets']}) until 100 false positives are seen. A width is "
        f"saturated where the mean eps exceeds half the no-information ceiling "
        f"(1/k - 1/V = {fmt(width['no_information_mse'])}) and left out of the fits; the exact "
        "construction's h is chosen on training sets, then measured on the held-out sets.\n")
    add("![eps against width](eps_vs_width.png)\n")
    table = by_method(width["cells"])
    methods = [m for m in METHOD_STYLE if m in table]
    widths = sorted({c["width"] for c in width["cells"]})
    cells = {(c["method"], c["width"]): c for c in width["cells"]}
    add("| d | " + " | ".join(methods) + " |")
    add("|---|" + "---|" * len(methods))
    for w in widths:
        row = []
        for m in methods:
            c = cells.get((m, w))
            row.append("" if c is None else cell_text(c)
                       + (f" (h={value_of(c['hashes']):.0f})" if m in ("exact", "theory") and value_of(c["hashes"]) else ""))
        add(f"| {w} | " + " | ".join(row) + " |")
    add("")
    add("| method | tail widths | slope of ln eps per unit of d | C = -1/slope | slope of ln eps "
        "against ln d | curvature against d | curvature against ln d | law |")
    add("|---|---|---|---|---|---|---|---|")
    for f in width["fits"]:
        add(f"| {f['method']} | {', '.join(str(w) for w in f['tail'])} "
            f"({f['saturated']} saturated, {f['unresolved']} unresolved left out) | "
            f"{measured(f['slope_per_width'], 3)} | {measured(f['width_per_nat'], 3)} | "
            f"{measured(f['slope_log_log'], 3)} | {measured(f['curvature_linear'], 2)} | "
            f"{measured(f['curvature_log_log'], 2)} | **{f['law']}** ({f['reason']}) |")
    add("\nThe law (`lib/include/bloomnet/sweep_fit.hpp`): an exponential is straight against d "
        "and bends down against ln d; a power law is straight against ln d and bends up against d. "
        "Curvatures are the quadratic coefficients of ln eps in the standardized width (or ln "
        "width) over the tail widths, which start above the widest saturated width. Each "
        "curvature is read twice: on eps, and on eps corrected for a gradual approach to the "
        "ceiling (t = eps c / (c - eps), exact for a filter's f / (k (k + f))), since which one "
        "is right depends on how eps meets the ceiling. A law is called when its pattern (its "
        "bend at 95%, no opposite bend at 99.9%) shows in one reading, the other law's in "
        "neither, its bend shows at 99.9% in both, and every tail width has two seeds or more; "
        "otherwise it is undecided. The rule's tests (`proptests/verdicts_props.cpp`) generate "
        "2000 exponential and power laws with noise, saturation and few or many widths: it names "
        "the wrong law in none of them (at most 5 allowed) and decides 485; it decides 500 "
        "clean laws of 500.\n")

    add("## Beyond the essay\n")
    if report["scaling"]:
        add("### a. The tail slope against k, the intercept against V\n")
        add("![scaling](scaling.png)\n")
        add("| part | V | k | method | tail widths | slope per unit of d | slope x k | random "
            "Bloom -(ln 2)^2 / k | C | intercept | law |")
        add("|---|---|---|---|---|---|---|---|---|---|---|")
        for s in report["scaling"]:
            f = s["fit"]
            sk = {"value": value_of(f["slope_per_width"]) * s["k"],
                  "ci95": [None if x is None else x * s["k"] for x in f["slope_per_width"]["ci95"]]}
            add(f"| {s['part']} | {s['V']} | {s['k']} | {f['method']} | "
                f"{', '.join(str(w) for w in f['tail'])} | {measured(f['slope_per_width'], 3)} | "
                f"{measured(sk, 3)} | {s['random_slope']:.4f} | {measured(f['width_per_nat'], 3)} | "
                f"{measured(f['intercept'], 3)} | {f['law']} |")
        add("")
    if report["budget"]:
        add("### b. The training budget\n")
        add("![budget](budget.png)\n")
        steps = sorted({b["steps"] for b in report["budget"]})
        add("| d | " + " | ".join(f"{s} steps" for s in steps) + " |")
        add("|---|" + "---|" * len(steps))
        for d in sorted({b["width"] for b in report["budget"]}):
            row = {b["steps"]: b["cell"] for b in report["budget"] if b["width"] == d}
            add(f"| {d} | " + " | ".join(measured(row[s]["mse"]) if s in row else "" for s in steps)
                + " |")
        slopes = {b["steps"]: b for b in report.get("budget_slopes", [])}
        if slopes:
            tail = next(iter(slopes.values()))["tail"]
            add(f"| slope of ln eps per unit of d, d {tail[0]} to {tail[-1]} | "
                + " | ".join(measured(slopes[s]["slope_per_width"], 3) if s in slopes else ""
                             for s in steps) + " |")
        add("\nEach budget is its own run (the cosine schedule spans the whole budget), "
            f"{main['seeds']} seeds each; a random Bloom filter's slope is -(ln 2)^2 / k = "
            f"{-(math.log(2) ** 2) / report['k']:.3f}.\n")
    add("### c. The trained network read at every width\n")
    add("![readings](readings.png)\n")
    add("| d | snap fraction | hash bits per token | union accuracy | Jaccard with its filter | "
        "perfect predictor's | random filter's | exact match | perfect predictor's |")
    add("|---|---|---|---|---|---|---|---|---|")
    for c in table.get("trained", []):
        add(f"| {c['width']} | {measured(c['snap_fraction'])} | {measured(c['hashes'], 3)} | "
            f"{measured(c['union_accuracy'], 4)} | {measured(c['agreement_jaccard'], 4)} | "
            f"{measured(c['oracle_jaccard'], 4)} | {measured(c['random_jaccard'], 4)} | "
            f"{measured(c['agreement_exact_match'])} | {measured(c['oracle_exact_match'])} |")
    add("")
    if report["variants"]:
        add("### d, e. The loss and schedule, and other task distributions (d = 64)\n")
        add("![variants](variants.png)\n")
        add("| part | method | training | tokens | eps | top-k exact | snap fraction | hash bits | "
            "union accuracy | Jaccard with its filter | minus the perfect predictor's |")
        add("|---|---|---|---|---|---|---|---|---|---|---|")
        for v in report["variants"]:
            c = v["cell"]
            tokens = (f"k {v['k']}-{v['k_max']}" if v["k_max"] else f"k {v['k']}") + (
                f", Zipf {v['zipf']:g}" if v["zipf"] else "")
            trained_only = c["method"] == "trained"
            add(f"| {v['part']} | {c['method']} | {v['training'] if trained_only else ''} | "
                f"{tokens} | {measured(c['mse'])} | {measured(c['topk_exact'])} | "
                + (f"{measured(c['snap_fraction'])} | {measured(c['hashes'], 3)} | "
                   f"{measured(c['union_accuracy'], 4)} | {measured(c['agreement_jaccard'], 4)} | "
                   f"{measured(c['jaccard_over_oracle'], 3)} |" if trained_only
                   else f" | {fmt(value_of(c['hashes']))} | | | |"))
        add("")
    if report["frontier"]:
        add("### f. Accuracy against memory and time\n")
        add("![frontier](frontier.png)\n")
        add("| d | representation | bytes | ns per whole-vocabulary query | FPR |")
        add("|---|---|---|---|---|")
        for p in sorted(report["frontier"], key=lambda p: (p["d"], p["representation"])):
            add(f"| {p['d']} | {p['representation']} | {p['bytes']:.0f} | {p['ns_per_query']:.0f} | "
                f"{measured(p['fpr'])} |")
        add("\nTimes are one measurement each on a shared machine; FPRs carry 95% intervals over "
            "held-out sets.\n")

    add("## A filter's false-positive rate against theory\n")
    fc = report["fpr_curve"]
    add(f"The exact construction's filter (V = {fc['V']}, m = {fc['m']}, h = {fc['h']}), "
        f"{fc['sets_per_point']} random sets per point; [lo, hi] is a 95% interval over the sets "
        "(below 100 false positives its upper end is the Poisson bound).\n")
    add("![FPR against theory](fpr_vs_theory.png)\n")
    add("| keys n | measured FPR | classic theory | distinct-positions law |")
    add("|---|---|---|---|")
    for r in curve:
        fpr = {"value": number(r["fpr_measured"]), "ci95": [number(r["fpr_lo"]), number(r["fpr_hi"])]}
        add(f"| {r['n']} | {measured(fpr)} | "
            f"{fmt(number(r['fpr_theory']))} | {fmt(number(r['fpr_distinct']))} |")
    add("")

    add("## Benchmark summary\n")
    b = report["bench"]
    add(f"| measure | value |\n|---|---|\n| kernels | {b['kernels']} |\n"
        f"| threads | {b['threads']} |\n"
        f"| training step (V 1024, d 64, batch 256) | {b['train_ms_per_step']:.3f} ms |\n"
        f"| whole-vocabulary query, float network | {b['network_ns_per_query']:.0f} ns |\n"
        f"| whole-vocabulary query, compiled filter | {b['filter_ns_per_query']:.0f} ns |\n")
    add("One timing each, on a shared machine. The benchmark report (every layer against its "
        "peers, as dimensions scale) is `reports/BENCHMARKS.md`, written by `bench/run.sh`.\n")
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
