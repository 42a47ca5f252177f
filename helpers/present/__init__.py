"""Presentation: offline charts, highlighted text and ipywidgets for JupyterLab."""
