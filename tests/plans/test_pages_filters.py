"""The milestone list: each filter, combined filters, sorting and pagination keep their state."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from plans import selectors
from plans.models import RAG
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("plans:milestone_list")


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(
        datetime(2020, 1, 15, 12, tzinfo=ZoneInfo("Europe/London")), tick=False
    ):
        yield


@pytest.fixture
def reader(client, board_user):
    client.force_login(board_user)
    return client


@pytest.fixture
def world(partnership):
    """Two plans; named milestones with distinct leads, agencies, statuses and dates."""
    police = factories.OrganisationFactory(partnership=partnership, name="Cleveland Police")
    council = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough Council")
    ann = factories.PersonFactory(partnership=partnership, name="Ann Adams", organisation=police)
    bob = factories.PersonFactory(partnership=partnership, name="Bob Brown", organisation=council)
    plan_a = factories.PlanFactory(partnership=partnership, title="Action Plan 2009")
    plan_b = factories.PlanFactory(partnership=partnership, title="Delivery Plan 2019/20")
    pa = factories.PriorityFactory(plan=plan_a, number="1", title="Staying Safe")
    pb = factories.PriorityFactory(plan=plan_b, number="1", title="Being Healthy")
    act_a = factories.ActionFactory(
        outcome=factories.OutcomeFactory(priority=pa, number="1", statement="Children feel safe"),
        number="1.1",
        text="Run anti-bullying week",
    )
    act_b = factories.ActionFactory(
        outcome=factories.OutcomeFactory(priority=pb, number="1", statement="Fewer conceptions"),
        number="1.2",
        text="Commission outreach",
    )
    act_b.leads.add(bob)
    m = factories.MilestoneFactory
    return {
        "plan_a": plan_a,
        "plan_b": plan_b,
        "pa": pa,
        "ann": ann,
        "bob": bob,
        "police": police,
        "council": council,
        "red_past": m(
            action=act_a,
            number="a)",
            text="Posters printed",
            lead=ann,
            status=RAG.RED,
            due_date=date(2019, 11, 30),
        ),
        "green_future": m(
            action=act_a,
            number="b)",
            text="Schools signed up",
            lead=ann,
            status=RAG.GREEN,
            due_date=date(2020, 6, 30),
        ),
        "done_past": m(
            action=act_b,
            number="a)",
            text="Clinic opened",
            lead=None,
            lead_text="Health",
            status=RAG.COMPLETE,
            due_date=date(2019, 10, 1),
            completed_on=date(2019, 9, 1),
        ),
        "amber_undated": m(
            action=act_b,
            number="b)",
            text="Quarterly review",
            lead=None,
            lead_text="Public health",
            status=RAG.AMBER,
            due_date=None,
            original_due_date=None,
            due_text="Quarterly",
        ),
    }


def ids(response) -> list[int]:
    return [m.pk for m in response.context["milestones"]]


def names(world, *keys) -> set[int]:
    return {world[k].pk for k in keys}


def test_unfiltered_list_shows_every_milestone_of_the_users_partnerships(reader, world):
    assert set(ids(reader.get(URL))) == names(
        world, "red_past", "green_future", "done_past", "amber_undated"
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda w: {"plan": w["plan_b"].pk}, ("done_past", "amber_undated")),
        (lambda w: {"priority": w["pa"].pk}, ("red_past", "green_future")),
        # Bob leads action 1.2, so he answers for its milestones even without his name on them.
        (lambda w: {"lead": w["bob"].pk}, ("done_past", "amber_undated")),
        (lambda w: {"lead": w["ann"].pk}, ("red_past", "green_future")),
        (lambda w: {"organisation": w["police"].pk}, ("red_past", "green_future")),
        (lambda w: {"organisation": w["council"].pk}, ("done_past", "amber_undated")),
        (lambda w: {"status": ["red", "amber"]}, ("red_past", "amber_undated")),
        (lambda w: {"status": "complete"}, ("done_past",)),
        (lambda w: {"overdue": "yes"}, ("red_past",)),
        (lambda w: {"overdue": "no"}, ("green_future", "done_past", "amber_undated")),
        (
            lambda w: {"due_from-day": "1", "due_from-month": "11", "due_from-year": "2019"},
            ("red_past", "green_future"),
        ),
        (
            lambda w: {"due_to-day": "30", "due_to-month": "11", "due_to-year": "2019"},
            ("red_past", "done_past"),
        ),
        (lambda w: {"q": "posters"}, ("red_past",)),
        (lambda w: {"q": "outreach"}, ("done_past", "amber_undated")),  # action text
        (lambda w: {"q": "feel safe"}, ("red_past", "green_future")),  # outcome statement
        (lambda w: {"q": "public health"}, ("amber_undated",)),  # lead as written
    ],
)
def test_each_filter_narrows_the_list(reader, world, params, expected):
    response = reader.get(URL, params(world))
    assert set(ids(response)) == names(world, *expected)


def test_filters_combine(reader, world):
    response = reader.get(
        URL,
        {
            "plan": world["plan_a"].pk,
            "status": ["red", "green"],
            "due_from-day": "1",
            "due_from-month": "1",
            "due_from-year": "2020",
        },
    )
    assert ids(response) == [world["green_future"].pk]
    assert "1 milestone matches your filters" in re.sub(r"\s+", " ", response.content.decode())


def test_a_link_shared_before_the_date_boxes_were_renamed_still_filters(reader, world):
    response = reader.get(
        URL, {"due_to_day": "30", "due_to_month": "11", "due_to_year": "2019", "status": "red"}
    )
    assert ids(response) == [world["red_past"].pk]
    assert re.search(r'name="due_to-day"\s+type="text"\s+value="30"', response.content.decode())


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("due", ["done_past", "red_past", "green_future", "amber_undated"]),
        ("-due", ["green_future", "red_past", "done_past", "amber_undated"]),
        ("rag", ["red_past", "amber_undated", "green_future", "done_past"]),
        ("-rag", ["done_past", "green_future", "amber_undated", "red_past"]),
        ("number", ["red_past", "green_future", "done_past", "amber_undated"]),
        ("-number", ["amber_undated", "done_past", "green_future", "red_past"]),
        # Named leads first (Ann Adams), then milestones with only the plan's text.
        ("lead", ["red_past", "green_future", "done_past", "amber_undated"]),
        ("nonsense; DROP TABLE", ["red_past", "green_future", "done_past", "amber_undated"]),
    ],
)
def test_sorting_by_whitelisted_columns(reader, world, sort, expected):
    response = reader.get(URL, {"sort": sort})
    assert ids(response) == [world[k].pk for k in expected]


def test_sort_headers_say_their_state_with_aria_sort_and_keep_filters(reader, world):
    html = reader.get(URL, {"sort": "due", "status": "red"}).content.decode()
    due = re.search(r'<th[^>]*aria-sort="(\w+)"><a class="govuk-link" href="([^"]+)">Due', html)
    assert due.group(1) == "ascending"
    assert "sort=-due" in due.group(2) and "status=red" in due.group(2)
    assert re.search(r'aria-sort="none"><a class="govuk-link" href="[^"]*sort=rag', html)
    # Applying new filters keeps the chosen sort.
    assert '<input type="hidden" name="sort" value="due">' in html


def test_pagination_keeps_filters_and_sort(reader, partnership):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=120)
    response = reader.get(URL, {"plan": plan.pk, "sort": "-due", "page": 2})
    assert response.context["page_obj"].number == 2
    assert len(ids(response)) == 50
    html = response.content.decode().replace("&amp;", "&")
    nav = re.search(r'<nav class="govuk-pagination".*?</nav>', html, re.S).group(0)
    for link in re.findall(r'href="([^"]+)"', nav):
        assert f"plan={plan.pk}" in link and "sort=-due" in link
    assert 'rel="next"' in nav and 'rel="prev"' in nav
    assert 'aria-current="page"' in nav


@pytest.mark.parametrize("sort", ["number", "-due", "lead"])
def test_pages_together_list_each_milestone_once_in_the_sort_order(
    reader, board_user, partnership, sort
):
    # Pages sort ids first and fetch their rows after: the rows must keep the ids' order.
    plan = factories.plan_with_milestones(partnership=partnership, milestones=120)
    seen = []
    for page in (1, 2, 3):
        seen += ids(reader.get(URL, {"plan": plan.pk, "sort": sort, "page": page}))
    whole = selectors.milestone_list(user=board_user, sort=sort)
    assert seen == list(whole.values_list("pk", flat=True))
    assert len(set(seen)) == 120


def test_filter_choices_are_scoped_to_the_users_partnerships(reader, world, outsider):
    other_plan = factories.plan_with_milestones(
        partnership=outsider.memberships.get().partnership, title="Rotherham CYPP"
    )
    form = reader.get(URL).context["filter_form"]
    assert set(form.fields["plan"].queryset) == {world["plan_a"], world["plan_b"]}
    assert other_plan not in form.fields["plan"].queryset
    assert all(
        p.partnership_id == world["plan_a"].partnership_id for p in form.fields["lead"].queryset
    )


def test_a_member_of_two_partnerships_sees_both(client, world, board_user):
    second = factories.PartnershipFactory(name="Youth Justice Board")
    factories.MembershipFactory(user=board_user, partnership=second)
    theirs = factories.plan_with_milestones(partnership=second, milestones=3, title="YJ Plan")
    client.force_login(board_user)
    response = client.get(URL)
    assert len(ids(response)) == 4 + 3
    assert theirs in response.context["filter_form"].fields["plan"].queryset
    assert "Youth Justice Board" in response.content.decode()


def test_a_date_that_is_not_real_shows_an_error_and_keeps_what_was_typed(reader, world):
    response = reader.get(
        URL, {"due_from-day": "31", "due_from-month": "2", "due_from-year": "2020"}
    )
    html = response.content.decode()
    assert re.search(r"<title>\s*Error: Milestones", html)
    assert "govuk-error-summary" in html
    assert 'href="#due_from-day">The earliest due date must be a real date' in html
    assert re.search(r'name="due_from-day"\s+type="text"\s+value="31"', html)
    assert ids(response) == []
