"""A small partnership for the leads' update tests: one plan, leads, a delegate, an admin."""

from dataclasses import dataclass
from datetime import date

from plans.models import Delegation, Membership, Milestone
from tests import factories


@dataclass
class World:
    partnership: object
    plan: object
    action: object
    milestone: Milestone
    lead: object  # the user who leads the milestone
    lead_person: object
    action_lead: object
    delegate: object
    other_lead: object
    admin: object
    board: object


def member(partnership, role, username, *, person_name=None):
    """A user with ``role`` in ``partnership`` and, when ``person_name``, a lead record."""
    user = factories.MembershipFactory(
        partnership=partnership, role=role, user__username=username
    ).user
    person = None
    if person_name:
        person = factories.PersonFactory(
            partnership=partnership, name=person_name, user=user, email=f"{username}@example.org"
        )
    return user, person


def build_world(partnership) -> World:
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2019")
    action = factories.ActionFactory(
        outcome__priority__plan=plan, number="6.3", text="Revise safeguarding procedures"
    )
    lead, lead_person = member(partnership, Membership.Role.LEAD, "lead", person_name="Ken Dance")
    action_lead, action_person = member(
        partnership, Membership.Role.LEAD, "action-lead", person_name="Simon Perry"
    )
    action.leads.add(action_person)
    delegate, delegate_person = member(
        partnership, Membership.Role.LEAD, "delegate", person_name="Dee Legate"
    )
    Delegation.objects.create(lead=lead_person, delegate=delegate_person)
    other_lead, _ = member(partnership, Membership.Role.LEAD, "other-lead", person_name="Otto Her")
    admin, _ = member(partnership, Membership.Role.ADMIN, "plan-admin")
    board, _ = member(partnership, Membership.Role.BOARD, "board-member")
    milestone = factories.MilestoneFactory(
        action=action,
        number="a)",
        text="Why young women get pregnant: research report",
        lead=lead_person,
        original_due_date=date(2019, 12, 31),
        due_date=date(2019, 12, 31),
    )
    return World(
        partnership=partnership,
        plan=plan,
        action=action,
        milestone=milestone,
        lead=lead,
        lead_person=lead_person,
        action_lead=action_lead,
        delegate=delegate,
        other_lead=other_lead,
        admin=admin,
        board=board,
    )


def form_data(milestone, **overrides):
    """What the update form posts, for ``milestone`` at its current version."""
    data = {
        "status": "green",
        "commentary": "",
        "due_date-day": str(milestone.due_date.day) if milestone.due_date else "",
        "due_date-month": str(milestone.due_date.month) if milestone.due_date else "",
        "due_date-year": str(milestone.due_date.year) if milestone.due_date else "",
        "due_date_reason": "",
        "completed_on-day": "",
        "completed_on-month": "",
        "completed_on-year": "",
        "status_reason": "",
        "version": str(milestone.version),
    }
    data.update(overrides)
    return data
