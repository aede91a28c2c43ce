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


def test_a_numbered_assessment_reads_by_the_legend_below_the_table():
    rows = [
        ["No.", "Recommendation", "Responsibility", "Date", "Progress",
         "Assessment of progress Categories 1 - 4"],
        ["1.", "Review the board's training offer", "Chair", "April 2017", "Done.", "1"],
        ["2.", "Agree the new safeguarding arrangements", "Chair", "March 2018", "Drafted.", "2"],
        ["3.", "Publish the annual report on time", "Chair", "June 2017", "Late.", "3"],
        [],
        ["1 Fully Achieved"],
        ["2 On Track but not yet due for completion"],
        ["3 Slipped"],
        ["4 Not Achieved"],
    ]  # fmt: skip
    parsed = plan_file_read(data=csv_bytes(rows), filename="review.csv")
    milestones = [
        m for p in parsed.priorities for o in p.outcomes for a in o.actions for m in a.milestones
    ]
    assert [m.status for m in milestones] == [RAG.COMPLETE, RAG.GREEN, RAG.AMBER]
    outcomes = [o.statement for p in parsed.priorities for o in p.outcomes]
    assert not any("Achieved" in text or "Slipped" in text for text in outcomes)
    assert any("status legend" in f.message for f in parsed.findings)


def test_a_key_below_the_table_is_not_plan_rows():
    rows = [
        ["Reference", "Recommendation", "Lead Officer", "Action taken", "Status"],
        ["SR 01", "That the council reviews its fees", "DM", "Fees reviewed.", "Complete"],
        ["SR 02", "That the council consults tenants", "PL", "Survey drafted.", "Ongoing"],
        [],
        ["Key"],
        ["Reference: each recommendation is given a number"],
        ["Action taken: summary detailing actions to date"],
    ]
    parsed = plan_file_read(data=csv_bytes(rows), filename="tracker.csv")
    actions = [a.text for p in parsed.priorities for o in p.outcomes for a in o.actions]
    texts = " ".join(
        [o.statement for p in parsed.priorities for o in p.outcomes]
        + actions
        + [p.title for p in parsed.priorities]
    )
    assert "Reference: each" not in texts and "summary detailing" not in texts
    assert sum("part of the plan's key" in f.message for f in parsed.findings) == 2


def test_a_priority_paragraph_above_the_reasons_heads_the_word_table():
    import docx

    document = docx.Document()
    document.add_paragraph("Improvement Plan – Priorities for 2015/16")
    document.add_paragraph("Priority 5: Looked after children are in stable placements")
    document.add_paragraph("Why are we doing this?")
    document.add_paragraph("Expected outcomes")
    document.add_paragraph("Strong corporate parenting")
    document.add_paragraph("Improved permanence planning")
    table = document.add_table(rows=3, cols=2)
    for row, values in zip(
        table.rows,
        [("By", "Milestones and outcomes"), ("By September 2015", "Board established"),
         ("By June 2016", "All standards achieved")],
        strict=True,
    ):  # fmt: skip
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = plan_file_read(data=buffer.getvalue(), filename="plan.docx")
    assert [p.title for p in parsed.priorities] == [
        "Looked after children are in stable placements"
    ]


def xlsx_bytes(rows, *, merge_rows=(), month_cells=()) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    width = max(len(row) for row in rows)
    for number in merge_rows:
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    for ref in month_cells:
        sheet[ref].number_format = "mmm-yy"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_wrapped_header_under_merged_intro_lines_is_found_and_its_action_column_kept():
    from datetime import datetime

    width = 7
    rows = [
        ["Community Safety Partnership – Domestic Abuse Action Plan"] + [None] * (width - 1),
        ["The action plan is being coordinated by the CSP."] + [None] * (width - 1),
        ["Link to the latest copy of the Bill: see the website"] + [None] * (width - 1),
        ["Ref", "Issue", "Requirement", "Action", "Target\ncompletion\ndate", "Nominated\nlead",
         "Complete\nY/N"],
        ["DAB 1", "A new definition of domestic abuse", "All agencies will be required to use it",
         "Update all public material to the new definition", datetime(2021, 4, 1), "All reps",
         "N"],
        ["DAB 2", "A new Domestic Abuse Commissioner", "Public authorities must co-operate",
         "Respond to the Commissioner's recommendations", "N/A", "N/A", "Ongoing"],
    ]  # fmt: skip
    data = xlsx_bytes(rows, merge_rows=(1, 2, 3), month_cells=("E5",))
    parsed = plan_file_read(data=data, filename="plan.xlsx")
    [priority] = parsed.priorities
    outcomes = {o.statement: o for o in priority.outcomes}
    assert set(outcomes) == {
        "A new definition of domestic abuse",
        "A new Domestic Abuse Commissioner",
    }
    first = outcomes["A new definition of domestic abuse"].actions[0].milestones[0]
    assert first.text == "Update all public material to the new definition"
    assert first.due.day.isoformat() == "2021-04-30"  # "Apr-21" is the month, not its 1st
    assert "All agencies will be required" in first.commentary
    second = outcomes["A new Domestic Abuse Commissioner"].actions[0].milestones[0]
    assert second.lead is None and second.lead_text == ""


def test_progress_paragraphs_pasted_under_a_merged_item_are_all_kept():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["No.", "Recommendation", "Responsibility", "Date", "Progress"])
    for paragraph in ("Boards agreed a joint approach.", "Chair wrote to partners.",
                      "Seeking to be an early adopter."):  # fmt: skip
        sheet.append(["1.", "Take part in the national discussion", "Chair", "March 2018",
                      paragraph])  # fmt: skip
    for column in range(1, 5):
        sheet.merge_cells(start_row=2, start_column=column, end_row=4, end_column=column)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = plan_file_read(data=buffer.getvalue(), filename="review.xlsx")
    milestones = [
        m for p in parsed.priorities for o in p.outcomes for a in o.actions for m in a.milestones
    ]
    assert len(milestones) == 1
    assert milestones[0].commentary == (
        "Boards agreed a joint approach.\nChair wrote to partners.\nSeeking to be an early adopter."
    )


def test_every_word_paragraph_outside_the_tables_and_the_footer_are_named():
    import docx

    document = docx.Document()
    document.add_paragraph("Why are we doing this?")
    document.add_paragraph("Because the inspection said so. " * 10)
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [("Action", "By when"), ("Audit files", "May 2024")],
                           strict=True):  # fmt: skip
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    document.add_paragraph("1 Fully Achieved")
    document.add_paragraph("3 Slipped")
    document.sections[0].footer.paragraphs[0].text = "Select Committee – December 2017"
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = plan_file_read(data=buffer.getvalue(), filename="plan.docx")
    messages = " ".join(f.message for f in parsed.findings)
    for words in ("Because the inspection said so.", "1 Fully Achieved", "3 Slipped",
                  "footer, not imported: 'Select Committee – December 2017'"):  # fmt: skip
        assert words in messages


def test_a_footnote_row_under_the_table_is_not_an_item():
    rows = [
        ["Key Performance Indicator", "Target"],
        ["Percentage of pupils absent from school", "10%"],
        ["Suspension rate of pupils with an EHC plan", "17.6"],
        ["*Figures may differ from those published before", ""],
    ]
    parsed = plan_file_read(data=csv_bytes(rows), filename="kpis.csv")
    actions = [a.text for p in parsed.priorities for o in p.outcomes for a in o.actions]
    assert actions == [
        "Percentage of pupils absent from school",
        "Suspension rate of pupils with an EHC plan",
    ]
    [outcome] = [o for p in parsed.priorities for o in p.outcomes]
    assert outcome.success_criteria == ["10%", "17.6"]
    assert any("footnote" in f.message for f in parsed.findings)


def test_a_date_of_the_meeting_is_not_the_deadline():
    fields = layout_of(
        [
            ["Recommendation", "Action", "Date of meeting", "Date of review", "Deadline"],
            ["Improve supervision", "Audit files", "01/01/2026", "01/03/2026", "30/06/2026"],
            ["Improve supervision", "Train staff", "01/01/2026", "01/03/2026", "30/09/2026"],
        ]
    )
    assert fields["Deadline"] == "due"
    assert fields["Date of meeting"] == fields["Date of review"] == "notes"


def test_a_capitalised_second_title_line_is_not_a_theme():
    rows = [
        ["CITY SCRUTINY IMPACT REVIEW", "", ""],
        ["PROPOSED ACTION PLAN", "", ""],
        ["Action", "Who", "When"],
        ["Set up a working group", "Chair", "March 2025"],
    ]
    parsed = plan_file_read(data=csv_bytes(rows), filename="review.csv")
    assert [p.title for p in parsed.priorities] != ["PROPOSED ACTION PLAN"]
    assert any("PROPOSED ACTION PLAN" in f.message for f in parsed.findings)


def test_action_taken_is_the_item_column_when_there_is_no_other():
    fields = layout_of(
        [
            ["Ref", "Action taken", "Lead", "Date", "RAG"],
            ["1", "Audit every strategy discussion", "Jo", "May 2024", "G"],
            ["2", "Train all social workers", "Sam", "June 2024", "A"],
        ]
    )
    assert fields["Action taken"] == "action"


def test_in_progress_gives_no_rag_and_its_words_stay_beside_the_progress():
    rows = [
        ["Action", "Lead", "By when", "RAG", "Progress update"],
        ["Weekly step-down panel", "Ann Lee", "Ongoing", "In progress", "Panel meets weekly."],
        ["Audit ten files a month", "Jo Bloggs", "May 2024", "Green", "First audit done."],
    ]
    parsed = plan_file_read(data=csv_bytes(rows), filename="plan.csv")
    first, second = [
        m for p in parsed.priorities for o in p.outcomes for a in o.actions for m in a.milestones
    ]
    assert first.status == RAG.NOT_STARTED
    assert first.commentary == "In progress\nPanel meets weekly."
    assert (second.status, second.commentary) == (RAG.GREEN, "First audit done.")
    assert any("under way but gives no RAG" in f.message for f in parsed.findings)


def test_how_we_will_know_is_the_success_criteria():
    fields = layout_of(
        [
            ["What we will do", "Who is responsible", "By when", "How we will know"],
            ["Review every placement plan", "Head of Service", "March 2025", "All reviewed"],
            ["Offer an app for feedback", "Participation Lead", "Sept 24", "60% take up"],
        ]
    )
    assert fields["How we will know"] == "success"
