"""Partnership admins add and edit indicators, their targets and comparators in the product;
the judgements follow the same rules; board members and other partnerships cannot."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from outcomes.models import Indicator, IndicatorValue
from tests import factories


@pytest.fixture
def plan(partnership):
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2009")
    factories.OutcomeFactory(priority=factories.PriorityFactory(plan=plan), statement="Fewer NEET")
    return plan


def form(**overrides):
    data = {
        "code": "NI 45",
        "definition": "Young offenders in education, training or employment",
        "polarity": "higher",
        "unit": "percentage",
        "decimal_places": "1",
        "frequency": "annual",
        "targets": "2019/20: 75.6\n2020/21: 77%",
        "comparators": "National, 2019/20: 73.1",
    }
    return {**data, **overrides}


def test_an_admin_adds_an_indicator_from_the_scorecard_and_it_is_judged(client, admin_user, plan):
    client.force_login(admin_user)
    scorecard = client.get(reverse("outcomes:scorecard", kwargs={"plan_pk": plan.pk}))
    add_url = reverse("outcomes:indicator_add", kwargs={"plan_pk": plan.pk})
    assert f'href="{add_url}"' in scorecard.content.decode()

    response = client.post(add_url, form(outcomes=[plan.priorities.get().outcomes.get().pk]))
    indicator = Indicator.objects.get(plan=plan, code="NI 45")
    assert response.status_code == 302 and response["Location"] == indicator.get_absolute_url()
    targets = {(v.year, v.value) for v in indicator.values.filter(kind="target")}
    assert targets == {(2019, D("75.6")), (2020, D("77"))}
    assert indicator.values.get(kind="comparator").comparator == "National"
    assert set(indicator.history.values_list("history_user", flat=True)) == {admin_user.pk}

    factories.IndicatorValueFactory(indicator=indicator, year=2019, value=D("71.0"))
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "Not on target" in page  # 71.0% against 75.6%, higher is better
    assert reverse("outcomes:indicator_edit", kwargs={"pk": indicator.pk}) in page


def test_editing_changes_polarity_and_targets_and_the_judgement_follows(client, admin_user, plan):
    client.force_login(admin_user)
    client.post(reverse("outcomes:indicator_add", kwargs={"plan_pk": plan.pk}), form())
    indicator = Indicator.objects.get(code="NI 45")
    factories.IndicatorValueFactory(indicator=indicator, year=2019, value=D("71.0"))
    edit_url = reverse("outcomes:indicator_edit", kwargs={"pk": indicator.pk})
    initial = client.get(edit_url).context["form"].initial
    assert initial["targets"] == "2019/20: 75.6\n2020/21: 77"

    client.post(edit_url, form(polarity="lower", targets="2019/20: 72", comparators=""))
    indicator.refresh_from_db()
    assert indicator.polarity == "lower"
    assert list(indicator.values.filter(kind="target").values_list("year", "value")) == [
        (2019, D("72"))
    ]
    assert not indicator.values.filter(kind="comparator").exists()
    # The removed target is still in the history.
    assert IndicatorValue.history.filter(year=2020, history_type="-").exists()
    assert "On target" in client.get(indicator.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"unit": "rate"}, "rate_per", "Enter the population the rate is per"),
        ({"targets": "2019/20 Q3: 70"}, "targets", "a target is for a financial year"),
        ({"targets": "2019/20: 70\n2019/20: 71"}, "targets", "2019/20 is given twice"),
        ({"targets": "2019/20: lots"}, "targets", "Enter the figure as a number"),
        ({"comparators": "2019/20: 73.1"}, "comparators", "start with whom you compare"),
        ({"tolerance": "-1"}, "tolerance", "Enter a tolerance of 0 or more."),
        ({"polarity": "sideways"}, "polarity", "Select a valid choice"),
    ],
)
def test_bad_settings_are_errors_and_nothing_is_saved(
    client, admin_user, plan, overrides, field, message
):
    client.force_login(admin_user)
    response = client.post(
        reverse("outcomes:indicator_add", kwargs={"plan_pk": plan.pk}), form(**overrides)
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert "<title>Error: " in response.content.decode()
    assert not Indicator.objects.exists()


def test_a_code_already_in_the_plan_is_refused(client, admin_user, plan):
    factories.IndicatorFactory(plan=plan, code="NI 45")
    client.force_login(admin_user)
    response = client.post(reverse("outcomes:indicator_add", kwargs={"plan_pk": plan.pk}), form())
    assert "This plan already has an indicator NI 45." in response.context["form"].errors["code"]


def test_a_board_member_sees_no_add_or_edit_and_is_refused(client, board_user, plan):
    indicator = factories.IndicatorFactory(plan=plan)
    client.force_login(board_user)
    add_url = reverse("outcomes:indicator_add", kwargs={"plan_pk": plan.pk})
    edit_url = reverse("outcomes:indicator_edit", kwargs={"pk": indicator.pk})
    scorecard = client.get(reverse("outcomes:scorecard", kwargs={"plan_pk": plan.pk}))
    assert add_url not in scorecard.content.decode()
    assert edit_url not in client.get(indicator.get_absolute_url()).content.decode()
    assert client.get(add_url).status_code == 403
    assert client.post(edit_url, form()).status_code == 403


def test_another_partnerships_admin_gets_not_found(client, outsider, plan):
    indicator = factories.IndicatorFactory(plan=plan)
    client.force_login(outsider)
    assert (
        client.get(reverse("outcomes:indicator_add", kwargs={"plan_pk": plan.pk})).status_code
        == 404
    )
    assert (
        client.get(reverse("outcomes:indicator_edit", kwargs={"pk": indicator.pk})).status_code
        == 404
    )


@pytest.mark.mfa_unverified
def test_an_admin_without_a_second_factor_cannot_add_one(client, admin_user, plan):
    client.force_login(admin_user)
    response = client.get(reverse("outcomes:indicator_add", kwargs={"plan_pk": plan.pk}))
    assert response.status_code == 302
    assert not response["Location"].startswith("/outcomes/")
