"""Re-run the study notebooks in place and strip the noise nbval and git should not see."""

from __future__ import annotations

import html
import time
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from helpers.publish.report import NOTEBOOK_PATTERN, WIDGET_MIMETYPE, ReportError, execute_notebook

WIDGET_VIEW = WIDGET_MIMETYPE
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
# What a saved widget output says until the notebook is run: without the kernel's widget state JupyterLab can only
# show "Loading widget..." (or an error) there.
WIDGET_PLACEHOLDER = "Interactive control: run the notebook (Run ▸ Run All Cells) to use it."


def strip_noise(notebook: NotebookNode) -> NotebookNode:
    """Give cells stable ids, join split print output, drop timings and widget state, and say how to get a widget."""
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.get("outputs", []))
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
                if WIDGET_VIEW in output.get("data", {}):
                    output["data"] = nbformat.from_dict(widget_placeholder())
                    output["metadata"] = {}
    notebook.metadata.pop("widgets", None)
    return notebook


def widget_placeholder() -> dict[str, str]:
    """Return the output data that stands in for a saved widget: plain text and a line of HTML, no widget view."""
    return {"text/plain": WIDGET_PLACEHOLDER,
            "text/html": f"<p class=\"pc-widget-placeholder\"><em>{html.escape(WIDGET_PLACEHOLDER)}</em></p>"}


def coalesce_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Join consecutive stdout (or stderr) outputs into one: how the kernel chunks a print is timing, not content."""
    joined: list[NotebookNode] = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = previous["text"] + output["text"]
        else:
            joined.append(output)
    return joined


def refresh_notebooks(notebooks_dir: Path = Path("notebooks")) -> list[Path]:
    """Execute every numbered notebook from a fresh kernel and save it with clean outputs."""
    paths = sorted(Path(notebooks_dir).glob(NOTEBOOK_PATTERN))
    if not paths:
        raise ReportError(f"{notebooks_dir}: no notebooks named like {NOTEBOOK_PATTERN}")
    for path in paths:
        started = time.perf_counter()
        notebook = strip_noise(execute_notebook(path))
        nbformat.write(notebook, path)
        print(f"refreshed {path.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return paths
