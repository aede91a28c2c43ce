"""The audit trail's filters (who, item, kind of change, dates) live in the address, page,
and an import's many "Created" rows read as one entry that expands."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from imports.services import plan_import
from plans.models import Milestone
from tests import factories
from tests.plans.update_world import build_world, form_data

MIDDLESBROUGH = (
    Path(__file__).resolve().parents[2] / "fixtures" / "middlesbrough-action-plan-2009.xlsx"
)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def world(partnership):
    with time_machine.travel(datetime(2019, 11, 15, 10, 0, tzinfo=LONDON), tick=False):
        yield build_world(partnership)


def history(client, world, **params):
    client.force_login(world.admin)
    response = client.get(reverse("plans:plan_history", args=[world.plan.pk]), params)
    assert response.status_code == 200
    return response


def edit(milestone_pk, **fields):
    milestone = Milestone.objects.get(pk=milestone_pk)
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.save()


def test_filter_by_who_made_the_change(client, world):
    client.force_login(world.lead)
    client.post(
        reverse("plans:milestone_update", args=[world.milestone.pk]),
        form_data(world.milestone, status="amber", commentary="Survey late."),
    )
    edit(world.milestone.pk, text="Reworded by a command")  # no user: "System"

    mine = history(client, world, who=world.lead.pk).context["changes"]
    assert mine and {c.who for c in mine} == {"lead"}
    system = history(client, world, who="system").context["changes"]
    assert system and {c.who for c in system} == {"System"}
    assert any("Reworded by a command" in c.item_label for c in system)


def test_filter_by_kind_of_item_and_by_its_number_or_words(client, world):
    other = factories.MilestoneFactory(action=world.action, number="b)", text="Train staff")
    edit(other.pk, text="Train all staff")
    actions = history(client, world, item="action").context["changes"]
    assert actions and {c.item_type for c in actions} == {"Action"}

    found = history(client, world, q="b) staff").context["changes"]
    assert found and all("Train" in c.item_label for c in found)
    assert not history(client, world, q="nothing-like-this").context["changes"]


def test_filter_by_kind_of_change_and_status_changes_only(client, world):
    edit(world.milestone.pk, text="Reworded")
    edit(world.milestone.pk, status="red")
    doomed = factories.MilestoneFactory(action=world.action, text="Dropped")
    doomed.delete()

    deleted = history(client, world, change="deleted").context["changes"]
    assert [c.kind for c in deleted] == ["Deleted"]
    status = history(client, world, change="status").context["changes"]
    assert len(status) == 1
    assert ("Status", "Not started", "Red") in [
        (f.label, f.before, f.after) for f in status[0].changes
    ]


def test_filter_by_date_range(client, world):
    with time_machine.travel(datetime(2020, 1, 10, 9, tzinfo=LONDON), tick=False):
        edit(world.milestone.pk, text="January edit")
    with time_machine.travel(datetime(2020, 3, 2, 9, tzinfo=LONDON), tick=False):
        edit(world.milestone.pk, text="March edit")
    january = history(
        client,
        world,
        **{"date_from-day": "1", "date_from-month": "1", "date_from-year": "2020"},
        **{"date_to-day": "31", "date_to-month": "1", "date_to-year": "2020"},
    ).context["changes"]
    assert [c.changes[0].after for c in january] == ["January edit"]


def test_dates_the_wrong_way_round_are_an_error_on_the_page(client, world):
    response = history(
        client,
        world,
        **{"date_from-day": "1", "date_from-month": "3", "date_from-year": "2020"},
        **{"date_to-day": "1", "date_to-month": "1", "date_to-year": "2020"},
    )
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "The latest date must be the same as or after the earliest" in html


def test_the_filters_stay_in_the_paging_links(client, world):
    for n in range(55):
        edit(world.milestone.pk, text=f"Edit {n}")
    page = history(client, world, item="milestone").content.decode()
    assert 'href="?item=milestone&amp;page=2"' in page


@pytest.fixture
def imported(world):
    with time_machine.travel(datetime(2019, 11, 20, 9, tzinfo=LONDON), tick=False):
        result = plan_import(
            plan=world.plan,
            data=MIDDLESBROUGH.read_bytes(),
            filename="middlesbrough-action-plan-2009.xlsx",
            user=world.admin,
        )
    assert result.ok
    return result


def test_one_import_is_one_entry_that_expands_to_its_items(client, world, imported):
    created = Milestone.objects.filter(action__outcome__priority__plan=world.plan).count() - 1
    changes = history(client, world).context["changes"]
    [group] = [c for c in changes if getattr(c, "is_import", False)]
    assert group.filename == "middlesbrough-action-plan-2009.xlsx"
    assert group.who == "plan-admin"
    assert group.counts["milestones"] == created
    assert not [c for c in changes if not getattr(c, "is_import", False) and c.kind == "Created"
                and c.item_type == "Milestone" and c.when == group.when]  # fmt: skip
    page = history(client, world).content.decode()
    assert f"Imported {group.total} items from middlesbrough-action-plan-2009.xlsx" in page

    expanded = history(client, world, imported=group.key, item="milestone")
    items = expanded.context["changes"]
    assert len(items) == 50 and expanded.context["page"].has_next
    assert {c.kind for c in items} == {"Created"}


@pytest.mark.parametrize("edits", [2, 40])
def test_filtered_history_costs_the_same_queries_at_any_size(
    client, world, imported, edits, django_assert_max_num_queries
):
    for n in range(edits):
        edit(world.milestone.pk, text=f"Edit {n}", status="red" if n % 2 else "amber")
    client.force_login(world.admin)
    url = reverse("plans:plan_history", args=[world.plan.pk])
    # 2 of them the review's queries and answers (a source registered by the review app),
    # 6 the indicators' and their values' (registered by outcomes: 3 each, both imported).
    for params in ({}, {"change": "status", "who": "system"}, {"q": "safeguarding"}):
        with django_assert_max_num_queries(40):
            response = client.get(url, params)
        assert response.status_code == 200


def test_every_kind_of_item_filter_and_a_search_answer_with_a_page_not_an_error(client, world):
    """Each choice of "Kind of item" (reminder rounds included), alone and with words."""
    from plans.audit_forms import ITEM_CHOICES

    for kind, _ in ITEM_CHOICES:
        for q in ("", "staff"):
            response = history(client, world, item=kind, q=q)
            assert response.status_code == 200, (kind, q)


def test_the_kind_of_item_filter_offers_reviews_and_shows_only_the_thread(client, world):
    """The review app's thread is in the trail; "Kind of item" can pick it out."""
    from review.services import review_query

    client.force_login(world.lead)
    client.post(
        reverse("plans:milestone_update", args=[world.milestone.pk]),
        form_data(world.milestone, status="green", commentary="On track."),
    )
    review_query(
        update=world.milestone.updates.get(),
        user=world.admin,
        expected_version=0,
        question="Please say what happens next and when.",
        base_url="https://plans.example.org/",
    )

    page = history(client, world)
    assert '<option value="review">Reviews of updates' in page.content.decode()
    reviews = history(client, world, item="review").context["changes"]
    assert reviews and {c.item_type for c in reviews} == {"Query or answer"}
    assert any("Please say what happens next" in str(vars(c)) for c in reviews)
