"""How outcomes are measured: performance indicators and their values by period.

An ``Indicator`` belongs to a plan and measures one or more of its outcomes; sub-measures
("NI 111 a) Number, b) Per 100,000") are indicators of their own with a ``parent``. Every
number about an indicator — baseline, target, actual, comparator — is an ``IndicatorValue``
for a period, and a value may be "not available" or missing without pretending to be zero.
Judgements (on target, direction of travel, against comparators) are never stored: they
are worked out from the values by ``outcomes.judgements``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from outcomes.periods import IndicatorPeriod, PeriodType


class Polarity(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NEITHER = "neither", "Neither higher nor lower is better"


class Unit(models.TextChoices):
    COUNT = "count", "Number"
    PERCENTAGE = "percentage", "Percentage"
    RATE = "rate", "Rate per population"
    RATIO = "ratio", "Ratio"


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"
    OTHER = "other", "Other"


class IndicatorSettings(models.Model):
    """A partnership's own rules for indicator judgements (one row per partnership)."""

    partnership = models.OneToOneField(
        "plans.Partnership",
        on_delete=models.CASCADE,
        related_name="indicator_settings",
        help_text="The partnership these rules apply to.",
    )
    comparator_threshold_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=5,
        help_text=(
            "A result within this percentage of a comparator's value counts as 'similar' "
            "to it; beyond it, better or worse."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "indicator settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(comparator_threshold_percent__gte=0),
                name="indicator_settings_threshold_not_negative",
            )
        ]

    def __str__(self):
        return f"Indicator settings of {self.partnership}"


class Indicator(models.Model):
    """A performance indicator of a plan, e.g. "NI 19 Rate of proven re-offending"."""

    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.CASCADE,
        related_name="indicators",
        help_text="The plan whose outcomes this indicator measures.",
    )
    outcomes = models.ManyToManyField(
        "plans.Outcome",
        blank=True,
        related_name="indicators",
        help_text="The outcomes this indicator measures.",
    )
    priority = models.ForeignKey(
        "plans.Priority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        help_text="The priority it is reported under, when known only at that level.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sub_measures",
        help_text="The indicator this is a sub-measure of, e.g. NI 111 for 'NI 111 a'.",
    )
    code = models.CharField(max_length=40, help_text="As the plan writes it, e.g. 'NI 19'.")
    definition = models.TextField(help_text="What is measured, in the plan's words.")
    polarity = models.CharField(
        max_length=10,
        choices=Polarity.choices,
        default=Polarity.NEITHER,
        help_text="Whether good performance is a higher or a lower number.",
    )
    unit = models.CharField(max_length=12, choices=Unit.choices, default=Unit.COUNT)
    rate_per = models.PositiveIntegerField(
        null=True, blank=True, help_text="For a rate: the population it is per, e.g. 100000."
    )
    decimal_places = models.PositiveSmallIntegerField(
        default=0, help_text="How many decimal places to show."
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ANNUAL)
    owner = models.ForeignKey(
        "plans.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators_owned",
        help_text="The person who answers for the indicator and enters its results.",
    )
    organisation = models.ForeignKey(
        "plans.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        help_text="The agency that reports the indicator.",
    )
    source_note = models.TextField(
        blank=True, help_text="Where the figures come from, e.g. 'YOT case management system'."
    )
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=(
            "Optional, in the indicator's own units: a result this close to its target on "
            "the wrong side is 'close to target' (amber) rather than 'not on target'."
        ),
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in the source table.")

    history = HistoricalRecords(m2m_fields=[outcomes])

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(polarity__in=["higher", "lower", "neither"]),
                name="indicator_polarity_valid",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["count", "percentage", "rate", "ratio"]),
                name="indicator_unit_valid",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=6), name="indicator_decimal_places_at_most_6"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__isnull=True) | Q(tolerance__gte=0),
                name="indicator_tolerance_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.definition[:80]}".strip()

    def get_absolute_url(self):
        return reverse("outcomes:indicator_detail", kwargs={"pk": self.pk})

    @property
    def unit_label(self) -> str:
        """ "Percentage", "Rate per 100,000", "Number"."""
        if self.unit == Unit.RATE and self.rate_per:
            return f"Rate per {self.rate_per:,}"
        return self.get_unit_display()


class IndicatorValue(models.Model):
    """One number about an indicator for one period: a baseline, target, actual or comparator.

    ``status`` says whether there is a number: "not available" (the file said N/A) and
    "missing" (nothing reported yet) are kept as such, never as zero. Changes are kept in
    this model's history.
    """

    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        TARGET = "target", "Target"
        ACTUAL = "actual", "Actual"
        COMPARATOR = "comparator", "Comparator"

    class Status(models.TextChoices):
        VALUE = "value", "Value"
        NOT_AVAILABLE = "not_available", "Not available"
        MISSING = "missing", "Missing"

    class Source(models.TextChoices):
        WEB = "web", "Entry form"
        CSV = "csv", "CSV upload"
        IMPORT = "import", "Imported"
        ADMIN = "admin", "Admin"

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="values",
        help_text="The indicator this value is about.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(
        help_text="Calendar year the financial year starts in: 2019 for 2019/20."
    )
    quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1–4 for a quarter or year to date; empty for a year."
    )
    period_type = models.CharField(
        max_length=12, choices=PeriodType.choices, default=PeriodType.YEAR
    )
    comparator = models.CharField(
        max_length=100,
        blank=True,
        help_text="For comparators: whom we compare with, e.g. 'Statistical neighbours'.",
    )
    value = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.VALUE)
    note = models.TextField(blank=True, help_text="Context for the number, in the owner's words.")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_values_entered",
        help_text="Who last entered the value (empty for imports).",
    )
    entered_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year", "quarter", "kind", "comparator"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["baseline", "target", "actual", "comparator"]),
                name="indicator_value_kind_valid",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(status="value") & Q(value__isnull=False))
                    | (Q(status__in=["not_available", "missing"]) & Q(value__isnull=True))
                ),
                name="indicator_value_has_number_only_when_status_value",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(period_type="year") & Q(quarter__isnull=True))
                    | (
                        Q(period_type__in=["quarter", "ytd"])
                        & Q(quarter__gte=1)
                        & Q(quarter__lte=4)
                    )
                ),
                name="indicator_value_quarter_matches_period_type",
            ),
            models.CheckConstraint(
                condition=(Q(kind="comparator") & ~Q(comparator=""))
                | (~Q(kind="comparator") & Q(comparator="")),
                name="indicator_value_comparator_named_only_for_comparators",
            ),
            models.UniqueConstraint(
                fields=["indicator", "kind", "year", "period_type", "comparator"],
                condition=Q(quarter__isnull=True),
                name="indicator_value_unique_per_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "kind", "year", "quarter", "period_type", "comparator"],
                condition=Q(quarter__isnull=False),
                name="indicator_value_unique_per_quarter",
            ),
        ]

    def __str__(self):
        what = self.comparator or self.get_kind_display()
        return f"{self.indicator.code} {what} {self.period.label}"

    @property
    def period(self) -> IndicatorPeriod:
        return IndicatorPeriod(self.year, self.quarter, self.period_type)
