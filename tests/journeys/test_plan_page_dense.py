"""The Middlesbrough demo plan as a board member reads and prints it, in Chromium (issue 15,
item 4): a dense table a quarter of the old page's height, printing to few A4 pages."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from plans.models import Milestone, Plan
from tests.journeys.test_accessibility_all_pages import MIDDLESBROUGH, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Measured on the demo before the plan page became one table (55,552 px at 1280 px wide;
# printed A4 landscape: 74 pages). The dense table must be a quarter of that, at most.
HEIGHT_BEFORE = 55_552
MOST_PRINTED_PAGES = 25


def test_the_demo_plan_is_a_quarter_of_the_height_and_prints_to_at_most_25_a4_pages(new_page):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    plan = Plan.objects.get(partnership__name=MIDDLESBROUGH)
    milestones = Milestone.objects.filter(action__outcome__priority__plan=plan).count()
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "demo-board", "demo-board-only")
    page.goto(plan.get_absolute_url())

    expect(page.locator("tr[data-milestone]")).to_have_count(milestones)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"plan page: {height} px high at 1280 px")
    assert height <= HEIGHT_BEFORE / 4
    # The table uses the screen's width, not GOV.UK's 960 px reading column.
    page.set_viewport_size({"width": 1920, "height": 1000})
    table_width = page.locator("table.app-plan-table").first.bounding_box()["width"]
    assert table_width > 1600

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    print(f"printed: {pages} A4 landscape pages")
    assert 0 < pages <= MOST_PRINTED_PAGES
    # No "(/milestones/2/)" after every link, and the RAG fills are printed.
    link = page.locator("tr[data-milestone] a").first
    assert link.evaluate("a => getComputedStyle(a, '::after').content") in ("none", "normal")
    tag = page.locator("tr[data-milestone] .app-rag").first
    assert tag.evaluate("t => getComputedStyle(t).printColorAdjust") == "exact"
    assert tag.evaluate("t => getComputedStyle(t).backgroundColor") != "rgba(0, 0, 0, 0)"
