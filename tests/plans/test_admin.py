"""The Django admin: every plan model is reachable, edits are recorded, updates are append-only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from plans.models import Milestone, MilestoneUpdate, Plan
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x-long-pass")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def plan(partnership):
    return factories.plan_with_milestones(partnership=partnership, milestones=6)


MODELS = [
    "partnership",
    "membership",
    "organisation",
    "person",
    "delegation",
    "plan",
    "reportingperiod",
    "priority",
    "outcome",
    "action",
    "milestone",
    "milestoneupdate",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_plan_model_has_a_working_changelist_with_search(admin_client, plan, model):
    response = admin_client.get(reverse(f"admin:plans_{model}_changelist"), {"q": "2.9"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "get_obj"),
    [
        ("plan", lambda plan: plan),
        ("priority", lambda plan: plan.priorities.first()),
        ("outcome", lambda plan: plan.priorities.first().outcomes.first()),
        ("action", lambda plan: plan.priorities.first().outcomes.first().actions.first()),
        ("milestone", lambda plan: Milestone.objects.first()),
    ],
)
def test_change_pages_show_the_next_level_down_inline(admin_client, plan, model, get_obj):
    obj = get_obj(plan)
    response = admin_client.get(reverse(f"admin:plans_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"]) >= 1


def test_milestone_changelist_shows_plan_priority_and_outcome_numbers(admin_client, plan):
    response = admin_client.get(reverse("admin:plans_milestone_changelist"))
    html = response.content.decode()
    assert "2.10" in html and "2.9" in html
    assert plan.title in html


def test_milestone_changelist_query_count_does_not_grow_with_rows(
    admin_client, partnership, django_assert_max_num_queries
):
    factories.plan_with_milestones(partnership=partnership, milestones=5)
    with django_assert_max_num_queries(12) as small:
        admin_client.get(reverse("admin:plans_milestone_changelist"))
    factories.plan_with_milestones(partnership=partnership, milestones=60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(reverse("admin:plans_milestone_changelist"))


def test_admin_edit_of_a_plan_is_recorded_with_its_author(admin_client, superuser, plan):
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        title="Action Plan 2009 (revised)",
        start_date="01/04/2019",
        end_date="31/03/2020",
        **{
            f"{prefix}-{key}": value
            for prefix in ("priorities", "periods")
            for key, value in {
                "TOTAL_FORMS": "0",
                "INITIAL_FORMS": "0",
                "MIN_NUM_FORMS": "0",
                "MAX_NUM_FORMS": "1000",
            }.items()
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    plan.refresh_from_db()
    assert plan.title == "Action Plan 2009 (revised)"
    latest = plan.history.first()
    assert latest.history_user == superuser
    assert latest.title == "Action Plan 2009 (revised)"


def test_milestone_updates_cannot_be_added_changed_or_deleted_in_admin(admin_client, plan):
    update = MilestoneUpdate.objects.first()
    assert admin_client.get(reverse("admin:plans_milestoneupdate_add")).status_code == 403
    change = admin_client.get(reverse("admin:plans_milestoneupdate_change", args=[update.pk]))
    # Read-only view: the page shows the update but offers no save button.
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    post = admin_client.post(
        reverse("admin:plans_milestoneupdate_change", args=[update.pk]), {"status": "red"}
    )
    assert post.status_code == 403
    delete = admin_client.post(
        reverse("admin:plans_milestoneupdate_delete", args=[update.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert MilestoneUpdate.objects.filter(pk=update.pk).exists()


def test_milestone_current_state_is_read_only_once_it_exists(admin_client, plan):
    milestone = Milestone.objects.first()
    response = admin_client.get(reverse("admin:plans_milestone_change", args=[milestone.pk]))
    form = response.context["adminform"].form
    for name in ("status", "due_date", "completed_on", "latest_update", "version"):
        assert name not in form.fields
    assert "original_due_date" in form.fields


def test_staff_without_superuser_cannot_reach_plans_admin_without_permissions(client, plan):
    staff = factories.UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:plans_plan_changelist")).status_code == 403
    assert Plan.objects.count() == 1
