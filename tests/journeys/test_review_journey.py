"""Issue 17's "Done when" journey: the coordinator queries a thin update, the lead is e-mailed,
follows the link, answers and attaches a PDF to the update, the coordinator is e-mailed and
accepts it, the admin closes the quarter (sign-off is on, so the close warns), and the closed
quarter's PDF and Excel packs show the answer and list the attachment by name and size.
"""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from evidence.models import Attachment
from plans.models import Membership, Milestone, ReportingPeriod
from plans.periods import FinancialQuarter
from reporting import services as reporting_services
from review.models import Review
from signoff.models import Signatory, SignoffSettings
from tests import factories
from tests.evidence.corpus import pdf
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
    # Sign-off is on: Ken signs off his agency's updates, the coordinator chairs.
    SignoffSettings.objects.create(partnership=partnership, enabled=True, chair=admin)
    Signatory.objects.create(organisation=ken.organisation, user=lead_user)
    # The quarters before this one are closed, so this one collects updates.
    periods = reporting_services.periods_generate(plan=plan)
    this = FinancialQuarter.containing(today).quarter
    for earlier in periods[: this - 1]:  # closed before the thin update was saved
        ReportingPeriod.objects.filter(pk=earlier.pk).update(
            status=ReportingPeriod.Status.CLOSED, closed_at=update.created_at - timedelta(days=1)
        )
    return {"plan": plan, "partnership": partnership, "update": update, "admin": admin, "ken": ken}


def sign_in(page, username):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


PDF_NAME = "Panel minutes November.pdf"


def download(page, link):
    with page.expect_download(timeout=90_000) as info:
        link.click()
    with open(info.value.path(), "rb") as file:
        return file.read()


def test_the_coordinator_queries_the_lead_answers_and_attaches_and_the_closed_pack_shows_it(
    new_page, world, assert_accessible, immediate_tasks
):
    plan, update = world["plan"], world["update"]
    admin_page = new_page()
    sign_in(admin_page, "coordinator")
    two_factor_set_up(admin_page)

    # Home says an update waits for review and leads to the review page.
    admin_page.get_by_role("link", name=re.compile("1 update waiting for review")).click()
    expect(admin_page.get_by_role("heading", level=1)).to_contain_text("Review")
    expect(admin_page.locator("main")).to_contain_text("On track.")
    expect(admin_page.locator("main")).to_contain_text("Not yet reviewed")
    assert_accessible(admin_page, "review page")

    # Query it: an empty question is refused with the GOV.UK error summary.
    admin_page.get_by_role("link", name=re.compile("^Query")).click()
    assert_accessible(admin_page, "thread")
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

    # The lead is e-mailed a link to the answer page (locmem backend, the task run at once).
    [to_lead] = [m for m in mail.outbox if m.to == ["ken.dance@yot.example.org"]]
    assert QUESTION in to_lead.body
    link = re.search(r"https?://\S+/updates/\d+/answer/", to_lead.body).group(0)

    # The lead follows it: signs in and lands on the answer page.
    lead_page = new_page()
    lead_page.goto(link)
    lead_page.get_by_label("Username").fill("ken")
    lead_page.get_by_label("Password").fill(PASSWORD)
    lead_page.get_by_role("button", name="Sign in").click()
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

    # ...then attaches the panel's minutes to the same update, from the milestone's history.
    lead_page.goto(update.milestone.get_absolute_url())
    lead_page.get_by_role("link", name=re.compile("^Attach a file")).click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text("Attach evidence to an update")
    assert_accessible(lead_page, "attach page")
    lead_page.get_by_label("Choose a file").set_input_files(
        {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": pdf()}
    )
    lead_page.get_by_role("button", name="Attach the file").click()
    expect(lead_page.locator(".govuk-notification-banner")).to_contain_text(f"‘{PDF_NAME}’")
    assert Attachment.objects.get().update_id == update.pk

    # As a nominated signatory, the lead finds their sign-off page from home.
    lead_page.goto(reverse("home"))
    lead_page.get_by_role("link", name="Sign off this quarter’s updates").click()
    expect(lead_page.get_by_role("heading", level=1)).to_be_visible()
    assert lead_page.url.endswith(reverse("signoff:mine"))
    assert_accessible(lead_page, "my sign-offs")

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
    expect(admin_page.locator("main")).to_contain_text(PDF_NAME)

    # The admin closes the quarter from the board packs page; sign-off is on, so it warns.
    quarter = FinancialQuarter.containing(timezone.localdate())
    period = ReportingPeriod.objects.get(plan=plan, year=quarter.year, quarter=quarter.quarter)
    admin_page.goto(reverse("reporting:board_pack", args=[plan.pk]))
    admin_page.get_by_role("link", name=f"Close {period.label}").click()
    warning = admin_page.locator("[data-missing-signoffs]")
    expect(warning).to_contain_text("Not signed off")
    assert_accessible(admin_page, "close with missing sign-offs")
    admin_page.get_by_label(f"Close {period.label} without the sign-offs named above").check()
    admin_page.get_by_role("button", name=f"Close {period.label}").click()
    expect(admin_page.get_by_text(f"{period.label} is closed")).to_be_visible()

    # The closed quarter's packs, downloaded as a board member would, from the snapshot.
    admin_page.goto(reverse("reporting:board_pack", args=[plan.pk]))
    pdf_link = admin_page.get_by_role("link", name=f"PDF board pack for {period.label}")
    text = " ".join(pdf_text(download(admin_page, pdf_link)).split())
    assert QUESTION in text
    assert ANSWER in text
    assert f"{PDF_NAME} ({len(pdf())} bytes)" in text
    xlsx_link = admin_page.get_by_role("link", name=f"Excel board pack for {period.label}")
    workbook = load_workbook(BytesIO(download(admin_page, xlsx_link)))
    evidence = [tuple(r) for r in workbook["Evidence"].iter_rows(values_only=True)]
    assert any(PDF_NAME in r and f"{len(pdf())} bytes" in r for r in evidence), evidence
