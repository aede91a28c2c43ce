"""What the importer remembers between imports: the admin's column mapping for a plan."""

from django.conf import settings
from django.db import models

from plans.models import Plan


class ColumnMapping(models.Model):
    """The roles an admin chose for a file's columns, reused for a file with the same headings."""

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="column_mappings",
        help_text="The plan these columns were imported into.",
    )
    headings_key = models.CharField(
        max_length=64, help_text="A digest of the file's headings, sorted, to find the mapping."
    )
    headings = models.JSONField(default=list, help_text="The headings, as the file wrote them.")
    mapping = models.JSONField(default=dict, help_text="Each heading's key and its role.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last imported with this mapping (empty from the command line).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "headings_key"], name="column_mapping_one_per_plan_and_headings"
            )
        ]

    def __str__(self):
        return f"Column mapping for {self.plan} ({len(self.headings)} headings)"
