"""Who may see and change what: roles are per partnership, checked on the server.

Every page, list, export and form scopes its queryset through these functions, so a user
of one partnership can never read or change another's data, even by guessing ids.
"""

from django.contrib.auth.mixins import AccessMixin
from django.db.models import Q, QuerySet

from plans.models import Membership, Partnership, Person


def partnership_ids_for(user, *, roles: tuple[str, ...] | None = None) -> list[int]:
    """The ids of the partnerships ``user`` belongs to (optionally only in ``roles``)."""
    if not user.is_authenticated:
        return []
    memberships = Membership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return list(memberships.values_list("partnership_id", flat=True))


def partnerships_for(user) -> QuerySet[Partnership]:
    """The partnerships ``user`` belongs to, in any role."""
    return Partnership.objects.filter(pk__in=partnership_ids_for(user))


def role_in(user, partnership_id: int) -> str | None:
    """The user's role in a partnership, or None when they are not a member."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, partnership_id=partnership_id)
        .values_list("role", flat=True)
        .first()
    )


def is_partnership_admin(user, partnership_id: int) -> bool:
    return role_in(user, partnership_id) == Membership.Role.ADMIN


class PartnershipScopedMixin(AccessMixin):
    """Limit a view's queryset to the partnerships the signed-in user belongs to.

    Set ``partnership_lookup`` to the path from the model to its partnership, e.g.
    ``"action__outcome__priority__plan__partnership"``. Objects of other partnerships are
    simply not found (404), so ids of other partnerships reveal nothing.
    """

    partnership_lookup = "partnership"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        ids = partnership_ids_for(self.request.user)
        return queryset.filter(**{f"{self.partnership_lookup}__in": ids})

    def get_queryset(self):
        return self.scope_queryset(super().get_queryset())


def may_update_milestone(*, user, milestone) -> bool:
    """The milestone's lead, the action's leads, their named delegates, and partnership admins.

    ``milestone`` should come with ``action__outcome__priority__plan`` and ``lead`` joined.
    """
    if not user.is_authenticated:
        return False
    partnership_id = milestone.action.outcome.priority.plan.partnership_id
    role = role_in(user, partnership_id)
    if role is None:
        return False
    if role == Membership.Role.ADMIN:
        return True
    if role != Membership.Role.LEAD:
        return False
    leads = set(milestone.action.leads.values_list("pk", flat=True))
    if milestone.lead_id:
        leads.add(milestone.lead_id)
    if not leads:
        return False
    return (
        Person.objects.filter(user=user, partnership_id=partnership_id, removed_at__isnull=True)
        .filter(Q(pk__in=leads) | Q(delegations_received__lead__in=leads))
        .exists()
    )


def has_admin_powers(user) -> bool:
    """Staff, superusers and partnership admins: the accounts that must sign in with a second
    factor (mfa.middleware). Leads and board members have none of these powers."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()
