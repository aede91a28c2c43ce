"""RAG in one place (plans/rag.py): one order everywhere, Not started last; what a move is."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from plans import rag, selectors
from plans.forms import MilestoneFilterForm, MilestoneUpdateForm
from plans.models import RAG, Milestone
from plans.services import is_kinder
from reporting.changes import period_changes
from tests import factories
from tests.plans.update_world import build_world

BOARD_ORDER = ["red", "amber", "green", "complete", "not_started"]


def test_the_one_order_is_worst_first_then_done_then_not_started():
    assert [s.value for s in rag.ORDER] == BOARD_ORDER
    assert [value for value, _ in RAG.choices] == BOARD_ORDER
    assert [value for value, _ in MilestoneUpdateForm.base_fields["status"].choices] == BOARD_ORDER
    assert [value for value, _ in MilestoneFilterForm.base_fields["status"].choices][1:] == (
        BOARD_ORDER
    )
    assert [s.value for s in selectors.RAG_ORDER] == BOARD_ORDER


def test_the_update_form_offers_the_statuses_in_that_order_with_their_hints(client, partnership):
    world = build_world(partnership)
    client.force_login(world.lead)
    html = client.get(reverse("plans:milestone_update", args=[world.milestone.pk])).content
    html = html.decode()
    inputs = re.findall(r'<input[^>]*\bname="status"[^>]*>', html)
    radios = [re.search(r'value="(\w+)"', tag).group(1) for tag in inputs if 'type="radio"' in tag]
    assert radios == BOARD_ORDER
    assert "At risk: will not be delivered without help" in html
    assert "Work has not begun, or is not yet due" in html


@pytest.mark.django_db
def test_sorting_the_milestone_list_by_status_puts_not_started_last(client, board_user):
    partnership = board_user.memberships.get().partnership
    action = factories.ActionFactory(outcome__priority__plan__partnership=partnership)
    for number, status in enumerate(["not_started", "complete", "green", "red", "amber"]):
        factories.MilestoneFactory(
            action=action,
            number=str(number),
            text=status,
            status=status,
            completed_on="2019-06-01" if status == "complete" else None,
        )
    client.force_login(board_user)
    response = client.get(reverse("plans:milestone_list"), {"sort": "rag"})
    shown = [m.text for m in response.context["page_obj"]]
    assert shown == BOARD_ORDER


def _state(*statuses: str) -> dict:
    milestones = [
        {
            "id": index,
            "number": str(index),
            "text": f"Milestone {index}",
            "status": status,
            "original_due_date": None,
            "due_date": None,
            "completed_on": "2019-11-01" if status == "complete" else None,
            "updated_at": None,
            "lead": None,
            "lead_text": "",
        }
        for index, status in enumerate(statuses)
    ]
    action = {
        "number": "1.1",
        "text": "Action",
        "leads": [],
        "lead_text": "",
        "milestones": milestones,
    }
    outcome = {"number": "1", "statement": "Outcome", "actions": [action]}
    return {
        "period": {"start_date": "2019-10-01", "end_date": "2019-12-31", "label": "2019/20 Q3"},
        "as_at": "2019-12-31",
        "priorities": [{"id": 1, "number": "1", "title": "Priority", "outcomes": [outcome]}],
    }


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ("not_started", "green", "started"),
        ("not_started", "amber", "started"),
        ("not_started", "red", "started"),
        ("not_started", "complete", "completed"),
        ("red", "amber", "better"),
        ("amber", "green", "better"),
        ("green", "amber", "worse"),
        ("amber", "red", "worse"),
        ("green", "not_started", "worse"),
        ("red", "not_started", "worse"),
        ("green", "complete", "completed"),
    ],
)
def test_what_changed_calls_a_start_neither_better_nor_worse(before, after, kind):
    changes = period_changes(current=_state(after), previous=_state(before))
    listed = {k for k in ("better", "worse", "started", "completed") if changes[k]}
    assert listed == {kind}
    assert changes[kind][0]["from_label"] == rag.label(before)
    assert changes["count"] == 1


def test_a_status_that_did_not_move_is_no_change():
    assert (
        period_changes(current=_state("not_started"), previous=_state("not_started"))["count"] == 0
    )


@pytest.mark.parametrize(
    ("status", "suggested", "kinder"),
    [
        ("not_started", "red", True),
        ("not_started", "amber", True),
        ("green", "red", True),
        ("green", "amber", True),
        ("amber", "red", True),
        ("amber", "amber", False),
        ("red", "amber", False),
        ("red", "red", False),
        ("complete", "red", False),
    ],
)
def test_the_update_form_asks_why_for_a_status_kinder_than_the_dates(status, suggested, kinder):
    assert is_kinder(status=status, suggested=suggested) is kinder


@pytest.mark.django_db
def test_the_database_refuses_a_status_that_is_not_a_rag():
    milestone = factories.MilestoneFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(status="purple")
