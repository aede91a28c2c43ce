"""The milestone page's history lists each update's files, in one query for all of them.

``plans`` never imports ``evidence``; its template loads this library instead:
``{% evidence_for history as evidence %}`` once, then for each entry
``{% include "evidence/_update_attachments.html" with attachments=evidence|files_of:u %}``
(``u`` the entry's update).
"""

from django import template

from evidence.filetypes import size_display
from evidence.selectors import attachments_by_update

register = template.Library()


@register.simple_tag
def evidence_for(history) -> dict:
    """Attachments by update id for a milestone's history entries (or updates): one query."""
    updates = [getattr(entry, "update", entry) for entry in history]
    return attachments_by_update(update_ids=[u.pk for u in updates])


@register.filter
def files_of(evidence: dict, update) -> list:
    return evidence.get(update.pk, []) if evidence else []


@register.filter
def filesize(size) -> str:
    return size_display(int(size or 0))
