"""Build the legacy-plan corpus: real public plans, held the way council officers hold them.

Each plan's words are the council's own (see SOURCES.md for where each comes from); the
layout is the kind of file an officer keeps: a Word table with merged and shaded cells, a
Word table pasted into Excel (one row per paragraph), an old .xls with multi-line cells, a
CSV saved from Excel, an .ods. Run it from the repository root:

    .venv/bin/python tests/imports/corpus/build_corpus.py

It rewrites every file under ``files/``; the truth files under ``truth/`` are written by
hand and are not touched.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import openpyxl
import xlwt
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl.styles import Alignment, Font, PatternFill

FILES = Path(__file__).resolve().parent / "files"
# Fixed document dates, so that rebuilding the corpus does not change what the files say.
WRITTEN = datetime.datetime(2026, 12, 1, 9, 0, 0)

GREEN, AMBER, RED, BLUE, GREY = "00B050", "FFC000", "FF0000", "0070C0", "D9D9D9"


# --- Word ------------------------------------------------------------------------------


def word_document(title_lines: list[str]) -> docx.Document:
    document = docx.Document()
    document.core_properties.created = WRITTEN
    document.core_properties.modified = WRITTEN
    document.core_properties.author = ""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(1.5)
    for index, line in enumerate(title_lines):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = index == 0
        run.font.size = Pt(14 if index == 0 else 11)
    return document


def cell_write(cell, text: str | list[str], *, bold: bool = False) -> None:
    """Write one paragraph per line, as an officer pressing Enter inside a Word cell does."""
    lines = text if isinstance(text, list) else [text]
    cell.text = ""
    first = cell.paragraphs[0]
    for index, line in enumerate(lines):
        paragraph = first if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = Pt(9)


def cell_shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def word_footer(document, text: str) -> None:
    document.sections[0].footer.paragraphs[0].text = text


def build_rotherham_yos(path: Path) -> None:
    """Rotherham YOS improvement action plan after HMIP's short quality screening (2012–13).

    A Word table: several numbered actions in one cell, their dates one per line in the
    next, the recommendation's cell merged down over its actions.
    """
    document = word_document(
        [
            "Youth Offending Services - Improvement Action Plan",
            "In response to the Short Quality Screening (SQS) of youth offending work "
            "12th-14th November 2012 by HM Inspectorate of Probation",
        ]
    )
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        [
            "Ref No",
            "AREA REQUIRING IMPROVEMENT (Recommendations)",
            "Action Required",
            ["Planned", "Completion Date"],
            "Lead Officer / Agency",
            "Progress against agreed action and impact monitoring",
        ],
        strict=True,
    ):
        cell_write(cell, text, bold=True)
        cell_shade(cell, GREY)
    first = table.add_row().cells
    second = table.add_row().cells
    cell_write(first[0], "1")
    cell_write(
        first[1],
        "Timeliness of initial assessments (ASSET – Youth Justice Board Assessment Tool). "
        "Completion required within 20 working days for Referral Orders, 15 days for all other "
        "Court Orders.",
    )
    cell_write(
        first[2],
        "(1a) Raise performance from 78% (inspection findings) to 98% completion of ASSET.",
    )
    cell_write(first[3], "March 2013")
    cell_write(first[4], "Operations Managers (SF), (CD)")
    cell_write(
        first[5],
        [
            "Action completed.",
            "The current target of 98% needs to be reviewed and redefined. This is due to "
            "assessments being out of time because a percentage of young people are not turning "
            "up for assessment appointments.",
            "Whilst efforts are made to ensure young people do keep appointments (including, if "
            "necessary, a return to court) this is not always possible and is not always in the "
            "control of the YOS.",
            "Update (July 2013)",
            "53 assessments completed between April – July 2013 of which 45 were completed on "
            "time (84.9%). In 8 cases assessments were not completed on time and this was due to "
            "young people missing appointments in 6 cases and a difficulty obtaining interpreters "
            "in 2 cases.",
            "Further work will be undertaken to review and define this measure and regular "
            "monitoring and reporting will commence to the YOT Management Board as a standing "
            "performance item.",
            "CYPS P&Q are undertaking a service quality review (SQR) which includes compliance "
            "audits for this area.",
        ],
    )
    cell_write(
        second[2],
        [
            "(1b) Weekly information system reports to managers detailing ASSET due times, case "
            "manager responsible and, days to completion.",
            "(1c) Address underperformance of completion of ASSET in supervision and record in "
            "supervision notes. Record actions taken in respect of underperformance e.g. target "
            "setting/training/coaching.",
        ],
    )
    cell_write(second[3], ["January 2013", "March 2013"])
    # The public transcript ends inside this row's lead cell: it is left empty here.
    for column in (0, 1):
        first[column].merge(second[column])
    word_footer(
        document, "Rotherham Metropolitan Borough Council – Children and Young People’s Services"
    )
    document.save(path)


def build_maidstone_scraip(path: Path) -> None:
    """Maidstone SCRAIP, January 2014: a scrutiny recommendation tracker in Word."""
    document = word_document(
        [
            "SCRUTINY COMMITTEE RECOMMENDATION ACTION AND IMPLEMENTATION PLAN (SCRAIP)",
            "Appendix B",
            "Committee: Strategic Leadership and Corporate Services Overview and Scrutiny "
            "Committee",
            "Meeting Date:           7 January 2014",
            "Minute №:     91",
            "Topic:             Strategic Plan Refresh 2014-15",
        ]
    )
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        [
            "Recommendation[i]",
            "Cabinet Member[ii]",
            "Response[iii]",
            "Timetable[iv]",
            "Lead Officer[v]",
        ],
        strict=True,
    ):
        cell_write(cell, text, bold=True)
    rows = [
        (
            "a)    A focus group, consisting of all members of the Strategic Leadership and "
            "Corporate Services Overview and Scrutiny committee, be arranged to look at reducing "
            "the number of Performance Indicators included in the Strategic Plan;",
            "Agreed dates have been circulated",
            ["Meeting held by", "28 February 2014"],
        ),
        (
            "b)    The Head of Policy and Communications identifies with the appropriate Maidstone "
            "Borough Council departments which specific actions can be achieved by 2015 in "
            "relation to the priority outcome ‘By 2015 residents in Maidstone are not "
            "disadvantaged because of where they live or who they are, vulnerable people are "
            "assisted and the level of deprivation is reduced’ so that clarity on what is "
            "achievable can be provided in the report to Cabinet;",
            "Agreed. Strategic Plan has been changed to reflect this.",
            "Completed",
        ),
        (
            "c)    Ways in which to strengthen relationships with Parish Councils should be "
            "addressed and included in the ‘Customer care and engagement’ section of the "
            "Strategic Plan; and",
            "Agreed",
            "Completed",
        ),
        (
            "d)    References to the Autumn Statement 2012 are updated within the Strategic Plan "
            "to 2013.",
            "Agreed",
            "Completed",
        ),
    ]
    for recommendation, response, timetable in rows:
        cells = table.add_row().cells
        cell_write(cells[0], recommendation)
        cell_write(cells[2], response)
        cell_write(cells[3], timetable)
    # The cabinet member and the lead officer are the same for every recommendation: the
    # officer merged those cells down the table (w:vMerge).
    for column, text in ((1, "Councillor Moss/ The Leader"), (4, "Angela Woodhouse")):
        merged = table.cell(1, column).merge(table.cell(4, column))
        cell_write(merged, text)
    document.add_paragraph("")
    document.add_paragraph("Notes on the completion of SCRAIP")
    document.add_paragraph("[i] Report recommendations are listed as found in the report.")
    word_footer(document, "Appendix B - Scrutiny Committee Recommendation Action Improvement Plan")
    document.save(path)


def build_bracknell_corporate_parenting(path: Path) -> None:
    """Bracknell Forest corporate parenting action plan 2025–28: pledges as spanning rows."""
    document = word_document(
        [
            "Corporate Parenting Strategy action plan 2025 to 2028",
            "The Corporate Parenting Strategy commits to 10 pledges that outline how we, as "
            "Corporate Parents, will support Children Looked After and Care Leavers. These 10 "
            "pledges outline what that will look like, forming this action plan, keeping the "
            "strategy measurable and accountable across the 3-year period.",
            "The 10 pledges outline that we promise to do our best to:",
        ]
    )
    pledges = [
        "Support you in the same way as if you were our own child but acknowledge your "
        "individual circumstances.",
        "Listen to your wishes and work on finding the best solution.",
        "Consistently update you in a way that you prefer.",
        "Work with schools and colleges and educate your local community to reduce the "
        "possibility of being bullied.",
        "Work with you, so you know how to be safe.",
        "Support you to get the education and training you need to help you to develop your "
        "skills and achieve your goals in life.",
        "Offer opportunities for you to manage your physical and mental wellbeing.",
        "Encourage and empower you to feel confident in who you are, ensuring you have the "
        "resources and care needed to thrive as your authentic self.",
        "Provide you with a safe and secure place to live.",
        "Commit to engaging with every child in our care, including those living out of borough.",
    ]
    for number, pledge in enumerate(pledges, start=1):
        document.add_paragraph(f"{number}. {pledge}")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        [
            "Expected outcome",
            "Responsible officer",
            "Timeline",
            "Link to other action plans or strategy initiatives",
        ],
        strict=True,
    ):
        cell_write(cell, text, bold=True)
        cell_shade(cell, GREY)
    for text, bold in (
        ("Pledge 1", True),
        (
            "We promise to do our best to support you in the same way as if you were our own "
            "child but acknowledge your individual circumstances",
            False,
        ),
    ):
        cells = table.add_row().cells
        merged = cells[0].merge(cells[3])  # w:gridSpan across the table
        cell_write(merged, text, bold=bold)
    for outcome, officer in (
        (
            "Comprehensive care plans with multi-disciplinary input, ensuring holistic support "
            "for children.",
            "Team Manager: Life Chances",
        ),
        (
            "Foster carers are equipped to provide sensitive and inclusive care.",
            "Virtual School and Team Manager: Family Placement",
        ),
    ):
        cells = table.add_row().cells
        for cell, text in zip(
            cells, [outcome, officer, "September 2025", "Not applicable"], strict=True
        ):
            cell_write(cell, text)
    word_footer(document, "Bracknell Forest Council – Corporate Parenting Strategy 2025 to 2028")
    document.save(path)


# --- Old Excel (.xls) ------------------------------------------------------------------

XLS_WRAP = xlwt.easyxf("align: wrap on, vert top; font: height 180")
XLS_BOLD = xlwt.easyxf("align: wrap on, vert top; font: bold on, height 180")
XLS_HEADER = xlwt.easyxf(
    "align: wrap on, vert top; font: bold on, height 180; "
    "pattern: pattern solid, fore_colour gray25"
)


def build_three_rivers_csp(path: Path) -> None:
    """Three Rivers CSP 2008/09 action plan, quarter 4 updates: multi-line cells in an .xls."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Q4 updates")
    sheet.write(0, 0, "Item 8a", XLS_BOLD)
    sheet.write_merge(
        1,
        1,
        0,
        7,
        "8 (a) Community Safety Partnership 2008/09 Action Plan – Updates (Quarter 4)",
        XLS_BOLD,
    )
    headers = [
        "CDRP / LAA Priorities",
        "Project",
        "Outcome",
        "Performance measure",
        "Status",
        "Partner -ship Funding\n2008/09",
        "Invoices Paid",
        "Lead Contact Details",
    ]
    for column, text in enumerate(headers):
        sheet.write(3, column, text, XLS_HEADER)
        sheet.col(column).width = 256 * (40 if column == 4 else 22)
    rows = [
        (
            "Tackling criminal damage\nReducing ASB\nLAA Target\nS-A1.1b",
            "Continue to remove graffiti from both council owned and privately owned buildings.",
            "A contribution towards reduction of criminal damage across the district",
            "Number of graffiti reports\nIQUANTA Criminal Damage data",
            "During quarter 4 – there were 42 incidents of graffiti removed from property within "
            "Three Rivers 8 of which were racist.\nDuring quarter 4 last year there were 52 "
            "incidents 7 of which were racist.\nDuring the whole of 2008-09 there were 145 "
            "graffiti incidents compared to 163 last year (a decrease of 11%).",
            "No",
            "-",
            "Eileen Swiech\n0208 421 5215",
        ),
        (
            "Reducing Vehicle Crime\nS-A6.1",
            "Number Plate Screws – Crime Prevention Panel",
            "A contribution towards a reduction of number plate thefts from the Three Rivers area.",
            "No. of number plate thefts reported",
            "July-Sept 08 = 31 thefts\nOct- Dec 08 = 27 thefts\nJan – Mar 09 = 23 thefts\nThe "
            "local PCSO’s continue to highlight hotspot areas for the Crime Prevention Panel, who "
            "has continued to fit the number plate screws to vehicles across the district.",
            "£2500",
            "£2495",
            "Yogita Popat",
        ),
        (
            "Reducing Vehicle Crime\nLAA Target\nS-A6.1",
            "Targeted Patrols in Hotspot locations for car crimes such as car parks.\nOperation "
            "Tarantula",
            "A contribution towards a reduction in car crimes across Three Rivers",
            "IQUANTA Vehicle Crime Data",
            "Police patrols in hotspot areas have continued and during quarter 4 there were 184 "
            "vehicle crime offences compared to 205 offences during quarter 4 last year (a "
            "decrease of 10%).\nIn relation to the whole of 2008-09 there was a total of 793 "
            "vehicle crime offences compared to 802 last year (a decrease of 1%)",
            "No",
            "-",
            "Inspector George Holland – Herts Police\n01923 472127",
        ),
    ]
    row_number = 4
    for row in rows:
        for column, text in enumerate(row):
            sheet.write(row_number, column, text, XLS_WRAP)
        row_number += 1
    sheet.write(row_number, 0, "TOTAL", XLS_BOLD)
    sheet.write(row_number, 5, "£2500", XLS_BOLD)
    sheet.write(row_number, 6, "£2495", XLS_BOLD)
    book.save(str(path))


def build_brighton_lscb(path: Path) -> None:
    """Brighton and Hove LSCB business plan: a Word table pasted into Excel, saved as .xls."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Business Plan")
    for column, width in enumerate([45, 40, 24, 14, 30]):
        sheet.col(column).width = 256 * width
    sheet.write_merge(
        0,
        0,
        0,
        4,
        "Purpose of Brighton and Hove Local Safeguarding Children Board (LSCB): The Brighton "
        "and Hove Local Safeguarding Children Board (LSCB) was established in 2006 under the "
        "Children Act 2004. The LSCB is the key statutory mechanism for agreeing how relevant "
        "organisations within Brighton and Hove will co-operate to safeguard and promote the "
        "welfare of children and young people and for ensuring the effectiveness of the work "
        "undertaken.",
        XLS_WRAP,
    )
    sheet.write_merge(
        1,
        1,
        0,
        4,
        "Introduction to LSCB Business Plan: The LSCB business plan is designed to reflect key "
        "objectives and actions in order to help make children and young people safer in "
        "Brighton and Hove. The business plan will be reviewed and updated as necessary by the "
        "LSCB.",
        XLS_WRAP,
    )
    sheet.write_merge(
        3,
        3,
        0,
        4,
        "LSCB Objective 1: TO MAXIMISE THE EFFECTIVENESS OF ARRANGEMENTS TO SAFEGUARD AND "
        "PROTECT CHILDREN AND YOUNG PEOPLE",
        XLS_BOLD,
    )
    for column, text in enumerate(["ACTION", "OUTCOME", "LEAD", "TIMESCALE", "PROGRESS"]):
        sheet.write(4, column, text, XLS_HEADER)
    # 1.1 and its two sub-actions: the lead and timescale cells were one merged Word cell,
    # and the page break of the PDF the text came through fell inside 1.1a.
    sheet.write(
        5,
        0,
        "1.1 Ensure there is a robust audit programme in place to monitor the effectiveness of "
        "organisations implementation of their duties under section 11 of the Children Act "
        "2004.",
        XLS_WRAP,
    )
    sheet.write(
        5,
        1,
        "Assurance of effective workforce safeguarding practices and child protection policy "
        "and procedures in place across relevant organisations responsible for working with "
        "children and young people.",
        XLS_WRAP,
    )
    sheet.write(6, 0, "1.1a Develop an outcome", XLS_WRAP)
    sheet.write(6, 1, "Standardised approach to", XLS_WRAP)
    sheet.write(7, 0, "Page 1of 9", XLS_WRAP)
    sheet.write(
        8,
        0,
        "focused Sussex wide s.11 framework tool in conjunction with East and West Sussex "
        "LSCBs, following the learning from the 2010 s.11 audit.",
        XLS_WRAP,
    )
    sheet.write(8, 1, "improve efficiency across Sussex.", XLS_WRAP)
    sheet.write(
        9,
        0,
        "1.1b Issue the revised s.11 tool for relevant partners to undertake a further s.11 "
        "audit by the end of the financial year.",
        XLS_WRAP,
    )
    sheet.write(9, 1, "Increased focus on outstanding requirements", XLS_WRAP)
    sheet.write_merge(5, 9, 2, 2, "Monitoring and Evaluation Sub Group", XLS_WRAP)
    sheet.write_merge(5, 9, 3, 3, "Ongoing", XLS_WRAP)
    sheet.write_merge(5, 9, 4, 4, "", XLS_WRAP)
    book.save(str(path))


# --- Excel (.xlsx) ---------------------------------------------------------------------

WRAP = Alignment(wrap_text=True, vertical="top")


def xlsx_book(title: str):
    book = openpyxl.Workbook()
    book.properties.creator = ""
    book.properties.created = WRITTEN
    book.properties.modified = WRITTEN
    sheet = book.active
    sheet.title = title
    return book, sheet


def xlsx_row(sheet, row: int, values, *, bold=False, fill=None) -> None:
    for column, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = sheet.cell(row=row, column=column, value=value)
        cell.alignment = WRAP
        if bold:
            cell.font = Font(bold=True)
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)


def build_salford_csp(path: Path) -> None:
    """Salford community safety / LAA action plan: a Word table pasted into Excel.

    Each paragraph of a Word cell became its own row; the cells of the other columns were
    left blank, or merged where the officer merged them back.
    """
    book, sheet = xlsx_book("Objective 1")
    for letter, width in zip("ABCDEF", [40, 45, 24, 22, 30, 16], strict=True):
        sheet.column_dimensions[letter].width = width
    xlsx_row(sheet, 1, ["Template Community Safety/LAA Action Plan"], bold=True)
    xlsx_row(
        sheet,
        2,
        [
            "Note: the abbreviation STA denotes that the action has been recommended from the "
            "Strategic Threat Assessment"
        ],
    )
    xlsx_row(sheet, 4, ["Objective 1: Helping all our communities feel safer"], bold=True)
    sheet.merge_cells("A4:F4")
    xlsx_row(
        sheet,
        5,
        [
            "Action",
            "How/what activity?",
            "Lead Agency/Officer",
            "Timescales (when achieved by)",
            "Indicative costs",
            "National indicator (Bold if in LAA)",
        ],
        bold=True,
        fill=GREY,
    )
    xlsx_row(sheet, 6, ["Prevention"], bold=True)
    sheet.merge_cells("A6:F6")
    rows = [
        # row 7–8: one Word row whose timescale cell had two paragraphs
        [
            "Preparing a localised action plan for each neighbourhood which reflects local "
            "needs and priorities",
            "Annual Community Action Plan development process",
            "Neighbourhood managers",
            "Annually in April",
            None,
            "NI 3, 4",
        ],
        [None, None, None, "Complete", None, None],
        # row 9–10: two paragraphs in the activity and costs cells
        [
            "Report to communities regularly on performance including perception",
            "The Pilot Dashboard of indicators in Ordsall and Langworthy is in place and funded "
            "by URC.",
            "Anna Macdonald Hughes",
            "March 2011",
            "URC have funded the Ordsall and Langworthy pilot.",
            "NI 3, 4",
        ],
        [
            None,
            "CDRP to consider options for resourcing further roll out.",
            None,
            None,
            "CDRP to consider options for further roll out.",
            None,
        ],
        # row 11–12: two activities, each with its own lead and timescale, under one action
        [
            "Further engaging with the community, empowering them to determine local priorities "
            "and solutions",
            "Neighbourhood Managers and Inspectors to engage with and develop local "
            "consultations with the community",
            "Neighbourhood managers",
            "PACT Meetings Developed Complete.",
            "Mainstream Budgets",
            "NI 3, 4",
        ],
        [
            None,
            "Senior officers of the CDRP/LCJG to hold ‘face the people’ sessions",
            "CHS directorate",
            "Held Annually in September Complete",
            "£1,000",
            None,
        ],
        # row 13–14: two leads, one per paragraph
        [
            "Improving the street scene by tackling litter, dog fouling, graffiti and other "
            "blight, and repairing and improving street lighting, furniture and CCTV.",
            "ECT, PCSOs, PAs report problems and issue FPNs to offenders for dog fouling, "
            "litter, graffiti.",
            "Phil Morton GMP",
            "Ongoing activity",
            "Mainstream Budgets",
            "NI 5, 17, 195",
        ],
        [None, None, "Stuart Collins ES", None, None, None],
    ]
    for offset, values in enumerate(rows):
        xlsx_row(sheet, 7 + offset, values)
    sheet.merge_cells("A7:A8")
    sheet.merge_cells("A9:A10")
    sheet.merge_cells("A11:A12")
    sheet.merge_cells("A13:A14")
    sheet.merge_cells("B13:B14")
    sheet.merge_cells("D13:D14")
    xlsx_row(sheet, 16, ["D:\\99195024.doc", None, None, None, None, "1"])
    book.save(path)


def build_york_send_wsoa(path: Path) -> None:
    """York SEND written statement of action (2020): RAG by review date, words and fills."""
    book, sheet = xlsx_book("WSoA")
    reviews = [
        "May 20",
        "August 20",
        "November 20",
        "February 21",
        "May 21",
        "July 21",
        "September 21",
        "December 21",
        "August 22",
    ]
    header = [
        "Number",
        "Outcomes",
        "Action",
        "Start date",
        "End date",
        "Lead",
        "Measures of success",
        "Evidence and impact",
        *(f"RAG {review}" for review in reviews),
    ]
    widths = [8, 40, 45, 12, 12, 16, 40, 30] + [12] * len(reviews)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
    fills = {
        "Started but delayed": AMBER,
        "Progressing but delayed": AMBER,
        "Progressing and on track": GREEN,
        "Completed": BLUE,
        "Embedded": BLUE,
    }
    last = openpyxl.utils.get_column_letter(len(header))
    xlsx_row(
        sheet,
        1,
        [
            "Special Educational Needs and Disabilities Local Area Inspection Written Statement of "
            "Action"
        ],
        bold=True,
    )
    row = 3

    def area(number, title):
        nonlocal row
        xlsx_row(sheet, row, [f"Area for Improvement {number}"], bold=True, fill=GREY)
        sheet.merge_cells(f"A{row}:{last}{row}")
        xlsx_row(sheet, row + 1, [title], bold=True)
        sheet.merge_cells(f"A{row + 1}:{last}{row + 1}")
        xlsx_row(sheet, row + 2, header, bold=True, fill=GREY)
        row += 3

    def item(values, rags):
        nonlocal row
        xlsx_row(sheet, row, [*values, *rags])
        for offset, rag in enumerate(rags):
            if rag in fills:
                sheet.cell(row=row, column=len(values) + 1 + offset).fill = PatternFill(
                    "solid", fgColor=fills[rag]
                )
        row += 1

    area(
        1,
        "Leadership and Governance: A lack of cohesive oversight of, and effective planning for, "
        "the implementation of some key aspects of the 2014 reforms, particularly by health "
        "partners",
    )
    item(
        [
            "1.1",
            "Leaders in the Clinical Commissioning Group (CCG) and City of York Council (CYC) "
            "will have greater assurance and oversight on performance, practice, standards and "
            "delivery of the strategic priorities of Special Educational Needs and Disabilities "
            "(SEND) in York.",
            "WSoA is produced and submitted on time. Governance arrangements, performance "
            "indicators and reporting arrangements are in place to track and monitor progress "
            "and improvement over the next 18 months.",
            "February 2020",
            "July 2020",
            "(M.S) CYC (K.McN) CCG",
            "All key performance indicators and stretched targets are shown through the "
            "integrated data dashboard and indicate steady and sustained progress against the "
            "areas of improvement.",
            "The local area has addressed the areas of weakness.",
        ],
        [
            "Progressing but delayed",
            "Completed",
            "Completed",
            "Completed",
            "Completed",
            "Embedded",
            "Embedded",
            "Embedded",
            "Embedded",
        ],
    )
    item(
        [
            "1.2",
            "An outcomes based framework is used by the CCG and CYC to increase joint "
            "accountability, demonstrate impact of all commissioned services and drive forward "
            "continual improvement in York.",
            "Co-produce and implement a joint outcomes based accountability framework for the "
            "CCG and CYC.\nThe development of an integrated data dashboard.",
            "April 2020",
            "September 2020",
            "(M.S) CCG",
            "Introduction of a joint data dashboard to drive forward the improvement journey.",
            None,
        ],
        [],
    )
    row += 1
    area(
        2,
        "Joint Commissioning: Joint commissioning of services based on analysis of SEND is not "
        "established in accordance with the expectations of the 2014 reform",
    )
    item(
        [
            "2.1",
            "The City of York Council (CYC) and Clinical Commissioning Group (CCG) have a joint "
            "commissioning strategy for children and young people aged 0 to 25 with Special "
            "Educational Needs and Disabilities (SEND) in York.",
            "(A) Develop and implement a city wide joint commissioning strategy for children and "
            "young people aged 0 to 25 with SEND.",
            "June 2020",
            "March 2-21",
            "CYC (S.D) CCG (S.DV) (P.C)",
            "The co-produced Joint commissioning strategy in place by March 2021. There are 5 "
            "jointly commissioned projects in place using the framework set out in the joint "
            "commissioning strategy. All commissioning decisions involve children, young people "
            "and families from March 2021. 2 schemes subject to section 75 agreements in place "
            "by September 2021.",
            "Evidence based commissioning is in place, drawing on the JSNA, shared data sources "
            "and evaluation of current commissioned services. Increased level of engagement with "
            "children, young people and families in the commissioning of future services in "
            "York, evidenced through attendance at engagement events, present at board meetings, "
            "and participation in the evaluation of services. Use of section 75 agreements to "
            "support joint commissioning and joint working across the local area.",
        ],
        [
            "Started but delayed",
            "Progressing and on track",
            "Progressing and on track",
            "Progressing and on track",
            "Completed",
            "Embedded",
            "Embedded",
            "Embedded",
            "Embedded",
        ],
    )
    row += 1
    area(
        3,
        "Co-Production: Children, young people and families are not involved consistently in "
        "co-producing the education, health and care services they need",
    )
    item(
        [
            "3.1",
            "There is an agreed model for co-production in York across in the Clinical "
            "Commissioning Group (CCG), City of York Council (CYC) and children, young people "
            "and parent carer groups.",
            "(A) External facilitated engagement events provided by the Council for Disabled "
            "Children to develop the model for effective co-production in York.",
            "June 2020",
            "September 2020",
            "CYC (L.B) CCG (K.McN)",
            "The model will be published on the Local Offer, and of families surveyed 75% "
            "indicate an increase in awareness of how young people, parents and carers can be "
            "involved in co-producing local services in York.",
            "The voice of children, young people and families is evident and clear through "
            "auditing, quality assurance and impact assessment.",
        ],
        [
            "Started but delayed",
            "Progressing and on track",
            "Completed",
            "Completed",
            "Completed",
            "Embedded",
            "Embedded",
            "Embedded",
            "Embedded",
        ],
    )
    item(
        [
            "3.1",
            "There is an agreed model for co-production in York across in the CCG, CYC and "
            "children, young people and parent carer groups.",
            "(B) Establishment of an outcomes audit framework for co-production that will "
            "evidence the level of engagement in practice, satisfaction rates and the impact "
            "achieved.",
            "June 2020",
            "May 2021",
            "CYC (L.B) CCG (K.McN)",
            "Case file audits and quality assurance will indicate that by May 2021 90% of "
            "Education, Helath and Care Plan’s (EHCPs) indicate effective co-production with "
            "children, young people, families and partner agencies.",
            None,
        ],
        [],
    )
    row += 1
    area(
        4,
        "Education, Health and Care (EHC) Assessment and Planning: The inconsistent quality and "
        "contribution of health partners and the poor utilisation of health information in EHC "
        "assessment and planning",
    )
    item(
        [
            "4.1",
            "All Education, Health and Care Plans (EHCP) for children and young people in York "
            "are compliant and of a consistently high standard and quality.",
            "Co-produce a quality assurance framework, focussing on an agreed set of standards, "
            "performance measures and outcomes across education, health and social care. "
            "Establish Special Educational Needs and Disabilities (SEND) case management "
            "auditing tool for improved standards of practice. Co-produce a range of tools to "
            "gather feedback and levels of satisfaction from children, young people and "
            "families.",
            "June 2020",
            "September 2020",
            "CCG (K.McN)",
            "By September 2021 98% of EHCP’s scored through auditing and quality assurance are "
            "consistent, compliant and of a high standard. Satisfaction rates from children, "
            "young people and families demonstrate incremental rise over the next 12 months, "
            "and show a satisfaction level that is consistently above 90% by September 2021. "
            "95% of case files audited indicate the voice of the child and young person is "
            "evident throughout. Parent carers and partners are involved in the quality "
            "assurance and moderation of EHCP’s.",
            "EHCPs in York are smart, accessible, outcomes focussed and accurately identify all "
            "of the needs of the child and young person. A reduction in the variable quality of "
            "plans produced in York.",
        ],
        [],
    )
    book.save(path)


def build_slough_lscb(path: Path) -> None:
    """Slough LSCB business plan 2012/13, Priority 1a: a Word table copied into Excel.

    The cells keep their line breaks; the RAG column says nothing in words, only in fill.
    """
    book, sheet = xlsx_book("Priority 1a")
    for letter, width in zip("ABCDE", [55, 28, 30, 40, 10], strict=True):
        sheet.column_dimensions[letter].width = width
    xlsx_row(
        sheet, 1, ["SLSCB BUSINESS PLAN – ACTIONS, TIMESCALES, OUTCOMES AND RAG RATINGS"], bold=True
    )
    spanning = [
        ("PRIORITY 1a Early Help and Prevention", True, GREY),
        (
            "Strategic Lead from SLSCB Executive: Nancy Barber/Jill King (BHFT) Chair of Quality "
            "and Performance Sub Group",
            False,
            None,
        ),
        (
            "OBJECTIVES:\nSLSCB to take a robust role in the implementation, monitoring and "
            "evaluation of the Early Intervention Strategy.\nTo improve the effectiveness of "
            "universal services to reduce the number of children requiring early help and "
            "targeted services\nTo reduce the number of children referred into child protection "
            "and other specialist safeguarding services though more effective integrated early "
            "help that improves outcomes for CYP",
            False,
            None,
        ),
    ]
    for offset, (text, bold, fill) in enumerate(spanning):
        xlsx_row(sheet, 3 + offset, [text], bold=bold, fill=fill)
        sheet.merge_cells(f"A{3 + offset}:E{3 + offset}")
    xlsx_row(
        sheet,
        6,
        [
            "Specific Actions",
            "Timescale/ Target",
            "Lead",
            "Output/Outcome measurement",
            "RAG rating",
        ],
        bold=True,
        fill=GREY,
    )
    rows = [
        (
            "1. To ensure that the Early Intervention Strategy addresses safeguarding priorities "
            "by engaging in the consultation on, and agreement to, the Strategy.",
            "Strategy agreed and in place by April 2012",
            "Chair of SLSCB",
            "Strategy agreed and in place by April 2012.\n(Agreement to strategy secured at joint "
            "meeting of SLSCB and CP on 11th April 2012)",
            BLUE,
        ),
        (
            "2. Support the implementation of the Early Response Hub to ensure that safeguarding "
            "priorities are to the fore. Allocation of Munro training monies to support "
            "programme of multi-agency training to support effective implementation of Early "
            "Response Hub operation",
            "Training programme to run across financial year 2012/13",
            "Pan-Berkshire Training Sub-Group and Early Intervention Sub Group of Children’s "
            "Partnership",
            "Target number of staff across each agency?\nEvaluation of staff "
            "understanding/operational effectiveness\nEarly help data in scorecard.",
            None,
        ),
        (
            "3. Support the implementation of the Referral Hub co-ordinated by Thames Valley "
            "Police. Receive first evaluation of operation of Hub and determine if further "
            "actions required to secure operational effectiveness.",
            "Evaluation of Hub to be received in June/July 2012\nReview of Hub operation "
            "completed by September 2012",
            "Jim Reeves",
            None,
            None,
        ),
    ]
    for offset, (action, timescale, lead, measure, fill) in enumerate(rows):
        xlsx_row(sheet, 7 + offset, [action, timescale, lead, measure])
        if fill:
            sheet.cell(row=7 + offset, column=5).fill = PatternFill("solid", fgColor=fill)
    xlsx_row(sheet, 11, [None, None, None, None, "1"])
    book.save(path)


# --- CSV -------------------------------------------------------------------------------


def csv_write(path: Path, rows, *, encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def build_york_scrutiny_review(path: Path) -> None:
    """City of York Council scrutiny impact review action plan (2025), saved as CSV by Excel."""
    rows = [
        ["CYC SCRUTINY IMPACT REVIEW", "", "", "", "", ""],
        ["PROPOSED ACTION PLAN", "", "", "", "", ""],
        ["", "ACTION", "PROPOSAL", "WHO", "WHEN", "SCRUTINY COMMENTS"],
        [
            "1.",
            "The Council should work to develop a shared vision and understanding of scrutiny",
            "A working group be established, to develop proposals. The working group to then "
            "meet with the Leader & Deputy Leader to discuss and agree.",
            "Current scrutiny chairs and vice chairs\n(May choose to co- opt others from time to "
            "time, e.g. Chair and deputy of A&G)",
            "Commencing March 2025 and ongoing",
            "Recommendation is supported by CSCCSM Cttee",
        ],
        [
            "2.",
            "The Council should employ a dedicated Scrutiny officer to enhance the impact and "
            "practice of Scrutiny, in particular task group investigations. Skills for this role "
            "would include research, project management and policy development. On-going "
            "training and support for the Scrutiny officer should also be considered "
            "particularly if recruited internally, to support the role to achieve good Scrutiny",
            "The structure of the DS team is being reviewed to add a dedicated Scrutiny Officer "
            "to the establishment.",
            "LT/BR",
            "Implement May/June 2025",
            "Recommendation is supported by CSCCSM Cttee.\nMembers were keen to understand the "
            "role and workload, and supported that it should be a true “dedicated” role, "
            "providing specialist scrutiny support to committees and Task & Finish Groups.",
        ],
        [
            "3.",
            "Substitute members of committees should be limited in number and named individuals "
            "rather than allowing any Cllr to act as a substitute at any given time",
            "Members to determine if they wish to change the current arrangement for CSCCSM "
            "which is that the requirement for named subs can be overridden by the COO, MO /HODG "
            "if requested.",
            "Council, following recommendation by Executive with Scrutiny views taken into account",
            "March 2025",
            "Recommendation not agreed. Members were concerned at the lack of available named "
            "subs from smaller groups; last minute absence due to illness etc could mean no sub "
            "is available etc.",
        ],
    ]
    csv_write(path, rows, encoding="cp1252")


def build_bracknell_council_plan(path: Path) -> None:
    """Bracknell Forest council plan objectives, quarter 3 2023/24: a tracker kept as CSV."""
    rows = [
        ["Corporate performance on caring for you and your family"] + [""] * 8,
        ["Quarter 3 2023 to 2024"] + [""] * 8,
        [
            "Ref",
            "Objective",
            "Directorate",
            "Section",
            "Stage",
            "Due date",
            "Percentage complete",
            "Status",
            "Update",
        ],
        ["Caring for you and your family"] + [""] * 8,
        [
            "4.01.01",
            "Increase participation in sports, leisure and cultural activities",
            "Delivery",
            "Executive Director: Delivery",
            "In progress",
            "31 March 2024",
            "80%",
            "Green",
            "Performance remains within the agreed client requirements. An end of year "
            "assessment of the demographics of participation will determine any new steps. This "
            "will be consistent with the new strategy and the direction that the new "
            "administration takes.",
        ],
        [
            "4.01.02",
            "Implement and monitor key actions from the Health and Wellbeing Strategy",
            "Place, Planning and Regeneration",
            "Public Health",
            "In progress",
            "31 March 2024",
            "98%",
            "Green",
            "An oversight group with membership from all delivery partners is now in place. The "
            "Health and Wellbeing delivery plan update is a standing item on the Health and "
            "Wellbeing Board, a dashboard and project update is presented to the board every "
            "quarter.",
        ],
        [
            "4.01.04",
            "Deliver the financial hardship action plan",
            "Chief Executive's Office",
            "Policy and Performance Management",
            "In progress",
            "31 March 2024",
            "90%",
            "Green",
            "The Financial Hardship Action Plan was reviewed and updated ahead of winter 2023, to "
            "make sure the content is aligned with the current priorities and resources. Several "
            "changes were made to focus and enhance activity related to signposting.",
        ],
        [""] * 9,
        ["Green indicates that progress is being made as per our planned schedule."] + [""] * 8,
    ]
    csv_write(path, rows, encoding="utf-8-sig")


# --- OpenDocument (.ods) -----------------------------------------------------------------


def ods_write(path: Path, sheet_name: str, rows) -> None:
    """Write a minimal OpenDocument spreadsheet: each cell is (text or None, colspan, rowspan).

    ``text`` may hold several lines (one ``text:p`` each); ``None`` marks a cell covered by
    a merged one.
    """
    body = []
    for row in rows:
        cells = []
        for cell in row:
            if cell is None:
                cells.append("<table:covered-table-cell/>")
                continue
            text, colspan, rowspan = cell
            spans = ""
            if colspan > 1:
                spans += f' table:number-columns-spanned="{colspan}"'
            if rowspan > 1:
                spans += f' table:number-rows-spanned="{rowspan}"'
            if not text:
                cells.append(f"<table:table-cell{spans}/>")
                continue
            paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in text.split("\n"))
            cells.append(
                f'<table:table-cell office:value-type="string"{spans}>{paragraphs}'
                "</table:table-cell>"
            )
        body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet_name)}">'
        f"{''.join(body)}</table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    stamp = WRITTEN.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as archive:
        # The mimetype comes first and uncompressed, as the OpenDocument format requires.
        archive.writestr(
            zipfile.ZipInfo("mimetype", stamp),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        for name, data in (("META-INF/manifest.xml", manifest), ("content.xml", content)):
            archive.writestr(zipfile.ZipInfo(name, stamp), data, compress_type=zipfile.ZIP_DEFLATED)


def build_lscb_cse_plan(path: Path) -> None:
    """An LSCB strategic business plan 2014-15 (CSE theme), kept in LibreOffice as .ods."""

    def one(text):
        return (text, 1, 1)

    rows = [
        [("LSCB Strategic Business Plan – 2014-5:", 6, 1), None, None, None, None, None],
        [
            (
                "This plan refers to the LSCB activity for 2014-5 and will reviewed regularly at "
                "the LSCB and Business Committee. There are three task and finish groups for each "
                "of the first three themes which will take the lead on delivering the outcomes "
                "and understanding the impact of the work. This is a working draft and can be "
                "amended as agreed by the LSCB when reviewed.",
                6,
                1,
            ),
            None,
            None,
            None,
            None,
            None,
        ],
        [
            (
                "LSCB Priority Theme One: Effective safeguarding response to Children Sexual "
                "Exploitation and Children who go Missing from Home and from Care (link to Child "
                "Sexual Exploitation and Missing strategy and action plan 2014)",
                6,
                1,
            ),
            None,
            None,
            None,
            None,
            None,
        ],
        [
            one("How will the LSCB do this?"),
            one("What will it do?"),
            one("Responsible lead/ group"),
            one("By when"),
            one("What is desired outcome"),
            one("What will impact be and how measured"),
        ],
        [
            ("Challenge agencies to respond effectively to CSE", 1, 2),
            one("Embed recommendations from LSCB CSE audit"),
            one("CSE Implementation group"),
            one("September 2014"),
            one("Co-ordinated multiagency response"),
            one(
                "Evidence of embedding Through monitoring of CSE action plan and its impact "
                "measures and Learning and Improvement"
            ),
        ],
        [
            None,
            one("Implement CSE strategy and action plan"),
            one("CSE Implementation group"),
            one("As per strategy and action plan"),
            one("Co-ordinated multiagency response"),
            one("Through monitoring of CSE action plan and its impact measures"),
        ],
    ]
    ods_write(path, "Theme One", rows)


BUILDERS = {
    "slough-lscb-business-plan-2012-13.xlsx": build_slough_lscb,
    "maidstone-scrutiny-scraip-2014.docx": build_maidstone_scraip,
    "rotherham-yos-improvement-plan-2013.docx": build_rotherham_yos,
    "bracknell-forest-corporate-parenting-2025-28.docx": build_bracknell_corporate_parenting,
    "three-rivers-csp-action-plan-2008-09-q4.xls": build_three_rivers_csp,
    "brighton-hove-lscb-business-plan.xls": build_brighton_lscb,
    "salford-community-safety-laa-action-plan.xlsx": build_salford_csp,
    "york-send-written-statement-of-action-2020.xlsx": build_york_send_wsoa,
    "york-scrutiny-impact-review-2025.csv": build_york_scrutiny_review,
    "bracknell-forest-council-plan-q3-2023-24.csv": build_bracknell_council_plan,
    "lscb-strategic-business-plan-2014-15-cse.ods": build_lscb_cse_plan,
}


# --- HOLDOUT ---------------------------------------------------------------------------
# Plans added after the importer was built, to measure how it does on plans it was not
# tuned on (issue 19's acceptance run is on unseen plans). Do not tune the importer on
# these files; score them with ``score.py --detail holdout-…`` and report what is lost, generically.


def build_dorset_csp_domestic_abuse(path: Path) -> None:
    """Dorset CSP Domestic Abuse Bill action plan (draft, 2021): an Excel tracker from a PDF.

    Intro and bullet notes above the table, the PDF's page number "1" between them and the
    table's own titles, a header whose cells wrap over several lines, an "Apr-21" date cell,
    "N/A" in the date and lead cells, and the word "Ongoing" in a "Complete Y/N" column.
    """
    book, sheet = xlsx_book("DA Bill Action Plan")
    widths = [8, 18, 9, 11, 26, 26, 30, 24, 11, 16, 12, 10, 10]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    xlsx_row(
        sheet,
        1,
        ["Dorset Community Safety Partnership (CSP) Domestic Bill – Action Plan DRAFT"],
        bold=True,
    )
    xlsx_row(
        sheet,
        2,
        [
            "This is a working document as is being updated as draft legislation / guidance is "
            "finalised and new guidance is released."
        ],
    )
    xlsx_row(sheet, 3, ["The action plan is being coordinated by the CSP."])
    xlsx_row(sheet, 4, ["Current Legislation / Statutory Guidance Available;"])
    xlsx_row(
        sheet,
        5,
        [
            "• Domestic Abuse Bill (in DRAFT form);\n• Draft Statutory Guidance Framework;\n"
            "• Draft Statutory Guidance on the delivery of support to victims of domestic abuse, "
            "including children, in domestic abuse safe accommodation services."
        ],
    )
    xlsx_row(sheet, 6, ["Legislation / Statutory Guidance yet to be published;"])
    xlsx_row(
        sheet,
        7,
        [
            "• Domestic Abuse Act 2021 (in FINAL form);\n• Draft Statutory Guidance – Domestic "
            "abuse protection notices and domestic abuse protection orders;\n• Draft Statutory "
            "Guidance – Claire’s Law."
        ],
    )
    for row in range(2, 8):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=13)
    xlsx_row(sheet, 8, [None] * 12 + ["1"])
    xlsx_row(sheet, 9, ["Domestic Abuse Bill (Draft)"], bold=True)
    xlsx_row(
        sheet,
        10,
        [
            "Action Plan - Formal duties placed on local public bodies as set out in the "
            "Domestic Abuse Bill / Domestic Abuse Act 2021"
        ],
        bold=True,
    )
    sheet.merge_cells("A10:M10")
    xlsx_row(
        sheet,
        11,
        [
            "Link to latest copy of the Domestic Abuse Bill - "
            "https://publications.parliament.uk/pa/bills/lbill/58-01/124/5801124_en_1.html"
        ],
    )
    sheet.merge_cells("A11:M11")
    xlsx_row(
        sheet,
        12,
        [
            "Ref",
            "Source",
            "DA Bill - Part",
            "DA Bill Reference Point",
            "Issue",
            "Requirement",
            "Action",
            "Notes",
            "Target\ncompletion\ndate",
            "Lead\nagency",
            "Nominated\nlead officer",
            "Complete\nY/N",
            "Cross\nReference",
        ],
        bold=True,
        fill=GREY,
    )
    source = "Domestic Abuse Bill and Subsequent Domestic Abuse Act"
    xlsx_row(
        sheet,
        13,
        [
            "DAB\n1",
            source,
            "Part 1",
            "N/A",
            "Bill introduces a new definition for domestic abuse",
            "All agencies will be required to work to the new definition",
            "Ensure any existing or new documentation and public facing material reflects the "
            "new definition",
            "Details of the new definition can be found in the DA Bill link.",
            datetime.datetime(2021, 4, 1),
            "CSP Strategy Delivery Group",
            "All reps",
            "Ongoing",
            None,
        ],
    )
    sheet["I13"].number_format = "mmm-yy"
    # The transcript we read stops inside this row: its cells end where it ends ("…").
    xlsx_row(
        sheet,
        14,
        [
            "DAB\n2",
            source,
            "Part 2",
            "15",
            "Bill introduces a new Domestic Abuse Commissioner who …",
            "A duty is placed on public authorities to co-operate with …",
            "Agencies must consider and respond to Commissioner's recommendations and with any "
            "requests as reasonabl…",
            "Actions will be developed as and when they come up.",
            "N/A",
            "N/A",
            "N/A",
            "Ongoing",
            None,
        ],
    )
    book.save(path)


def build_devon_send_kpis(path: Path) -> None:
    """Devon SEND Accelerated Progress Plan key performance indicators (2023), kept as CSV.

    A KPI tracker: "Section A: …" rows above the header, a baseline and a target per
    indicator, then one milestone value and one actual value per review date; numbers as
    text with their year in brackets, some with a second line; a note row; the next
    section's heading and repeated header, where the transcript stops.
    """
    header = [
        "Key Performance Indicator",
        "Baseline (date)",
        "Target",
        "Milestone 1 – Jul 23",
        "Actual Jul 23",
        "Milestone 2 – Nov 23",
        "Actual Nov 23",
    ]
    blank = [""] * 6
    rows = [
        ["Devon SEND Local Area Improvement Plan: Accelerated Progress Plan"] + blank,
        ["Key performance indicators"] + blank,
        ["Section A: Strategy – clear and understood strategic plan and SEND arrangements"] + blank,
        header,
        [
            "Percentage of children and young people absent from school with SEN support "
            "(Attendance)",
            "10.9% (academic year 21/22)",
            "10% (England average 21/22)",
            "10.9%",
            "12.1% (academic year 22/23)",
            "10.5%",
            "11.3%",
        ],
        [
            "Percentage of children and young people absent from school with an EHC plan "
            "(Attendance)",
            "12.7% (academic year 21/22)",
            "12.1% (England average 21/22)",
            "12.7%",
            "14.7% (academic year 22/23)",
            "13.6%",
            "15.50%",
        ],
        [
            "Suspension rate of children and young people with SEN support (Suspensions)",
            "28.92 (academic year 21/22)",
            "18.59 (England average 21/22)",
            "28.92",
            "47.7 (academic year 22/23)",
            "28.8",
            "14.48",
        ],
        [
            "Suspension rate of children and young people with an EHC plan (Suspensions)",
            "25.06 (academic year 21/22)",
            "17.63 (England average 21/22)",
            "25.06",
            "38.17 (academic year 22/23)",
            "25.0",
            "13.02%",
        ],
        [
            "Permanent exclusion rate of children and young people with SEN support (Exclusions)",
            "0.45 (academic year 21/22)",
            "0.25 (England average 21/22)",
            "0.45%",
            "0.66 (academic year 22/23)",
            "0.45",
            "0.16%",
        ],
        [
            "EHC assessment requests as a % of population (Demand)",
            "0.97% (academic year 21/22)",
            "0.68% (national SEN2 2022)",
            "1.05%",
            "1.17% (projected end of year)",
            "1.05%",
            "1.07% (projected end of year)",
        ],
        [
            "Parent carers rate their lived experience of Local Area SEND services as ‘good’ or "
            "‘better’, identifying improvement in relation to joint working and communication",
            "8% (May 23)",
            "90%",
            "",
            "",
            "",
            "",
        ],
        ["*Figures may differ from previous published as they are now cumulative"] + blank,
        ["Section B: Communication with key stakeholders, particularly with parents and families"]
        + blank,
        [header[0].replace("Indicator", "indicator")] + header[1:],
    ]
    csv_write(path, rows, encoding="utf-8")


def build_bracknell_youth_justice_tracker(path: Path) -> None:
    """Bracknell Forest Youth Justice Plan 2023/24 action tracker, with progress (Word).

    The theme as a heading paragraph above a two-column table (Action, Progress); each
    progress cell opens with its status in words ("Completed.", "In progress.",
    "Complete (and ongoing).") and goes on in a second paragraph.
    """
    document = word_document(
        [
            "Bracknell Forest Youth Justice Plan 2024 to 2027 - 3.1 Progress on priorities in "
            "previous plan",
            "Published: 19 September 2024",
            "The Youth Justice Plan 2023 to 24 action tracker is shown below together with "
            "progress against each item:",
        ]
    )
    theme = document.add_paragraph()
    run = theme.add_run("Theme 1: Developing quality assurance and governance")
    run.bold = True
    run.font.size = Pt(12)
    items = [
        (
            "Integrate Youth Justice Quality Assurance (QA) activity into the Children’s Social "
            "Care QA Strategy to ensure a consistent approach to QA and understanding outcomes.",
            [
                "Completed.",
                "The Youth Justice Team now have an integrated QA programme with Children’s "
                "Social Care. Due to the service moving into the Early Help and Communities "
                "department, the QA arrangements will need to be reviewed.",
            ],
        ),
        (
            "Data with regards to children released under-investigation and on police bail to "
            "be presented to the Youth Justice Management Board for governance and scrutiny, "
            "including any data held regarding disproportionality.",
            [
                "In progress.",
                "Thames Valley Police will be asked to produce this data as part of the local "
                "dataset development exercise.",
            ],
        ),
        (
            "Further development of datasets relating to children receiving Community "
            "Resolutions, including presenting behaviours or offences and any data held "
            "regarding disproportionality.",
            [
                "In progress.",
                "The Youth Justice Management Board has set up a Task and Finish Group to "
                "establish a data set of statutory and non-statutory indicators which will help "
                "us understand our children more fully.",
            ],
        ),
        (
            "Multi-Agency Practice Evaluations completed in relation to Serious Incident Reports "
            "and disseminate learning and delivery of any multi-agency action plans.",
            [
                "Complete (and ongoing).",
                "Two evaluations in relation to 2 children committing Grievous Bodily Harm took "
                "place in 2023 to 2024. Practice evaluations will continue to take place when "
                "serious incidents are reported.",
            ],
        ),
        (
            "Co-ordinate observations and attendance of Youth Justice Board members at Risk "
            "Focus meetings.",
            ["Complete."],
        ),
    ]
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Action", "Progress"], strict=True):
        cell_write(cell, text, bold=True)
        cell_shade(cell, GREY)
    for action, progress in items:
        cells = table.add_row().cells
        cell_write(cells[0], action)
        cell_write(cells[1], progress)
    word_footer(document, "Bracknell Forest Youth Justice Plan 2024 to 2027")
    document.save(path)


def build_scrutiny_recommendation_tracker(path: Path) -> None:
    """A council's scrutiny recommendation tracker (Annex A, draft example, 2025/26), as .xls.

    Reference numbers by municipal year ("SR (25/26) 01"), two date columns that are not
    deadlines (the committee's and the executive's), leads as initials, status in words,
    blank spacer rows below the table, and the key (the columns and the status legend)
    under it.
    """
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Tracker")
    date_style = xlwt.easyxf(
        "align: wrap on, vert top; font: height 180", num_format_str="DD/MM/YY"
    )
    sheet.write(0, 0, "ANNEX A", XLS_BOLD)
    sheet.write_merge(1, 1, 0, 8, "Scrutiny Recommendation Tracker (DRAFT EXAMPLE)", XLS_BOLD)
    sheet.write_merge(
        2,
        2,
        0,
        8,
        "An example of how this information will be presented to Members; please see key below "
        "for further details.",
        XLS_WRAP,
    )
    headers = [
        "Reference",
        "Origin",
        "Date",
        "Area",
        "Recommendation",
        "Exec Date",
        "Lead Officer/EM",
        "Action taken",
        "Status",
    ]
    for column, text in enumerate(headers):
        sheet.write(4, column, text, XLS_HEADER)
        sheet.col(column).width = 256 * (40 if column in (4, 7) else 13)
    rows = [
        (
            "SR (25/26) 01",
            "CRP",
            datetime.date(2026, 1, 1),
            "Finance",
            "Full text of the recommendation…",
            datetime.date(2026, 2, 1),
            "DM/PL/KL",
            "A list of actions identified:\n·         Action 1\n·         Action 2\nThese "
            "actions are all complete as of X date.",
            "Complete",
        ),
        (
            "SR (25/26) 02",
            "CRP",
            datetime.date(2026, 1, 1),
            "Finance",
            "That XYZ be completed by…",
            datetime.date(2026, 2, 1),
            "DM/PL/KL",
            "Summary of progress to date and ongoing work identified...",
            "Ongoing",
        ),
        (
            "SR (25/26) 03",
            "PPL",
            datetime.date(2026, 2, 1),
            "ASC",
            "That XYZ…",
            datetime.date(2026, 3, 1),
            "SS/LSW",
            "As above…",
            "Ongoing",
        ),
        (
            "SR (25/26) 04",
            "PLC",
            datetime.date(2026, 2, 1),
            "Health",
            "That ABC…",
            datetime.date(2026, 3, 1),
            "PR/LSW",
            "Detail of action taken.",
            "Complete",
        ),
        (
            "SR (23/24) 19",
            "CSMC",
            datetime.date(2024, 4, 1),
            "Governance",
            "That ABC be completed by...",
            datetime.date(2024, 5, 1),
            "JP/CD",
            "Detail including reasons (where available) for lack of progress, a pause etc e.g. "
            "due to capacity issues, a change in government policy etc.",
            "e.g. Paused",
        ),
    ]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values):
            style = date_style if isinstance(value, datetime.date) else XLS_WRAP
            sheet.write(5 + offset, column, value, style)
    # The published table has empty rows below its examples, for the real entries.
    for row in range(10, 14):
        for column in range(9):
            sheet.write(row, column, "", XLS_WRAP)
    key = [
        "Key",
        "Reference:Each recommendation will be assigned a reference indicating the municipal "
        "year the recommendation was made.",
        "Origin:CRP (Corporate Scrutiny Committee); PPL (People Scrutiny Committee); PLC (Place "
        "Scrutiny Committee); if Members would like a review of recommendations from previous "
        "Committees carried out additional acronyms can be included as required.",
        "Date: Date of the Committee meeting recommendation was agreed.",
        "Area:Directorate/Portfolio area as appropriate.",
        "Exec Date:Date recommendation was considered by Executive.",
        "Lead Officer/EM:Name/initials as appropriate.",
        "Action taken:Summary detailing actions to date.",
        "Status:",
        "·        Green: recommendation achieved – monitoring no longer required;",
        "·        Amber: acceptable progress made – continue monitoring;",
        "·        Red: unacceptable progress made – lead offic…",
    ]
    for offset, text in enumerate(key):
        sheet.write_merge(
            15 + offset, 15 + offset, 0, 8, text, XLS_BOLD if offset == 0 else XLS_WRAP
        )
    book.save(str(path))


def build_stockton_lscb_review_progress(path: Path) -> None:
    """Stockton-on-Tees scrutiny review of the LSCB: progress on its recommendations (2017).

    A Word table pasted into Excel: each paragraph of a progress cell on a row of its own,
    the other cells merged down over them (row 1) or left blank (rows 2 and 5); the
    assessment as a number, with the categories' legend below the table.
    """
    book, sheet = xlsx_book("Appendix 1")
    for letter, width in zip("ABCDEF", [6, 50, 14, 22, 55, 14], strict=True):
        sheet.column_dimensions[letter].width = width
    xlsx_row(
        sheet,
        1,
        ["Initial Progress Update – Review of Stockton Local Safeguarding Children Board"],
        bold=True,
    )
    xlsx_row(sheet, 2, ["Appendix 1"])
    xlsx_row(
        sheet,
        4,
        [
            "No.",
            "Recommendation",
            "Responsibility",
            "Date",
            "Progress presented to Committee\nDec 2017",
            "Assessment of progress Categories\n1 - 4",
        ],
        bold=True,
        fill=GREY,
    )
    lead = "Chair / DCS"
    rows = [
        [
            "1.",
            "Participate and initiate discussion where necessary with other Tees Boards about "
            "the response to the Wood review and the opportunities to collaborate further and "
            "ensure a streamlined and efficient approach with partners.",
            lead,
            "To be confirmed in Children and Social Work Act",
            "Stockton and Hartlepool Boards have agreed to develop a joint approach.",
            2,
        ],
        [
            None,
            None,
            None,
            None,
            "LSCB Chair written to the Chief Executives of the safeguarding partners outlining "
            "plans to move forward with a North of Tees approach.",
            None,
        ],
        [
            None,
            None,
            None,
            None,
            "Seeking to be an early adopter of new arrangements by September 2018",
            None,
        ],
        [
            "2.",
            "Continue to develop a self-assessment and review format of Board and sub group "
            "meetings to focus discussion on key issues and strengthen the co-ordination, "
            "challenge and change functions including the potential role of an Executive.",
            lead,
            "April 2017",
            "Executive has been established and now driving the agenda for the Board and its "
            "sub groups.",
            2,
        ],
        [
            None,
            None,
            None,
            None,
            "Joint targeted Area Inspection process will make some observations about the LSCB",
            None,
        ],
        [
            "3.",
            "Continue to identify ways to encourage all partner agencies to play a more active "
            "role in discussions, including varying the format of meetings.",
            lead,
            "March 2017",
            "Chair undertaking annual appraisals of Board members contributions",
            2,
        ],
        [
            "4.",
            "Provide training for SLSCB members to ensure that they have the skills to fulfil "
            "their roles, especially around assurance roles.",
            lead,
            "April 2017",
            "Board members have been provided with guidance on assurance role.",
            1,
        ],
        [
            "5.",
            "Assure itself that it has responded to the Ofsted recommendations.",
            lead,
            "April 2017",
            "Actions completed and built into Business Plan.",
            1,
        ],
        [
            None,
            None,
            None,
            None,
            "Any further recommendations arising form the JTAI will be addressed in a follow up "
            "action plan in April.",
            None,
        ],
    ]
    for offset, values in enumerate(rows):
        xlsx_row(sheet, 5 + offset, values)
    for column in "ABCDF":
        sheet.merge_cells(f"{column}5:{column}7")
    legend = [
        "1 Fully Achieved",
        "2 On Track but not yet due for completion",
        "3 Slipped",
        "4 Not Achieved",
    ]
    for offset, text in enumerate(legend):
        xlsx_row(sheet, 15 + offset, [text])
    book.save(path)


def build_stockton_lscb_review_progress_word(path: Path) -> None:
    """The same Stockton progress update as the Word table it was written in.

    One row per recommendation, the progress paragraphs in one cell, "Chair / DCS" in one
    cell merged down the whole table (vMerge), and the categories as paragraphs below it.
    """
    document = word_document(
        [
            "Initial Progress Update – Review of Stockton Local Safeguarding Children Board",
            "Appendix 1",
        ]
    )
    items = [
        (
            "1.",
            "Participate and initiate discussion where necessary with other Tees Boards about "
            "the response to the Wood review and the opportunities to collaborate further and "
            "ensure a streamlined and efficient approach with partners.",
            "To be confirmed in Children and Social Work Act",
            [
                "Stockton and Hartlepool Boards have agreed to develop a joint approach.",
                "LSCB Chair written to the Chief Executives of the safeguarding partners "
                "outlining plans to move forward with a North of Tees approach.",
                "Seeking to be an early adopter of new arrangements by September 2018",
            ],
            "2",
        ),
        (
            "2.",
            "Continue to develop a self-assessment and review format of Board and sub group "
            "meetings to focus discussion on key issues and strengthen the co-ordination, "
            "challenge and change functions including the potential role of an Executive.",
            "April 2017",
            [
                "Executive has been established and now driving the agenda for the Board and "
                "its sub groups.",
                "Joint targeted Area Inspection process will make some observations about the LSCB",
            ],
            "2",
        ),
        (
            "3.",
            "Continue to identify ways to encourage all partner agencies to play a more active "
            "role in discussions, including varying the format of meetings.",
            "March 2017",
            ["Chair undertaking annual appraisals of Board members contributions"],
            "2",
        ),
        (
            "4.",
            "Provide training for SLSCB members to ensure that they have the skills to fulfil "
            "their roles, especially around assurance roles.",
            "April 2017",
            ["Board members have been provided with guidance on assurance role."],
            "1",
        ),
        (
            "5.",
            "Assure itself that it has responded to the Ofsted recommendations.",
            "April 2017",
            [
                "Actions completed and built into Business Plan.",
                "Any further recommendations arising form the JTAI will be addressed in a "
                "follow up action plan in April.",
            ],
            "1",
        ),
    ]
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    headers = [
        "No.",
        "Recommendation",
        "Responsibility",
        "Date",
        ["Progress presented to Committee", "Dec 2017"],
        ["Assessment of progress Categories", "1 - 4"],
    ]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell_write(cell, text, bold=True)
        cell_shade(cell, GREY)
    for number, recommendation, due, progress, assessment in items:
        cells = table.add_row().cells
        for cell, text in zip(
            cells, [number, recommendation, "", due, progress, assessment], strict=True
        ):
            cell_write(cell, text)
    cell_write(table.rows[1].cells[2], "Chair / DCS")
    table.rows[1].cells[2].merge(table.rows[len(items)].cells[2])
    for line in [
        "1 Fully Achieved",
        "2 On Track but not yet due for completion",
        "3 Slipped",
        "4 Not Achieved",
    ]:
        document.add_paragraph(line)
    word_footer(document, "Children and Young People Select Committee – December 2017")
    document.save(path)


DEVON_LAC_MILESTONES = {
    "By September 2015": [
        "Corporate Parenting Board established with children/young people engagement",
        "Learning Advocates in post to support educational attainment",
        "New Fostering structure in place",
        "Better matching and more children in Devon",
        "Revised Strengths and Difficulties questionnaire (SDQ) process in place",
    ],
    "By December 2015": [
        "Educational attainment for LAC matches or exceeds expected progress",
        "Children placed through adoption increased to 14%",
        "Improved quality of SDQ (Strengths and Difficulties questionnaires) for referrals to "
        "CAMHS",
        "All initial health assessments completed within 28 day timescales",
    ],
    "By June 2016": [
        "All seven LILAC standards achieved",
        "Educational attainment for LAC exceeds expected progress",
        "Placement Stability =<12%",
        "Improved access to CAMHS/ emotional support",
        "Increased use of Access to Independent Visitors service (target 10 for 2015/16) by "
        "children in care",
    ],
}


def build_devon_improvement_plan_lac(path: Path) -> None:
    """Devon Children's Improvement Plan, priorities for 2015/16, priority 5 (looked after
    children), in Word: the priority and its reasons and expected outcomes as paragraphs,
    then the milestones in a table whose "By" cell is merged down over each date's rows."""
    document = word_document(
        [
            "Devon Children’s Improvement Plan – Priorities for 2015/16",
            "Priority 5: Looked After Children are in stable placements and are able to achieve "
            "their full potential",
            "Why are we doing this?",
            "“We want for our looked after children what any parent should want for their "
            "child; to feel loved and cared for… To be happy, able to achieve their potential and "
            "given the best chances in life”",
            "“I didn’t want to come into care, looking back on it I feel like it was what I "
            "needed to sort my life out. Since I’ve been in care I’ve been in education and got "
            "myself a job”",
            "Expected outcomes",
            "Strong and effective Corporate Parenting",
            "The health needs of looked after children are met, particularly those identified as "
            "needing a child and adolescent mental health and/or emotional well being service "
            "(CAMHS)",
            "Safe care and improved placement stability for children looked after",
            "Improved permanence planning",
            "Improved education outcomes for all looked after children, but particularly those "
            "in secondary schools",
        ]
    )
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["By", "Milestones and outcomes"], strict=True):
        cell_write(cell, text, bold=True)
        cell_shade(cell, GREY)
    for by, milestones in DEVON_LAC_MILESTONES.items():
        first = len(table.rows)
        for milestone in milestones:
            cells = table.add_row().cells
            cell_write(cells[1], milestone)
        cell_write(table.rows[first].cells[0], by)
        table.rows[first].cells[0].merge(table.rows[len(table.rows) - 1].cells[0])
    word_footer(document, "Devon County Council – Children’s Improvement Plan 2015/16")
    document.save(path)


def build_kpi_thematic_summary(path: Path) -> None:
    """A council's corporate KPI basket, thematic summary, quarter 1 2015/16, as CSV.

    The key (Green = On Target …) above the table, the theme as a row, one line of prose,
    then each indicator with its code and a status cell holding a number and a word on two
    lines ("1" / "Green"); "Data Not Available" and "Target Not Set" as statuses.
    """
    rows = [
        ["Thematic Summaries Quarter 1 2015/16", ""],
        ["Key:", ""],
        ["Green = On Target   Amber = Within Tolerance   Red = Off Target", ""],
        ["CHILDREN AND YOUNG PEOPLE", ""],
        ["Under this theme the following indicators are included in the corporate basket:", ""],
        ["", "Target"],
        ["CYP100: Uptake of free early education/childcare places", "1\nGreen"],
        [
            "CYP101: Proportion of children aged under 5 in each Children's Centre reach area "
            "registered with the centre",
            "3\nRed",
        ],
        [
            "CYP102: Early Years Foundation Stage - proportion of children with an overall good "
            "level of development",
            "4\nData Not Available",
        ],
        [
            "CYP203a: Number of schools judged to be good or outstanding - primary",
            "1\nGreen",
        ],
        [
            "CYP203b: Number of schools judged to be good or outstanding - secondary",
            "3\nRed",
        ],
        ["CYP300: Proportion of assessments completed in 45 days", "1\nGreen"],
        ["CYP301: Number of full CAF’s initiated", "5\nTarget Not Set"],
        [
            "CYP302: Proportion of children becoming the subject of a child protection plan for a "
            "second or subsequent time, within 2 years",
            "3\nRed",
        ],
    ]
    csv_write(path, rows, encoding="cp1252")


HOLDOUT_BUILDERS = {
    "holdout-dorset-csp-domestic-abuse-action-plan-2021.xlsx": build_dorset_csp_domestic_abuse,
    "holdout-devon-send-app-kpis-2023.csv": build_devon_send_kpis,
    "holdout-bracknell-forest-youth-justice-tracker-2023-24.docx": (
        build_bracknell_youth_justice_tracker
    ),
    "holdout-scrutiny-recommendation-tracker-draft.xls": build_scrutiny_recommendation_tracker,
    "holdout-stockton-lscb-review-progress-2017.xlsx": build_stockton_lscb_review_progress,
    "holdout-stockton-lscb-review-progress-2017-word.docx": (
        build_stockton_lscb_review_progress_word
    ),
    "holdout-kpi-thematic-summary-q1-2015-16.csv": build_kpi_thematic_summary,
    "holdout-devon-childrens-improvement-plan-2015-16-lac.docx": build_devon_improvement_plan_lac,
}
BUILDERS.update(HOLDOUT_BUILDERS)


# --- HOLDOUT 2 -------------------------------------------------------------------------
# A second set of unseen plans (added after the first holdout had been looked at while
# fixing, so that it no longer measured unseen plans). Same rules: the councils' and
# partners' own words, the officer's layout; where the transcript we read stops, the plan
# stops. Do not tune the importer on these either; when they are fixed, add new ones.

WARWICKSHIRE_PREVENT_THEMES = [
    (
        "Theme 1",
        "1. Community and voluntary sector engagement",
        [
            [
                "1.1 CAVA/ALL agencies to promote / coordinate events which support community "
                "cohesion and learning of other faiths and cultures",
                "WCAVA, EQUIP, Faiths Forums, WCC, District & Borough teams – to promote.",
                "Ongoing",
                "Warwickshire’s communities are cohesive; increased awareness and understanding "
                "of different faiths and cultures",
                "- WCAVA regularly promote WRAP training and will also be promoting the new "
                "Prevent briefing sessions",
            ],
            [
                "1.2 Continue to deliver the Our Families, Our Future project with a specific "
                "focus on women’s groups and youth groups",
                "EQUIP – commissioned by NBBC and WCC",
                "March 2018",
                None,
                "- An evaluation and impact report on OFOF 2 was produced after delivery.",
            ],
        ],
    ),
    (
        "Theme 2",
        "2. Leadership, governance and accountability",
        [
            [
                "2.1 Update and refresh the Prevent webpage on www.safeinwarwickshire.com/prevent "
                "on a regular basis",
                "Prevent Officer – Geoff Thomas",
                "Weekly",
                "Districts and boroughs, frontline professionals and community members have "
                "information and resources to support Prevent delivery",
                "Major update of the training advice and booking dates to be in place by April "
                "2019 and updated monthly",
            ],
        ],
    ),
]


def build_warwickshire_prevent_action_plan(path: Path) -> None:
    """Warwickshire Prevent Action Plan 2019–2021 (2019–2020 version), one sheet per theme.

    Each sheet repeats the title block (title, version, date) above the theme and the
    header on row 5; the key actions are numbered 1.1, 1.2, 2.1 (the number carries the
    theme); the lead is a list of organisations as abbreviations ("WCAVA, EQUIP, …, WCC").
    """
    book = openpyxl.Workbook()
    book.properties.creator = ""
    book.properties.created = WRITTEN
    book.properties.modified = WRITTEN
    book.remove(book.active)
    for sheet_name, theme, rows in WARWICKSHIRE_PREVENT_THEMES:
        sheet = book.create_sheet(sheet_name)
        for letter, width in zip("ABCDE", [48, 30, 14, 40, 40], strict=True):
            sheet.column_dimensions[letter].width = width
        xlsx_row(sheet, 1, ["Warwickshire Prevent Action Plan"], bold=True)
        xlsx_row(sheet, 2, ["2019 – 2021 (2019 – 2020 Version)"])
        xlsx_row(sheet, 3, ["May 2019"])
        xlsx_row(sheet, 4, [theme], bold=True)
        sheet.merge_cells("A4:E4")
        xlsx_row(
            sheet, 5, ["Key action", "Lead", "Timescale", "Outcomes", "Notes"], bold=True, fill=GREY
        )
        for offset, values in enumerate(rows):
            xlsx_row(sheet, 6 + offset, values)
    book.save(path)


BIRMINGHAM_DA_ROWS = [
    (
        "Increase in healthy relationship skills",
        [
            "Promote healthy relationship programmes and whole school approaches with schools, "
            "colleges, youth settings and universities",
            "Support the development of curriculum materials on violence against women and girls",
        ],
        [
            "Number of schools committed to a whole school approach and West Midlands Domestic "
            "Abuse Standards"
        ],
        "Increase",
        [
            "BHWBB: make children in need safer",
            "BEHP: children and young people able to attend, learn and maximise their potential "
            "at school; young people ready for and able to contribute to adult life",
        ],
    ),
    (
        "Decrease in social tolerance of domestic abuse",
        [
            "Widen public awareness campaigns and community engagement encouraging community led "
            "preventative approaches working closely with community and voluntary organisations "
            "and faith groups",
            "Targeted engagement around forced marriage and honour based violence",
            "Targeted engagement with under-represented groups including LGBT victims and "
            "disabled women",
            "Introduce ‘Ask Me’ schemes for safe disclosure in everyday settings",
            "Introduce domestic abuse workforce polici…",
        ],
        [],
        "",
        [],
    ),
]


def cell_bullets(cell, lines: list[str]) -> None:
    """One Word bullet paragraph (style List Bullet) per line, as an officer types a list."""
    cell.text = ""
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.style = "List Bullet"
        run = paragraph.add_run(line)
        run.font.size = Pt(9)


def build_birmingham_domestic_abuse_strategy(path: Path) -> None:
    """Birmingham Domestic Abuse Prevention Strategy 2017–2020 (consultation draft), in Word.

    The vision and its three aims as a bullet list above the table; the header's "Outcome"
    spans two columns; the strategic outcome "Changing Attitudes" merged down the left; each
    outcome row holds its actions as bullet paragraphs in one cell, the measure as a bullet
    in the next, and the responsible partnerships (abbreviated boards) one per paragraph.
    """
    document = word_document(
        [
            "(CONSULTATION DRAFT) Birmingham Domestic Abuse Prevention Strategy 2017-2020",
            "Vision: Birmingham aspires to be a city where everyone lives free from domestic "
            "violence and abuse",
            "To achieve this, Birmingham will:",
        ]
    )
    for aim in [
        "Strengthen its co-ordinated multi-agency response to domestic abuse and ensure that "
        "domestic abuse is identified and responded to effectively at the earliest opportunity.",
        "Prevent domestic abuse for our next generation by working with children and young "
        "people to build healthy relationship skills based on equality and respect",
        "Work with the wider community to ensure that domestic abuse is confronted and addressed "
        "in every aspect of Birmingham life so that victims have confidence to disclose and "
        "abusers will know that they will be held to account.",
    ]:
        document.add_paragraph(aim, style="List Bullet")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    header = table.rows[0].cells
    outcome_header = header[0].merge(header[1])
    for cell, text in zip(
        [outcome_header, header[2], header[3], header[4], header[5]],
        [
            "Outcome",
            "Action",
            "Measure",
            "Target",
            "Responsible Partnership & Alignment to Strategic Plan",
        ],
        strict=True,
    ):
        cell_write(cell, text, bold=True)
        cell_shade(cell, GREY)
    first = len(table.rows)
    for outcome, actions, measures, target, partnerships in BIRMINGHAM_DA_ROWS:
        cells = table.add_row().cells
        cell_write(cells[1], outcome)
        cell_bullets(cells[2], actions)
        if measures:
            cell_bullets(cells[3], measures)
        cell_write(cells[4], target)
        cell_write(cells[5], partnerships or "")
    cell_write(table.rows[first].cells[0], "Changing Attitudes", bold=True)
    cell_shade(table.rows[first].cells[0], "DEEAF6")
    table.rows[first].cells[0].merge(table.rows[len(table.rows) - 1].cells[0])
    word_footer(document, "Birmingham Domestic Abuse Prevention Strategy 2017-2020 – consultation")
    document.save(path)


def build_cumbria_domestic_abuse_action_plan(path: Path) -> None:
    """Cumbria Constabulary Domestic Abuse Action Plan 2018 (public version), as CSV.

    Reference codes from the inspection and force reviews ("PROVUL8.5", "PROVUL106"), the
    recommendation repeated on each of its sub-actions, sub-actions numbered "NO 8", one
    recommendation with no sub-action, "Complete" as the delivery status.
    """
    overarching = (
        "Ensure constant improvement of awareness and all processes linked to the investigation "
        "management and general vulnerability linked to domestic abuse in Cumbria. Managed via "
        "delivery of the outstanding actions from the Domestic Abuse Action Plan to improve "
        "service and reduce harm"
    )
    rows = [
        ["Cumbria Constabulary Domestic Abuse Action Plan 2018 - public version", "", "", ""],
        [
            "Action Ref Number",
            "Recommendation/ Overarching Action",
            "Sub-Action",
            "Delivery Status",
        ],
        [
            "PROVUL8.5",
            overarching,
            "NO 8 Map the work we carry out with statutory and non- statutory partners to tackle "
            "issues of HBV and FM",
            "Complete",
        ],
        [
            "PROVUL42.2",
            overarching,
            "NO 17 PPU/Triage Officers to be trained to access National Firearms Licensing "
            "Management System – read only access (Training 1 hour)",
            "Complete",
        ],
        [
            "PROVUL33",
            "Diversionary scheme for DV offenders - review to ensure the original aims are met.",
            "",
            "Complete",
        ],
        [
            "PROVUL106",
            "HMIC Recommendation 4\nWe recommend that, within three months, Cumbria Constabulary "
            "ensures that officers always record their observations of a child’s behaviour and "
            "demeanour in records of domestic abuse incidents so that better assessments of a "
            "child’s needs are made",
            "Guidance to be sent to frontline officers surrounding the recording of information on "
            "a DA / VC report including; Recording the child's behaviour and not just the account "
            "they have given.",
            "Complete",
        ],
        [
            "PROVUL77",
            "• There should be an appropriate response to DA directed from Comms",
            "Consider new process which involves the details of the referral going on the log, "
            "crime recorded at that point (third party reporting rules) and the "
            "level/appropriateness of response assessed. Some refers should quite clearly have "
            "dialled 101 to rep…",
            "",
        ],
    ]
    csv_write(path, rows, encoding="utf-8")


def build_windhill_childrens_centres_plan(path: Path) -> None:
    """Windhill Children's Centres Network service development plan 2013–14 (Excel).

    A title block and the plan's purpose above the priority; the priority, its measure and
    its target as spanning rows; then the header, each objective merged down the left over
    its specific actions, one action per row with its own person responsible (initials, or
    names with job titles one per line, or none: "OM/KB/JH to analyse" inside the action).
    """
    book, sheet = xlsx_book("Priority 1")
    for letter, width in zip("ABCDEFG", [28, 44, 22, 26, 24, 28, 22], strict=True):
        sheet.column_dimensions[letter].width = width
    xlsx_row(sheet, 1, ["WINDHILL CHILDRENS CENTRES NETWORK"], bold=True)
    xlsx_row(sheet, 2, ["Service Development Plan 2013-2014"], bold=True)
    xlsx_row(sheet, 3, ["Action plan details", None, None, None, None, "Windhill CC Network"])
    xlsx_row(sheet, 4, [None, None, None, None, None, "October 2013"])
    xlsx_row(
        sheet,
        5,
        [
            "This is an action plan detailing the priorities set by the CCHIP as part of the Local "
            "Authority Performance review. These objectives are reviewed at three meetings across "
            "the academic year and progress against them noted. These will underpin planning, "
            "resource allocation and the building of a portfolio of evidence to support Ofsted "
            "inspections. There are also additional targets that relate to our own identified "
            "capacity for improvements with regard to quality of access and impact."
        ],
    )
    sheet.merge_cells("A5:G5")
    xlsx_row(
        sheet,
        6,
        [
            "Priority 1: Children’s Centre Performance Measure CP02 (a,b,c)\nLinked to section 1 "
            "SEF – Access to services"
        ],
        bold=True,
        fill="DDEBF7",
    )
    sheet.merge_cells("A6:G6")
    xlsx_row(
        sheet,
        7,
        [
            "Priority Target:\n• New targets to include ongoing analysis of new birth data and "
            "under 1’s registrations, in particular EH5 (lowest reg levels)\n• To actively target "
            "households within the LSOA’s with lower reg levels generally & particularly re: "
            "under 1’s.\nTo increase the proportion of under 1’s living in the CC localities "
            "registered at the Network"
        ],
    )
    sheet.merge_cells("A7:G7")
    xlsx_row(
        sheet,
        8,
        [
            "Objective",
            "Specific Actions (dated)",
            "Person/s Responsible",
            "Success Criteria",
            "Specific Monitoring (dated)",
            "Evaluation of impact",
            "Resource Implication",
        ],
        bold=True,
        fill=GREY,
    )
    rows = [
        [
            "1.1 To continue to monitor the monthly birth data",
            "analyse with current registrations and C2C’s",
            "JH",
            "monthly registrations will match birth data",
            "end of month REACH analysis at CCM meetings",
            None,
            "access to LIS birth data is limited",
        ],
        [None, "ensure that registrations are uploaded onto Estart asap", "NCP"],
        [
            None,
            "CCN to compare the Q4 PbR data (once available) with new birth data – then review "
            "the non registrations and seek to find out why. OM/KB/JH to analyse",
        ],
        [
            "1.2 To produce BME figures for under 1’s registrations",
            "At month end data collection – run the relevant Estart report",
            "Odette Morgan CCNM\nKaren Buffham DCCNM\nLee Routledge NCC",
            None,
            "at CCHIP review",
            "monthly – reg levels for under 1’s will rise and good progress noted overall",
            "time",
        ],
    ]
    for offset, values in enumerate(rows):
        xlsx_row(sheet, 9 + offset, values)
    for column in "ADEG":
        sheet.merge_cells(f"{column}9:{column}11")
    book.save(path)


BCP_SEND_ACTIONS = [
    "build stronger relationships across all the SEND partners, ensuring the effective use of "
    "data;",
    "develop a new governance framework for the delivery of the SEND Improvements;",
    "implement a new quality assurance framework across the SEND system;",
    "improve culture and ownership across the system, all agencies and schools contribute "
    "towards improvement and engage in workstreams;",
    "develop and implement a new SEND strategy and vision.",
]


def build_bcp_send_improvement_plan(path: Path) -> None:
    """Bournemouth, Christchurch and Poole SEND Improvement Plan, one priority, in Word.

    No table: the priority as a heading, "What we will do" with a parents' quote, the
    actions as a bulleted list after "Our actions to deliver this are to:", then "What will
    be different" and "Progress to date" as prose.
    """
    document = word_document(
        ["Support for children aged 0-25 with Special Educational Needs and Disabilities"]
    )
    document.add_heading("Leadership, management and governance - SEND Improvement Plan", 1)
    document.add_heading("What we will do", 2)
    document.add_paragraph(
        "We know that we need to have good leadership. We have listened to feedback and know how "
        "important it is to make sure our governance is effective."
    )
    document.add_paragraph("Our parents and carers have said:")
    document.add_paragraph(
        "“Strategic leaders need to be accountable. Partners need to work together recognising "
        "joint ownership. As well as the local authority and NHS organisations, schools, "
        "parents, carers, children and young people need to feel empowered and engaged in "
        "strategic SEND governance”."
    )
    document.add_paragraph("Our actions to deliver this are to:")
    for action in BCP_SEND_ACTIONS:
        document.add_paragraph(action, style="List Bullet")
    document.add_heading("What will be different", 2)
    document.add_paragraph(
        "You will see improved leadership of the service, with ongoing improvements, working "
        "with you to ensure we are learning from you and respecting your views."
    )
    document.add_heading("Progress to date", 2)
    document.add_paragraph(
        "A new SEND Improvement Board is now in place with a clear remit and good engagement from "
        "all key partners. School leaders are reporting positivity in the progress made during "
        "January to March and welcome the improvements being made. Whilst it is early days, "
        "Parent Carers Together (PCT) and Parent Carer Foundation (PCF) are recognising the "
        "improvements being made at leadership level and have acknowledged that delays for "
        "children and young people in the local authority statutory processes are being "
        "addressed albeit with the recognition of further work required due to ongoing "
        "significant delays for some children in the last year. It is accepted that there is "
        "much more to do."
    )
    word_footer(document, "BCP Council – SEND Improvement Plan")
    document.save(path)


def build_north_tyneside_domestic_abuse_priorities(path: Path) -> None:
    """North Tyneside domestic abuse strategy: strategic priorities and actions 2024–2027, CSV.

    One row per priority: its aim, and its actions in one cell, one per line, each opening
    with "- " as typed into an Excel cell. The transcript stops inside the third priority's
    first action ("Continue …").
    """
    rows = [
        ["Strategic Priorities and Actions 2024 - 2027", "", ""],
        [
            "In setting out a revised set of priorities for 2024-27 the domestic abuse partnership "
            "will:",
            "",
            "",
        ],
        ["Priority", "Aim", "Actions"],
        [
            "Prioritise prevention",
            "To reduce the prevalence of domestic abuse and domestic abuse related deaths by "
            "preventing people from becoming perpetrators and victims.",
            "- Research and promote quality assured interventions and resources for primary "
            "prevention with men and boys and to raise awareness of healthy respectful "
            "relationships, working in partnership with Education North Tyneside, schools and the "
            "wider children and young people workforce.\n"
            "- Incorporate the learning from domestic abuse related death reviews across all "
            "agencies to prevent domestic abuse and fatal domestic abuse.\n"
            "- Ensure the partnership utilises the North Tyneside domestic abuse marketing toolkit "
            "to ensure specialist support information is easily accessible when needed by both "
            "professionals and the community.",
        ],
        [
            "Support victims",
            "Help all domestic abuse victims return to life as normal by supporting their health, "
            "emotional, economic and social needs.",
            "- Continue to review safe accommodation provision and demand and its accessibility "
            "including the Sanctuary scheme to inform next steps locally.\n"
            "- Continue to develop the domestic abuse training offer to ensure multi agency staff "
            "have the skills and knowledge to identify, signpost and refer those that require it "
            "for support. Consider the required policies and procedures for housing providers "
            "under the Social Housing Regulations 2023.\n"
            "- Review commissioning and provision of domestic abuse services following the needs "
            "assessment and continued focus on the domestic abuse data dashboard in line with the "
            "duties associated with the Domestic Abuse Act 2021.",
        ],
        [
            "Pursue perpetrators",
            "Reduce the number of repeat offenders, ensure that agencies work together to target, "
            "disrupt and engage those causing risk and harm, and provide support and "
            "stabilisation to those who want to change their behaviour.",
            "- Continue…",
        ],
    ]
    csv_write(path, rows, encoding="utf-8")


HOLDOUT2_BUILDERS = {
    "holdout2-warwickshire-prevent-action-plan-2019-20.xlsx": (
        build_warwickshire_prevent_action_plan
    ),
    "holdout2-birmingham-domestic-abuse-prevention-strategy-2017-20.docx": (
        build_birmingham_domestic_abuse_strategy
    ),
    "holdout2-cumbria-constabulary-domestic-abuse-action-plan-2018.csv": (
        build_cumbria_domestic_abuse_action_plan
    ),
    "holdout2-windhill-childrens-centres-service-plan-2013-14.xlsx": (
        build_windhill_childrens_centres_plan
    ),
    "holdout2-bcp-send-improvement-plan-leadership.docx": build_bcp_send_improvement_plan,
    "holdout2-north-tyneside-domestic-abuse-priorities-2024-27.csv": (
        build_north_tyneside_domestic_abuse_priorities
    ),
}
BUILDERS.update(HOLDOUT2_BUILDERS)


def zip_settle(path: Path) -> None:
    """Give every member of a .docx/.xlsx the same fixed time, so a rebuild changes no byte."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    stamp = WRITTEN.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            settled = zipfile.ZipInfo(info.filename, stamp)
            settled.compress_type = info.compress_type
            settled.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into the workbook's properties.
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + WRITTEN.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    data,
                )
            archive.writestr(settled, data)


def corpus_write(directory: Path) -> list[Path]:
    """Write every corpus file into ``directory``; return their paths."""
    paths = []
    for name, build in BUILDERS.items():
        build(directory / name)
        if name.endswith((".docx", ".xlsx")):
            zip_settle(directory / name)
        paths.append(directory / name)
    return paths


def main() -> None:
    FILES.mkdir(exist_ok=True)
    for path in corpus_write(FILES):
        print(f"wrote files/{path.name}")


if __name__ == "__main__":
    main()
