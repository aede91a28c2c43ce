"""Reads: attachments for the milestone page, the packs, the export and downloads."""

from collections import defaultdict

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from evidence.filetypes import size_display
from evidence.models import Attachment
from plans.access import partnership_ids_for

_PARTNERSHIP = "update__milestone__action__outcome__priority__plan__partnership_id"


def attachments_by_update(*, update_ids) -> dict[int, list[Attachment]]:
    """Every attachment (removed ones too, so the history says so) of these updates, oldest
    first, by update id: one query whatever the number of updates."""
    found: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(update_id__in=list(update_ids)).order_by(
        "created_at", "pk"
    ):
        found[attachment.update_id].append(attachment)
    return dict(found)


def attachment_for_download(*, user, pk: int) -> Attachment:
    """A held attachment of one of the user's partnerships, or 404 (another partnership's
    file is simply not found)."""
    return get_object_or_404(
        Attachment.objects.live()
        .exclude(stored_name="")
        .filter(**{f"{_PARTNERSHIP}__in": partnership_ids_for(user)}),
        pk=pk,
    )


def attachment_for_change(*, user, pk: int) -> Attachment:
    """An attachment of the user's partnerships with its milestone and plan, or 404."""
    return get_object_or_404(
        Attachment.objects.filter(**{f"{_PARTNERSHIP}__in": partnership_ids_for(user)})
        .select_related(
            "update__milestone__lead",
            "update__milestone__action__outcome__priority__plan__partnership",
        )
        .prefetch_related("update__milestone__action__leads"),
        pk=pk,
    )


def plan_attachments(*, plan_id: int) -> QuerySet[Attachment]:
    """The plan's live attachments, oldest first (one query), for the packs' state."""
    return (
        Attachment.objects.live()
        .filter(update__milestone__action__outcome__priority__plan_id=plan_id)
        .order_by("created_at", "pk")
    )


def attachment_state(attachment: Attachment) -> dict:
    """An attachment as a plan state (and so a closed quarter's snapshot) freezes it."""
    return {
        "file_name": attachment.original_name,
        "size": attachment.size,
        "size_display": size_display(attachment.size),
        "uploaded_by_name": attachment.uploaded_by_name,
        "created_at": attachment.created_at.isoformat(),
    }


def attachment_export(attachment: Attachment) -> dict:
    """An attachment's metadata as the plan's JSON export carries it (no file, no account)."""
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "sha256": attachment.sha256,
        "uploaded_by_name": attachment.uploaded_by_name,
        "created_at": attachment.created_at.isoformat(),
        "removed_at": attachment.removed_at.isoformat() if attachment.removed_at else None,
        "removed_by_name": attachment.removed_by_name,
    }
