import re
import socket
import threading
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from plans.models import Milestone, Priority
from reporting import services
from reporting.packs import build_pack, render
from reporting.packs.data import pack_for_period
from reporting.packs.pdf import StaticOnlyURLFetcher, render_pdf
from tests import factories
from tests.reporting.conftest import at, pdf_pages, pdf_text, record_update, xlsx_values


def section(text: str, heading: str, until: str) -> str:
    """The body of one chapter: from the line that is just its heading to the next chapter's.

    Running headers repeat chapter names beside the plan's title, so only a line holding the
    heading alone starts the chapter.
    """
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    end = next(i for i, line in enumerate(lines) if i > start and line.strip() == until)
    return "\n".join(lines[start:end])


def without_production_date(text: str) -> str:
    """The pack's text minus the one line that says when it was produced."""
    return re.sub(r"Produced \d.*", "", text)


@pytest.fixture
def closed_q3(scenario):
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)
    return scenario


@pytest.fixture(scope="module")
def _rendered():
    return {}


@pytest.fixture
def closed_q3_pdf(closed_q3, _rendered) -> bytes:
    """The closed Q3's whole-plan PDF as it was on 11 January 2020, rendered once a module.

    Safe to share: every test's scenario is the same data at the same frozen times, and a
    closed quarter's pack comes from its snapshot alone, so each test would render the same
    pages (only the database ids differ, and the pack shows none).
    """
    if "closed_q3" not in _rendered:
        with time_machine.travel(at(2020, 1, 11, 9), tick=False):
            _rendered["closed_q3"] = build_pack(period_id=closed_q3.q3.pk, fmt="pdf")
    return _rendered["closed_q3"]


def later_edits(s):
    """Everything a quarter later: new statuses, texts, dates, a new milestone, a deletion."""
    with time_machine.travel(at(2020, 2, 20, 11), tick=False):
        record_update(s.milestones["worse"], status="green", commentary="Board agreed them.")
        record_update(
            s.milestones["late"],
            status="complete",
            commentary="Trained.",
            completed_on=at(2020, 2, 19).date(),
        )
        Priority.objects.filter(pk=s.priorities[0].pk).update(title="Keeping Safe")
        factories.MilestoneFactory(action=s.milestones["worse"].action, text="A Q4 addition")
        s.milestones["new"].delete()


def test_a_closed_quarters_pdf_is_the_same_after_later_edits(closed_q3, closed_q3_pdf):
    before = closed_q3_pdf
    later_edits(closed_q3)
    with time_machine.travel(at(2020, 3, 1, 9), tick=False):
        after = build_pack(period_id=closed_q3.q3.pk, fmt="pdf")

    assert without_production_date(pdf_text(after)) == without_production_date(pdf_text(before))
    assert "Keeping Safe" not in pdf_text(after)
    assert pdf_pages(after) == pdf_pages(before)


def test_a_closed_quarters_workbook_is_the_same_after_later_edits(closed_q3):
    before = xlsx_values(build_pack(period_id=closed_q3.q3.pk, fmt="xlsx"))
    later_edits(closed_q3)
    after = xlsx_values(build_pack(period_id=closed_q3.q3.pk, fmt="xlsx"))

    def drop_produced(sheets):
        return {k: [r for r in v if r[0] != "Produced"] for k, v in sheets.items()}

    assert drop_produced(after) == drop_produced(before)


def test_an_open_quarters_pack_follows_the_live_data_and_says_draft(closed_q3):
    later_edits(closed_q3)
    q4 = closed_q3.plan.periods.get(quarter=4)
    with time_machine.travel(at(2020, 2, 21, 9), tick=False):
        pdf = build_pack(period_id=q4.pk, fmt="pdf")
    text = pdf_text(pdf)

    assert "Keeping Safe" in text
    assert "A Q4 addition" in text
    pages = text.split("\f")
    assert all("DRAFT" in page for page in pages if page.strip())


def test_the_pack_answers_the_boards_questions_for_the_scenario(closed_q3_pdf):
    text = pdf_text(closed_q3_pdf)

    assert "1 red and 1 amber of 6 milestones" in text
    assert "1 slipped" in text and "1 completed this quarter" in text
    changes = section(text, "What changed since last quarter", "Exceptions: red and amber")
    assert "Worse RAG (2)" in changes
    assert "Procedures agreed by board" in changes and "Youth panel running" in changes
    assert "Better RAG (1)" in changes and "Survey of young women" in changes
    assert "Awaiting the funding decision." in changes
    assert "Completed since last quarter (1)" in changes and "Publish the strategy" in changes
    assert "New items (1)" in changes and "Audit of case files" in changes
    assert "Removed items (1)" in changes and "Pilot in two schools" in changes
    exceptions = section(text, "Exceptions: red and amber", "Slipped and overdue")
    assert "Procedures held up by the inspection" in exceptions
    assert "Cleveland Police" in exceptions
    assert "Survey of young women" not in exceptions
    assert "Overdue as at 31 December 2019 (1)" in text and "Train panel members" in text


def test_the_pdf_is_tagged_landscape_a4_with_a_title_and_language(closed_q3_pdf):
    pdf = closed_q3_pdf
    reader = PdfReader(BytesIO(pdf))

    assert reader.metadata.title.startswith("Board pack 2019/20 Q3: Delivery Plan 2019/20")
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert 8 <= len(reader.pages) <= 12
    assert "Page 3 of" in pdf_text(pdf)


def test_each_page_s_tags_point_at_that_page(closed_q3_pdf):
    # Screen readers find a page's text through its tags; the page references in the tag tree
    # are built once per page count (reporting.packs.pdf), so check each one lands right.
    reader = PdfReader(BytesIO(closed_q3_pdf))
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    parents = dict(zip(nums[::2], nums[1::2], strict=True))

    for page in reader.pages:
        elements = parents[page["/StructParents"]].get_object()
        assert len(elements) > 0
        for element in elements:
            assert element.get_object().raw_get("/Pg").idnum == page.indirect_reference.idnum


def test_a_priority_pack_has_only_that_priority(closed_q3):
    healthy = closed_q3.priorities[1]
    pack = pack_for_period(period=closed_q3.q3, priority_id=healthy.pk)
    text = pdf_text(render(pack, "pdf"))

    assert pack["scope"] == "Priority 2 Being Healthy"
    assert "Publish the strategy" in text
    assert "Procedures agreed by board" not in text


def test_an_organisation_pack_has_only_the_items_it_leads(closed_q3):
    pack = pack_for_period(period=closed_q3.q3, organisation_id=closed_q3.police.pk)

    assert pack["scope"] == "Items led by Cleveland Police"
    assert {m["organisation"] for m in pack["milestones"]} == {"Cleveland Police"}
    assert "Publish the strategy" not in pdf_text(render(pack, "pdf"))


class ConnectionCounter:
    """A TCP listener on loopback counting the connections anyone makes to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def stop(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_commentary_that_looks_like_html_or_urls_fetches_nothing_and_shows_as_text(scenario):
    listener = ConnectionCounter()
    hostile = (
        f'<img src="http://127.0.0.1:{listener.port}/x"> '
        f'<link rel="attachment" href="file:///etc/passwd"> '
        f'<a href="file:///etc/passwd">passwd</a> '
        f"<style>@import url(http://127.0.0.1:{listener.port}/css);</style>"
    )
    record_update(scenario.milestones["worse"], status="red", commentary=hostile)
    fetcher = StaticOnlyURLFetcher()
    try:
        pdf = render_pdf(pack_for_period(period=scenario.q3), url_fetcher=fetcher)
    finally:
        listener.stop()

    assert listener.connections == 0
    assert fetcher.refused == []  # escaped text never even reaches the fetcher
    text = pdf_text(pdf)
    assert f'<img src="http://127.0.0.1:{listener.port}/x">' in text
    assert "file:///etc/passwd" in text
    assert "root:" not in text
    reader = PdfReader(BytesIO(pdf))
    assert not reader.attachments


def test_the_fetcher_serves_only_data_urls_and_static_files(settings):
    fetcher = StaticOnlyURLFetcher()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:1/x",
        "https://static.pack.invalid/static/../../../../etc/passwd",
        "https://example.org/static/app.css",
    ):
        with pytest.raises(ValueError, match="fetches only its own static files"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.fetch("https://static.pack.invalid/static/app.css").read()


def test_the_workbook_has_every_sheet_with_frozen_filtered_headers_and_rag_as_text_and_fill(
    closed_q3,
):
    wb = load_workbook(BytesIO(build_pack(period_id=closed_q3.q3.pk, fmt="xlsx")))

    assert wb.sheetnames == [
        "Summary",
        "Changes",
        "Exceptions",
        "Slipped and overdue",
        "Completed",
        "Indicators",
        "Full plan",
    ]
    plan = wb["Full plan"]
    assert plan.freeze_panes == "A3"
    assert plan.auto_filter.ref == "A2:Q8"
    assert plan.print_title_rows == "$2:$2"
    assert plan.page_setup.orientation == "landscape"
    assert plan.page_setup.fitToWidth == 1
    assert plan.column_dimensions["N"].width == 60
    header = [c.value for c in plan[2]]
    assert header[:10] == [
        "Priority",
        "Outcome",
        "Action",
        "Milestone",
        "Lead",
        "Organisation",
        "Original due",
        "Current due",
        "Due as written",
        "RAG",
    ]
    rows = {r[3].value: r for r in plan.iter_rows(min_row=3)}
    red = rows["a) Procedures agreed by board"]
    assert red[9].value == "Red"
    assert red[9].fill.fgColor.rgb.endswith("D4351C")
    assert red[5].value == "Cleveland Police"
    assert red[7].value.date().isoformat() == "2020-03-31"
    exceptions = [r[3] for r in wb["Exceptions"].iter_rows(min_row=3, values_only=True)]
    assert exceptions == ["a) Procedures agreed by board", "c) Youth panel running"]
    changes = [(r[0], r[2]) for r in wb["Changes"].iter_rows(min_row=4, values_only=True)]
    assert ("Worse RAG", "a) Procedures agreed by board") in changes
    assert ("Removed", "g) Pilot in two schools") in changes
    assert not wb["Summary"]["A1"].value.startswith("DRAFT")


def test_an_open_quarters_workbook_says_draft_on_every_sheet(scenario):
    wb = load_workbook(BytesIO(build_pack(period_id=scenario.q3.pk, fmt="xlsx")))
    for ws in wb:
        assert ws["A1"].value.startswith("DRAFT")
        assert ws.oddHeader.center.text == "DRAFT"


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]
)
def test_user_text_that_looks_like_a_formula_is_written_as_text(scenario, text):
    # XML turns a stored carriage return into a line feed on reading; the point is "no formula".
    expected = text.replace("\r", "\n")
    record_update(scenario.milestones["worse"], status="red", commentary=text)
    Milestone.objects.filter(pk=scenario.milestones["worse"].pk).update(text=text)
    wb = load_workbook(BytesIO(build_pack(period_id=scenario.q3.pk, fmt="xlsx")))

    cells = [
        c
        for row in wb["Full plan"].iter_rows(min_row=3)
        for c in row
        if c.value in (expected, f"a) {expected}")
    ]
    assert len(cells) == 2
    assert all(c.data_type == "s" for c in cells)


def grow(plan, *, milestones: int):
    """Add priorities, outcomes, actions (with leads) and updated milestones to a plan."""
    partnership = plan.partnership
    for _ in range(2):
        priority = factories.PriorityFactory(plan=plan)
        for _ in range(2):
            outcome = factories.OutcomeFactory(priority=priority)
            action = factories.ActionFactory(outcome=outcome)
            action.leads.add(factories.PersonFactory(partnership=partnership))
            for _ in range(milestones // 4):
                m = factories.MilestoneFactory(action=action)
                record_update(m, status="amber", commentary="Some slippage.")


def pack_queries(period) -> int:
    with CaptureQueriesContext(connection) as ctx:
        pack_for_period(period=period)
    return len(ctx.captured_queries)


def test_building_the_packs_data_costs_the_same_queries_at_two_plan_sizes(partnership, admin_user):
    small = factories.PlanFactory(partnership=partnership)
    big = factories.PlanFactory(partnership=partnership)
    grow(small, milestones=4)
    grow(big, milestones=40)
    small_q3 = services.periods_generate(plan=small)[2]
    big_q3 = services.periods_generate(plan=big)[2]

    live_small, live_big = pack_queries(small_q3), pack_queries(big_q3)
    services.period_close(period=small_q3, user=admin_user)
    services.period_close(period=big_q3, user=admin_user)
    small_q3.refresh_from_db()
    big_q3.refresh_from_db()
    closed_small, closed_big = pack_queries(small_q3), pack_queries(big_q3)

    assert live_small == live_big
    assert closed_small == closed_big
    assert live_big <= 12
    assert closed_big <= 4


def quote_prefixed(data: bytes) -> set[str]:
    """The cell values of the saved workbook whose style carries quotePrefix="1", per its XML."""
    import zipfile

    archive = zipfile.ZipFile(BytesIO(data))
    styles = archive.read("xl/styles.xml").decode()
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    prefixed = {
        index
        for index, xf in enumerate(re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", cell_xfs, re.S))
        if 'quotePrefix="1"' in xf
    }
    values = set()
    for name in archive.namelist():
        if name.startswith("xl/worksheets/sheet"):
            sheet = archive.read(name).decode()
            for style, text in re.findall(r'<c [^>]*?s="(\d+)"[^>]*>.*?<t[^>]*>(.*?)</t>', sheet):
                if int(style) in prefixed:
                    values.add(text.replace("&#13;", "\n").replace("\r", "\n"))
    return values


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"])
def test_formula_like_text_carries_the_quote_prefix_in_the_saved_workbook(scenario, text):
    record_update(scenario.milestones["worse"], status="red", commentary=text)
    data = build_pack(period_id=scenario.q3.pk, fmt="xlsx")

    wb = load_workbook(BytesIO(data))
    expected = text.replace("\r", "\n")
    cells = [c for row in wb["Full plan"].iter_rows(min_row=3) for c in row if c.value == expected]
    assert cells and all(c.quotePrefix and c.data_type == "s" for c in cells)
    assert expected in quote_prefixed(data)
    # Ordinary text is not prefixed (the prefix would show in Excel's formula bar).
    ordinary = [c for row in wb["Full plan"].iter_rows(min_row=3) for c in row if c.value == "Red"]
    assert ordinary and not any(c.quotePrefix for c in ordinary)


def test_an_update_saved_with_a_leading_tab_reaches_the_pack_neutralised(scenario):
    from plans.services import milestone_update

    milestone = Milestone.objects.get(pk=scenario.milestones["worse"].pk)
    milestone_update(
        milestone=milestone,
        user=scenario.admin,
        expected_version=milestone.version,
        status="red",
        commentary="\t=1+1",
        due_date=milestone.due_date,
    )
    data = build_pack(period_id=scenario.q3.pk, fmt="xlsx")
    wb = load_workbook(BytesIO(data))
    cells = [c for row in wb["Full plan"].iter_rows(min_row=3) for c in row if c.value == "=1+1"]
    assert cells, "the service strips the tab, so '=1+1' is what reaches the pack"
    assert all(c.quotePrefix and c.data_type == "s" for c in cells)
    assert "=1+1" in quote_prefixed(data)
