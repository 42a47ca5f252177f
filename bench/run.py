"""Benchmark the report build, the annotators and the built pages; print a table, write bench/results.json.

Run from the repo root: `.venv/bin/python bench/run.py` (about four minutes). The machine is shared and noisy,
so every figure that is judged is a RATIO of two timings taken in this same run, or a time whose target is
far from the noise; the load average before and after is recorded so a noisy run can be recognised.

1. Report build: `build_report` on notebooks/ vs. the same number of trivial notebooks (each only
   `import pandas, altair, ipywidgets`) built the same way. Target: real / floor <= 1.5.
2. Annotation cost: the five clean texts replicated x1, x20, x200 under unique ids, through `detect_all`
   (also `sentences_frame` and `lemma_counts(by="article_id")`). Warm-up reported separately. Targets:
   detect_all x200 <= 10 s on one core; x200/x20 <= 11, judged as the fastest x200 run over the fastest x20 run
   (each x200 run is taken between two x20 runs, and those bracketed ratios are reported to show the spread).
   Judged on wall time and, alongside, on process CPU time, which leaves out time spent waiting for a core
   (CPU/wall well below 1 means the run was disturbed) but still varies with shared caches and clock speed.
3. Pages of the built report: bytes (target <= 2.5 MB) and time from navigation start to the first
   `.vega-embed svg` in headless Chromium, every non-file request aborted (target <= 2 s).
4. Detector quality in sample (the five articles), on the dev set (written for testing, tuned on) and on the test
   set (written for testing, held out): P/R/F1 per layer, quote speaker accuracy, name variants flagged.
   Targets on the test set: facts per article F1 >= 0.90, speaker accuracy >= 0.90, every variant flagged; and
   no drop in sample from the figures before the detectors were generalised (IN_SAMPLE_BEFORE).

A failed target is reported, not turned into a failing exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import importlib.metadata
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULTS = Path(__file__).resolve().parent / "results.json"
CHROMIUM = Path("/usr/bin/chromium")
# From ../shared/STACK.md ("Browser tests").
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FLOOR_SOURCE = "import pandas, altair, ipywidgets"
SCALES = (1, 20, 200)
SMALL_REPEATS = 3  # at least 3 runs for x1 and x20; x200 runs --large-repeats times (default 5)
CHART_SELECTOR = ".vega-embed svg"  # actions are off (helpers.present.charts.EMBED_OPTIONS): the only svg is the chart

TARGETS = {
    "build_ratio_max": 1.5,
    "detect_x200_seconds_max": 10.0,
    "detect_x200_over_x20_max": 11.0,
    "page_bytes_max": 2_500_000,  # 2.5 MB, decimal: the stricter reading
    "first_chart_ms_max": 2000.0,
    "unchanged_rebuild_seconds_max": 5.0,
    "test_facts_f1_min": 0.90,
    "test_speaker_accuracy_min": 0.90,
}
# The detectors in sample before they were generalised (issue 16), the floor "no drop on the five seeds" is judged by:
# F1 = 2 tp / (2 tp + fp + fn) with that run's counts (facts per article 44/0/1, per span 70/3/3; labels 65/2/11;
# quotes 15/0/2, all 15 speakers right; actors 212/0/0).
IN_SAMPLE_BEFORE = {"facts_f1_article": 88 / 89, "facts_f1_span": 140 / 146, "actors_f1": 1.0, "labels_f1": 130 / 143,
                    "quotes_f1": 30 / 32, "speaker_accuracy": 1.0}
CHANGED_NOTEBOOK = "01-compare-coverage.ipynb"  # the longest to run: the "one notebook changed" figure's worst case

# Records, from navigation start (performance.now()), when the first chart and then every chart has an svg.
_OBSERVER_JS = """
(() => {
  const bench = window.__bench = {first: null, all: null};
  const check = () => {
    if (bench.first === null && document.querySelector(SELECTOR)) bench.first = performance.now();
    if (bench.all === null && document.readyState !== "loading") {
      const charts = [...document.querySelectorAll(".vl-offline-chart")];
      if (charts.length && charts.every((c) => c.querySelector("svg"))) bench.all = performance.now();
    }
    if (bench.first !== null && bench.all !== null) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", check);
})();
""".replace("SELECTOR", json.dumps(CHART_SELECTOR))


# ------------------------------------------------------------------------------------------------ utilities


def say(message: str) -> None:
    """Print a progress line at once."""
    print(message, flush=True)


def verdict(ok: bool | None) -> str:
    """Return PASS, FAIL, or n/a when there was nothing to judge."""
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def timed(function: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run function once after a garbage collection; return wall seconds, process CPU seconds and its result."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


class _Tee(io.TextIOBase):
    """Write to the terminal (indented) and keep a copy, to read build_report's per-notebook times back."""

    def __init__(self, terminal: Any) -> None:
        self.terminal, self.copy, self._line_start = terminal, io.StringIO(), True

    def write(self, text: str) -> int:
        self.copy.write(text)
        for piece in re.split(r"(\n)", text):
            if piece and self._line_start and piece != "\n":
                self.terminal.write("    ")
            if piece:
                self.terminal.write(piece)
                self._line_start = piece == "\n"
        return len(text)

    def flush(self) -> None:
        self.terminal.flush()


def machine_info() -> dict[str, Any]:
    """Return what the numbers depend on: cores, load, Python and package versions."""
    versions = {}
    for package in ("pandas", "altair", "nbclient", "nbconvert", "ipykernel", "simplemma", "rapidfuzz", "playwright"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "load_average_start": list(os.getloadavg()),
        "packages": versions,
    }


# --------------------------------------------------------------------------------------------- 1. the build


def write_floor_notebooks(folder: Path, count: int) -> None:
    """Write `count` notebooks named like the report's, each holding only the imports."""
    for number in range(count):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, folder / f"{number:02d}-floor.ipynb")


def notebook_times(progress: str) -> dict[str, float]:
    """Return the seconds each notebook ran, read from build_report's progress lines."""
    return {name: float(seconds) for name, seconds in re.findall(r"\[\d+/\d+\] (\S+) ran in ([0-9.]+) s", progress)}


def build_once(notebooks: Path, out: Path) -> dict[str, Any]:
    """Run build_report into out, one notebook at a time and reusing nothing; return its wall and notebook times."""
    from helpers.publish.report import build_report

    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        wall, cpu, pages = timed(lambda: build_report(notebooks, out, jobs=1, cache_dir=None))
    per_notebook = notebook_times(tee.copy.getvalue())
    return {"seconds": wall, "per_notebook_seconds": per_notebook, "pages": [str(p) for p in pages]}


def bench_build(work: Path, repeats: int) -> dict[str, Any]:
    """Time the real build against the floor build, alternating them when repeated."""
    from helpers.publish.report import NOTEBOOK_PATTERN

    real_notebooks = sorted(NOTEBOOKS.glob(NOTEBOOK_PATTERN))
    floor_dir = work / "floor-notebooks"
    floor_dir.mkdir()
    write_floor_notebooks(floor_dir, len(real_notebooks))
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "real": []}
    for repeat in range(repeats):
        order = ("floor", "real") if repeat % 2 == 0 else ("real", "floor")
        for kind in order:
            source = floor_dir if kind == "floor" else NOTEBOOKS
            out = work / f"report-{kind}-{repeat}"
            say(f"  [build {repeat + 1}/{repeats}] {kind}: {len(real_notebooks)} notebooks from {source}")
            runs[kind].append(build_once(source, out))
    floor = statistics.median(r["seconds"] for r in runs["floor"])
    real = statistics.median(r["seconds"] for r in runs["real"])
    ratio = real / floor
    return {
        "notebooks": [p.name for p in real_notebooks],
        "floor_notebook_source": FLOOR_SOURCE,
        "repeats": repeats,
        "floor_seconds": floor,
        "real_seconds": real,
        "ratio": ratio,
        "target_ratio_max": TARGETS["build_ratio_max"],
        "pass": ratio <= TARGETS["build_ratio_max"],
        "runs": runs,
        "report_dir": str(work / "report-real-0"),  # deleted when the run ends
    }


# ------------------------------------------------------------------------------------- 1b. the rebuilds


def build_cli(notebooks: Path, out: Path, cache_home: Path, *options: str) -> dict[str, Any]:
    """Run `python -m helpers report` as `make report` does (its own process); return wall time and progress."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}  # the notebook cache of this run only
    command = [sys.executable, "-m", "helpers", "report", "--notebooks", str(notebooks), "--out", str(out), *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    for line in done.stdout.splitlines():
        say(f"    {line}")
    if done.returncode != 0:
        raise RuntimeError(f"report failed: {done.stderr.strip()[-500:]}")
    return {"seconds": wall, "options": list(options), "per_notebook_seconds": notebook_times(done.stdout),
            "reused": re.findall(r"\] (\S+) reused \(cached\)", done.stdout)}


def bench_rebuild(work: Path) -> dict[str, Any]:
    """Time, in one run: a full build serial and parallel, an unchanged rebuild, one with one notebook changed."""
    notebooks = work / "rebuild-notebooks"
    shutil.copytree(NOTEBOOKS, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    cache_home = work / "rebuild-cache"
    runs: dict[str, dict[str, Any]] = {}
    say("  full build, one notebook at a time, no cache (--jobs 1 --no-cache)")
    runs["serial"] = build_cli(notebooks, work / "rebuild-serial", cache_home, "--jobs", "1", "--no-cache")
    say(f"  full build, one kernel per core ({os.cpu_count()}), cold cache")
    runs["full"] = build_cli(notebooks, work / "rebuild-full", cache_home)
    say("  unchanged rebuild")
    runs["unchanged"] = build_cli(notebooks, work / "rebuild-unchanged", cache_home)
    changed = notebooks / CHANGED_NOTEBOOK
    notebook = nbformat.read(changed, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("Changed by the benchmark."))
    nbformat.write(notebook, changed)
    say(f"  one notebook changed ({CHANGED_NOTEBOOK}, a markdown cell added)")
    runs["one_changed"] = build_cli(notebooks, work / "rebuild-one", cache_home)
    full, unchanged = work / "rebuild-full", work / "rebuild-unchanged"
    identical = sorted(p.name for p in full.iterdir()) == sorted(p.name for p in unchanged.iterdir()) and all(
        path.read_bytes() == (unchanged / path.name).read_bytes() for path in full.iterdir())
    same_as_serial = all(path.read_bytes() == (work / "rebuild-serial" / path.name).read_bytes()
                         for path in full.glob("*.html"))
    seconds = {name: run["seconds"] for name, run in runs.items()}
    return {
        "notebooks": sorted(p.name for p in notebooks.glob("[0-9][0-9]-*.ipynb")),
        "changed_notebook": CHANGED_NOTEBOOK,
        "seconds": seconds,
        "parallel_over_serial": seconds["full"] / seconds["serial"],
        "unchanged_over_full": seconds["unchanged"] / seconds["full"],
        "one_changed_over_full": seconds["one_changed"] / seconds["full"],
        "unchanged_pages_identical": identical,
        "parallel_pages_equal_serial": same_as_serial,
        "reused_when_unchanged": runs["unchanged"]["reused"],
        "ran_when_one_changed": sorted(runs["one_changed"]["per_notebook_seconds"]),
        "target_unchanged_seconds_max": TARGETS["unchanged_rebuild_seconds_max"],
        "pass_unchanged": seconds["unchanged"] <= TARGETS["unchanged_rebuild_seconds_max"] and identical,
        "pass_one_changed": sorted(runs["one_changed"]["per_notebook_seconds"]) == [CHANGED_NOTEBOOK],
        "runs": runs,
    }


# ---------------------------------------------------------------------------------------- 2. the annotators


Run = tuple[float, float, int]  # wall seconds, CPU seconds, rows


def run_scales(function: Callable[[int], Any], large_repeats: int) -> dict[int, list[Run]]:
    """Time function at every scale: x1 SMALL_REPEATS times, then each x200 run between two x20 runs.

    The machine's speed drifts by tens of percent within a minute (shared cores), so x200 is compared with the
    x20 runs just before and after it, not with x20 runs taken a while earlier: x20, x200, x20, x200, x20, ...
    """
    small, middle, large = SCALES

    def once(scale: int) -> Run:
        wall, cpu, result = timed(lambda: function(scale))
        return wall, cpu, len(result)

    runs: dict[int, list[Run]] = {scale: [] for scale in SCALES}
    runs[small] = [once(small) for _ in range(SMALL_REPEATS)]
    runs[middle].append(once(middle))
    for _ in range(large_repeats):
        runs[large].append(once(large))
        runs[middle].append(once(middle))
    while len(runs[middle]) < SMALL_REPEATS:
        runs[middle].append(once(middle))
    return runs


def bracketed_ratios(large: list[Run], middle: list[Run]) -> tuple[list[float], list[float]]:
    """Return each large run's wall and CPU time over the mean of the middle runs just before and after it."""
    walls, cpus = [], []
    for index, (wall, cpu, _) in enumerate(large):
        before, after = middle[index], middle[index + 1]
        walls.append(wall / ((before[0] + after[0]) / 2))
        cpus.append(cpu / ((before[1] + after[1]) / 2))
    return walls, cpus


def bench_annotation(large_repeats: int = 5) -> dict[str, Any]:
    """Time detect_all, sentences_frame and lemma_counts on the corpus replicated x1, x20, x200."""
    import pandas as pd

    started = time.perf_counter()
    from helpers.analyse.vocabulary import lemma_counts
    from helpers.annotate.annotations import load_codebook
    from helpers.annotate.detect import detect_all
    from helpers.corpus import load_articles
    from helpers.text.segment import sentences_frame

    import_seconds = time.perf_counter() - started
    articles = load_articles()
    codebook = load_codebook()
    base = pd.DataFrame({"article_id": articles["article_id"].astype(str),
                         "outlet": articles["outlet"].astype(str),
                         "clean_text": articles["clean_text"].astype(str)})

    def replicate(times: int) -> pd.DataFrame:
        copies = [base.assign(article_id=base["article_id"] + f"-r{copy:03d}") for copy in range(times)]
        return pd.concat(copies, ignore_index=True)

    corpora = {scale: replicate(scale) for scale in SCALES}
    texts = {scale: dict(zip(frame["article_id"], frame["clean_text"], strict=True))
             for scale, frame in corpora.items()}
    for scale, frame in corpora.items():
        assert frame["article_id"].is_unique and len(texts[scale]) == len(base) * scale

    functions: dict[str, Callable[[int], Any]] = {
        "detect_all": lambda scale: detect_all(texts[scale], codebook, jobs=1),  # one core: section 2 times cost
        "sentences_frame": lambda scale: sentences_frame(texts[scale]),
        "lemma_counts": lambda scale: lemma_counts(corpora[scale], by="article_id"),
    }
    results: dict[str, Any] = {"import_seconds": import_seconds, "articles_per_scale": {
        f"x{scale}": len(texts[scale]) for scale in SCALES}, "functions": {}}
    for name, function in functions.items():
        warm_wall, warm_cpu, _ = timed(lambda function=function: function(1))
        say(f"  {name}: warm-up (first call, on x1) {warm_wall:.2f} s, reported apart")
        entry: dict[str, Any] = {"warmup_seconds": warm_wall, "warmup_cpu_seconds": warm_cpu, "scales": {}}
        runs = run_scales(function, large_repeats)
        for scale in SCALES:
            scale_runs = runs[scale]
            wall = statistics.median(r[0] for r in scale_runs)
            cpu = statistics.median(r[1] for r in scale_runs)
            entry["scales"][f"x{scale}"] = {"articles": len(texts[scale]), "repeats": len(scale_runs),
                                            "seconds": wall, "cpu_seconds": cpu,
                                            "all_seconds": [r[0] for r in scale_runs],
                                            "all_cpu_seconds": [r[1] for r in scale_runs], "rows": scale_runs[0][2]}
            say(f"  {name} x{scale} ({len(texts[scale])} articles): {wall:.3f} s wall, {cpu:.3f} s CPU, "
                f"{scale_runs[0][2]} rows (median of {len(scale_runs)})")
        scales = entry["scales"]
        large, middle = runs[SCALES[-1]], runs[SCALES[-2]]
        # Judged: fastest run over fastest run. Slower runs are slowed by other processes, not by the code
        # (the timeit documentation's reasoning); bracketed ratios are kept beside it to show the spread.
        entry["ratio_x200_over_x20"] = min(r[0] for r in large) / min(r[0] for r in middle)
        entry["cpu_ratio_x200_over_x20"] = min(r[1] for r in large) / min(r[1] for r in middle)
        wall_ratios, cpu_ratios = bracketed_ratios(large, middle)
        entry["x200_over_x20_each"] = wall_ratios
        entry["cpu_x200_over_x20_each"] = cpu_ratios
        entry["cpu_ratio_x200_over_x20_bracketed_median"] = statistics.median(cpu_ratios)
        entry["ratio_x20_over_x1"] = scales["x20"]["seconds"] / scales["x1"]["seconds"]
        entry["cpu_over_wall_x200"] = scales["x200"]["cpu_seconds"] / scales["x200"]["seconds"]
        results["functions"][name] = entry
    detect = results["functions"]["detect_all"]
    detect["target_x200_seconds_max"] = TARGETS["detect_x200_seconds_max"]
    detect["target_ratio_max"] = TARGETS["detect_x200_over_x20_max"]
    detect["pass_x200_seconds"] = detect["scales"]["x200"]["seconds"] <= TARGETS["detect_x200_seconds_max"]
    detect["pass_ratio"] = detect["ratio_x200_over_x20"] <= TARGETS["detect_x200_over_x20_max"]
    # The same targets on process CPU time, which other processes on a shared machine cannot inflate.
    detect["pass_x200_cpu_seconds"] = detect["scales"]["x200"]["cpu_seconds"] <= TARGETS["detect_x200_seconds_max"]
    detect["pass_cpu_ratio"] = detect["cpu_ratio_x200_over_x20"] <= TARGETS["detect_x200_over_x20_max"]
    results["caveat"] = ("Replicas repeat the same five texts, so per-word caches (lemmas, fuzzy name matches, "
                         "frame cues) are warm after the first copy: this measures per-article work, not a "
                         "growing vocabulary.")
    return results


# ------------------------------------------------------------------------------------------------ 3. pages


def bench_quality() -> dict[str, Any]:
    """Score the detectors in sample, on the dev set and on the test set (corpus/evaluation/)."""
    from helpers.annotate.heldout import IN_SAMPLE, TEST
    from helpers.annotate.study import load_study

    study = load_study(ROOT / "corpus")
    quality = study.detector_quality
    summary = {row["set"]: row for row in quality.summary().to_dict("records")}
    test, sample = summary.get(TEST), summary[IN_SAMPLE]
    checks = {"test_facts": test is not None and test["facts_f1_article"] >= TARGETS["test_facts_f1_min"],
              "test_speakers": test is not None and test["speaker_accuracy"] >= TARGETS["test_speaker_accuracy_min"],
              "test_variants": test is not None and test["variants_noticed"] == test["variants"],
              "no_drop_in_sample": all(sample[key] >= value - 1e-9 for key, value in IN_SAMPLE_BEFORE.items())}
    return {"summary": summary, "table": quality.table().to_dict("records"), "checks": checks,
            "in_sample_before": IN_SAMPLE_BEFORE}


def page_sizes(report_dir: Path) -> dict[str, Any]:
    """Return the size of every HTML page of the report, judged against the page-size target."""
    pages = {}
    for path in sorted(report_dir.glob("*.html")):
        size = path.stat().st_size
        pages[path.name] = {"bytes": size, "pass": size <= TARGETS["page_bytes_max"]}
    return pages


def bench_browser(report_dir: Path, loads: int) -> dict[str, Any]:
    """Open every page of the report in headless Chromium, offline; time the first (and every) chart."""
    if not CHROMIUM.exists():
        say(f"  CHROMIUM MISSING: {CHROMIUM} not found (apt-get install chromium); chart times recorded as null")
        return {"available": False, "error": f"{CHROMIUM} not found", "pages": {}}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        say(f"  PLAYWRIGHT MISSING ({err}); chart times recorded as null")
        return {"available": False, "error": f"playwright: {err}", "pages": {}}

    pages: dict[str, Any] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            blocked: list[str] = []

            def route(request_route: Any) -> None:
                url = request_route.request.url
                if url.startswith(("file:", "data:")):
                    request_route.continue_()
                else:
                    blocked.append(url)
                    request_route.abort()

            context.route("**/*", route)
            context.add_init_script(_OBSERVER_JS)
            for path in sorted(report_dir.glob("*.html")):
                pages[path.name] = load_page(context, path, loads, blocked)
            version = browser.version
        finally:
            browser.close()
    return {"available": True, "chromium_version": version, "args": CHROMIUM_ARGS, "selector": CHART_SELECTOR,
            "loads_per_page": loads, "pages": pages}


def load_page(context: Any, path: Path, loads: int, blocked: list[str]) -> dict[str, Any]:
    """Load one page `loads` times; return the median time to first chart and to every chart, from nav start."""
    firsts, alls, walls, errors = [], [], [], []
    charts = drawn = 0
    blocked_before = len(blocked)
    for _ in range(loads):
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            started = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_load_state("load")
            charts = page.eval_on_selector_all(".vl-offline-chart", "els => els.length")
            if charts == 0:
                break
            page.wait_for_function("window.__bench.first !== null", timeout=30_000)
            walls.append((time.perf_counter() - started) * 1000)
            with contextlib.suppress(Exception):  # a chart that never draws is reported via `drawn`
                page.wait_for_function("window.__bench.all !== null", timeout=30_000)
            bench = page.evaluate("window.__bench")
            drawn = page.eval_on_selector_all(".vl-offline-chart",
                                              "els => els.filter(e => e.querySelector('svg')).length")
            firsts.append(bench["first"])
            if bench["all"] is not None:
                alls.append(bench["all"])
        except Exception as err:  # noqa: BLE001 — one page failing must not stop the others
            errors.append(f"{type(err).__name__}: {err}")
        finally:
            page.close()
    first = statistics.median(firsts) if firsts else None
    result = {
        "charts": charts,
        "charts_drawn": drawn if charts else 0,
        "first_chart_ms": first,
        "first_chart_ms_all": firsts,
        "first_chart_ms_cold": firsts[0] if firsts else None,
        "all_charts_ms": statistics.median(alls) if alls else None,
        "python_wall_ms": statistics.median(walls) if walls else None,
        "blocked_requests": blocked[blocked_before:],
        "errors": errors,
        "pass": None if not charts else (first is not None and first <= TARGETS["first_chart_ms_max"]),
    }
    shown = "no charts" if not charts else (
        f"first chart {first:.0f} ms, all {result['all_charts_ms'] or float('nan'):.0f} ms, "
        f"{drawn}/{charts} drawn" if first is not None else "NO CHART DRAWN")
    say(f"  {path.name}: {shown}; {len(result['blocked_requests'])} blocked request(s), {len(errors)} error(s)")
    return result


# ------------------------------------------------------------------------------------------------- the table


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Return rows as an aligned plain-text table (numbers right-aligned)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        out = []
        for cell, width in zip(cells, widths, strict=True):
            cell = str(cell)
            numeric = re.fullmatch(r"[0-9.,]+( ?(s|ms|MB|×))?( \([0-9.]+\))?", cell)
            out.append(cell.rjust(width) if numeric else cell.ljust(width))
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])


def print_quality(results: dict[str, Any]) -> None:
    """Print section 4: the detectors' scores per set, and the targets on the test set."""
    quality = results.get("quality")
    say("\n4. Detector quality: in sample (the five articles), dev (written for testing, tuned on), test (written for "
        "testing, held out)")
    if quality and "error" not in quality:
        rows = [[str(value) for value in row.values()] for row in quality["table"]]
        say(table(list(quality["table"][0]), rows))
        checks, test = quality["checks"], quality["summary"].get("test") or {}
        say(f"   test: facts per article F1 {test.get('facts_f1_article', float('nan')):.2f} (target ≥ "
            f"{TARGETS['test_facts_f1_min']:.2f}) {verdict(checks['test_facts'])}; speaker accuracy "
            f"{test.get('speaker_accuracy', float('nan')):.2f} (target ≥ {TARGETS['test_speaker_accuracy_min']:.2f}) "
            f"{verdict(checks['test_speakers'])}; variants flagged {test.get('variants_noticed', '-')} of "
            f"{test.get('variants', '-')} (target: all) {verdict(checks['test_variants'])}")
        before = ", ".join(f"{key} {value:.3f}" for key, value in IN_SAMPLE_BEFORE.items())
        say(f"   in sample no lower than before the detectors were generalised ({before}): "
            f"{verdict(checks['no_drop_in_sample'])}")
    else:
        say(f"   not measured: {(quality or {}).get('error', 'skipped')}")


def print_summary(results: dict[str, Any]) -> None:
    """Print the three sections as tables with their targets and verdicts."""
    say("\n" + "=" * 100)
    machine = results["machine"]
    say(f"{results['timestamp']}  {machine['cpu_count']} CPUs, Python {machine['python']}, load average "
        f"{' '.join(f'{x:.2f}' for x in machine['load_average_start'])} -> "
        f"{' '.join(f'{x:.2f}' for x in machine['load_average_end'])}")

    build = results.get("build")
    say("\n1. Report build (build_report, same run, fresh kernels)")
    if build and "error" not in build:
        rows = [[f"floor: {len(build['notebooks'])} trivial notebooks", f"{build['floor_seconds']:.1f} s", "", ""],
                ["real: notebooks/", f"{build['real_seconds']:.1f} s", "", ""],
                ["ratio real / floor", f"{build['ratio']:.2f}×", f"≤ {build['target_ratio_max']}×",
                 verdict(build["pass"])]]
        say(table(["measure", "value", "target", "verdict"], rows))
        real_runs = build["runs"]["real"][0]["per_notebook_seconds"]
        floor_runs = build["runs"]["floor"][0]["per_notebook_seconds"]
        say("   per notebook (first run): " + ", ".join(f"{k} {v:.1f} s" for k, v in real_runs.items())
            + " | floor: " + ", ".join(f"{v:.1f}" for v in floor_runs.values()) + " s")
    else:
        say(f"   not measured: {(build or {}).get('error', 'skipped')}")

    rebuild = results.get("rebuild")
    say("\n1b. Report rebuilds (`python -m helpers report` in its own process, as `make report` runs it; same run)")
    if rebuild and "error" not in rebuild:
        seconds = rebuild["seconds"]
        rows = [["full build, serial (--jobs 1 --no-cache)", f"{seconds['serial']:.1f} s", "", "", ""],
                ["full build, parallel (cold cache)", f"{seconds['full']:.1f} s",
                 f"{rebuild['parallel_over_serial']:.2f}× serial", "", ""],
                ["unchanged rebuild", f"{seconds['unchanged']:.1f} s", f"{rebuild['unchanged_over_full']:.2f}× full",
                 f"≤ {rebuild['target_unchanged_seconds_max']:.0f} s, same bytes", verdict(rebuild["pass_unchanged"])],
                [f"one notebook changed ({rebuild['changed_notebook']})", f"{seconds['one_changed']:.1f} s",
                 f"{rebuild['one_changed_over_full']:.2f}× full", "only it runs", verdict(rebuild["pass_one_changed"])]]
        say(table(["measure", "time", "ratio", "target", "verdict"], rows))
        say(f"   unchanged pages byte-identical: {rebuild['unchanged_pages_identical']}; parallel pages equal serial: "
            f"{rebuild['parallel_pages_equal_serial']}")
    else:
        say(f"   not measured: {(rebuild or {}).get('error', 'skipped')}")

    annotation = results.get("annotation")
    say("\n2. Annotation cost (five texts replicated; wall seconds, medians; CPU in brackets; x200/x20 is the fastest "
        "x200 run over the fastest x20 run)")
    if annotation and "error" not in annotation:
        rows = []
        for name, entry in annotation["functions"].items():
            scales = entry["scales"]
            rows.append([name, f"{entry['warmup_seconds']:.2f}",
                         *(f"{scales[f'x{s}']['seconds']:.3f} ({scales[f'x{s}']['cpu_seconds']:.3f})" for s in SCALES),
                         f"{entry['ratio_x20_over_x1']:.1f}", f"{entry['ratio_x200_over_x20']:.2f}",
                         f"{entry['cpu_over_wall_x200']:.2f}"])
        say(table(["function", "warm-up", "x1 (5)", "x20 (100)", "x200 (1000)", "x20/x1", "x200/x20",
                   "CPU/wall x200"], rows))
        detect = annotation["functions"]["detect_all"]
        x200 = detect["scales"]["x200"]
        say(f"   detect_all x200: {x200['seconds']:.2f} s wall (target ≤ {detect['target_x200_seconds_max']:.0f} s "
            f"on one core): {verdict(detect['pass_x200_seconds'])}; on CPU time {x200['cpu_seconds']:.2f} s: "
            f"{verdict(detect['pass_x200_cpu_seconds'])}")
        each = ", ".join(f"{r:.2f}" for r in detect["cpu_x200_over_x20_each"])
        say(f"   detect_all x200/x20, fastest over fastest: {detect['ratio_x200_over_x20']:.2f} wall (target ≤ "
            f"{detect['target_ratio_max']:.0f}): {verdict(detect['pass_ratio'])}; on CPU time "
            f"{detect['cpu_ratio_x200_over_x20']:.2f}: {verdict(detect['pass_cpu_ratio'])}")
        say(f"   spread: each x200 run over the x20 runs just before and after it (CPU): {each}; median "
            f"{detect['cpu_ratio_x200_over_x20_bracketed_median']:.2f}")
        say("   CPU/wall < 1 means other processes took the core; CPU time leaves that wait out, though shared caches "
            "and clock speed still move it.")
        say(f"   import of the helpers {annotation['import_seconds']:.2f} s. Caveat: {annotation['caveat']}")
    else:
        say(f"   not measured: {(annotation or {}).get('error', 'skipped')}")

    pages = results.get("pages")
    say(f"\n3. Report pages (size target ≤ {TARGETS['page_bytes_max'] / 1e6:.1f} MB; first chart target ≤ "
        f"{TARGETS['first_chart_ms_max']:.0f} ms from navigation start, headless Chromium, offline)")
    if pages and "error" not in pages:
        browser = pages["browser"]
        if not browser.get("available"):
            say(f"   CHROMIUM NOT AVAILABLE ({browser.get('error')}): chart times are null")
        rows = []
        for name, size in pages["sizes"].items():
            shown = browser.get("pages", {}).get(name, {})
            first = shown.get("first_chart_ms")
            every = shown.get("all_charts_ms")
            rows.append([name, f"{size['bytes']:,}", f"{size['bytes'] / 1e6:.2f} MB", verdict(size["pass"]),
                         str(shown.get("charts", "-")),
                         "-" if first is None else f"{first:.0f}",
                         "-" if shown.get("first_chart_ms_cold") is None else f"{shown['first_chart_ms_cold']:.0f}",
                         "-" if every is None else f"{every:.0f}",
                         verdict(shown.get("pass"))])
        say(table(["page", "bytes", "size", "size ok", "charts", "1st chart ms", "cold ms", "all charts ms",
                   "chart ok"], rows))
        say(f"   1st chart: median of {browser.get('loads_per_page', '-')} loads (cold = first load); "
            f"chromium {browser.get('chromium_version', '-')}")
    else:
        say(f"   not measured: {(pages or {}).get('error', 'skipped')}")
    print_quality(results)
    say(f"\nwrote {RESULTS.relative_to(ROOT)}")


# ---------------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the three benchmarks, print the table, write bench/results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-repeats", type=int, default=3,
                        help="build floor and real this many times each, alternating, median taken (default 3)")
    parser.add_argument("--large-repeats", type=int, default=5,
                        help="runs of the x200 annotation timings, each between two x20 runs (default 5)")
    parser.add_argument("--page-loads", type=int, default=3, help="loads per page in Chromium (default 3)")
    parser.add_argument("--skip-build", action="store_true", help="skip 1; pages are then read from build/report")
    parser.add_argument("--skip-rebuild", action="store_true", help="skip 1b (full, unchanged, one changed)")
    parser.add_argument("--only-rebuild", action="store_true", help="run 1b only (and print its table)")
    parser.add_argument("--only-quality", action="store_true", help="run 4 only (detector quality; seconds)")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "targets": TARGETS,
    }
    work = Path(tempfile.mkdtemp(prefix="parler-bench-"))
    try:
        report_dir = ROOT / "build" / "report"
        if args.only_quality:
            results["quality"] = bench_quality()
            print_quality(results)
            return 0
        if not args.skip_build and not args.only_rebuild:
            say("1/3 report build: floor (trivial notebooks) vs real, same function, temp dir")
            try:
                results["build"] = bench_build(work, args.build_repeats)
                report_dir = Path(results["build"]["report_dir"])
            except Exception as err:  # noqa: BLE001 — report it and go on with the other sections
                results["build"] = {"error": f"{type(err).__name__}: {err}"}
                say(f"  build failed: {results['build']['error']}")

        if not args.skip_rebuild:
            say("1b report rebuilds: full (serial, parallel), unchanged, one notebook changed")
            try:
                results["rebuild"] = bench_rebuild(work)
            except Exception as err:  # noqa: BLE001
                results["rebuild"] = {"error": f"{type(err).__name__}: {err}"}
                say(f"  rebuild benchmark failed: {results['rebuild']['error']}")

        if args.only_rebuild:
            say("2/3 and 3/3 skipped (--only-rebuild)")
        else:
            say("2/3 annotation cost: x1, x20, x200")
            try:
                results["annotation"] = bench_annotation(args.large_repeats)
            except Exception as err:  # noqa: BLE001
                results["annotation"] = {"error": f"{type(err).__name__}: {err}"}
                say(f"  annotation benchmark failed: {results['annotation']['error']}")

            say("4 detector quality: in sample, dev, test")
            try:
                results["quality"] = bench_quality()
            except Exception as err:  # noqa: BLE001
                results["quality"] = {"error": f"{type(err).__name__}: {err}"}
                say(f"  detector quality failed: {results['quality']['error']}")

            say(f"3/3 report pages: sizes and first chart in headless Chromium ({report_dir})")
            try:
                if not any(report_dir.glob("*.html")):
                    raise FileNotFoundError(f"no HTML pages in {report_dir}")
                results["pages"] = {"report_dir": str(report_dir), "sizes": page_sizes(report_dir),
                                    "browser": bench_browser(report_dir, args.page_loads)}
            except Exception as err:  # noqa: BLE001
                results["pages"] = {"error": f"{type(err).__name__}: {err}"}
                say(f"  page benchmark failed: {results['pages']['error']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    results["machine"]["load_average_end"] = list(os.getloadavg())
    results["machine"]["chromium"] = _chromium_version()
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print_summary(results)
    return 0


def _chromium_version() -> str | None:
    """Return `chromium --version`, or None when it is missing."""
    if not CHROMIUM.exists():
        return None
    try:
        return subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


if __name__ == "__main__":
    sys.exit(main())
