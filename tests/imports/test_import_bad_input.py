"""Hostile, broken and awkward files: refused with a sentence, or imported correctly.

Every refusal leaves the database exactly as it was.
"""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.db import DatabaseError
from openpyxl.styles import PatternFill

from imports import services as import_services
from imports.services import plan_import
from plans.models import RAG, Action, Milestone, MilestoneUpdate, Outcome, Person, Priority
from tests import factories

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MIDDLESBROUGH = FIXTURES / "middlesbrough-action-plan-2009.xlsx"


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Delivery Plan 2019/20")


def counts():
    return [
        m.objects.count() for m in (Priority, Outcome, Action, Milestone, MilestoneUpdate, Person)
    ]


def workbook_bytes(rows, *, title="Staying Safe", fills=None, formulas=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for coordinate, colour in (fills or {}).items():
        sheet[coordinate].fill = PatternFill("solid", fgColor=colour)
    for coordinate, formula in (formulas or {}).items():
        sheet[coordinate] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(plan, data, filename):
    before = counts()
    result = plan_import(plan=plan, data=data, filename=filename)
    assert not result.ok
    assert counts() == before
    return result.refused


def test_a_file_that_is_not_a_zip_is_refused_with_a_sentence(plan):
    message = refused(plan, b"this is not a spreadsheet at all" * 10, "plan.xlsx")
    assert "not a readable Excel workbook" in message


def test_a_truncated_workbook_is_refused(plan):
    data = MIDDLESBROUGH.read_bytes()
    message = refused(plan, data[: len(data) // 2], "plan.xlsx")
    assert "upload it again" in message


def test_a_zip_bomb_is_refused_before_it_is_opened(plan):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (30 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 200_000
    message = refused(plan, data, "bomb.xlsx")
    assert "expands to far more data" in message


def test_a_file_over_the_size_limit_is_refused(plan, settings):
    settings.IMPORT_MAX_BYTES = 1000
    message = refused(plan, MIDDLESBROUGH.read_bytes(), "plan.xlsx")
    assert "the limit is" in message


def test_an_old_xls_file_is_refused_with_how_to_convert_it(plan):
    message = refused(plan, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "plan.xls")
    assert "save it as" in message


def test_an_xml_entity_attack_is_refused(plan):
    data = workbook_bytes([["Action", "By when"], ["Do it", "May 2019"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = laughs.encode()
            archive.writestr(item, content)
    refused(plan, buffer.getvalue(), "laughs.xlsx")


def test_a_spreadsheet_without_a_plan_table_is_refused(plan):
    message = refused(plan, workbook_bytes([["Minutes of the meeting"], ["Apologies"]]), "x.xlsx")
    assert "No sheet in this file has a plan table" in message


def test_a_formula_cell_is_never_imported_and_is_reported(plan):
    data = workbook_bytes(
        [["Action", "By when", "Who"], ["Run the survey", None, "Team Manager"]],
        formulas={"B2": '=HYPERLINK("http://evil.example","May 2019")', "C3": "=1+1"},
    )
    result = plan_import(plan=plan, data=data, filename="formula.xlsx")
    assert result.ok, result.refused
    milestone = Milestone.objects.get()
    assert milestone.due_text == ""
    assert not Milestone.objects.filter(text__startswith="=").exists()
    assert any("formula" in f.message for f in result.findings)


def test_a_windows_1252_csv_imports_with_its_characters(plan):
    text = (
        "Outcome,Action,Deadline,Lead\r\n"
        'Fewer young people offend,"Spend \u00a35,000 on the \u2018triage\u2019 scheme",'
        "Q3 2019/20,YOT (Ken Dance)\r\n"
    )
    result = plan_import(plan=plan, data=text.encode("cp1252"), filename="plan.csv")
    assert result.ok, result.refused
    milestone = Milestone.objects.get()
    assert milestone.text == "Spend \u00a35,000 on the \u2018triage\u2019 scheme"
    assert milestone.due_date.isoformat() == "2019-12-31"
    assert milestone.lead.name == "Ken Dance"
    assert milestone.lead.organisation.name == "YOT"


def test_an_excel_csv_utf8_file_with_a_byte_order_mark_is_read(plan):
    text = "Action;By when;Who\nWrite the strategy;Summer 2019;Strategic Lead: Jo Bloggs\n"
    result = plan_import(plan=plan, data=b"\xef\xbb\xbf" + text.encode(), filename="p.csv")
    assert result.ok, result.refused
    milestone = Milestone.objects.get()
    assert milestone.due_date.isoformat() == "2019-08-31"
    assert milestone.lead.role_title == "Strategic Lead"


def test_header_found_below_title_rows_with_repeated_headers_and_priority_sections(plan):
    rows = [
        ["Youth Justice Partnership: delivery plan 2019/20"],
        [],
        ["Notes: RAG is updated quarterly"],
        ["Objective", "Action", "Timescale", "By whom", "RAG", "Update"],
        ["Priority: Prevent youth crime"],
        [
            "1. Fewer first-time entrants",
            "1.1 Run triage at the station",
            "Q1 2019/20",
            "YOT",
            "Green",
            "Running",
        ],
        ["Objective", "Action", "Timescale", "By whom", "RAG", "Update"],
        [None, "1.2 Review the scheme", "Sumer 2019", "YOT", "Amber", "Late start"],
        ["Priority: Reduce reoffending"],
        [
            "2. Fewer young people reoffend",
            "2.1 Mentoring",
            "Annually",
            "Probation",
            "Red",
            "No funding",
        ],
    ]
    result = plan_import(plan=plan, data=workbook_bytes(rows), filename="yjp.xlsx")
    assert result.ok, result.refused
    assert list(Priority.objects.order_by("position").values_list("title", flat=True)) == [
        "Prevent youth crime",
        "Reduce reoffending",
    ]
    review = Action.objects.get(number="1.2")
    assert review.outcome.number == "1"
    milestone = review.milestones.get()
    assert (milestone.status, milestone.due_text, milestone.due_date) == (
        RAG.AMBER,
        "Sumer 2019",
        None,
    )
    assert milestone.latest_update.commentary == "Late start"
    assert any(
        "row 8" in f.message and "'Timescale'" in f.message and "Sumer 2019" in f.message
        for f in result.findings
    )
    assert Action.objects.get(number="2.1").milestones.get().status == RAG.RED


def test_status_from_fill_colour_follows_the_legend_row(plan):
    orange = "FFFF6600"  # by hue this is amber; the legend says it means At risk
    rows = [
        ["Action", "By when", "Who", "RAG"],
        ["At risk", "Issues", "On track"],
        ["Write the strategy", "May 2019", "Jo", None],
        ["Consult parents", "June 2019", "Jo", None],
        ["Publish", "July 2019", "Jo", "Complete"],
    ]
    fills = {"A2": orange, "B2": "FFFFFF00", "C2": "FF00FF00", "D3": orange, "D4": "FF00FF00"}
    result = plan_import(plan=plan, data=workbook_bytes(rows, fills=fills), filename="rag.xlsx")
    assert result.ok, result.refused
    by_text = {m.text: m for m in Milestone.objects.select_related("latest_update")}
    assert by_text["Write the strategy"].status == RAG.RED
    assert by_text["Consult parents"].status == RAG.GREEN
    assert by_text["Publish"].status == RAG.COMPLETE
    assert "colour" in by_text["Write the strategy"].latest_update.commentary
    assert not Action.objects.filter(text="At risk").exists()


def test_status_from_fill_colour_without_a_legend_reads_the_hue_and_says_so(plan):
    rows = [["Action", "By when", "RAG"], ["Write the strategy", "May 2019", None]]
    data = workbook_bytes(rows, fills={"C2": "FFFF0000"})
    result = plan_import(plan=plan, data=data, filename="rag.xlsx")
    assert Milestone.objects.get().status == RAG.RED
    assert any("cell's colour" in f.message for f in result.findings)


def test_an_uncertain_mapping_is_flagged_and_the_admins_choice_is_used(plan):
    rows = [["Action", "Target date or notes", "Responsible person"], ["Do it", "May 2019", "Jo"]]
    data = workbook_bytes(rows)
    first = plan_import(plan=plan, data=data, filename="m.xlsx", dry_run=True)
    assert first.parsed.mapping_uncertain
    chosen = plan_import(
        plan=plan,
        data=data,
        filename="m.xlsx",
        mapping={"target date or notes": "ignore", "responsible person": "lead"},
    )
    milestone = Milestone.objects.get()
    assert milestone.due_text == ""
    assert milestone.lead.name == "Jo"
    assert not chosen.parsed.mapping_uncertain


def test_a_failure_while_saving_leaves_nothing_half_written(plan, monkeypatch):
    real = import_services.bulk_insert

    def boom(objs, model, **kwargs):
        if model is MilestoneUpdate:  # the last write: everything else is written by now
            raise DatabaseError("disk full")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(import_services, "bulk_insert", boom)
    before = counts()
    result = plan_import(plan=plan, data=MIDDLESBROUGH.read_bytes(), filename="m.xlsx")
    assert not result.ok
    assert "nothing was imported" in result.refused
    assert counts() == before


def csv_plan(rows: int) -> bytes:
    lines = ["Outcome,Action,By when,Who,Progress"]
    for n in range(1, rows + 1):
        outcome = n % 7 + 1
        lines.append(
            f"{outcome}. Outcome {outcome},{outcome}.{n} Step {n},March 2020,Lead {n % 3},"
        )
    return "\n".join(lines).encode()


@pytest.mark.parametrize("rows", [20, 400])
def test_import_query_count_does_not_grow_with_rows(plan, rows, django_assert_max_num_queries):
    # Bulk inserts level by level: the count depends on the number of new people, not rows.
    with django_assert_max_num_queries(60):
        result = plan_import(plan=plan, data=csv_plan(rows), filename="big.csv")
    assert result.created["milestones"] == rows
