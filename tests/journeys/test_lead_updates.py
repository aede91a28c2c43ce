"""A lead from another agency signs in from an e-mailed link, finds and updates a milestone."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from plans.models import Membership, Milestone, MilestoneUpdate
from tests import factories

# The home page, where everyone lands after sign-in.
HOME = re.compile(r"^https?://[^/]+/$")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def plan_world(transactional_db):
    partnership = factories.PartnershipFactory(name="Medway Youth Justice Board", slug="medway")
    plan = factories.PlanFactory(partnership=partnership, title="Youth Justice Plan")
    action = factories.ActionFactory(
        outcome__priority__plan=plan, number="6.3", text="Revise safeguarding procedures"
    )
    yot = factories.OrganisationFactory(partnership=partnership, name="Youth Offending Team")
    lead_user = factories.UserFactory(
        username="ken.dance@yot.example.org", email="ken.dance@yot.example.org"
    )
    factories.MembershipFactory(user=lead_user, partnership=partnership, role=Membership.Role.LEAD)
    ken = factories.PersonFactory(
        partnership=partnership,
        name="Ken Dance",
        organisation=yot,
        user=lead_user,
        email="ken.dance@yot.example.org",
    )
    other_user = factories.UserFactory(username="simon")
    factories.MembershipFactory(user=other_user, partnership=partnership, role=Membership.Role.LEAD)
    factories.PersonFactory(partnership=partnership, name="Simon Perry", user=other_user)
    today = timezone.localdate()
    due = today + timedelta(days=30)
    red = factories.MilestoneFactory(
        action=action,
        number="a)",
        text="Research why young women get pregnant",
        lead=ken,
        status="red",
        original_due_date=due,
        due_date=due,
    )
    green = factories.MilestoneFactory(
        action=action, number="b)", text="Train school nurses", lead=ken, status="green"
    )
    return {"plan": plan, "red": red, "green": green, "today": today, "due": due}


def sign_in_with_password(page, username):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_lead_signs_in_from_a_link_and_updates_a_red_milestone(
    new_page, plan_world, assert_accessible, immediate_tasks
):
    page = new_page()
    page.goto(reverse("plans:my_milestones"))
    assert "/accounts/login/" in page.url
    assert_accessible(page, "sign-in page")

    # No password: ask for a link, open it from the e-mail.
    page.get_by_role("link", name="Get a sign-in link by email").click()
    page.get_by_label("Email address").fill("ken.dance@yot.example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/link/\?sesame=\S+", message.body).group(0)
    page.goto(link)
    # Opening the link does not sign in (mail scanners open links too): its button does.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page, "sign-in link landing page")
    page.get_by_role("button", name="Sign in").click()
    # The link kept where the lead was going (My milestones), not the home page.
    page.wait_for_url("**/my-milestones/")
    expect(page.get_by_role("heading", name="My milestones")).to_be_visible()
    assert_accessible(page, "My milestones")

    # Filter to red milestones only.
    page.get_by_label("Show").select_option("red")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/my-milestones/?status=red")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "Research why young women get pregnant" in rows.first.inner_text()

    page.get_by_role("link", name=re.compile("^Update")).first.click()
    expect(page.get_by_role("heading", name="Update milestone a)")).to_be_visible()

    # Move the date later without a reason: the GOV.UK error pattern.
    new_due = plan_world["due"] + timedelta(days=90)
    page.get_by_label("Red", exact=True).check()
    page.get_by_label("Progress commentary").fill("")
    page.get_by_role("group", name="Due date").get_by_label("Day").fill(str(new_due.day))
    page.get_by_role("group", name="Due date").get_by_label("Month").fill(str(new_due.month))
    page.get_by_role("group", name="Due date").get_by_label("Year").fill(str(new_due.year))
    page.get_by_role("button", name="Save update").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    assert "Enter why the due date has moved later" in summary.inner_text()
    assert page.get_by_role("group", name="Due date").get_by_label("Year").input_value() == str(
        new_due.year
    )
    assert_accessible(page, "update form with errors")

    page.get_by_label("Progress commentary").fill("Survey delayed; consultant appointed.")
    page.get_by_label("Why has the due date moved?").fill("The school survey moved to next term.")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_url("**/my-milestones/**")
    # The confirmation is in view and has focus, naming the milestone in full.
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_focused()
    expect(banner).to_be_in_viewport()
    assert "a) ‘Research why young women get pregnant’ has been saved." in banner.inner_text()
    saved = page.locator(f"#milestone-{plan_world['red'].pk}")
    assert "Just saved" in saved.inner_text()

    # The update is in the milestone's history.
    page.goto(reverse("plans:milestone_update", args=[plan_world["red"].pk]))
    history = page.locator("#history ~ ol")
    assert "The school survey moved to next term." in history.inner_text()
    assert "Ken Dance" in history.inner_text()
    milestone = Milestone.objects.get(pk=plan_world["red"].pk)
    assert milestone.due_date == new_due and milestone.original_due_date == plan_world["due"]
    assert MilestoneUpdate.objects.get().author.username == "ken.dance@yot.example.org"


def test_a_second_lead_is_refused_the_same_form(new_page, plan_world):
    page = new_page()
    sign_in_with_password(page, "simon")
    page.wait_for_url(HOME)
    response = page.goto(reverse("plans:milestone_update", args=[plan_world["red"].pk]))
    assert response.status == 403
    expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()
    assert not MilestoneUpdate.objects.exists()


def test_the_plan_page_is_accessible(new_page, plan_world, assert_accessible):
    url = reverse("plans:plan_detail", args=[plan_world["plan"].pk])
    page = new_page()
    sign_in_with_password(page, "simon")
    page.wait_for_url(HOME)
    response = page.goto(url)
    assert response.status == 200
    expect(page.get_by_text("Youth Justice Plan").first).to_be_visible()
    assert_accessible(page, "plan page")


def test_date_completed_is_revealed_under_complete_and_a_keyboard_reaches_it(
    new_page, plan_world, assert_accessible
):
    """Issue 14, item 7: the reveal shows only under Complete, keeps out of the tab order
    until then, and passes axe (no aria-expanded on a radio); the commentary counts down."""
    # Due in a month: the dates suggest nothing, so Green reveals no "why" box.
    Milestone.objects.filter(pk=plan_world["green"].pk).update(
        due_date=plan_world["due"], original_due_date=plan_world["due"]
    )
    page = new_page()
    sign_in_with_password(page, "ken.dance@yot.example.org")
    page.wait_for_url(HOME)  # everyone lands on the home page
    page.goto(reverse("plans:milestone_update", args=[plan_world["green"].pk]))
    date_completed = page.get_by_role("group", name="Date completed")
    expect(date_completed).to_be_hidden()

    # From the chosen radio, Tab leaves the radios for the commentary: nothing hidden between.
    page.get_by_label("Green", exact=True).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Progress commentary")).to_be_focused()

    # Arrow keys move the choice down to Complete, which reveals the date, next in the tabs.
    page.get_by_label("Green", exact=True).focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Complete", exact=True)).to_be_checked()
    expect(date_completed).to_be_visible()
    page.keyboard.press("Tab")
    expect(date_completed.get_by_label("Day")).to_be_focused()
    assert page.locator("input[type=radio][aria-expanded]").count() == 0
    assert_accessible(page, "update form with Date completed revealed")

    page.get_by_label("Progress commentary").fill("x" * 4990)
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 10 characters remaining"
    )
