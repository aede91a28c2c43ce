"""Frozen quarters: a snapshot of every item of a plan, taken when a period is closed.

The reporting periods themselves live in ``plans.models.ReportingPeriod`` (leads' reminders
share their deadlines); this app closes and reopens them and keeps what closing froze.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from plans.models import ReportingPeriod


class Snapshot(models.Model):
    """Every item of a plan as it stood when a period was closed. Written once, never changed.

    A period closed, reopened and closed again has one snapshot per close; the latest is the
    one its board pack is built from, the earlier ones stay as the record of what was closed.
    """

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="snapshots",
        help_text="The reporting period whose close froze this snapshot.",
    )
    data = models.JSONField(
        help_text="Structure, numbers, texts, RAG, commentary, dates, leads and indicators."
    )
    digest = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical JSON of data, to prove it unchanged."
    )
    schema_version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin whose close took the snapshot.",
    )

    class Meta:
        ordering = ["period", "-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self):
        return f"Snapshot of {self.period.label} at {self.created_at:%d %b %Y %H:%M}"
