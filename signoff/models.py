"""Sign-off of a reporting period: each partner organisation's signatory signs off their
agency's updates for the quarter, then the partnership's chair signs off the whole.

Optional per partnership (``SignoffSettings.enabled``). One ``Signoff`` row per period and
organisation (and one per period for the chair): signing sets who and when, withdrawing
clears them, and ``history`` (django-simple-history) keeps every step. ``version`` is checked
in the ``UPDATE`` so that a double click or a second tab cannot sign or withdraw twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from plans.models import Organisation, Partnership, ReportingPeriod


class SignoffSettings(models.Model):
    """Whether a partnership signs off its quarters, and who its chair is."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="signoff_settings",
        help_text="The partnership these settings are for.",
    )
    enabled = models.BooleanField(
        default=False, help_text="Quarters are signed off before they are closed."
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member who signs off the whole quarter, once the organisations have.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "sign-off settings"
        verbose_name_plural = "sign-off settings"

    def __str__(self):
        return f"Sign-off for {self.partnership}: {'on' if self.enabled else 'off'}"


class Signatory(models.Model):
    """The member who signs off one partner organisation's updates each quarter."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="signatory",
        help_text="The partner agency whose updates they sign off.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signatory_for",
        help_text="A member of the organisation's partnership.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "signatories"

    def __str__(self):
        return f"{self.user} signs off for {self.organisation}"


class Signoff(models.Model):
    """One organisation's sign-off of a period (or the chair's, with no organisation)."""

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="signoffs",
        help_text="The quarter signed off.",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signoffs",
        help_text="The agency signed for; empty for the chair's sign-off of the whole.",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who signed off; empty while not signed off (or once withdrawn).",
    )
    signed_by_name = models.CharField(
        max_length=200, blank=True, help_text="Their name as it was when they signed."
    )
    signed_at = models.DateTimeField(
        null=True, blank=True, help_text="When they signed off; empty once withdrawn."
    )
    withdrawn_reason = models.TextField(
        blank=True, help_text="Why the last sign-off was withdrawn (the history keeps each)."
    )
    version = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organisation"],
                condition=Q(organisation__isnull=False),
                name="signoff_one_per_organisation_and_period",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(organisation__isnull=True),
                name="signoff_one_chair_per_period",
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(signed_by_name=""),
                name="signoff_signed_has_name",
            ),
        ]

    def __str__(self):
        whose = self.organisation.name if self.organisation_id else "the chair"
        return f"{self.period}: {whose}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
