"""Show annotations in an article's text: HTML paragraphs with each span in a coloured, titled <mark>.

Overlapping or nested spans are cut at every span boundary into segments; each segment opens the marks of
the spans covering it and closes them again, so tags always balance. All article text is escaped.
Backgrounds are translucent and every mark draws its own underline, stacked below the marks it contains,
so a sentence carrying three frames shows three colours.

Colours follow the order of the codes given to `code_colours`: pass the codebook's ids
(`code_colours(codebook.ids("frames"))`) for the same colour per code in every article. Without it, the
codes in view are coloured in alphabetical order.
"""

from __future__ import annotations

import colorsys
import hashlib
import html
import re
from collections.abc import Mapping, Sequence

import pandas as pd

# Paragraphs are separated by blank lines (clean text uses "\n\n").
_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*\n\s*")
_CLASS_RE = re.compile(r"[^a-z0-9_-]+")


# Tableau 10, then its ten lighter tones: the first ten codes get the most distinct colours.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
)
BACKGROUND_ALPHA = "55"  # hex alpha appended to a colour: translucent, so nested marks mix
UNDERLINE_PX = 3


def code_colour(code: str) -> str:
    """Return a colour for a code outside any list: derived from its name, so stable but not unique."""
    hue = int(hashlib.sha256(code.encode("utf-8")).hexdigest()[:8], 16) % 360
    red, green, blue = colorsys.hls_to_rgb(hue / 360, 0.55, 0.6)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def code_colours(codes: Sequence[str]) -> dict[str, str]:
    """Give each code a distinct palette colour in the order given (codebook order keeps them stable)."""
    codes = list(dict.fromkeys(codes))
    return {code: PALETTE[n] if n < len(PALETTE) else code_colour(code) for n, code in enumerate(codes)}


def code_class(code: str) -> str:
    """Return the CSS class of a code's marks: 'pc-' and the code made safe for a class name."""
    return "pc-" + (_CLASS_RE.sub("-", code.lower()).strip("-") or "code")


def _present(value: object) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) and str(value) != ""


def span_title(span: pd.Series | dict, label_column: str = "code", show_coder: bool = False) -> str:
    """Describe a span for its tooltip: the label, plus speaker, attribution, coder and English gloss where given."""
    parts = [str(span[label_column])]
    if _present(span.get("speaker")):
        parts.append(f"speaker: {span['speaker']}")
    if span.get("layer") == "labels":
        attributed = span.get("attributed_to")
        parts.append(f"attributed to: {attributed}" if _present(attributed) else "asserted by the outlet")
    elif _present(span.get("attributed_to")):
        parts.append(f"attributed to: {span['attributed_to']}")
    if show_coder and _present(span.get("coder")):
        parts.append(f"coder: {span['coder']}")
    if _present(span.get("gloss")):
        parts.append(f"English: {span['gloss']}")
    return parts[0] + (f" ({'; '.join(parts[1:])})" if len(parts) > 1 else "")


def _checked_spans(text: str, spans: pd.DataFrame, label_column: str) -> list[dict]:
    missing = [c for c in ("start", "end", label_column) if c not in spans.columns]
    if missing:
        raise ValueError(f"spans lack column(s) {', '.join(missing)}")
    show_coder = "coder" in spans.columns and spans["coder"].nunique() > 1
    checked = []
    for n, (_, span) in enumerate(spans.iterrows(), start=1):
        start, end = span["start"], span["end"]
        if pd.isna(start) or pd.isna(end) or not 0 <= int(start) < int(end) <= len(text):
            raise ValueError(f"span {n} ({span[label_column]}): offsets {start}-{end} are not inside the text "
                             f"(length {len(text)}, end exclusive)")
        label = str(span[label_column])
        gloss = str(span["gloss"]) if _present(span.get("gloss")) else ""
        checked.append({"start": int(start), "end": int(end), "label": label, "order": n, "gloss": gloss,
                        "title": span_title(span, label_column, show_coder)})
    return checked


def _mark(span: dict, colours: Mapping[str, str], below: int = 0) -> str:
    """Open a mark; `below` is how many marks it contains here, so its underline sits under theirs."""
    colour = colours.get(span["label"]) or code_colour(span["label"])
    style = (f"background:{colour}{BACKGROUND_ALPHA};color:inherit;padding:0 0 {below * UNDERLINE_PX}px 0;"
             f"border-bottom:{UNDERLINE_PX}px solid {colour}")
    return (f'<mark class="{code_class(span["label"])}" title="{html.escape(span["title"], quote=True)}" '
            f'style="{html.escape(style, quote=True)}">')


def _render_stretch(text: str, start: int, end: int, spans: list[dict], colours: Mapping[str, str]) -> str:
    """Render text[start:end] with every span clipped to it; marks open and close within each segment."""
    cuts = {start, end}
    for span in spans:
        cuts.update(p for p in (span["start"], span["end"]) if start < p < end)
    points = sorted(cuts)
    out = []
    for left, right in zip(points, points[1:], strict=False):
        # Outer (earlier, longer) spans open first so nesting looks the same in every segment.
        covering = sorted((s for s in spans if s["start"] <= left and right <= s["end"]),
                          key=lambda s: (s["start"], -s["end"], s["order"]))
        opening = "".join(_mark(s, colours, len(covering) - 1 - depth) for depth, s in enumerate(covering))
        out.append(opening + html.escape(text[left:right]) + "</mark>" * len(covering))
        out.extend(_gloss(span) for span in spans if span["end"] == right and span.get("gloss"))
    return "".join(out)


def _gloss(span: dict) -> str:
    """Render a span's English gloss beside it (a page's glosses switch hides `.pc-gloss`)."""
    return f'<span class="pc-gloss" lang="en"> [English: {html.escape(span["gloss"])}]</span>'



def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each paragraph: the stretches between blank lines."""
    bounds, position = [], 0
    for gap in _PARAGRAPH_BREAK_RE.finditer(text):
        bounds.append((position, gap.start()))
        position = gap.end()
    bounds.append((position, len(text)))
    return [(start, end) for start, end in bounds if end > start]


def legend_html(spans: list[dict], colours: Mapping[str, str]) -> str:
    """Render one coloured entry per label with its number of spans, in order of first appearance."""
    counts: dict[str, int] = {}
    for span in sorted(spans, key=lambda s: (s["start"], s["order"])):
        counts[span["label"]] = counts.get(span["label"], 0) + 1
    items = " ".join(
        f'<span class="pc-legend-item" style="margin-right:0.8em;white-space:nowrap">'
        f'{_mark({"label": label, "title": label}, colours)}{html.escape(label)}</mark> {count}</span>'
        for label, count in counts.items()
    )
    return f'<div class="pc-legend" style="font-size:0.9em;margin-bottom:0.6em">{items}</div>'


def highlight_html(text: str, spans: pd.DataFrame, *, label_column: str = "code", title: str = "",
                   colours: Mapping[str, str] | None = None) -> str:
    """Render clean text as escaped HTML paragraphs with each span in a <mark> titled by its label.

    `spans` needs start, end and `label_column`; speaker, attributed_to, layer and coder enrich the titles.
    Filter `spans` to the layer (and coder) you want to see. Offsets are into `text`, end exclusive.
    `colours` maps labels to colours (see `code_colours`); labels it lacks get one derived from their name.
    The text between paragraphs is kept verbatim, so stripping the tags from the text block and unescaping
    gives back `text` exactly, unless `spans` has a `gloss` column: each glossed span is then followed by its
    English gloss in a `.pc-gloss` element.
    """
    checked = _checked_spans(text, spans, label_column) if spans is not None else []
    colours = dict(colours) if colours is not None else code_colours(sorted({s["label"] for s in checked}))
    paragraphs, position = [], 0
    for start, end in paragraph_bounds(text):
        paragraphs.append(html.escape(text[position:start]))
        paragraphs.append(f'<p style="white-space:pre-wrap">{_render_stretch(text, start, end, checked, colours)}</p>')
        position = end
    paragraphs.append(html.escape(text[position:]))
    heading = f"<h3>{html.escape(title)}</h3>" if title else ""
    legend = legend_html(checked, colours) if checked else ""
    return (f'<div class="pc-highlight">{heading}{legend}'
            f'<div class="pc-text" lang="de" style="line-height:1.9">{"".join(paragraphs)}</div></div>')
