"""The audit trail: every change to plan data is recorded with who and when, and admins read it."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from plans.models import Action, Milestone, Outcome
from tests import factories
from tests.plans.update_world import build_world, form_data


@pytest.fixture
def world(partnership):
    with time_machine.travel(datetime(2019, 11, 15, 10, 0), tick=False):
        yield build_world(partnership)


def admin_post_data(response):
    """The admin change form's current values, as the browser would post them back."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data.update(_encode(form.add_prefix(name), field, value))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for sub in formset.forms:
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                data.update(_encode(sub.add_prefix(name), field, value))
    return data


def _encode(key, field, value):
    if value is None:
        return {}
    if hasattr(value, "pk"):
        value = value.pk
    if isinstance(value, (list, tuple)):
        return {key: [getattr(v, "pk", v) for v in value]}
    if isinstance(value, bool):
        return {key: "on"} if value else {}
    return {key: value}


def test_a_web_update_is_recorded_with_its_author_and_shown_before_and_after(client, world):
    client.force_login(world.lead)
    client.post(
        reverse("plans:milestone_update", args=[world.milestone.pk]),
        form_data(world.milestone, status="amber", commentary="Survey late."),
    )
    record = Milestone.history.filter(id=world.milestone.pk).latest("history_id")
    assert record.history_user == world.lead
    assert record.status == "amber"

    client.force_login(world.admin)
    response = client.get(reverse("plans:item_history", args=["milestone", world.milestone.pk]))
    assert response.status_code == 200
    change = response.context["changes"][0]
    assert change.who == "lead"
    diffs = [(f.label, f.before, f.after) for f in change.changes]
    assert ("Status", "Not started", "Amber") in diffs
    assert "Not started</del>" in response.content.decode()


def test_a_change_made_in_the_django_admin_is_recorded_with_who_made_it(client, world):
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    outcome = world.action.outcome
    client.force_login(world.admin)
    url = reverse("admin:plans_outcome_change", args=[outcome.pk])
    data = admin_post_data(client.get(url))
    data["statement"] = "Teenage conceptions below the national rate by 2020"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = Outcome.history.filter(id=outcome.pk).latest("history_id")
    assert record.history_user == world.admin
    assert record.statement.startswith("Teenage conceptions")

    response = client.get(reverse("plans:item_history", args=["outcome", outcome.pk]))
    fields = {f.label: (f.before, f.after) for f in response.context["changes"][0].changes}
    assert fields["Statement"][1] == "Teenage conceptions below the national rate by 2020"


def test_plan_history_includes_items_at_every_level_and_names_leads(client, world):
    action = Action.objects.get(pk=world.action.pk)
    action.text = "Revise and publish safeguarding procedures"
    action.save()
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    milestone.lead = world.other_lead.people.get()
    milestone.save()
    client.force_login(world.admin)
    response = client.get(reverse("plans:plan_history", args=[world.plan.pk]))
    changes = response.context["changes"]
    kinds = [(c.item_type, c.kind) for c in changes]
    assert ("Milestone", "Changed") in kinds and ("Action", "Changed") in kinds
    lead_change = next(c for c in changes if c.item_type == "Milestone" and c.kind == "Changed")
    [(before, after)] = [(f.before, f.after) for f in lead_change.changes if f.label == "Lead"]
    assert before.startswith("Ken Dance (") and after.startswith("Otto Her (")


def test_deleted_items_stay_in_the_plan_history(client, world):
    doomed = factories.MilestoneFactory(action=world.action, text="Dropped by the board")
    doomed.delete()
    client.force_login(world.admin)
    changes = client.get(reverse("plans:plan_history", args=[world.plan.pk])).context["changes"]
    assert any(c.kind == "Deleted" and "Dropped by the board" in c.item_label for c in changes)


@pytest.mark.parametrize("edits", [2, 20])
def test_plan_history_query_count_does_not_grow(
    client, world, edits, django_assert_max_num_queries
):
    for n in range(edits):
        milestone = factories.MilestoneFactory(action=world.action, lead=world.lead_person)
        milestone.text = f"Edited {n}"
        milestone.save()
    client.force_login(world.admin)
    # Constant: two per source, one per source an import can create (its grouped entries),
    # the names, and the filter form's list of people; the review app registers a source,
    # outcomes two (indicators, and their values: 3 each, both can be imported).
    with django_assert_max_num_queries(40):
        response = client.get(reverse("plans:plan_history", args=[world.plan.pk]))
    assert len(response.context["changes"]) >= edits


def test_plan_history_pages_older_changes(client, world):
    for n in range(60):
        milestone = Milestone.objects.get(pk=world.milestone.pk)
        milestone.text = f"Edit {n}"
        milestone.save()
    client.force_login(world.admin)
    url = reverse("plans:plan_history", args=[world.plan.pk])
    first = client.get(url)
    assert len(first.context["changes"]) == 50 and first.context["page"].has_next
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(url, {"page": 2})
    assert second.context["changes"] and not second.context["page"].has_next
    # Newest first: page one ends at edit 10, page two starts at edit 9.
    assert first.context["changes"][-1].changes[0].after == "Edit 10"
    assert second.context["changes"][0].changes[0].after == "Edit 9"
