"""Evidence: files attached to a milestone update (minutes, a strategy, a report)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plans.models import MilestoneUpdate


class AttachmentQuerySet(models.QuerySet):
    def live(self):
        """Attachments not removed: the ones pages, packs and exports list."""
        return self.filter(removed_at__isnull=True)


class Attachment(models.Model):
    """One file attached to an update: checked from its content, stored under a random name.

    The row is never deleted: removing an attachment deletes the stored file and records who
    removed it and when, so the update's history still says a file was there.
    """

    update = models.ForeignKey(
        MilestoneUpdate,
        on_delete=models.CASCADE,
        related_name="attachments",
        help_text="The update the file is evidence for.",
    )
    original_name = models.CharField(
        max_length=200, help_text="The file's name as uploaded, cleaned for display."
    )
    stored_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the file is in the evidence storage: random, never the user's name. "
        "Empty when the file is not held here (removed, or imported as metadata only).",
    )
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    content_type = models.CharField(
        max_length=120, help_text="The type found in the file's content (not its extension)."
    )
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the bytes stored.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments_uploaded",
        help_text="Who attached the file (empty for imports and removed accounts).",
    )
    uploaded_by_name = models.CharField(
        max_length=200, blank=True, help_text="Name shown for who attached it, kept as it was."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the file was removed; the row and history stay."
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments_removed",
        help_text="Who removed the file.",
    )
    removed_by_name = models.CharField(max_length=200, blank=True)

    objects = AttachmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty"),
            models.UniqueConstraint(
                fields=["stored_name"],
                condition=~models.Q(stored_name=""),
                name="attachment_stored_name_unique",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_held(self) -> bool:
        """True when the file itself can be downloaded from here."""
        return self.removed_at is None and bool(self.stored_name)
