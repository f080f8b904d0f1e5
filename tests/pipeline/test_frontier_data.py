"""The context-window timeline's data: every row cites a known bib entry, bad rows
stop the build with file:line."""

import pytest

from snippets.serving_long_contexts._frontier_data import (COLUMNS, DATA, load,
                                                           source_labels)

ROW = "GPT-3,OpenAI,2020-05,2048,n_ctx = 2048 tokens,yes,no,brown2020gpt3,Section 2.1"


def write(tmp_path, *rows):
    path = tmp_path / "windows.csv"
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def test_committed_data_loads_and_every_key_has_a_label():
    rows = load()
    labels = source_labels()
    assert len(rows) >= 10 and all(w.key in labels for w in rows)
    assert DATA.name == "frontier_context_windows.csv"


def test_unknown_bib_key_names_the_line(tmp_path):
    path = write(tmp_path, ROW, ROW.replace("brown2020gpt3", "nosuch2024key"))
    with pytest.raises(ValueError, match=r"windows.csv:3: bib key 'nosuch2024key'"):
        load(path)


@pytest.mark.parametrize("bad,message", [
    (ROW.replace("2020-05", "May 2020"), "YYYY-MM"),
    (ROW.replace(",yes,no,", ",maybe,no,"), "yes or no"),
    (ROW.replace(",2048,", ",0,"), "tokens >= 1"),
])
def test_malformed_rows_are_rejected(tmp_path, bad, message):
    with pytest.raises(ValueError, match=message):
        load(write(tmp_path, bad))


def test_rows_out_of_date_order_are_rejected(tmp_path):
    later = ROW.replace("2020-05", "2021-01")
    with pytest.raises(ValueError, match="date order"):
        load(write(tmp_path, later, ROW))
