#!/usr/bin/env bash
# The main job: builds bloomnet and runs `bloomnet report`, the headline experiments end to end
# (the reference training run, the exact construction, both read as Bloom filters, the trained net
# compiled to a filter, the width sweep with its fits, a filter's FPR against theory, a benchmark
# summary), then prints where REPORT.md and its figures are. About 6 minutes on 2 cores.
#   scripts/run.sh                  the full report into reports/latest
#   scripts/run.sh --quick          every stage smaller (about 1 minute)
#   BLOOMNET_REPORT_DIR=DIR scripts/run.sh   another destination
# Further options go to `bloomnet report` (see bloomnet report --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target bloomnet_cli

out=${BLOOMNET_REPORT_DIR:-reports/latest}
build/release/cli/bloomnet report --out "$out" "$@" >/dev/null
echo "report: $out/REPORT.md" >&2
sed -n '/^## The three claims/,/^## The reference run/p' "$out/REPORT.md" | head -n -1
