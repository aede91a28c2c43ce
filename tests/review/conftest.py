"""A plan collecting 2019/20 Q3 (frozen at 15 November 2019), a lead with an account, an admin."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from plans.models import Milestone, Person
from tests import factories

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2019, 11, 15, 10, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _in_q3():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def plan(partnership):
    return factories.plan_with_milestones(partnership=partnership, milestones=3)


@pytest.fixture
def lead_user(partnership):
    return factories.MembershipFactory(
        partnership=partnership, role="lead", user__username="lead-user", user__first_name="Lena"
    ).user


@pytest.fixture
def milestone(plan, lead_user):
    milestone = Milestone.objects.filter(action__outcome__priority__plan=plan).order_by("pk")[0]
    Person.objects.filter(pk=milestone.lead_id).update(user=lead_user, name="Lena Lead")
    return Milestone.objects.get(pk=milestone.pk)


@pytest.fixture
def update(milestone, lead_user):
    """The milestone's latest update: a thin one, by its lead."""
    update = milestone.latest_update
    update.commentary = "On track."
    update.author = lead_user
    update.author_name = "Lena Lead"
    update.save()
    return update
