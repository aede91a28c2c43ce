"""Reads for pages and exports: querysets already scoped to the user and joined for the page."""

from django.db.models import QuerySet

from plans.access import partnership_ids_for
from plans.models import Plan


def plan_list(*, user) -> QuerySet[Plan]:
    """The plans of every partnership the user belongs to, with their partnership."""
    return Plan.objects.filter(partnership_id__in=partnership_ids_for(user)).select_related(
        "partnership"
    )
