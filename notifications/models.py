"""Who hears what: each event as a ``Notification`` row (never lost), and each person's choice.

A notification is recorded in the transaction of the change it tells of, so a change that is
rolled back tells no one. An immediate one is then sent by the worker; a digest one waits for
the daily digest (``notifications_digest``). A failed send keeps the row, with how many
attempts were made and the last error, and is tried again later (``notifications_send``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from notifications.kinds import Kind


class Notification(models.Model):
    """One event one person is to hear of, and whether (and when) the e-mail went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent: no e-mail address"
        FAILED = "failed", "Not sent: gave up after repeated failures"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text="The person who hears of the event.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=255, help_text="The e-mail's subject, plain text.")
    body = models.TextField(help_text="The e-mail's text, with the full link.")
    url = models.CharField(
        max_length=500, blank=True, help_text="The absolute link to the page the event is about."
    )
    partnership = models.ForeignKey(
        "plans.Partnership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The partnership the event happened in, where there is one.",
    )
    digest = models.BooleanField(
        default=False,
        help_text="Waits for the recipient's daily digest rather than being sent at once.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times sending was tried."
    )
    last_error = models.TextField(blank=True, help_text="Why the last attempt failed, if it did.")
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failure: the earliest the next try is made."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "digest", "recipient"], name="notification_pending_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "skipped", "failed"]),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(status="sent"),
                name="notification_sent_at_only_when_sent",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"


class NotificationPreference(models.Model):
    """How one person hears: each e-mail at once, or one daily digest; and the packs opt-in."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "Each one as it happens"
        DIGEST = "digest", "One e-mail a day, a summary of everything"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        help_text="The person whose choice this is.",
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    pack_final = models.BooleanField(
        default=False,
        help_text="A board member asked to hear when a quarter is closed and its pack is final.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery__in=["immediate", "digest"]),
                name="notification_preference_delivery_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_delivery_display()}"
