"""Layouts the second holdout showed (corpus ``holdout2-*``), as small plans of our own."""

import csv
import io

import docx

from imports.services import plan_file_read
from plans.models import RAG
from tests.imports.test_import_content_roles import xlsx_bytes


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def milestones(parsed):
    return [
        m for p in parsed.priorities for o in p.outcomes for a in o.actions for m in a.milestones
    ]


def test_bulleted_paragraphs_in_one_word_cell_are_one_milestone_each():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Outcome", "Action", "Lead"], strict=True):
        cell.text = text
    outcome, actions, lead = table.rows[1].cells
    outcome.text = "Fewer young people enter the justice system"
    lead.text = "YJS"
    actions.paragraphs[0].text = "Run a diversion scheme with the police"
    actions.paragraphs[0].style = "List Bullet"
    actions.add_paragraph("Train school staff in restorative approaches", style="List Bullet")
    parsed = plan_file_read(data=docx_bytes(document), filename="plan.docx")
    assert [m.text for m in milestones(parsed)] == [
        "Run a diversion scheme with the police",
        "Train school staff in restorative approaches",
    ]


def test_a_word_plan_without_a_table_is_read_from_its_bulleted_actions():
    document = docx.Document()
    document.add_heading("Preparing for adulthood", 1)
    document.add_paragraph("We have listened to young people and their families.")
    document.add_heading("What we will do", 2)
    document.add_paragraph("Our actions are to:")
    document.add_paragraph("publish a transition pathway;", style="List Bullet")
    document.add_paragraph("offer every young person a review at 14.", style="List Bullet")
    document.add_heading("Progress to date", 2)
    document.add_paragraph("A working group has met twice.")
    parsed = plan_file_read(data=docx_bytes(document), filename="plan.docx")
    assert not parsed.refused
    assert [p.title for p in parsed.priorities] == ["Preparing for adulthood"]
    assert [m.text for m in milestones(parsed)] == [
        "publish a transition pathway;",
        "offer every young person a review at 14.",
    ]


def test_a_word_document_without_a_table_or_a_list_is_still_refused():
    document = docx.Document()
    document.add_heading("Annual report", 1)
    document.add_paragraph("The board met four times this year.")
    parsed = plan_file_read(data=docx_bytes(document), filename="report.docx")
    assert parsed.refused and "no table" in parsed.refused


def test_a_responsible_column_of_boards_and_their_aims_names_the_boards():
    parsed = plan_file_read(
        data=csv_bytes(
            [
                ["Outcome", "Action", "Responsible Partnership & Alignment to Strategic Plan"],
                [
                    "Healthier relationships",
                    "Promote healthy relationship programmes in schools",
                    "HWBB: make children in need safer",
                ],
                [
                    "Less tolerance of abuse",
                    "Widen public awareness campaigns",
                    "CSP: reduce repeat victimisation across the city and its districts",
                ],
            ]
        ),
        filename="plan.csv",
    )
    assert [(m.lead_text, m.lead.name if m.lead else "") for m in milestones(parsed)] == [
        ("HWBB: make children in need safer", "HWBB"),
        ("CSP: reduce repeat victimisation across the city and its districts", "CSP"),
    ]


def test_a_numbered_theme_row_above_the_header_is_the_sheets_priority():
    rows = [
        ["Prevent Action Plan", None, None],
        ["2. Leadership, governance and accountability", None, None],
        ["Key action", "Lead", "Timescale"],
        ["2.1 Refresh the Prevent webpage", "Prevent Officer", "Weekly"],
    ]
    parsed = plan_file_read(data=xlsx_bytes(rows, merge_rows=(2,)), filename="plan.xlsx")
    assert [p.title for p in parsed.priorities] == ["Leadership, governance and accountability"]


def test_a_lower_case_step_with_its_own_lead_is_not_the_rest_of_the_step_above():
    rows = [
        ["Objective", "Specific actions", "Person responsible"],
        ["1.1 Monitor the birth data", "analyse with current registrations", "JH"],
        ["1.1 Monitor the birth data", "upload registrations to the system", "NCP"],
    ]
    parsed = plan_file_read(data=xlsx_bytes(rows), filename="plan.xlsx")
    assert [(m.text, m.lead_text) for m in milestones(parsed)] == [
        ("analyse with current registrations", "JH"),
        ("upload registrations to the system", "NCP"),
    ]


def test_a_recommendation_with_no_sub_action_but_a_status_is_its_own_item():
    parsed = plan_file_read(
        data=csv_bytes(
            [
                ["Ref", "Recommendation", "Sub-Action", "Delivery Status"],
                ["R1", "Improve awareness of abuse", "Map the work with partners", "Complete"],
                ["R2", "Review the diversion scheme for offenders.", "", "Complete"],
            ]
        ),
        filename="plan.csv",
    )
    assert [(m.text, m.status) for m in milestones(parsed)] == [
        ("Map the work with partners", RAG.COMPLETE),
        ("Review the diversion scheme for offenders.", RAG.COMPLETE),
    ]
