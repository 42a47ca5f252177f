"""The one error type a researcher sees when the corpus or its annotations are broken."""

from __future__ import annotations


class CorpusError(ValueError):
    """Bad corpus input; `problems` lists every problem, each naming its file (and line)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the corpus:"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))
