"""Who may see and change what: roles are per partnership, checked on the server.

Every page, list, export and form scopes its queryset through these functions, so a user
of one partnership can never read or change another's data, even by guessing ids.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

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


def acting_lead_ids(*, user, partnership_id: int) -> set[int] | None:
    """The people whose items ``user`` may update in a partnership, or None for all of them.

    The one rule for milestones and indicators alike: a partnership admin may update
    everything (None); a lead may update what they lead and what the leads who named them a
    delegate lead; a board member, a person the admin removed, and anyone outside the
    partnership may update nothing (an empty set).
    """
    role = role_in(user, partnership_id)
    if role == Membership.Role.ADMIN:
        return None
    if role != Membership.Role.LEAD:
        return set()
    pairs = Person.objects.filter(
        user=user, partnership_id=partnership_id, removed_at__isnull=True
    ).values_list("pk", "delegations_received__lead")
    return {pk for pair in pairs for pk in pair if pk is not None}


def may_act_for(*, user, partnership_id: int, lead_ids: set[int]) -> bool:
    """True when ``user`` may update an item led by any of ``lead_ids`` (see acting_lead_ids)."""
    acting = acting_lead_ids(user=user, partnership_id=partnership_id)
    return acting is None or bool(acting & lead_ids)


def may_update_milestone(*, user, milestone) -> bool:
    """The milestone's lead, the action's leads, their named delegates, and partnership admins.

    ``milestone`` should come with ``action__outcome__priority__plan`` and ``lead`` joined.
    """
    if not user.is_authenticated:
        return False
    partnership_id = milestone.action.outcome.priority.plan.partnership_id
    acting = acting_lead_ids(user=user, partnership_id=partnership_id)
    if acting is None:
        return True
    if not acting:
        return False
    leads = set(milestone.action.leads.values_list("pk", flat=True))
    if milestone.lead_id:
        leads.add(milestone.lead_id)
    return bool(acting & leads)


def has_admin_powers(user) -> bool:
    """Staff, superusers and partnership admins: the accounts that must sign in with a second
    factor (mfa.middleware). Leads and board members have none of these powers."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()


class AdminOnlyMixin:
    """Pages for partnership admins only; the one mixin for them.

    A view whose address names no partnership (the import journey) sets
    ``admin_of_any_partnership = True``: it refuses (403) anyone who is not an admin of some
    partnership before doing anything. A view whose address leads to one partnership calls
    ``require_admin(partnership_id)`` once it knows which: another partnership's is not
    found (404), a member who is not its admin is refused (403). ``admin_only_message`` is
    the sentence the 403 page shows.
    """

    admin_of_any_partnership = False
    admin_only_message = "Only partnership admins can see this page."

    def dispatch(self, request, *args, **kwargs):
        if self.admin_of_any_partnership and not partnership_ids_for(
            request.user, roles=(Membership.Role.ADMIN,)
        ):
            raise PermissionDenied(self.admin_only_message)
        return super().dispatch(request, *args, **kwargs)

    def require_admin(self, partnership_id: int) -> None:
        if partnership_id not in partnership_ids_for(self.request.user):
            raise Http404
        if not is_partnership_admin(self.request.user, partnership_id):
            raise PermissionDenied(self.admin_only_message)
