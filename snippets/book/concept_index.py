"""The book's concept index: every concept, how deeply each lesson teaches it.

Shown on: docs/concepts.md. Reads every lesson's concepts.yml, so a new lesson adds
its concepts by adding that file; nothing here changes.

A concepts.yml looks like:

    lesson: "5.3.2 Long context and efficient attention"
    page: 5.3-scaling-architecture/long-context/index.md   # relative to docs/
    concepts:
      - name: Rotary position embeddings (RoPE)
        depth: DEVELOPED        # MENTIONED, INTRODUCED or DEVELOPED
        anchor: position-in-the-handshake-rope   # optional heading id on the page
"""

from pathlib import Path

import yaml

DATA_FILES = ("docs/**/concepts.yml",)
DEPTHS = ("MENTIONED", "INTRODUCED", "DEVELOPED")
ROOT = Path(__file__).resolve().parents[2]


# --8<-- [start:collect]
def collect():
    """(concept, depth, lesson, link) rows, sorted by concept then lesson."""
    rows = []
    for path in sorted(ROOT.glob(DATA_FILES[0])):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        for key in ("lesson", "page", "concepts"):
            if key not in entry:
                raise ValueError(f"{where}: missing '{key}'")
        for concept in entry["concepts"]:
            if concept.get("depth") not in DEPTHS:
                raise ValueError(f"{where}: {concept.get('name')!r} has depth "
                                 f"{concept.get('depth')!r}; use one of {DEPTHS}")
            link = entry["page"] + (f"#{concept['anchor']}"
                                    if concept.get("anchor") else "")
            rows.append((concept["name"], concept["depth"], entry["lesson"], link))
    return sorted(rows, key=lambda r: (r[0].lower(), r[2]))
# --8<-- [end:collect]


def main(book):
    rows = collect()
    lines = ["| Concept | Depth | Lesson |", "|---|---|---|"]
    lines += [f"| {name} | {depth} | [{lesson}]({link}) |"
              for name, depth, lesson, link in rows]
    book.table("\n".join(lines), caption=(
        "Every concept the book teaches, with the lesson that teaches it and how "
        "deeply: MENTIONED (named only), INTRODUCED (explained, with an example), "
        "DEVELOPED (practised, with exercises and checks)."))
    book.fact("concept_count", len(rows), fmt="d")
