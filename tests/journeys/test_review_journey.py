"""The coordinator queries a thin update, the lead is e-mailed, answers in the product, and the
coordinator accepts it; the closed quarter's pack shows the answer (issue 17, item 1).

The integrator extends this journey with evidence: the lead attaches a PDF with the answer and
the closed pack lists it.
"""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from plans.models import Membership, Milestone
from plans.periods import FinancialQuarter
from reporting import services as reporting_services
from reporting.packs import render
from reporting.packs.data import pack_for_period
from review.models import Review
from tests import factories
from tests.journeys.conftest import two_factor_set_up
from tests.reporting.conftest import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
QUESTION = "Please say what happens next and when."
ANSWER = "The panel meets on 3 December; its report goes to the board in January."


@pytest.fixture
def world(transactional_db):
    today = timezone.localdate()
    year = FinancialQuarter.containing(today).year
    partnership = factories.PartnershipFactory(name="Medway Youth Justice Board", slug="medway")
    plan = factories.PlanFactory(
        partnership=partnership,
        title="Youth Justice Plan",
        start_date=date(year, 4, 1),
        end_date=date(year + 1, 3, 31),
    )
    admin = factories.UserFactory(username="coordinator", email="coordinator@medway.example.org")
    factories.MembershipFactory(user=admin, partnership=partnership, role=Membership.Role.ADMIN)
    lead_user = factories.UserFactory(username="ken", email="ken.dance@yot.example.org")
    factories.MembershipFactory(user=lead_user, partnership=partnership, role=Membership.Role.LEAD)
    ken = factories.PersonFactory(partnership=partnership, name="Ken Dance", user=lead_user)
    action = factories.ActionFactory(
        outcome__priority__plan=plan, number="6.3", text="Revise safeguarding procedures"
    )
    milestone = factories.MilestoneFactory(
        action=action, number="a)", text="Research why young women get pregnant", lead=ken
    )
    # A thin update, by the lead, this quarter.
    update = factories.MilestoneUpdateFactory(
        milestone=milestone,
        status="green",
        commentary="On track.",
        author=lead_user,
        author_name="Ken Dance",
    )
    Milestone.objects.filter(pk=milestone.pk).update(latest_update=update, status="green")
    return {"plan": plan, "partnership": partnership, "update": update, "admin": admin}


def sign_in(page, username):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_coordinator_queries_the_lead_answers_and_the_coordinator_accepts(
    new_page, world, assert_accessible, immediate_tasks
):
    plan, update = world["plan"], world["update"]
    admin_page = new_page()
    sign_in(admin_page, "coordinator")
    two_factor_set_up(admin_page)

    # From home's admin tasks to this quarter's updates; the thin one waits for review.
    admin_page.get_by_role("link", name=re.compile("Review this quarter’s updates")).click()
    expect(admin_page.get_by_role("heading", level=1)).to_contain_text("Review")
    expect(admin_page.locator("main")).to_contain_text("On track.")
    expect(admin_page.locator("main")).to_contain_text("Not yet reviewed")
    assert_accessible(admin_page, "review page")

    # Query it: an empty question is refused with the GOV.UK error summary.
    admin_page.get_by_role("link", name=re.compile("^Query")).click()
    admin_page.get_by_role("button", name="Send the query to the lead").click()
    summary = admin_page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your question for the lead")
    assert admin_page.title().startswith("Error: ")
    assert_accessible(admin_page, "query with errors")
    admin_page.get_by_label("Your question for the lead").fill(QUESTION)
    admin_page.get_by_role("button", name="Send the query to the lead").click()
    expect(admin_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your query has been sent to the lead."
    )
    expect(admin_page.locator("main")).to_contain_text("Queried")

    # The lead is e-mailed a link to the answer page.
    [to_lead] = [m for m in mail.outbox if m.to == ["ken.dance@yot.example.org"]]
    assert QUESTION in to_lead.body
    link = re.search(r"https?://\S+/updates/\d+/answer/", to_lead.body).group(0)

    lead_page = new_page()
    sign_in(lead_page, "ken")
    lead_page.goto(reverse("plans:my_milestones"))
    queried = lead_page.get_by_role("link", name=re.compile("Queried: answer the question"))
    expect(queried).to_be_visible()
    lead_page.goto(link)
    expect(lead_page.get_by_role("heading", level=1)).to_have_text(
        "Answer the question about your update"
    )
    expect(lead_page.locator("main")).to_contain_text(QUESTION)
    assert_accessible(lead_page, "answer page")
    lead_page.get_by_label("Your answer").fill(ANSWER)
    lead_page.get_by_role("button", name="Send your answer").click()
    lead_page.wait_for_url("**/my-milestones/")
    expect(lead_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your answer has been sent"
    )
    expect(lead_page.get_by_text("Queried: answer the question")).to_have_count(0)

    # The coordinator hears of the answer, reads it on the review page and accepts.
    [to_admin] = [m for m in mail.outbox if m.to == ["coordinator@medway.example.org"]]
    assert ANSWER in to_admin.body
    admin_page.goto(reverse("review:review_list", args=[plan.pk]))
    expect(admin_page.locator("main")).to_contain_text(ANSWER)
    admin_page.get_by_role("button", name=re.compile("^Accept")).click()
    expect(admin_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You accepted the update"
    )
    assert Review.objects.get(update=update).state == Review.State.ACCEPTED

    # The partnership asks its packs to show reviews; the thread is in the milestone's history.
    admin_page.goto(reverse("review:settings", args=[world["partnership"].pk]))
    admin_page.get_by_label(re.compile("Flag updates")).check()
    admin_page.get_by_role("button", name="Save settings").click()
    admin_page.goto(update.milestone.get_absolute_url())
    expect(admin_page.locator("main")).to_contain_text(QUESTION)
    expect(admin_page.locator("main")).to_contain_text(ANSWER)

    # The quarter closes; its pack, from the snapshot, shows the answer.
    period = reporting_services.periods_generate(plan=plan)[
        FinancialQuarter.containing(timezone.localdate()).quarter - 1
    ]
    reporting_services.period_close(period=period, user=world["admin"])
    period.refresh_from_db()
    text = " ".join(pdf_text(render(pack_for_period(period=period), "pdf")).split())
    assert ANSWER in text
    assert QUESTION in text
