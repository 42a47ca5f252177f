"""Render Altair charts with no network: in JupyterLab, in nbval runs and in exported HTML.

Altair's default renderer loads vega-embed from a CDN, so offline its charts are blank. Instead,
`enable_offline()` shows the vega-embed bundle that ships inside vl-convert-python once, and switches
Altair to a renderer whose output is a `<div>` plus a few lines that wait for `window.vegaEmbed`.

Once a chart is drawn, the bundle's `pcChartDrawn` puts a "Download the data (CSV)" button under it (built in the
browser from the data the chart carries), records its Vega view in `window.pcViews` and announces it with a
`pc-chart` event, which the page's source filter (helpers.present.explore.page_controls_html) listens to; a click
on one of its marks sends a `pc-chart-click` event with the mark's data row (the article reader's cue).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import itertools
import json
import os
import re
from typing import Any

import altair as alt
import platformdirs
import vl_convert
from IPython import get_ipython
from IPython.display import display

RENDERER_NAME = "offline"
# The actions menu ("…" at a chart's top right) saves the chart as SVG or PNG, offline; the source and editor
# actions would open the Vega editor online, so they are off.
EMBED_OPTIONS: dict[str, Any] = {"renderer": "svg",
                                 "actions": {"export": True, "source": False, "compiled": False, "editor": False}}

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
      window.vegaEmbed(el, spec, options).then(function (result) {{
        if (window.pcChartDrawn) {{ window.pcChartDrawn(el, spec, result.view); }}
      }}).catch(function (err) {{ el.textContent = String(err); }});
    }} else if (++tries < 600) {{
      setTimeout(draw, 50);
    }} else if (el) {{
      el.textContent = "Chart not drawn: run helpers.present.charts.enable_offline() at the top of the notebook.";
    }}
  }}
  draw();
}})();
</script>"""


# A chart's controls (search box, selects) above it, where a reader looks first; its data button below.
_CHART_STYLE = """<style>
.vl-offline-chart .chart-wrapper { display: flex; flex-direction: column; }
.vl-offline-chart .vega-bindings { order: -1; margin-bottom: 0.4em; }
.pc-chart-data button { font-size: 0.85em; margin: 0.2em 0.6em 0.6em 0; cursor: pointer; }
</style>
"""

# Runs once per page, with the bundle: what every drawn chart gets (see the module docstring).
_CHART_DRAWN_JS = """\
(function () {
  "use strict";
  if (window.pcChartDrawn) { return; }
  window.pcViews = window.pcViews || [];
  function cell(value) {
    if (value === null || value === undefined) { return ""; }
    var text = typeof value === "object" ? JSON.stringify(value) : String(value);
    return /[",\\r\\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function csv(rows) {
    var columns = [];
    rows.forEach(function (row) {
      Object.keys(row).forEach(function (key) { if (columns.indexOf(key) < 0) { columns.push(key); } });
    });
    return [columns.map(cell).join(",")].concat(rows.map(function (row) {
      return columns.map(function (key) { return cell(row[key]); }).join(",");
    })).join("\\r\\n") + "\\r\\n";
  }
  function slug(spec) {
    var title = spec.title && (typeof spec.title === "string" ? spec.title : spec.title.text);
    title = typeof title === "string" ? title : (spec.description || "chart");
    return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "chart";
  }
  window.pcChartDrawn = function (el, spec, view) {
    window.pcViews.push(view);
    var datasets = spec.datasets || {};
    var names = Object.keys(datasets);
    var bar = document.createElement("div");
    bar.className = "pc-chart-data";
    names.forEach(function (name, n) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Download the data (CSV" + (names.length > 1 ? ", table " + (n + 1) + " of " +
        names.length : "") + ")";
      button.addEventListener("click", function () {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob(["\\ufeff" + csv(datasets[name])], {type: "text/csv"}));
        link.download = slug(spec) + (names.length > 1 ? "-" + (n + 1) : "") + ".csv";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
      bar.appendChild(button);
    });
    if (names.length && !(el.nextElementSibling && el.nextElementSibling.className === "pc-chart-data")) {
      el.parentNode.insertBefore(bar, el.nextSibling);
    }
    el.dispatchEvent(new CustomEvent("pc-chart", {detail: view, bubbles: true}));
    view.addEventListener("click", function (event, item) {  // e.g. a KWIC row: the page's reader opens it
      if (item && item.datum) {
        el.dispatchEvent(new CustomEvent("pc-chart-click", {detail: item.datum, bubbles: true}));
      }
    });
  };
})();
"""


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
    options = {**EMBED_OPTIONS, "downloadFileName": file_stem(spec), **metadata.get("embed_options", {})}
    html = _CHART_HTML.format(
        div_id=div_id, spec=_json_in_script(spec_json), options=_json_in_script(json.dumps(options))
    )
    return {"text/html": html, "text/plain": "<VegaLite chart>"}


def file_stem(spec: dict) -> str:
    """Name a chart's saved PNG/SVG after its title ("Who gets quoted, in words" -> "who-gets-quoted-in-words")."""
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    text = text if isinstance(text, str) else str(spec.get("description") or "chart")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "chart"


@functools.cache
def bundle_html() -> str:
    """Return the charts' style and a script that defines window.vegaEmbed unless an earlier copy already did."""
    bundle = _vega_embed_bundle()
    if re.search(r"</script|<!--", bundle, re.IGNORECASE):
        raise RuntimeError("vl_convert.javascript_bundle() holds '</script' or '<!--': it cannot be inlined")
    # The function scope keeps the bundle's top-level `const`s from clashing with a second copy.
    guarded = '(function () {\n"use strict";\nif (window.vegaEmbed) { return; }\n' + bundle + "\n})();\n"
    return f"{_CHART_STYLE}<script>\n{guarded}{_CHART_DRAWN_JS}</script>"


def _vega_embed_bundle() -> str:
    """Return vl-convert's vega-embed bundle, cached on disk per vl-convert version."""
    # Building it takes ~2 s per process, i.e. per notebook run; reading the cache takes milliseconds.
    version = importlib.metadata.version("vl-convert-python")
    cached = platformdirs.user_cache_path("parler-coverage", appauthor=False) / f"vega-embed-bundle-{version}.js"
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
