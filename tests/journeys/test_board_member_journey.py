"""A board member, before the meeting, downloads last closed quarter's packs and reads what changed.

Runs on the demo data (both legacy plans through the importer, history replayed, past quarters
closed), as a newcomer would see it after `make run`.
"""

import re
from io import BytesIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from openpyxl import load_workbook
from playwright.sync_api import expect

from reporting.models import PackJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in_as_board_member(page):
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("demo-board")
    page.get_by_label("Password").fill("demo-board-only")
    page.get_by_role("button", name="Sign in").click()


def open_board_packs(page, plan_title):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plans").click()
    page.get_by_role("link", name=plan_title).first.click()
    expect(page.get_by_role("heading", level=1, name=plan_title)).to_be_visible()
    page.get_by_role("link", name="Board packs and quarters").click()
    expect(page.get_by_role("heading", level=1, name="Board packs")).to_be_visible()


def last_closed_row(page):
    closed = page.locator("table tbody tr").filter(
        has=page.locator(".govuk-tag", has_text="Closed")
    )
    assert closed.count() >= 1, "the demo should have closed quarters"
    row = closed.first  # newest first: the latest closed quarter
    label = row.locator("th").inner_text().splitlines()[0].strip()
    assert re.fullmatch(r"\d{4}/\d{2} Q[1-4]", label), label
    return row, label


def download(page, link):
    # A first PDF of a quarter is rendered on the spot: seconds, more on a loaded machine.
    with page.expect_download(timeout=90_000) as info:
        link.click()
    d = info.value
    with open(d.path(), "rb") as file:
        return d.suggested_filename, file.read()


def test_a_board_member_downloads_last_closed_quarters_packs_and_reads_what_changed(new_page, demo):
    page = new_page()
    sign_in_as_board_member(page)
    open_board_packs(page, "Action Plan 2009")
    # A board member reads and downloads; closing and reopening are for admins.
    expect(page.get_by_role("link", name=re.compile(r"^(Close|Reopen) "))).to_have_count(0)

    row, label = last_closed_row(page)
    name, pdf = download(page, row.get_by_role("link", name=f"PDF board pack for {label}"))
    assert pdf.startswith(b"%PDF")
    assert name.endswith(".pdf") and "DRAFT" not in name

    name, xlsx = download(page, row.get_by_role("link", name=f"Excel board pack for {label}"))
    assert name.endswith(".xlsx") and "DRAFT" not in name
    workbook = load_workbook(BytesIO(xlsx))
    assert "Summary" in workbook.sheetnames
    summary_text = " ".join(
        str(cell) for values in workbook["Summary"].iter_rows(values_only=True) for cell in values
    )
    assert label in summary_text

    row.get_by_role("link", name=f"What changed in {label}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What changed")
    expect(page.get_by_role("heading", level=1)).to_contain_text(label)
    assert page.locator(".govuk-generic-header__homepage-link").inner_text().strip() == (
        "Middlesbrough Children's Trust"
    )


def test_a_large_plans_pack_page_says_when_the_pack_is_ready_without_reloading(new_page, demo):
    page = new_page()
    sign_in_as_board_member(page)
    with override_settings(PACK_INLINE_MAX_MILESTONES=1):
        open_board_packs(page, "Action Plan 2009")
        row, label = last_closed_row(page)
        row.get_by_role("link", name=f"Excel board pack for {label}").click()
        page.get_by_role("button", name="Produce the Excel pack").click()
        expect(page.get_by_role("status")).to_contain_text("Waiting to start")
        page.evaluate("() => { window.appNotReloaded = true; }")

        # The background worker runs (here: in the test, as `manage.py db_worker` would).
        call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)
        # (It also produces the current quarters' drafts that loading the demo made due.)
        assert PackJob.objects.get(requested_by__isnull=False).status == PackJob.Status.DONE

        expect(page.get_by_role("status")).to_contain_text(
            "Your board pack is ready", timeout=10_000
        )
        assert page.evaluate("() => window.appNotReloaded === true")
        name, xlsx = download(page, page.get_by_role("link", name=re.compile("^Download the")))
    assert name.endswith(".xlsx")
    assert "Summary" in load_workbook(BytesIO(xlsx)).sheetnames


def test_a_board_member_gets_this_quarters_pack_in_one_click_and_reads_the_charts(new_page, demo):
    """Issue 15: sign-in lands on the home page, whose main action is the latest closed
    quarter's pack; its charts are read through their text alternatives."""
    from plans.models import Plan, ReportingPeriod

    plan = Plan.objects.get(title="Action Plan 2009")
    latest = (
        ReportingPeriod.objects.filter(plan=plan, status=ReportingPeriod.Status.CLOSED)
        .order_by("year", "quarter")
        .last()
    )
    page = new_page()
    sign_in_as_board_member(page)
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    section = page.get_by_role("region", name="Action Plan 2009")

    # One click: the start button is the latest closed quarter's PDF.
    button = section.get_by_role("button", name=f"{latest.label} board pack (PDF)")
    name, pdf = download(page, button)
    assert pdf.startswith(b"%PDF") and name.endswith(".pdf") and "DRAFT" not in name
    assert latest.label.replace("/", "-").replace(" ", "-") in name

    # The charts, as a screen reader meets them: images named by their title and description.
    by_priority = section.get_by_role(
        "img", name=re.compile(r"milestones by RAG status for each priority")
    )
    expect(by_priority).to_have_accessible_name(re.compile(r"Staying Safe: .*\d+ Green"))
    trend = section.get_by_role("img", name=re.compile(r"quarter by quarter"))
    expect(trend).to_have_accessible_name(re.compile(re.escape(latest.label) + r": \d+ "))
    # And the same numbers as a table, behind "Show the numbers".
    section.get_by_text("Show the numbers").first.click()
    table = section.locator("details[open] table").first
    expect(table.get_by_role("columnheader", name="Red")).to_be_visible()
    expect(table.get_by_role("rowheader").first).to_be_visible()
