"""Content beats heading words: the kinds of table the holdout plans showed (issue 19)."""

import csv
import io

from imports.layout import find_layout
from imports.reading import read_file
from imports.services import plan_file_read
from imports.status import status_from_words
from plans.models import RAG


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def layout_of(rows):
    sheet = read_file(data=csv_bytes(rows), filename="plan.csv")[0]
    return {c.label: c.field for c in find_layout(sheet.rows, mapping={}).columns}


def test_a_kpi_tracker_reads_its_indicators_as_items_not_its_figures_as_milestones():
    fields = layout_of(
        [
            ["Key Performance Indicator", "Baseline (date)", "Target", "Milestone 1 – Jul 23"],
            [
                "Percentage of pupils with SEN support absent from school",
                "10.9% (21/22)",
                "10%",
                "10.9%",
            ],
            ["Suspension rate of pupils with an EHC plan", "25.06 (21/22)", "17.63", "25.06"],
            ["EHC assessment requests as a % of population", "0.97%", "0.68%", "1.05%"],
        ]  # fmt: skip
    )
    assert fields["Key Performance Indicator"] == "action"
    assert fields["Milestone 1 – Jul 23"] == "notes"


def test_a_kpi_summary_with_a_blank_heading_over_its_indicators_is_read_not_refused():
    rows = [
        ["Thematic Summaries Quarter 1 2015/16", ""],
        ["CHILDREN AND YOUNG PEOPLE", ""],
        ["", "Target"],
        ["CYP100: Uptake of free early education places", "1\nGreen"],
        ["CYP101: Children registered with a Children's Centre", "3\nRed"],
        ["CYP102: Children with a good level of development", "4\nData Not Available"],
    ]
    parsed = plan_file_read(data=csv_bytes(rows), filename="kpis.csv")
    assert not parsed.refused
    [priority] = parsed.priorities
    assert priority.title == "CHILDREN AND YOUNG PEOPLE"
    statuses = [m.status for o in priority.outcomes for a in o.actions for m in a.milestones]
    assert statuses == [RAG.GREEN, RAG.RED, RAG.NOT_STARTED]


def test_a_legend_number_before_a_status_word_gives_the_word():
    assert status_from_words("1\nGreen") == RAG.GREEN
    assert status_from_words("3 – Red") == RAG.RED
    assert status_from_words("4\nData Not Available") is None
