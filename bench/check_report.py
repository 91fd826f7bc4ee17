#!/usr/bin/python3
"""reports/BENCHMARKS.md must be what bench/render.py makes of the committed JSON beside it
(reports/bench/*.json): a hand edit of the report, or a renderer changed without rendering again,
fails here with the first lines that differ. The plots are drawn in a temporary folder and left
out of the comparison (their bytes depend on matplotlib's version).

  bench/check_report.py [REPORTS_DIR]   (default: the reports/ beside this file's folder)
"""
import difflib
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    reports = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(HERE), "reports")
    committed = os.path.join(reports, "BENCHMARKS.md")
    data = sorted(glob.glob(os.path.join(reports, "bench", "*.json")))
    if not os.path.exists(committed) or not data:
        sys.exit(f"check_report: no {committed} or no JSON in {os.path.join(reports, 'bench')}")
    with tempfile.TemporaryDirectory() as work:
        os.mkdir(os.path.join(work, "bench"))
        for path in data:
            shutil.copy(path, os.path.join(work, "bench"))
        rendered = os.path.join(work, "BENCHMARKS.md")
        subprocess.run([sys.executable, os.path.join(HERE, "render.py"),
                        os.path.join(work, "bench"), rendered], check=True)
        with open(committed) as a, open(rendered) as b:
            want, got = a.read().splitlines(), b.read().splitlines()
    if want != got:
        diff = list(difflib.unified_diff(want, got, committed, "rendered from its JSON", lineterm=""))
        print("\n".join(diff[:40]))
        sys.exit(f"check_report: {committed} differs from what bench/render.py makes of "
                 f"{os.path.join(reports, 'bench')} ({len(diff)} diff lines): render it again")
    print(f"check_report: {committed} is the rendering of its {len(data)} JSON files")


if __name__ == "__main__":
    main()
