"""Reads of the notifications app: a person's choice, and who asked to hear of final packs."""

from django.db.models import QuerySet

from notifications.models import NotificationPreference


def preference_for(*, user) -> NotificationPreference:
    """``user``'s choice, or the default (immediate, no packs) if they never chose (unsaved)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def pack_final_wanted(*, users: QuerySet) -> QuerySet:
    """Those of ``users`` who asked to hear when a quarter's pack is final."""
    return users.filter(notification_preference__pack_final=True)
