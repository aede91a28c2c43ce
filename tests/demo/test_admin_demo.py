"""The demo's admin sign-in reaches the Django admin as a partnership admin, not a superuser."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from plans.models import Milestone

pytestmark = pytest.mark.django_db


def test_demo_admin_is_staff_not_superuser_and_sees_its_partnerships_in_the_admin(client, rf):
    call_command("load_demo", stdout=StringIO())
    user = authenticate(rf.get("/"), username="demo-admin", password="demo-admin-only")
    assert user.is_staff and not user.is_superuser
    client.force_login(user)

    index = client.get(reverse("admin:index"))
    milestones = client.get(reverse("admin:plans_milestone_changelist"))

    assert "plans" in {app["app_label"] for app in index.context["app_list"]}
    # Admin of both demo partnerships: every demo milestone, and no add-partnership button.
    assert milestones.context["cl"].result_count == Milestone.objects.count() > 0
    assert client.get(reverse("admin:plans_partnership_add")).status_code == 403
