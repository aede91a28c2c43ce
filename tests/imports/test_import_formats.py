"""Every format councils keep plans in: Word tables, old Excel, OpenDocument, and locked files."""

import io
import zipfile

import docx
import pytest
import xlwt
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from imports.reading import ImportRefused, read_file
from imports.services import plan_import
from plans.models import RAG, Milestone, Priority
from tests import factories


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Improvement Plan 2023/24")


def shade(cell, colour):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def word_plan() -> bytes:
    document = docx.Document()
    document.add_paragraph("Ofsted improvement plan 2023/24")
    document.add_paragraph("Section 1: Help and protection")
    table = document.add_table(rows=4, cols=4)
    for cell, text in zip(table.rows[0].cells, ("Action", "Lead", "By when", "RAG"), strict=True):
        cell.text = text
    rows = [
        ("Audit every strategy discussion", "Insp. Jo Bloggs", "Q2 2023/24", ""),
        ("Train all social workers in the new model", "Dr Sam Hill", "March 2024", "Green"),
        ("Report progress to the board", "", "30/06/2024", ""),
    ]
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    shade(table.rows[1].cells[3], "FF0000")
    # The lead is one vertically merged cell over the last two actions.
    table.cell(2, 1).merge(table.cell(3, 1))
    document.add_paragraph("Section 2: Early help")
    second = document.add_table(rows=2, cols=4)
    for cell, text in zip(second.rows[0].cells, ("Action", "Lead", "By when", "RAG"), strict=True):
        cell.text = text
    for cell, text in zip(
        second.rows[1].cells,
        ("Open two family hubs", "Cllr Ann Lee", "Sept 23", "Amber"),
        strict=True,
    ):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_table_plan_is_read_with_merged_cells_shading_and_headings(plan):
    result = plan_import(plan=plan, data=word_plan(), filename="improvement.docx")
    assert result.ok, result.refused
    milestones = {m.text: m for m in Milestone.objects.filter(action__outcome__priority__plan=plan)}
    assert len(milestones) == 4
    audit = milestones["Audit every strategy discussion"]
    assert audit.status == RAG.RED  # from the cell's shading
    assert audit.due_date.isoformat() == "2023-09-30"
    train = milestones["Train all social workers in the new model"]
    report = milestones["Report progress to the board"]
    assert train.lead.name == report.lead.name == "Dr Sam Hill"
    assert milestones["Open two family hubs"].lead.name == "Cllr Ann Lee"
    titles = set(Priority.objects.filter(plan=plan).values_list("title", flat=True))
    assert {"Help and protection", "Early help"} <= titles


def xls_bytes(rows, merges=()) -> bytes:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Action plan")
    merged_cells = {(r1, c1) for r1, _, c1, _ in merges}
    for r1, r2, c1, c2 in merges:
        sheet.write_merge(r1, r2, c1, c2, rows[r1][c1])
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (
                value is not None
                and (r, c) not in merged_cells
                and not any(r1 <= r <= r2 and c1 <= c <= c2 for r1, r2, c1, c2 in merges)
            ):
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_old_xls_plan_is_read_with_its_merged_cells_and_a_finding_about_colours(plan):
    data = xls_bytes(
        [
            ["Action plan", None, None],
            ["Action", "Lead", "Deadline"],
            ["Recruit two mentors", "Youth Justice Service", "December 2023"],
            ["Run the summer scheme", None, "August 2024"],
        ],
        merges=[(2, 3, 1, 1)],
    )
    result = plan_import(plan=plan, data=data, filename="plan.xls")
    assert result.ok, result.refused
    leads = set(
        Milestone.objects.filter(action__outcome__priority__plan=plan).values_list(
            "lead__name", flat=True
        )
    )
    assert leads == {"Youth Justice Service"}
    assert any("colours cannot be read" in f.message for f in result.findings)


def ods_bytes(rows) -> bytes:
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Plan">'
        f"{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return buffer.getvalue()


def test_an_ods_plan_is_read(plan):
    data = ods_bytes(
        [["Action", "Who", "By when"], ["Publish the strategy", "Jo Smith", "May 2024"]]
    )
    result = plan_import(plan=plan, data=data, filename="plan.ods")
    assert result.ok, result.refused
    milestone = Milestone.objects.get(action__outcome__priority__plan=plan)
    assert (milestone.text, milestone.lead.name) == ("Publish the strategy", "Jo Smith")


def ole_with(stream_name: str) -> bytes:
    # Enough of an OLE compound file for the check: the magic and a directory entry's name.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + stream_name.encode("utf-16-le")


@pytest.mark.parametrize("name", ["plan.xlsx", "plan.docx"])
def test_a_password_protected_file_is_named_as_such(name):
    with pytest.raises(ImportRefused, match="protected with a password"):
        read_file(data=ole_with("EncryptionInfo"), filename=name)


def test_an_old_word_doc_is_refused_with_how_to_convert_it():
    with pytest.raises(ImportRefused, match=r"Word \(\.doc\)"):
        read_file(data=ole_with("WordDocument"), filename="plan.doc")


def test_a_boxed_recommendation_above_each_word_table_is_its_heading(plan):
    document = docx.Document()
    for number, (recommendation, action) in enumerate(
        [("Improve the quality of supervision", "Audit ten files a month"),
         ("Strengthen the front door", "Recruit two screening officers")],
        1,
    ):  # fmt: skip
        box = document.add_table(rows=1, cols=2)
        box.rows[0].cells[0].text = f"Recommendation {number}"
        box.rows[0].cells[1].text = recommendation
        table = document.add_table(rows=2, cols=3)
        for cell, text in zip(table.rows[0].cells, ("Action", "Lead", "By when"), strict=True):
            cell.text = text
        for cell, text in zip(table.rows[1].cells, (action, "Jo Smith", "May 2024"), strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    result = plan_import(plan=plan, data=buffer.getvalue(), filename="plan.docx")
    assert result.ok, result.refused
    headings = {
        m.text: (m.action.outcome.statement, m.action.outcome.priority.title)
        for m in Milestone.objects.select_related("action__outcome__priority")
    }
    assert "Improve the quality of supervision" in " ".join(headings["Audit ten files a month"])
    assert "Strengthen the front door" in " ".join(headings["Recruit two screening officers"])


def test_a_word_document_with_an_xml_entity_bomb_is_refused_before_parsing():
    source = zipfile.ZipFile(io.BytesIO(word_plan()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            body = source.read(member.filename)
            if member.filename == "word/document.xml":
                body = body.replace(
                    b"?>",
                    b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
                    1,
                )
            archive.writestr(member, body)
    with pytest.raises(ImportRefused, match="document type declaration"):
        read_file(data=buffer.getvalue(), filename="plan.docx")
