#!/usr/bin/env bash
# The main job: builds bloomnet, constructs the exact network of a Bloom filter and evaluates it
# on held-out sets, then trains the reference network (V = 1024, k = 4, d = 64, 6000 Adam steps)
# and evaluates it the same way. Outputs land in runs/ (override with BLOOMNET_RUN_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target bloomnet_cli

bloomnet=build/release/cli/bloomnet
runs=${BLOOMNET_RUN_DIR:-runs}
out=$runs/exact
mkdir -p "$out" "$runs/trained"
echo "== constructing the exact network of a Bloom filter (V = 5000, m = 256, h = 6)" >&2
"$bloomnet" construct --vocab 5000 --width 256 --hashes 6 --out "$out/exact.safetensors" \
  > "$out/construct.json"
echo "== evaluating it on 4096 held-out sets of k = 16" >&2
"$bloomnet" eval --weights "$out/exact.safetensors" --k 16 --sets 4096 | tee "$out/eval.json"
/usr/bin/python3 - "$out/eval.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"\nExact net, V={r['V']} m={r['m']} h={r['h']} k={r['k']}, {r['sets']} held-out sets "
      f"({r['kernels']} kernels):")
print(f"  recall {r['recall']:.3f}   agreement with its Bloom filter {r['filter_agreement']:.3f}")
print(f"  FPR measured {r['fpr_measured']:.3g}  vs theory {r['fpr_theory']:.3g} (classic), "
      f"{r['fpr_theory_distinct']:.3g} (distinct positions)")
print(f"  false positives per set {r['false_positives_mean']:.2f}   eps (MSE) {r['mse']:.4g}   "
      f"top-k exact {r['topk_exact']:.3f}")
PY

trained=$runs/trained
echo "== training the reference network (V = 1024, k = 4, d = 64, Adam, 6000 steps)" >&2
"$bloomnet" train --vocab 1024 --k 4 --width 64 --loss ce --optimizer adam --lr 0.01 --batch 256 \
  --steps 6000 --log "$trained/log.csv" --out "$trained/reference.safetensors" \
  > "$trained/train.json"
/usr/bin/python3 - "$trained/train.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["train"]
print(f"\nTrained net, V={r['V']} d={r['d']} k={r['k']}, {t['steps']} steps in {t['seconds']:.1f} s "
      f"({t['steps_per_second']:.0f} steps/s, {r['kernels']} kernels), {r['sets']} held-out sets:")
print(f"  eps (MSE) {r['mse']:.4g}   top-k exact {r['topk_exact']:.3f}   "
      f"false positives per set {r['false_positives_mean']:.3f}   recall {r['recall']:.3f}")
PY
