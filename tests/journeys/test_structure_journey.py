"""A partnership admin fixes the imported plan in the product's own pages, no /admin/: withdraws
a wrongly imported row, rewords an action and moves a milestone to another action."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from playwright.sync_api import expect

from plans.models import Action, Milestone
from tests.journeys.conftest import two_factor_set_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROTHERHAM = "CYPP 2010-13 Positive contribution"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_an_admin_withdraws_a_row_rewords_an_action_and_moves_a_milestone(
    new_page, demo, assert_accessible
):
    in_plan = Action.objects.filter(outcome__priority__plan__title=ROTHERHAM)
    source = in_plan.annotate(count=Count("milestones")).filter(count__gte=2).order_by("pk").first()
    target = in_plan.exclude(pk=source.pk).order_by("pk").first()
    wrong, moving = list(source.milestones.order_by("pk")[:2])
    page = new_page()
    page.goto("/")
    page.get_by_label("Username").fill("demo-admin")
    page.get_by_label("Password").fill("demo-admin-only")
    page.get_by_role("button", name="Sign in").click()
    two_factor_set_up(page)

    # From the plan page to the structure page, then to the wrongly imported row.
    page.goto(source.outcome.priority.plan.get_absolute_url())
    page.get_by_role("link", name="Edit plan structure").click()
    assert_accessible(page, "plan structure")
    page.goto(wrong.get_absolute_url())
    page.get_by_role("link", name="Withdraw this milestone").click()
    page.get_by_role("button", name="Withdraw milestone").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why")
    page.get_by_label("Why is it being withdrawn?").fill("A TOTAL row, not a milestone")
    page.get_by_role("button", name="Withdraw milestone").click()
    expect(page.locator("#withdrawn")).to_contain_text("A TOTAL row, not a milestone")
    page.goto(source.outcome.priority.plan.get_absolute_url())
    expect(page.get_by_text(wrong.text[:40])).to_have_count(0)

    # Reword the action.
    page.goto(source.get_absolute_url())
    page.get_by_role("link", name="Edit this action").click()
    page.get_by_label("What will be done").fill("Deliver the parenting strategy")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Action"))
    expect(page.get_by_text("Deliver the parenting strategy").first).to_be_visible()

    # Move a milestone to another action of the plan.
    page.goto(moving.get_absolute_url())
    page.get_by_role("link", name="Edit this milestone").click()
    page.get_by_label("Action", exact=True).select_option(str(target.pk))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    assert_accessible(page, "milestone after the move")

    moving.refresh_from_db()
    wrong.refresh_from_db()
    assert moving.action_id == target.pk
    assert wrong.withdrawn_reason == "A TOTAL row, not a milestone"
    assert Action.objects.get(pk=source.pk).text == "Deliver the parenting strategy"
    assert not Milestone.objects.live().filter(pk=wrong.pk).exists()
