"""Who may enter an indicator's results: its owner (or their delegate) and partnership admins.

The rule is the milestones' one, ``plans.access.acting_lead_ids``: a lead acts for
themselves and for the leads who named them a delegate; admins for everyone; board members
and removed people for no one. Only how an indicator names its lead (``owner``) is here.
"""

from plans.access import acting_lead_ids, may_act_for


def may_enter_values(*, user, indicator) -> bool:
    """The owner's linked user, a delegate the owner named, or an admin of the partnership.

    ``indicator`` should come with ``plan`` joined.
    """
    if not user.is_authenticated:
        return False
    owners = {indicator.owner_id} if indicator.owner_id else set()
    return may_act_for(user=user, partnership_id=indicator.plan.partnership_id, lead_ids=owners)


def enterable_indicator_ids(*, user, plan) -> set[int] | None:
    """Ids of the plan's indicators the user may enter results for; None means all (admin)."""
    acting = acting_lead_ids(user=user, partnership_id=plan.partnership_id)
    if acting is None:
        return None
    if not acting:
        return set()
    return set(plan.indicators.filter(owner_id__in=acting).values_list("pk", flat=True))
