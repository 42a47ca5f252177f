"""Render Altair charts with no network: in JupyterLab, in nbval runs and in exported HTML.

Altair's default renderer loads vega-embed from a CDN, so offline its charts are blank. Instead,
`enable_offline()` shows the vega-embed bundle that ships inside vl-convert-python once, and switches
Altair to a renderer whose output is a `<div>` plus a few lines that wait for `window.vegaEmbed`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import itertools
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert
from IPython import get_ipython
from IPython.display import display

RENDERER_NAME = "offline"
EMBED_OPTIONS: dict[str, Any] = {"renderer": "svg", "actions": False}

# Per-kernel state: a fresh kernel (nbval, the report) numbers charts from 1, so outputs repeat exactly.
_chart_numbers = itertools.count(1)
_bundle_shown = False
_bundle_cell: str | None = None  # id of the cell whose output holds the bundle, if the frontend sent one

# Polls because JupyterLab may run a chart's script before the bundle's, e.g. when outputs render.
# The div is found from the script itself first: two open notebooks can hold charts with equal ids.
_CHART_HTML = """\
<div id="{div_id}" class="vl-offline-chart"></div>
<script>
(function () {{
  var script = document.currentScript;
  var spec = {spec};
  var options = {options};
  var tries = 0;
  function draw() {{
    var el = (script && script.previousElementSibling) || document.getElementById("{div_id}");
    if (window.vegaEmbed && el && el.isConnected) {{
      window.vegaEmbed(el, spec, options).catch(function (err) {{ el.textContent = String(err); }});
    }} else if (++tries < 600) {{
      setTimeout(draw, 50);
    }} else if (el) {{
      el.textContent = "Chart not drawn: run helpers.charts.enable_offline() at the top of the notebook.";
    }}
  }}
  draw();
}})();
</script>"""


def enable_offline() -> None:
    """Show the vega-embed bundle once and make Altair draw charts with it, offline."""
    global _bundle_shown, _bundle_cell
    cell = _current_cell_id()
    # Once per kernel; again when the cell that showed it re-runs, since re-running clears its output.
    if get_ipython() is not None and (not _bundle_shown or (cell is not None and cell == _bundle_cell)):
        display({"text/html": bundle_html(), "text/plain": "<vega-embed bundle>"}, raw=True)
        _bundle_shown, _bundle_cell = True, cell
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, render_offline)
    alt.renderers.enable(RENDERER_NAME)
    # Charts must carry their data: the json/csv transformers write files that a shared page lacks.
    if alt.data_transformers.active in ("json", "csv"):
        alt.data_transformers.enable("default")


def render_offline(spec: dict, **metadata: Any) -> dict[str, str]:
    """Return the mimebundle of one chart: a div with a deterministic id and the script that fills it."""
    spec_json = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    div_id = f"vl-{hashlib.sha256(spec_json.encode()).hexdigest()[:10]}-{next(_chart_numbers)}"
    options = {**EMBED_OPTIONS, **metadata.get("embed_options", {})}
    html = _CHART_HTML.format(
        div_id=div_id, spec=_json_in_script(spec_json), options=_json_in_script(json.dumps(options))
    )
    return {"text/html": html, "text/plain": "<VegaLite chart>"}


@functools.cache
def bundle_html() -> str:
    """Return a script that defines window.vegaEmbed unless an earlier copy on the page already did."""
    bundle = _vega_embed_bundle()
    if re.search(r"</script|<!--", bundle, re.IGNORECASE):
        raise RuntimeError("vl_convert.javascript_bundle() holds '</script' or '<!--': it cannot be inlined")
    # The function scope keeps the bundle's top-level `const`s from clashing with a second copy.
    return (
        '<script>\n(function () {\n"use strict";\nif (window.vegaEmbed) { return; }\n' + bundle + "\n})();\n</script>"
    )


def _vega_embed_bundle() -> str:
    """Return vl-convert's vega-embed bundle, cached on disk per vl-convert version."""
    # Building it takes ~2 s per process, i.e. per notebook run; reading the cache takes milliseconds.
    version = importlib.metadata.version("vl-convert-python")
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cached = cache_home / "parler-coverage" / f"vega-embed-bundle-{version}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(cached)  # atomic, so a parallel run never reads half a file
    except OSError:  # a read-only home only costs the ~2 s again
        pass
    return bundle


def _json_in_script(text: str) -> str:
    """Escape '<' in JSON so that no '</script' or '<!--' inside a string can end the script element."""
    return text.replace("<", "\\u003c")


def _current_cell_id() -> str | None:
    """Return the id of the notebook cell being executed, if the frontend sent one."""
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None
    try:
        return kernel.get_parent().get("metadata", {}).get("cellId")
    except Exception:  # an older ipykernel or a plain IPython shell: fall back to once per kernel
        return None


def source_params(outlets: Sequence[str]) -> tuple[list[alt.Parameter], str]:
    """Return one bound checkbox param per outlet and the Vega expression that keeps ticked outlets.

    Param names are generated (`source_0`, `source_1`, …) because bound param names must be JS
    identifiers; the checkbox label is the outlet's name.
    """
    params = [
        alt.param(name=f"source_{i}", value=True, bind=alt.binding_checkbox(name=f" {outlet}"))
        for i, outlet in enumerate(outlets)
    ]
    expression = " || ".join(
        f"(datum.outlet === {json.dumps(outlet)} && source_{i})" for i, outlet in enumerate(outlets)
    ) or "false"
    return params, expression


def outlet_scale(outlets: Sequence[str]) -> alt.Scale:
    """Return a colour scale pinned to every outlet, so filtering never reassigns colours."""
    return alt.Scale(domain=list(outlets), scheme="tableau10")


def article_lengths(overview: pd.DataFrame, outlets: Sequence[str]) -> alt.LayerChart:
    """Chart each article's words after cleaning (bar) and before (tick), coloured by outlet.

    `overview` has article_id, outlet, title, published, words_raw, words_clean. Source checkboxes
    under the chart filter it with no kernel.
    """
    params, keep = source_params(outlets)
    data = overview[["article_id", "outlet", "title", "published", "words_raw", "words_clean"]]
    base = alt.Chart(data).transform_filter(keep).encode(
        y=alt.Y("article_id:N", title=None, sort=list(data["article_id"])),
        tooltip=[
            alt.Tooltip("outlet:N"), alt.Tooltip("title:N"), alt.Tooltip("published:N"),
            alt.Tooltip("words_raw:Q", title="words before cleaning"),
            alt.Tooltip("words_clean:Q", title="words after cleaning"),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("words_clean:Q", title="words (bar: after cleaning · tick: before)"),
        color=alt.Color("outlet:N", scale=outlet_scale(outlets), title="Outlet"),
    ).add_params(*params)
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(x="words_raw:Q")
    return (bars + ticks).properties(width=420, title="Article length before and after cleaning")


def coverage_heatmap(matrix: pd.DataFrame, outlets: Sequence[str], detected: pd.DataFrame | None = None) -> alt.Chart:
    """Chart facts × articles: filled where the hand coding finds the fact, evidence span on hover.

    `matrix` comes from helpers.coverage.coverage_matrix. With `detected` (the same matrix from detector
    output) a dot marks where the detectors find the fact, so agreement is visible cell by cell. Outlet
    checkboxes under the chart filter its columns with no kernel.
    """
    params, keep = source_params(outlets)
    data = matrix[["article_id", "outlet", "fact_id", "present", "statements", "evidence_span"]].copy()
    data["status"] = data["present"].map({1: "reported", 0: "not reported"}).fillna("not coded yet").astype(str)
    data["evidence_span"] = data["evidence_span"].str.slice(0, 160)
    if detected is not None:
        found = detected.set_index(["article_id", "fact_id"])["present"]
        data["detector"] = [bool(found.get((a, f), 0) == 1) for a, f in zip(data["article_id"], data["fact_id"],
                                                                            strict=True)]
    facts = list(dict.fromkeys(data["fact_id"]))
    base = alt.Chart(data).transform_filter(keep).encode(
        x=alt.X("article_id:N", sort=list(dict.fromkeys(data["article_id"])), title=None,
                axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("fact_id:N", sort=facts, title=None),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("status:N", title="Hand coding",
                        scale=alt.Scale(domain=["reported", "not reported", "not coded yet"],
                                        range=["#4c78a8", "#eeeeee", "#ffffff"])),
        tooltip=[alt.Tooltip("outlet:N"), alt.Tooltip("article_id:N"), alt.Tooltip("fact_id:N"),
                 alt.Tooltip("statements:Q", title="statements"), alt.Tooltip("evidence_span:N", title="evidence")],
    ).add_params(*params)
    layers = [cells]
    if detected is not None:
        layers.append(base.transform_filter("datum.detector").mark_circle(size=28, color="#f58518").encode(
            tooltip=[alt.Tooltip("fact_id:N"), alt.Tooltip("article_id:N")]))
    title = "Facts reported per article (blue: hand coding" + ("; orange dot: detectors)" if detected is not None
                                                               else ")")
    return alt.layer(*layers).properties(width=300, height=alt.Step(14), title=title)


def voices_chart(quote_words: pd.DataFrame, outlets: Sequence[str]) -> alt.Chart:
    """Chart quote words per article and speaker side (stacked bars), with outlet checkboxes."""
    params, keep = source_params(outlets)
    long = quote_words.melt(id_vars=["article_id", "outlet"], var_name="side", value_name="words")
    return alt.Chart(long).transform_filter(keep).mark_bar().encode(
        y=alt.Y("article_id:N", sort=list(dict.fromkeys(long["article_id"])), title=None),
        x=alt.X("words:Q", title="words inside direct quotes"),
        color=alt.Color("side:N", title="Speaker's side"),
        tooltip=["outlet:N", "article_id:N", "side:N", "words:Q"],
    ).add_params(*params).properties(width=380, title="Who gets quoted, in words")


def choice_param(name: str, options: Sequence[str], label: str) -> alt.Parameter:
    """Return a bound select param with an 'all' choice (null) followed by `options`."""
    return alt.param(name=name, value=None,
                     bind=alt.binding_select(options=[None, *options], labels=["all", *options], name=label))


def label_chart(labels: pd.DataFrame, outlets: Sequence[str], categories: Sequence[str]) -> alt.Chart:
    """Chart labels of Parler per outlet by category, asserted vs attributed, with a category select."""
    params, keep = source_params(outlets)
    category = choice_param("label_category", categories, "Category ")
    data = labels.assign(how=labels["asserted"].map({True: "asserted by the outlet", False: "attributed"}))
    data = data.groupby(["outlet", "category", "how"], as_index=False).agg(labels=("span", "count"),
                                                                            examples=("span", lambda s: "; ".join(
                                                                                dict.fromkeys(s))[:200]))
    return alt.Chart(data).transform_filter(keep).transform_filter(
        "label_category === null || datum.category === label_category"
    ).mark_bar().encode(
        y=alt.Y("outlet:N", sort=list(outlets), title=None),
        x=alt.X("labels:Q", title="labels of Parler"),
        color=alt.Color("category:N", scale=alt.Scale(domain=list(categories)), title="Category"),
        opacity=alt.Opacity("how:N", scale=alt.Scale(domain=["asserted by the outlet", "attributed"],
                                                      range=[1.0, 0.45]), title="Voice"),
        tooltip=["outlet:N", "category:N", "how:N", "labels:Q", alt.Tooltip("examples:N", title="phrases")],
    ).add_params(*params, category).properties(width=380, title="How each outlet names Parler")


def frame_chart(frame_counts: pd.DataFrame, articles: pd.DataFrame, outlets: Sequence[str]) -> alt.Chart:
    """Chart sentences per frame and article (heat cells) with outlet checkboxes and a frame-kind select."""
    params, keep = source_params(outlets)
    ids = list(articles["article_id"])
    long = frame_counts.melt(id_vars=["frame", "kind"], value_vars=ids, var_name="article_id", value_name="sentences")
    long["outlet"] = long["article_id"].map(articles.set_index("article_id")["outlet"])
    kind = choice_param("frame_kind", sorted(long["kind"].unique()), "Frame kind ")
    return alt.Chart(long).transform_filter(keep).transform_filter(
        "frame_kind === null || datum.kind === frame_kind"
    ).mark_rect(stroke="white").encode(
        x=alt.X("article_id:N", sort=ids, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("frame:N", sort=list(frame_counts["frame"]), title=None),
        color=alt.Color("sentences:Q", scale=alt.Scale(scheme="blues"), title="Sentences"),
        tooltip=["outlet:N", "article_id:N", "frame:N", "kind:N", "sentences:Q"],
    ).add_params(*params, kind).properties(width=300, height=alt.Step(18), title="Sentences carrying each frame")


def reliability_chart(agreement: pd.DataFrame) -> alt.LayerChart:
    """Chart alpha per layer and measure with its 95% interval, against Krippendorff's .667 and .800 lines."""
    data = agreement[agreement["code"] == ""].dropna(subset=["alpha"]).assign(
        unit=lambda t: t["layer"] + " (" + t["measure"] + ")")
    order = list(data["unit"])
    base = alt.Chart(data).encode(y=alt.Y("unit:N", sort=order, title=None))
    bars = base.mark_rule(strokeWidth=2).encode(x=alt.X("ci_low:Q", title="Krippendorff's alpha (95% interval)",
                                                        scale=alt.Scale(domain=[-0.2, 1])), x2="ci_high:Q")
    points = base.mark_point(filled=True, size=60).encode(
        x="alpha:Q", color=alt.Color("reading:N", title="Reading"),
        tooltip=["layer:N", "measure:N", "units:Q", alt.Tooltip("alpha:Q", format=".3f"),
                 alt.Tooltip("ci_low:Q", format=".3f"), alt.Tooltip("ci_high:Q", format=".3f"),
                 alt.Tooltip("percent_agreement:Q", format=".1%"), "reading:N"])
    lines = alt.Chart(pd.DataFrame({"alpha": [0.667, 0.800]})).mark_rule(strokeDash=[4, 3], color="grey").encode(
        x="alpha:Q")
    return (bars + points + lines).properties(width=380, title="Agreement between the two coders, per layer")
