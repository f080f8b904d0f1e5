"""The context-window timeline as a table: each window, its wording and its source.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md (Long
context at the frontier). Same data as frontier_context_timeline.py; the page cites
every key listed here in the sentence under the table.
"""

from snippets.serving_long_contexts._frontier_data import load, source_labels

DATA_FILES = ("snippets/serving_long_contexts/frontier_context_windows.csv",
              "docs/references.bib")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


# --8<-- [start:table]
def table(rows, labels) -> str:
    lines = ["| Model | Developer | Announced | Window plotted (tokens) "
             "| The source's words | Exact count? | Source |",
             "|---|---|---|--:|---|---|---|"]
    for w in rows:
        where = labels[w.key] + (f", {w.locator}" if w.locator else "")
        exact = "yes" if w.exact else "no, rounded"
        lines.append(f"| {w.model} | {w.developer} | {MONTHS[w.month - 1]} {w.year} "
                     f"| {w.tokens:,} | {w.as_stated} | {exact} | {where} |")
    return "\n".join(lines)
# --8<-- [end:table]


def main(book):
    rows = load()
    by_model = {w.model: w for w in rows}
    book.claim("frontier_llama2_doubled", "doubled",
               holds=by_model["Llama 2"].tokens == 2 * by_model["LLaMA"].tokens,
               because=f"{by_model['LLaMA'].tokens} -> {by_model['Llama 2'].tokens}")
    book.fact("frontier_n_rounded", sum(not w.exact for w in rows), fmt="d")
    book.table(table(rows, source_labels()), caption="Every point of the timeline with the words of "
               "its source. \"Exact count?\" says whether the source gives the "
               "number of tokens or a rounded \"K\"/\"M\" figure; rounded ones are "
               "plotted in decimal units (128K as 128,000). Sources are listed under "
               "References at the end of the page.")
