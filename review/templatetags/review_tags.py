"""Review in pages that plans draws (My milestones, a milestone's history): plans never imports
review, so its templates load these tags. Each costs one query per page, whatever its size."""

from django import template

from review import selectors

register = template.Library()


@register.simple_tag
def queried_milestones(groups) -> dict[int, int]:
    """For My milestones: milestone id → the id of its update with a query waiting."""
    ids = [m.pk for group in groups for m in (group.milestones or [])]
    return selectors.queried_for_milestones(milestone_ids=ids) if ids else {}


@register.simple_tag
def review_threads(history) -> dict:
    """For a milestone's history: update id → its review (thread prefetched)."""
    ids = [entry.update.pk for entry in history]
    return selectors.threads_for_updates(update_ids=ids) if ids else {}


@register.filter
def lookup(mapping, key):
    """``mapping[key]``, or None."""
    return mapping.get(key) if mapping else None
