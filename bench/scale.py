"""Scale bench: the whole report and the detectors on synthetic corpora of 5, 50, 500 and 1,000 articles.

Run from the repo root: `.venv/bin/python bench/scale.py` (about ten minutes). For each size it builds a corpus
(bench/synthetic.py) in a temp folder, builds the report from it as a researcher would
(`PARLER_CORPUS=<folder> python -m helpers report --out <tmp>`) under `/usr/bin/time` (peak memory of the build and
its kernels), and records each notebook's time, the total, and every page's size. Then it times `detect_all` on
100 and 1,000 of the articles, on one core and on all. Prints a table and writes bench/scale-results.json
(git-ignored). Targets (issue 15): each notebook <= 60 s, the report <= 180 s, each page <= 3 MB, peak memory
<= 1 GB, detectors on all cores <= 0.6 x one core, x10 articles <= x11 detector time. Failed targets are
reported; the exit code stays 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import build_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "scale-results.json"
SIZES = (5, 50, 500, 1000)
DETECT_SIZES = (100, 1000)
TIME = Path("/usr/bin/time")
TARGETS = {"notebook_seconds_max": 60.0, "report_seconds_max": 180.0, "page_bytes_max": 3_000_000,
           "peak_bytes_max": 1_000_000_000, "parallel_over_serial_max": 0.6, "x10_time_ratio_max": 11.0}


def say(message: str) -> None:
    """Print a progress line at once."""
    print(message, flush=True)


def build_report(corpus: Path, out: Path) -> dict[str, Any]:
    """Build the report from `corpus` in a child process; return times, page sizes and peak memory."""
    measure = out.parent / f"{out.name}.time"
    command = [sys.executable, "-m", "helpers", "report", "--out", str(out)]
    if TIME.exists():
        command = [str(TIME), "-f", "%M", "-o", str(measure), *command]
    env = {**os.environ, "PARLER_CORPUS": str(corpus)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    per_notebook = {name: float(s) for name, s in re.findall(r"running (\S+) \.\.\. ([0-9.]+) s", done.stdout)}
    pages = {page.name: page.stat().st_size for page in sorted(out.glob("*.html"))} if out.is_dir() else {}
    peak = int(measure.read_text().split()[-1]) * 1024 if measure.exists() and done.returncode == 0 else None
    return {"ok": done.returncode == 0, "error": (done.stdout + done.stderr)[-2000:] if done.returncode else "",
            "seconds": seconds, "per_notebook_seconds": per_notebook, "page_bytes": pages, "peak_bytes": peak}


def bench_detectors(corpus: Path) -> dict[str, Any]:
    """Time detect_all on the first 100 and all 1,000 articles, one core and all cores; check the rows agree."""
    from helpers.annotate.annotations import codebook_path, load_codebook
    from helpers.annotate.detect import detect_all, usable_cores
    from helpers.corpus import load_articles

    articles = load_articles(corpus)
    codebook = load_codebook(codebook_path(corpus))
    texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
    detect_all(dict(list(texts.items())[:5]), codebook)  # warm-up: compiled rules, word caches
    result: dict[str, Any] = {"cores": usable_cores()}
    for size in DETECT_SIZES:
        part = dict(list(texts.items())[:size])
        timings = {}
        for label, jobs in (("serial", 1), ("parallel", None), ("serial_again", 1), ("parallel_again", None)):
            start = time.perf_counter()
            rows = detect_all(part, codebook, jobs=jobs)
            timings[label] = time.perf_counter() - start
            if label == "serial":
                serial_rows = rows
            elif not rows.equals(serial_rows):
                raise AssertionError(f"detect_all on {size} articles: jobs={jobs} gives other rows than one core")
        result[size] = {"serial": min(timings["serial"], timings["serial_again"]),
                        "parallel": min(timings["parallel"], timings["parallel_again"]), "rows": len(serial_rows)}
    return result


def main() -> int:
    """Run the scale bench; print the curve; write bench/scale-results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="articles per corpus, comma-separated")
    parser.add_argument("--detectors-only", action="store_true", help="skip the report builds")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[str, Any] = {"targets": TARGETS, "load_average_start": list(os.getloadavg()), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="parler-scale-") as work:
        work_dir = Path(work)
        for size in sizes:
            corpus = build_corpus(ROOT / "corpus", work_dir / f"corpus-{size}", size)
            if args.detectors_only:
                continue
            say(f"{size} articles: building the report ...")
            run = build_report(corpus, work_dir / f"report-{size}")
            results["sizes"][size] = run
            slowest = max(run["per_notebook_seconds"].values(), default=float("nan"))
            largest = max(run["page_bytes"].values(), default=0)
            peak = (run["peak_bytes"] or 0) / 1e6
            say(f"  {'built' if run['ok'] else 'FAILED'} in {run['seconds']:.1f} s; slowest notebook {slowest:.1f} s; "
                f"largest page {largest / 1e6:.2f} MB; peak memory {peak:.0f} MB")
            if not run["ok"]:
                say(run["error"])
        if max(sizes) >= max(DETECT_SIZES):
            say("detectors: one core vs all cores ...")
            results["detectors"] = bench_detectors(work_dir / f"corpus-{max(sizes)}")
    results["load_average_end"] = list(os.getloadavg())
    report(results, [] if args.detectors_only else sizes)
    RESULTS.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


def report(results: dict[str, Any], sizes: list[int]) -> None:
    """Print the cost curve as ratios to the smallest corpus, and the detector figures, with verdicts."""
    runs, base = results["sizes"], results["sizes"].get(sizes[0] if sizes else None)
    if sizes:
        say("\narticles | slowest notebook s | report s (x smallest) | largest page MB (x) | peak MB | verdict")
    for size in sizes:
        run = runs[size]
        assert base is not None
        slowest = max(run["per_notebook_seconds"].values(), default=float("nan"))
        page = max(run["page_bytes"].values(), default=0)
        peak = run["peak_bytes"] or 0
        ok = (run["ok"] and slowest <= TARGETS["notebook_seconds_max"] and run["seconds"] <= TARGETS[
            "report_seconds_max"] and page <= TARGETS["page_bytes_max"] and peak <= TARGETS["peak_bytes_max"])
        base_page = max(base["page_bytes"].values(), default=1)
        say(f"{size:8} | {slowest:18.1f} | {run['seconds']:6.1f} ({run['seconds'] / base['seconds']:4.2f}x)"
            f"{'':8} | {page / 1e6:6.2f} ({page / base_page:4.2f}x){'':6} | {peak / 1e6:7.0f} | "
            f"{'PASS' if ok else 'FAIL'}")
    if "detectors" in results:
        detectors = results["detectors"]
        small, large = (detectors[size] for size in DETECT_SIZES)
        share = large["parallel"] / large["serial"]
        growth = large["serial"] / small["serial"]
        say(f"\ndetect_all on {detectors['cores']} cores: {DETECT_SIZES[1]} articles {large['serial']:.2f} s on one "
            f"core, {large['parallel']:.2f} s on all = {share:.2f} of one core "
            f"({'PASS' if share <= TARGETS['parallel_over_serial_max'] else 'FAIL'} <= 0.6); "
            f"x10 articles = x{growth:.2f} time ({'PASS' if growth <= TARGETS['x10_time_ratio_max'] else 'FAIL'}"
            " <= 11)")


if __name__ == "__main__":
    sys.exit(main())
