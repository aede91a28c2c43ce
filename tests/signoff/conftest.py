"""A partnership that signs off its quarters: Police and Council lead milestones, each with a
signatory; a chair; an open quarter (2019/20 Q3) with an update from each lead."""

from dataclasses import dataclass
from datetime import datetime

import pytest
from django.utils import timezone

from plans.models import ReportingPeriod
from plans.periods import FinancialQuarter
from signoff.models import Signatory, SignoffSettings
from tests import factories


@dataclass
class World:
    partnership: object
    plan: object
    period: object
    police: object
    council: object
    admin: object
    police_signatory: object
    council_signatory: object
    chair: object
    board: object


def member(partnership, username, role="board", first_name="", last_name=""):
    return factories.MembershipFactory(
        partnership=partnership,
        role=role,
        user__username=username,
        user__first_name=first_name,
        user__last_name=last_name,
    ).user


def make_world(partnership, admin_user, *, enabled=True) -> World:
    police = factories.OrganisationFactory(partnership=partnership, name="Cleveland Police")
    council = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough Council")
    factories.OrganisationFactory(partnership=partnership, name="Leads nothing")
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2019")
    priority = factories.PriorityFactory(plan=plan, title="Staying Safe")
    action = factories.ActionFactory(outcome__priority=priority)
    for organisation, text in ((police, "Joint patrols"), (council, "Safeguarding audit")):
        lead = factories.PersonFactory(partnership=partnership, organisation=organisation)
        milestone = factories.MilestoneFactory(action=action, lead=lead, text=text)
        update = factories.MilestoneUpdateFactory(
            milestone=milestone,
            commentary=f"{text}: on track, reported to the board.",
            author_name="A lead",
            created_at=timezone.make_aware(datetime(2019, 11, 4, 10)),
        )
        milestone.status = update.status
        milestone.latest_update = update
        milestone.save()
    quarter = FinancialQuarter(2019, 3)
    period = ReportingPeriod.objects.create(
        plan=plan,
        year=2019,
        quarter=3,
        start_date=quarter.start,
        end_date=quarter.end,
        update_deadline=quarter.end,
    )
    police_signatory = member(partnership, "asmith", first_name="Alice", last_name="Smith")
    council_signatory = member(partnership, "bjones", "lead", "Bob", "Jones")
    chair = member(partnership, "chair", first_name="Carol", last_name="Chair")
    board = member(partnership, "board-member")
    SignoffSettings.objects.create(partnership=partnership, enabled=enabled, chair=chair)
    Signatory.objects.create(organisation=police, user=police_signatory)
    Signatory.objects.create(organisation=council, user=council_signatory)
    return World(
        partnership=partnership,
        plan=plan,
        period=period,
        police=police,
        council=council,
        admin=admin_user,
        police_signatory=police_signatory,
        council_signatory=council_signatory,
        chair=chair,
        board=board,
    )


@pytest.fixture
def world(partnership, admin_user) -> World:
    return make_world(partnership, admin_user)
