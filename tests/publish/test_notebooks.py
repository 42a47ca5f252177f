"""helpers.publish.notebooks: committed notebooks carry no run-to-run noise, and strip_noise removes it."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.publish.notebooks import WIDGET_PLACEHOLDER, WIDGET_VIEW, coalesce_streams, strip_noise
from helpers.publish.report import NOTEBOOK_PATTERN

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob(NOTEBOOK_PATTERN))


def noisy_notebook() -> nbformat.NotebookNode:
    code = new_code_cell("print('a'); print('b')")
    code.metadata["execution"] = {"iopub.execute_input": "2026-11-22T06:00:00Z"}
    code.outputs = [
        new_output("stream", name="stdout", text="Articles: 1 of 5."),
        new_output("stream", name="stdout", text="\n  one\n"),
        new_output("stream", name="stderr", text="warning\n"),
        new_output("stream", name="stdout", text="after\n"),
        new_output("display_data", data={WIDGET_VIEW: {"model_id": "3f9c0a", "version_major": 2}}),
        new_output("execute_result", execution_count=3, metadata={"x": 1},
                   data={WIDGET_VIEW: {"model_id": "77aa01", "version_major": 2, "version_minor": 0},
                         "text/plain": "VBox(children=(Dropdown(options=('apps_removed',), value='apps_removed'),))"}),
    ]
    notebook = new_notebook(cells=[new_markdown_cell("# Title"), code])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


def test_strip_noise_gives_stable_ids_and_drops_timings_and_widget_state():
    cleaned = strip_noise(noisy_notebook())
    assert [cell["id"] for cell in cleaned.cells] == ["cell-00", "cell-01"]
    assert "execution" not in cleaned.cells[1].metadata
    assert "widgets" not in cleaned.metadata


def test_strip_noise_replaces_saved_widgets_by_a_note_to_run_the_notebook():
    """A saved widget view has no state to show until the kernel runs: Lab would say "Loading widget..." forever."""
    outputs = strip_noise(noisy_notebook()).cells[1].outputs
    widget_outputs = outputs[-2:]
    assert [o["output_type"] for o in widget_outputs] == ["display_data", "execute_result"]
    for output in widget_outputs:
        assert set(output["data"]) == {"text/plain", "text/html"}
        assert output["data"]["text/plain"] == WIDGET_PLACEHOLDER
        assert "Run All Cells" in output["data"]["text/html"] and "<script" not in output["data"]["text/html"]
        assert output["metadata"] == {}
    assert widget_outputs[1]["execution_count"] == 3
    assert [o.get("text") for o in outputs[:-2]] == ["Articles: 1 of 5.\n  one\n", "warning\n", "after\n"]
    assert WIDGET_VIEW not in nbformat.writes(strip_noise(noisy_notebook()))
    nbformat.validate(strip_noise(noisy_notebook()))


def test_split_prints_are_joined_but_streams_stay_in_order():
    outputs = coalesce_streams(noisy_notebook().cells[1].outputs)
    assert [(o.get("name"), o.get("text")) for o in outputs] == [
        ("stdout", "Articles: 1 of 5.\n  one\n"), ("stderr", "warning\n"), ("stdout", "after\n"), (None, None),
        (None, None)]


def test_strip_noise_is_idempotent():
    once = strip_noise(noisy_notebook())
    assert strip_noise(copy.deepcopy(once)) == once


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_committed_notebooks_hold_no_noise(path: Path):
    notebook = nbformat.read(path, as_version=4)
    assert strip_noise(copy.deepcopy(notebook)) == notebook, (
        f"{path.name} carries timings, random ids, split output or saved widget views: "
        "run `python -m helpers refresh-notebooks`")
