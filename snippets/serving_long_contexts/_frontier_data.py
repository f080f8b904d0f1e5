"""The cited context-window timeline: load frontier_context_windows.csv and check it.

Used by frontier_context_timeline.py (figure) and frontier_context_table.py (table).
One row per (model, announced window). Columns:

    model, developer   as the source names them
    announced          YYYY-MM of the announcement or paper (month precision only)
    tokens             the window plotted, in tokens; a vendor's "128K" is read as
                       128,000 unless the source gives an exact count
    as_stated          the source's own words for the window
    exact              yes: the source gives the exact count; no: a rounded "K"/"M"
    research_only      yes: tested in research, not offered to users
    key, locator       the docs/references.bib entry that states it, and where in it

Bad rows stop the build with file:line and what to fix.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from scripts.bookbuild.bibtex import label_entries, parse

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("frontier_context_windows.csv")
BIB = ROOT / "docs" / "references.bib"
COLUMNS = ["model", "developer", "announced", "tokens", "as_stated", "exact",
           "research_only", "key", "locator"]


@dataclass(frozen=True)
class Window:
    model: str
    developer: str
    year: int
    month: int
    tokens: int
    as_stated: str
    exact: bool
    research_only: bool
    key: str
    locator: str

    @property
    def when(self) -> float:
        """Fractional year at the middle of the announcement month, for plotting."""
        return self.year + (self.month - 0.5) / 12


def _shown(path: Path) -> str:
    """The path as error messages show it: relative to the repository if inside."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _yes_no(value: str, where: str, column: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"{where}: column '{column}' must be yes or no, got {value!r}")
    return value == "yes"


def load(path: Path = DATA, bib: Path = BIB) -> list[Window]:
    """Every row, checked: known bib key, YYYY-MM date, positive token count,
    rows in date order (the table is read top to bottom as a timeline)."""
    keys = parse(bib.read_text(encoding="utf-8"), _shown(bib))
    rel = _shown(path)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{rel}:1: header must be {','.join(COLUMNS)}")
        rows = []
        for row in reader:
            where = f"{rel}:{reader.line_num}"
            if row["key"] not in keys:
                raise ValueError(f"{where}: bib key '{row['key']}' is not in "
                                 f"docs/references.bib; add the entry or fix the key")
            try:
                year, month = (int(x) for x in row["announced"].split("-"))
                tokens = int(row["tokens"])
            except ValueError:
                raise ValueError(f"{where}: announced must be YYYY-MM and tokens an "
                                 f"integer, got {row['announced']!r}, "
                                 f"{row['tokens']!r}") from None
            if not 1 <= month <= 12 or tokens < 1:
                raise ValueError(f"{where}: month must be 1-12 and tokens >= 1")
            rows.append(Window(row["model"], row["developer"], year, month, tokens,
                               row["as_stated"],
                               _yes_no(row["exact"], where, "exact"),
                               _yes_no(row["research_only"], where, "research_only"),
                               row["key"], row["locator"]))
    dates = [(w.year, w.month) for w in rows]
    if not rows or dates != sorted(dates):
        raise ValueError(f"{rel}: rows must be non-empty and in date order")
    return rows


def source_labels(bib: Path = BIB) -> dict[str, str]:
    """bib key -> the author-year label the page's {{cite:…}} shows for it."""
    entries = parse(bib.read_text(encoding="utf-8"), _shown(bib))
    label_entries(entries)
    return {key: f"{e.short_authors}, {e.year}" for key, e in entries.items()}
