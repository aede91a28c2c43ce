"""The plan, outcome, action and milestone pages show the plan as its partnership wrote it."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from plans.models import RAG, Action, Membership, Milestone
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = datetime(2020, 1, 15, 12, 0, tzinfo=LONDON)


def text_of(response) -> str:
    """The page's HTML with tags removed and whitespace collapsed, as a reader sees it."""
    html = response.content.decode()
    html = re.sub(r"(?s)<head>.*?</head>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" )", ")")


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def reader(client, board_user):
    client.force_login(board_user)
    return client


@pytest.fixture
def plan(partnership):
    """Priority 2.9 has two red milestones and a green one (one slipped); 2.10 amber + complete."""
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2009")
    lead = factories.PersonFactory(
        partnership=partnership,
        name="Simon Perry",
        role_title="Strategic Lead",
        organisation__name="Middlesbrough Council",
    )
    # Created out of reading order, so the page must sort by number, not by insertion.
    p10 = factories.PriorityFactory(plan=plan, number="2.10", title="Staying Safe")
    p9 = factories.PriorityFactory(plan=plan, number="2.9", title="Teenage pregnancy")
    o9 = factories.OutcomeFactory(
        priority=p9,
        number="9",
        statement="Teenage conceptions fall below the national rate",
        success_criteria="Under-18 conception rate below 40 per 1,000",
    )
    a9 = factories.ActionFactory(
        outcome=o9,
        number="9.1",
        text="Commission a sexual health outreach service",
        sources="JAR, CYPP",
        lead_text="DD Safeguarding",
    )
    a9.leads.add(lead)
    o10 = factories.OutcomeFactory(priority=p10, number="10", statement="Children are safe")
    a10 = factories.ActionFactory(
        outcome=o10, number="10.1", text="Revise procedures", lead_text="YOT (Ken Dance)"
    )
    make = factories.MilestoneFactory
    make(action=a9, number="b)", text="Second red", status=RAG.RED, lead=lead)
    make(action=a9, number="a)", text="First red", status=RAG.RED, lead=lead)
    slipped = make(
        action=a9,
        number="c)",
        text="Outreach workers recruited",
        status=RAG.GREEN,
        lead=lead,
        due_text="December 2019",
        original_due_date=date(2019, 12, 31),
        due_date=date(2020, 3, 31),
    )
    make(action=a10, number="a)", text="Procedures drafted", status=RAG.AMBER, lead=None)
    make(
        action=a10,
        number="b)",
        text="Procedures agreed",
        status=RAG.COMPLETE,
        completed_on=date(2019, 11, 1),
    )
    update = factories.MilestoneUpdateFactory(
        milestone=slipped, status=RAG.GREEN, commentary="Two of three posts filled."
    )
    Milestone.objects.filter(pk=slipped.pk).update(latest_update=update)
    return plan


def test_plan_page_lists_priorities_in_number_order(reader, plan):
    text = text_of(reader.get(plan.get_absolute_url()))
    assert text.index("2.9 Teenage pregnancy") < text.index("2.10 Staying Safe")
    assert text.index("a) First red") < text.index("b) Second red")


def test_plan_page_shows_each_milestone_with_rag_as_text_lead_and_due_date(reader, plan):
    response = reader.get(plan.get_absolute_url())
    html = response.content.decode()
    text = text_of(response)
    for label in ("Red", "Amber", "Green", "Complete"):
        assert re.search(rf'app-rag app-rag--{label.lower()}">{label}</strong>', html)
    assert "Simon Perry (Strategic Lead) Middlesbrough Council" in text
    assert "31 March 2020 (was 31 December 2019)" in text
    assert "Two of three posts filled." in text
    # The dense table leaves the plan's own words for a date to the milestone's page.
    assert "Plan said “December 2019”" not in text
    slipped = Milestone.objects.get(text="Outreach workers recruited")
    assert "Plan said “December 2019”" in text_of(reader.get(slipped.get_absolute_url()))


def test_plan_page_shows_actions_and_leads_with_sources_and_criteria_a_click_away(reader, plan):
    text = text_of(reader.get(plan.get_absolute_url()))
    assert "Commission a sexual health outreach service" in text
    assert "Simon Perry (Strategic Lead), Middlesbrough Council" in text
    assert "YOT (Ken Dance)" in text
    action = Action.objects.get(number="9.1")
    assert "JAR, CYPP" in text_of(reader.get(action.get_absolute_url()))
    outcome_page = text_of(reader.get(action.outcome.get_absolute_url()))
    assert "Under-18 conception rate below 40 per 1,000" in outcome_page


def _row(html: str, marker: str) -> dict[str, int]:
    row = re.search(
        rf'<tr class="govuk-table__row" data-priority="{re.escape(marker)}">(.*?)</tr>', html, re.S
    )
    return {k: int(v) for k, v in re.findall(r'data-rag="(\w+)">(\d+)<', row.group(1))}


def test_plan_page_rolls_up_rag_counts_per_priority_and_for_the_plan(reader, plan):
    response = reader.get(plan.get_absolute_url())
    html = response.content.decode()
    assert _row(html, "2.9") == {
        "red": 2,
        "amber": 0,
        "green": 1,
        "complete": 0,
        "not_started": 0,
        "total": 3,
        # Today is 15 January 2020: the two reds were due 31 December 2019; the green slipped
        # to 31 March 2020, so it is not overdue.
        "overdue": 2,
    }
    assert _row(html, "2.10") == {
        "red": 0,
        "amber": 1,
        "green": 0,
        "complete": 1,
        "not_started": 0,
        "total": 2,
        "overdue": 1,
    }
    whole = {rag.status: rag.count for rag in response.context["plan_rag_counts"]}
    assert whole == {"red": 2, "amber": 1, "green": 1, "complete": 1, "not_started": 0}
    assert response.context["plan"].milestone_total == 5
    assert response.context["plan"].overdue_total == 3


def test_outcome_page_shows_statement_success_criteria_actions_and_milestones(reader, plan):
    outcome = plan.priorities.get(number="2.9").outcomes.get()
    response = reader.get(outcome.get_absolute_url())
    text = text_of(response)
    assert "Teenage conceptions fall below the national rate" in text
    assert "Under-18 conception rate below 40 per 1,000" in text
    assert "Action 9.1" in text and "First red" in text
    assert title_of(response).startswith("Outcome 9: Teenage conceptions")
    assert title_of(response).endswith(f"– {settings.SERVICE_NAME}")


def test_action_page_shows_leads_lead_text_sources_and_milestones_in_order(reader, plan):
    action = plan.priorities.get(number="2.9").outcomes.get().actions.get()
    text = text_of(reader.get(action.get_absolute_url()))
    assert "Simon Perry (Strategic Lead), Middlesbrough Council" in text
    assert "Plan said “DD Safeguarding”" in text
    assert "JAR, CYPP" in text
    assert text.index("a) First red") < text.index("b) Second red") < text.index("c) Outreach")


def test_detail_pages_have_breadcrumbs_back_up_the_plan(reader, plan):
    milestone = Milestone.objects.get(text="Outreach workers recruited")
    html = reader.get(milestone.get_absolute_url()).content.decode()
    crumbs = re.search(r'<nav class="govuk-breadcrumbs".*?</nav>', html, re.S).group(0)
    for url in (
        reverse("plans:plan_list"),
        plan.get_absolute_url(),
        milestone.action.outcome.get_absolute_url(),
        milestone.action.get_absolute_url(),
    ):
        assert f'href="{url}"' in crumbs


def test_milestone_page_shows_slippage_and_full_history_newest_first(reader, plan):
    milestone = Milestone.objects.get(text="Outreach workers recruited")
    author = factories.UserFactory(first_name="Ken", last_name="Dance")
    with time_machine.travel(datetime(2019, 7, 1, 9, tzinfo=LONDON), tick=False):
        factories.MilestoneUpdateFactory(
            milestone=milestone,
            status=RAG.AMBER,
            commentary="Recruitment slow.",
            author=author,
            due_date=date(2020, 3, 31),
            due_date_reason="Funding confirmed late.",
        )
    with time_machine.travel(datetime(2019, 10, 1, 9, tzinfo=LONDON), tick=False):
        factories.MilestoneUpdateFactory(
            milestone=milestone,
            status=RAG.GREEN,
            commentary="Back on track.",
            author=author,
            due_date=date(2020, 3, 31),
        )
    response = reader.get(milestone.get_absolute_url())
    text = text_of(response)
    assert "Due 31 March 2020 (was 31 December 2019)" in text
    assert text.index("Two of three posts filled.") < text.index("Back on track.")
    assert text.index("Back on track.") < text.index("Recruitment slow.")
    assert "by Ken Dance" in text
    assert "Due date moved from 31 December 2019 to 31 March 2020: Funding confirmed late." in text
    # The later updates kept the date: no second "moved" line.
    assert text.count("Due date moved") == 1
    assert title_of(response).startswith("Milestone 9.1 c): Outreach workers recruited")


def test_milestone_without_updates_says_so(reader, plan):
    milestone = Milestone.objects.get(text="First red")
    assert "No one has updated this milestone yet." in text_of(
        reader.get(milestone.get_absolute_url())
    )


def test_update_button_is_hidden_from_a_board_member(reader, plan):
    milestone = Milestone.objects.get(text="First red")
    assert "Update this milestone" not in text_of(reader.get(milestone.get_absolute_url()))


def test_update_button_is_shown_to_someone_who_may_update(client, partnership, plan):
    milestone = Milestone.objects.get(text="First red")
    admin = factories.MembershipFactory(partnership=partnership, role=Membership.Role.ADMIN).user
    client.force_login(admin)
    html = client.get(milestone.get_absolute_url()).content.decode()
    assert f'href="{reverse("plans:milestone_update", args=[milestone.pk])}"' in html
    assert "Update this milestone" in html


def test_pages_are_branded_with_the_partnership_name(reader, plan, partnership):
    html = reader.get(plan.get_absolute_url()).content.decode()
    logo = re.search(r'govuk-generic-header__homepage-link">(.*?)</a>', html, re.S).group(1)
    assert partnership.name.replace("'", "&#x27;") in logo
    assert (
        title_of(reader.get(plan.get_absolute_url()))
        == f"Action Plan 2009 – {settings.SERVICE_NAME}"
    )


def test_plan_page_links_to_packs_scorecard_and_admin_tools(client, admin_user, partnership):
    plan = factories.PlanFactory(partnership=partnership)
    client.force_login(admin_user)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Board packs and quarters" in html
    assert "Indicator scorecard" in html
    assert "Who has not updated this quarter" in html
    assert "Audit trail" in html


def test_plan_page_hides_admin_tools_from_board_members(client, board_user, partnership):
    plan = factories.PlanFactory(partnership=partnership)
    client.force_login(board_user)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Board packs and quarters" in html
    assert "Who has not updated this quarter" not in html
