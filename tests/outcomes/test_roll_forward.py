"""Next year's plan keeps this year's indicators, with their results and targets so far, so
its scorecard still shows the trend; last year's plan is not changed."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from outcomes.models import Indicator, IndicatorValue
from plans import lifecycle
from plans.models import Plan
from tests import factories
from tests.plans.update_world import build_world


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(datetime(2019, 11, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def world(partnership):
    world = build_world(partnership)
    outcome = world.action.outcome
    owner = factories.PersonFactory(partnership=partnership, name="Dee Owner")
    parent = factories.IndicatorFactory(
        plan=world.plan, code="NI 19", definition="Rate of proven re-offending",
        priority=outcome.priority, owner=owner, polarity="lower", frequency="quarterly",
    )  # fmt: skip
    parent.outcomes.add(outcome)
    child = factories.IndicatorFactory(
        plan=world.plan, code="NI 19a", definition="Re-offending by girls", parent=parent
    )
    factories.IndicatorValueFactory(indicator=parent, kind="actual", year=2018, value=D("1.2"))
    factories.IndicatorValueFactory(
        indicator=parent, kind="actual", year=2019, quarter=2, period_type="quarter",
        value=D("1.05"), note="Two quarters of data",
    )  # fmt: skip
    factories.IndicatorValueFactory(indicator=parent, kind="target", year=2020, value=D("0.9"))
    factories.IndicatorValueFactory(indicator=child, kind="actual", year=2018, value=D("0.4"))
    world.indicators = (parent, child)
    return world


def roll_forward(world):
    new_plan, _ = lifecycle.plan_roll_forward(
        plan=world.plan,
        user=world.admin,
        title="Action Plan 2020",
        start_date=date(2020, 4, 1),
        end_date=date(2021, 3, 31),
    )
    return new_plan


def test_the_preview_says_the_indicators_go_forward(client, world):
    client.force_login(world.admin)
    url = reverse("plans:plan_roll_forward", args=[world.plan.pk])
    preview = client.post(url, {
        "title": "Action Plan 2020", "step": "preview",
        "start_date-day": 1, "start_date-month": 4, "start_date-year": 2020,
        "end_date-day": 31, "end_date-month": 3, "end_date-year": 2021,
    })  # fmt: skip
    levels = {level.label: level for level in preview.context["preview"].levels}
    assert (levels["Indicators"].copied, levels["Indicators"].left_behind) == (2, 0)
    assert 'data-level="indicators"' in preview.content.decode()


def test_next_years_plan_has_the_indicators_with_their_figures_and_links(world):
    new_plan = roll_forward(world)
    parent, child = world.indicators
    copies = {i.code: i for i in Indicator.objects.filter(plan=new_plan)}
    assert set(copies) == {"NI 19", "NI 19a"}
    copy = copies["NI 19"]
    assert (copy.definition, copy.polarity, copy.frequency, copy.owner.name) == (
        "Rate of proven re-offending", "lower", "quarterly", "Dee Owner",
    )  # fmt: skip
    # Its priority and outcome are next year's copies of last year's.
    assert copy.priority.plan == new_plan and copy.priority.predecessor == parent.priority
    [outcome] = copy.outcomes.all()
    assert outcome.predecessor == world.action.outcome
    assert copies["NI 19a"].parent == copy
    figures = sorted((v.kind, v.year, v.quarter, v.value, v.note) for v in copy.values.all())
    assert figures == [
        ("actual", 2018, None, D("1.2"), ""),
        ("actual", 2019, 2, D("1.05"), "Two quarters of data"),
        ("target", 2020, None, D("0.9"), ""),
    ]
    # Last year's plan keeps its own.
    assert set(Indicator.objects.filter(plan=world.plan)) == {parent, child}
    assert IndicatorValue.objects.filter(indicator__plan=world.plan).count() == 4


def test_each_copy_is_in_next_years_audit_trail_as_rolled_forward(client, world):
    new_plan = roll_forward(world)
    client.force_login(world.admin)
    changes = client.get(
        reverse("plans:plan_history", args=[new_plan.pk]), {"item": "indicator"}
    ).context["changes"]
    assert sorted(c.item_label.split(" ", 2)[1] for c in changes) == ["19", "19a"]
    assert {(c.kind, c.who, c.reason) for c in changes} == {
        ("Created", "plan-admin", "Rolled forward from Action Plan 2019")
    }


def test_an_indicator_whose_priority_stays_behind_goes_forward_without_one(world):
    done = factories.PriorityFactory(plan=world.plan, number="9", title="Closed")
    factories.MilestoneFactory(
        action__outcome__priority=done, status="complete", completed_on=date(2019, 8, 1)
    )
    factories.IndicatorFactory(plan=world.plan, code="NI 99", priority=done)
    new_plan = roll_forward(world)
    copy = Indicator.objects.get(plan=new_plan, code="NI 99")
    assert copy.priority is None
    assert not Plan.objects.get(pk=new_plan.pk).priorities.filter(title="Closed").exists()
