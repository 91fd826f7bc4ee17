#!/usr/bin/env bash
# The main job: builds bloomnet and runs `bloomnet report`, the study end to end (the reference
# training run, the exact construction, both read as Bloom filters, the trained net compiled to a
# filter, the width sweeps over seeds with their fits and verdicts, the studies beyond the essay,
# the accuracy/compute frontier, a filter's FPR against theory, a benchmark summary), then prints
# the verdicts and where REPORT.md and its figures are.
#   scripts/run.sh                  the default scale: the width study and its laws, the
#                                   budget and the ablation on a smaller grid, with intervals
#                                   (27 minutes on 2 cores of an Intel Xeon VM; 7.5 on an
#                                   AMD EPYC's) into reports/latest
#   scripts/run.sh --full           the whole study (47 minutes on the AMD EPYC): what
#                                   reports/reference holds
#   scripts/run.sh --quick          every stage tiny (37 s on the Xeon)
#   BLOOMNET_REPORT_DIR=DIR scripts/run.sh   another destination
# Further options go to `bloomnet report` (see bloomnet report --help). Sweep points run two
# side by side (--jobs 2): a small network cannot use both cores alone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target bloomnet_cli

out=${BLOOMNET_REPORT_DIR:-reports/latest}
build/release/cli/bloomnet report --jobs 2 --out "$out" "$@" >/dev/null
echo "report: $out/REPORT.md" >&2
sed -n '/^## The claims/,/^## The reference run/p' "$out/REPORT.md" | head -n -1
