"""Explore views that work on the shared pages with no kernel: every choice is precomputed into folds.

The JupyterLab widgets (helpers.present.widgets) pick one article, code or layer at a time and run Python on
each pick. A reader of the shared HTML has no Python, and the choices are few (a handful of articles, some 70
codes), so each view here renders every choice once, as a `<details>` fold that the reader opens: no script, so
nothing to trust, nothing that can break, and it prints. The widgets and these views share their pure functions
(`reader_html`, `evidence_html`, `table_html`), so both show the same thing.

`page_controls_html` is the page's one source filter (and its glosses switch): it hides every block carrying the
`data-outlet` of an outlet the reader unticks (each article in these folds carries one) and sets the `pc_sources`
param of every chart on the page (helpers.present.charts.source_params), in the shared HTML as in JupyterLab.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd
from IPython.display import HTML

from helpers.annotate.annotations import Codebook
from helpers.corpus.articles import date_window, outlets_of
from helpers.corpus.glossary import gloss, load_glossary
from helpers.present.limits import ARTICLES_SHOWN_MAX, is_large, shown_note
from helpers.present.widgets import (
    DISAGREEMENT_COLUMNS,
    disagreement_columns,
    evidence_rows,
    reader_html,
    table_html,
)

FOLD_STYLE = """<style>
.pc-folds details { border-left: 3px solid #ccc; margin: 0.3em 0; padding: 0.1em 0.6em; }
.pc-folds details[open] { border-left-color: #4c78a8; }
.pc-folds summary { cursor: pointer; }
.pc-folds summary .pc-count { color: #555; font-size: 90%; }
.pc-folds mark.pc-kwic-hit { background: #ffd54f; outline: 2px solid #b00020; }
</style>"""


GLOSS_COLUMNS_MAX = 12  # tables glossed in a column up to this far right can hide the column (see _CONTROLS_STYLE)

_CONTROLS_STYLE = """<style>
.pc-page-controls { display: flex; flex-wrap: wrap; gap: 0.2em 1.2em; align-items: baseline; padding: 0.4em 0.8em;
  border: 1px solid #ccd; border-radius: 4px; background: #f7f8fb; font-size: 0.95em; }
.pc-page-controls fieldset { border: none; margin: 0; padding: 0; display: inline; }
.pc-page-controls legend { display: inline; float: left; font-weight: 600; margin-right: 0.6em; padding: 0; }
.pc-page-controls label { margin-right: 0.8em; white-space: nowrap; cursor: pointer; }
.pc-page-controls .pc-status { color: #555; }
.pc-gloss { color: #555; font-style: italic; font-size: 0.85em; }
.pc-glosses-off .pc-gloss { display: none; }
.jp-Notebook:has(.pc-page-controls) .pc-lab-sources { display: none; }
""" + "".join(f'.pc-glosses-off table[data-gloss-column="{n}"] tr > :nth-child({n}) {{ display: none; }}\n'
              for n in range(1, GLOSS_COLUMNS_MAX + 1)) + "</style>"

# Plain JS, no kernel: finds its own controls from the script element, works on the notebook (in JupyterLab) or the
# page (shared HTML) it sits in, and keeps one outlet ticked so that no chart is ever left without data.
_CONTROLS_SCRIPT = """<script>
(function () {
  "use strict";
  var controls = document.currentScript.previousElementSibling;
  var root = controls.closest(".jp-Notebook") || document.body;
  var boxes = Array.prototype.slice.call(controls.querySelectorAll("input[data-source]"));
  var glosses = controls.querySelector("input[data-glosses]");
  var status = controls.querySelector(".pc-status");
  var bar = document.getElementById("pc-page-bar");  // the shared page pins its controls to the top
  if (bar && root === document.body) { bar.appendChild(controls); }
  function kept() {
    return boxes.filter(function (box) { return box.checked; }).map(function (box) {
      return box.getAttribute("data-source");
    });
  }
  function mine(el) { return el && el.isConnected && (el.closest(".jp-Notebook") || document.body) === root; }
  function setView(view) {
    if (!mine(view.container())) { return; }
    try { view.signal("pc_sources", kept()).runAsync(); } catch (err) { /* a chart with no source param */ }
  }
  function apply(event) {
    if (kept().length === 0 && event && event.target) {
      event.target.checked = true;
      status.textContent = "Keep at least one source ticked.";
      return;
    }
    var keep = kept();
    root.querySelectorAll("[data-outlet]").forEach(function (el) {
      if (mine(el)) { el.hidden = keep.indexOf(el.getAttribute("data-outlet")) < 0; }
    });
    (window.pcViews || []).forEach(setView);
    // JupyterLab: the Python views' own source filter (widgets.SourceFilter) follows this one.
    root.querySelectorAll(".pc-lab-source").forEach(function (widget) {
      var input = widget.querySelector("input[type=checkbox]");
      var name = (widget.querySelector("label span") || widget).textContent.trim();
      if (input && input.checked !== (keep.indexOf(name) >= 0)) { input.click(); }
    });
    root.classList.toggle("pc-glosses-off", !glosses.checked);
    controls.setAttribute("data-all", String(keep.length === boxes.length));
    status.textContent = keep.length === boxes.length ? "every source shown" :
      "showing " + keep.length + " of " + boxes.length + " sources";
  }
  // On the shared pages the reader's choice follows them to the other pages (this browser tab only).
  var KEY = "pc-sources";
  function remember() {
    try { sessionStorage.setItem(KEY, JSON.stringify(kept())); } catch (err) { /* storage off: no memory */ }
  }
  function recall() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (err) { saved = null; }
    if (!Array.isArray(saved)) { return; }
    var known = boxes.filter(function (box) { return saved.indexOf(box.getAttribute("data-source")) >= 0; });
    if (known.length === 0) { return; }
    boxes.forEach(function (box) { box.checked = known.indexOf(box) >= 0; });
  }
  controls.addEventListener("change", function (event) { apply(event); remember(); });
  root.addEventListener("pc-chart", function (event) {
    if (kept().length < boxes.length) { setView(event.detail); }
  });
  if (bar) { recall(); }  // the shared pages only: a notebook starts with every source
  apply();
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { apply(); }); }
})();
</script>"""


def page_controls_html(outlets: Sequence[str]) -> str:
    """Render the page's one source filter and its English-glosses switch (plain HTML and JS, no kernel).

    Unticking an outlet hides, on the same page (or notebook), every fold or article block of that outlet and
    filters every chart; at least one outlet stays ticked. The glosses switch shows or hides the English glosses
    beside German spans and in tables' gloss columns (the gloss on hover stays).
    """
    sources = "".join(f'<label><input type="checkbox" checked data-source="{html.escape(outlet)}"> '
                      f"{html.escape(outlet)}</label>" for outlet in outlets)
    return (f'{_CONTROLS_STYLE}<div class="pc-page-controls" role="region" aria-label="Filters for this page">'
            f"<fieldset><legend>Sources on this page</legend>{sources}</fieldset>"
            '<label><input type="checkbox" checked data-glosses> English glosses</label>'
            '<span class="pc-status" aria-live="polite"></span></div>' + _CONTROLS_SCRIPT)


def article_label(outlet: str, title: str, earliest: pd.Timestamp, latest: pd.Timestamp) -> str:
    """Name an article for a reader: outlet, headline and publication window (never its id alone)."""
    return f"{outlet}: {title} ({date_window(earliest, latest)})"


def _fold(summary: str, body: str, *, title: str = "", outlet: str | None = None, article: str | None = None) -> str:
    """Render one fold: an escaped one-line summary (HTML allowed in `summary` only from the kit) and its body."""
    data = f' data-outlet="{html.escape(outlet)}"' if outlet is not None else ""
    data += f' data-article="{html.escape(article)}"' if article is not None else ""
    hover = f' title="{html.escape(title)}"' if title else ""
    return f"<details{data}><summary{hover}>{summary}</summary>{body}</details>"


def _count(text: str) -> str:
    return f' <span class="pc-count">({html.escape(text)})</span>'


# A click on a KWIC row (a `pc-chart-click` whose row has article_id, sentence, kwic_before and kwic_hit) opens the
# article's fold on the same page and highlights the hit: found as the sentence in a paragraph, then the hit at
# its offset in the sentence (or, failing that, the hit's first occurrence).
READER_SCRIPT = """<script>
(function () {
  "use strict";
  var folds = document.currentScript.previousElementSibling;
  var root = folds.closest(".jp-Notebook") || document.body;
  function unmark() {
    folds.querySelectorAll("mark.pc-kwic-hit").forEach(function (mark) {
      var parent = mark.parentNode;
      parent.replaceChild(document.createTextNode(mark.textContent), mark);
      parent.normalize();
    });
  }
  function mark(fold, row) {
    var paragraphs = Array.prototype.slice.call(fold.querySelectorAll("[lang=de] p"));
    for (var n = 0; n < paragraphs.length; n++) {
      var text = paragraphs[n].textContent;
      var at = text.indexOf(row.sentence);
      at = at >= 0 ? at + row.kwic_before.length : text.indexOf(row.kwic_hit);
      var node = paragraphs[n].firstChild;
      if (at >= 0 && node && node.nodeType === 3 && text.substr(at, row.kwic_hit.length) === row.kwic_hit) {
        var range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + row.kwic_hit.length);
        var hit = document.createElement("mark");
        hit.className = "pc-kwic-hit";
        hit.tabIndex = -1;
        range.surroundContents(hit);
        return hit;
      }
    }
    return null;
  }
  root.addEventListener("pc-chart-click", function (event) {
    var row = event.detail;
    if (!row || !row.article_id || typeof row.kwic_hit !== "string") { return; }
    var fold = Array.prototype.slice.call(folds.querySelectorAll("details[data-article]")).filter(function (f) {
      return f.getAttribute("data-article") === row.article_id;
    })[0];
    if (!fold) { return; }
    unmark();
    fold.hidden = false;
    fold.open = true;
    var hit = mark(fold, row);
    (hit || fold).scrollIntoView({block: "center"});
    if (hit) { hit.focus({preventScroll: true}); }
  });
})();
</script>"""


def article_reader_html(articles: pd.DataFrame, max_articles: int = ARTICLES_SHOWN_MAX) -> str:
    """Render every article as a fold holding its clean text (what the lab's article picker shows one at a time).

    On a page with the KWIC chart, clicking a row opens its article here with the hit highlighted. A corpus of more
    than `max_articles` articles shows its first `max_articles` (the articles the KWIC chart searches) and says so.
    """
    folds, note = [], ""
    if is_large(len(articles), max_articles):
        note = "<p><em>" + html.escape(shown_note(
            max_articles, len(articles), "articles (corpus order)",
            "the lab's article picker (widgets.corpus_explorer) reads every one")) + "</em></p>"
        articles = articles.head(max_articles)
    for row in articles.itertuples():
        meta = f"{row.outlet} · published {date_window(row.published_earliest, row.published_latest)}"
        label = article_label(row.outlet, row.display_title, row.published_earliest, row.published_latest)
        folds.append(_fold(html.escape(label) + _count(f"{row.words_clean} words"),
                           reader_html(row.display_title, row.clean_text, meta) + _original(row),
                           title=str(row.article_id), outlet=str(row.outlet), article=str(row.article_id)))
    return f'{FOLD_STYLE}{note}<div class="pc-folds pc-reader">{"".join(folds)}</div>{READER_SCRIPT}'


def _original(row: object) -> str:
    """Link an article's original web address, with how it was found (its `url_basis`), where the corpus has one."""
    url = getattr(row, "url", None)
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return ""
    basis = getattr(row, "url_basis", None)
    how = f" ({html.escape(basis)})" if isinstance(basis, str) and basis.strip() else ""
    return (f'<p class="pc-original">Original: <a href="{html.escape(url, quote=True)}" rel="noopener noreferrer" '
            f'target="_blank">{html.escape(url)}</a>{how}</p>')


def reader_spans(spans: pd.DataFrame, codebook: Codebook, layer: str, glossary: Mapping[str, str]) -> pd.DataFrame:
    """Return spans ready for a reader's hover: the code's name (`label`), actors by name, the English gloss."""
    actors, glossary = codebook.actor_names(), dict(glossary)
    return spans.assign(
        label=[codebook.name_of(layer, code) for code in spans["code"]],
        speaker=[actors.get(value, value) for value in spans["speaker"].fillna("")],
        attributed_to=[actors.get(value, value) for value in spans["attributed_to"].fillna("")],
        gloss=[gloss(text, glossary) for text in spans["span"].fillna("")],
    )


def evidence_browser_html(annotations: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook, layer: str,
                          codes: Sequence[str] | None = None, glossary: Mapping[str, str] | None = None) -> str:
    """Render one fold per code of a layer: its definition, then each article that carries it, spans highlighted.

    What the lab's evidence picker shows for one code at a time (the same `evidence_rows` and highlighting).
    A code no article carries says so; its fold stays, so the list is the whole codebook layer. Hovering a span
    shows its code's name, who says it (by name) and its English gloss (`glossary`, by default the glossary of
    the codebook's corpus).
    """
    from helpers.present.highlight import highlight_html

    glossary = load_glossary(codebook.path.parent) if glossary is None else glossary
    codes = list(codes) if codes is not None else codebook.ids(layer)
    meta = articles.set_index("article_id")
    folds = []
    for code in codes:
        rows = evidence_rows(annotations, articles, layer, code, outlets_of(articles))
        definition = str(codebook.codes[layer].set_index("id").loc[code, "definition"])
        parts = [f"<p><em>{html.escape(definition)}</em></p>"]
        if rows.empty:
            parts.append("<p>No article carries it.</p>")
        for article_id, spans in rows.groupby("article_id", sort=False):
            row = meta.loc[article_id]
            label = article_label(row["outlet"], row["display_title"], row["published_earliest"],
                                  row["published_latest"])
            marked = highlight_html(row["clean_text"], reader_spans(spans, codebook, layer, glossary), title=label,
                                    label_column="label")
            parts.append(f'<div data-outlet="{html.escape(str(row["outlet"]))}">{marked}</div>')
        count = f"{len(rows)} span{'s' * (len(rows) != 1)} in {rows['article_id'].nunique()} article" + (
            "s" * (rows["article_id"].nunique() != 1))
        folds.append(_fold(html.escape(codebook.name_of(layer, code)) + _count(count), "".join(parts),
                           title=f"code id: {code}"))
    return f'{FOLD_STYLE}<div class="pc-folds">{"".join(folds)}</div>'


def disagreements_html(settled: pd.DataFrame, columns: Sequence[str] = DISAGREEMENT_COLUMNS) -> str:
    """Render one fold per layer listing the coders' disagreements there, with the decisions (the lab's picker)."""
    columns = disagreement_columns(settled, columns)
    folds = []
    for layer, rows in settled.groupby("layer", sort=False):
        count = f"{len(rows)} disagreement{'s' * (len(rows) != 1)}"
        folds.append(_fold(html.escape(str(layer)) + _count(count), table_html(rows[list(columns)])))
    if not folds:
        return "<p><em>The two coders agree everywhere: nothing to adjudicate.</em></p>"
    return f'{FOLD_STYLE}<div class="pc-folds">{"".join(folds)}</div>'


def show(fragment: str) -> HTML:
    """Display an explore view in a notebook (and on the shared page)."""
    return HTML(fragment)
