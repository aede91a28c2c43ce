"""Indicators in the plan's audit trail: a result entered or corrected, an indicator edited,
and an import's indicators counted in its one entry (outcomes registers them with plans)."""

from datetime import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from imports.services import plan_import
from tests import factories

ROTHERHAM = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "rotherham-cypp-2010-positive-contribution.xlsx"
)


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership)


@pytest.fixture
def indicator(plan, partnership):
    user = factories.MembershipFactory(
        partnership=partnership, role="lead", user__username="owner"
    ).user
    owner = factories.PersonFactory(partnership=partnership, user=user)
    return factories.IndicatorFactory(
        plan=plan, code="NI 45", definition="Young offenders in education", owner=owner,
        frequency="quarterly",
    )  # fmt: skip


def trail(client, admin_user, plan, **params):
    client.force_login(admin_user)
    response = client.get(reverse("plans:plan_history", args=[plan.pk]), params)
    assert response.status_code == 200
    return response


def test_a_result_entered_then_corrected_is_in_the_plans_audit_trail(
    client, admin_user, plan, indicator
):
    client.force_login(indicator.owner.user)
    url = reverse("outcomes:actual_enter", kwargs={"pk": indicator.pk})
    for figure in ("72.5", "73"):
        client.post(url, {"period": "2019/20 Q2", "status": "value", "value": figure})

    changes = trail(client, admin_user, plan).context["changes"]
    values = [
        c
        for c in changes
        if c.item_label == "Actual for 2019/20 Q2: NI 45 Young offenders in education"
    ]
    assert [c.kind for c in values] == ["Changed", "Created"]
    corrected, entered = values
    assert corrected.who == entered.who == "owner"
    assert ("Value", "72.5", "73") in [(f.label, f.before, f.after) for f in corrected.changes]
    assert ("Value", "", "72.5") in [(f.label, f.before, f.after) for f in entered.changes]


def test_an_indicator_edited_shows_before_and_after_and_can_be_picked_out(
    client, admin_user, plan, indicator
):
    indicator.definition = "Young offenders in education, training or employment"
    indicator.save()
    factories.MilestoneFactory(action=factories.ActionFactory(outcome__priority__plan=plan))

    page = trail(client, admin_user, plan, item="indicator")
    assert "Indicators" in page.content.decode()  # a choice of "Kind of item"
    changes = page.context["changes"]
    assert {c.item_type for c in changes} == {"Indicator"}
    [edited] = [c for c in changes if c.kind == "Changed"]
    assert edited.item_label == "NI 45 Young offenders in education, training or employment"
    [(before, after)] = [(f.before, f.after) for f in edited.changes if f.label == "Definition"]
    assert before == "Young offenders in education"

    found = trail(client, admin_user, plan, q="training").context["changes"]
    assert [c.item_type for c in found] == ["Indicator"]


def test_an_imports_indicators_are_counted_in_its_one_entry(client, admin_user, plan):
    with time_machine.travel(datetime(2019, 11, 20, 9, 0), tick=False):
        result = plan_import(
            plan=plan, data=ROTHERHAM.read_bytes(), filename="rotherham.xlsx", user=admin_user
        )
    assert result.ok and result.created["indicators"] > 0

    changes = trail(client, admin_user, plan).context["changes"]
    [group] = [c for c in changes if getattr(c, "is_import", False)]
    assert group.counts["indicators"] == result.created["indicators"]
    assert group.counts["indicator values"] == result.created["indicator_values"]
    assert group.who == admin_user.get_username()
    # Nothing else from the import: not a row per indicator, nor one for linking it.
    others = [c for c in changes if not getattr(c, "is_import", False)]
    assert [(c.item_type, c.kind) for c in others] == [("Plan", "Created")]


def test_a_result_of_another_plans_indicator_is_not_in_this_plans_trail(
    client, admin_user, plan, indicator, partnership
):
    other = factories.IndicatorFactory(plan=factories.PlanFactory(partnership=partnership))
    factories.IndicatorValueFactory(indicator=other, year=2019, value=D("5"))
    changes = trail(client, admin_user, plan, item="indicator_value").context["changes"]
    assert changes == []
