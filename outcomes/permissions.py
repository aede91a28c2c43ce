"""Who may enter an indicator's results: its owner (or their delegate) and partnership admins."""

from django.db.models import Q

from plans.access import role_in
from plans.models import Membership, Person


def may_enter_values(*, user, indicator) -> bool:
    """The owner's linked user, a delegate the owner named, or an admin of the partnership.

    ``indicator`` should come with ``plan`` joined.
    """
    if not user.is_authenticated:
        return False
    partnership_id = indicator.plan.partnership_id
    role = role_in(user, partnership_id)
    if role is None:
        return False
    if role == Membership.Role.ADMIN:
        return True
    if indicator.owner_id is None:
        return False
    return (
        Person.objects.filter(user=user, partnership_id=partnership_id)
        .filter(Q(pk=indicator.owner_id) | Q(delegations_received__lead=indicator.owner_id))
        .exists()
    )


def enterable_indicator_ids(*, user, plan) -> set[int] | None:
    """Ids of the plan's indicators the user may enter results for; None means all (admin)."""
    role = role_in(user, plan.partnership_id)
    if role == Membership.Role.ADMIN:
        return None
    if role is None:
        return set()
    people = Person.objects.filter(user=user, partnership_id=plan.partnership_id)
    owners = set(people.values_list("pk", flat=True)) | set(
        people.values_list("delegations_received__lead", flat=True).exclude(
            delegations_received__lead=None
        )
    )
    return set(plan.indicators.filter(owner_id__in=owners).values_list("pk", flat=True))
