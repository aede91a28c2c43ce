"""Forms for indicators and their results. Validation here; writes in outcomes.services."""

from django import forms

from outcomes.csv_values import value_out_of_range
from outcomes.formatting import parse_value
from outcomes.models import Frequency, Indicator, IndicatorValue, Polarity, Unit
from outcomes.periods import IndicatorPeriod
from plans.models import Organisation, Outcome, Person


class ActualForm(forms.Form):
    """The actual result of one period, or a statement that it is not available."""

    period = forms.CharField(
        label="Period",
        help_text=(
            "A quarter such as 2019/20 Q3, a year such as 2019/20, or a year to date such as "
            "2019/20 Q3 YTD."
        ),
        error_messages={"required": "Enter the period the result is for, such as 2019/20 Q3."},
    )
    status = forms.ChoiceField(
        label="Is there a result for this period?",
        choices=[
            (IndicatorValue.Status.VALUE, "Yes, I have the number"),
            (IndicatorValue.Status.NOT_AVAILABLE, "No, it is not available for this period"),
        ],
        widget=forms.RadioSelect,
        initial=IndicatorValue.Status.VALUE,
        error_messages={"required": "Say whether there is a result for this period."},
    )
    value = forms.CharField(
        label="Result",
        required=False,
        help_text="As a number, for example 71.0 or 1,406. Percentages can end with %.",
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the board should know about this figure.",
    )

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)

    def clean_period(self) -> IndicatorPeriod:
        try:
            return IndicatorPeriod.parse(self.cleaned_data["period"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        text = (cleaned.get("value") or "").strip()
        cleaned["number"] = None
        if status == IndicatorValue.Status.VALUE:
            if not text:
                self.add_error("value", "Enter the result, or say it is not available.")
                return cleaned
            try:
                parsed = parse_value(text)
            except ValueError:
                self.add_error("value", "Enter the result as a number, like 71.0 or 1,406.")
                return cleaned
            if parsed.status != IndicatorValue.Status.VALUE:
                self.add_error(
                    "value",
                    "Enter the result as a number; if there is none, choose 'No, it is not "
                    "available for this period'.",
                )
                return cleaned
            problems = value_out_of_range(parsed.value)
            if problems:
                self.add_error("value", problems[0][0].upper() + problems[0][1:] + ".")
                return cleaned
            cleaned["number"] = parsed.value
        return cleaned


class ValuesUploadForm(forms.Form):
    """A CSV of a period's values: columns code, period, value (optionally kind, comparator)."""

    file = forms.FileField(
        label="Upload a CSV file",
        required=False,
        help_text="The first line names the columns: code, period, value.",
    )
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("csv_text"):
            self.add_error("file", "Select a CSV file to upload.")
        return cleaned


def _outcome_label(outcome) -> str:
    label = f"{outcome.number} {outcome.statement}".strip()
    return label if len(label) <= 160 else f"{label[:159]}…"


class IndicatorForm(forms.Form):
    """An indicator, its targets by year and its comparators, as a partnership admin sets them.

    Targets and comparators are typed one a line ("2019/20: 75.6%", "National, 2019/20:
    73.1"), read with the same parser as results, and judged by the same rules afterwards
    (outcomes.judgements): the polarity says which way is good, the unit how numbers show.
    """

    code = forms.CharField(
        label="Code", max_length=40, help_text="As the plan writes it, for example NI 19."
    )
    definition = forms.CharField(
        label="What is measured", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    polarity = forms.ChoiceField(
        label="Good performance is", choices=Polarity.choices, widget=forms.RadioSelect
    )
    unit = forms.ChoiceField(label="Unit", choices=Unit.choices, widget=forms.RadioSelect)
    rate_per = forms.IntegerField(
        label="For a rate: per how many people (optional otherwise)",
        required=False,
        min_value=1,
        help_text="For example, 100000 for a rate per 100,000.",
    )
    decimal_places = forms.IntegerField(
        label="Decimal places shown", min_value=0, max_value=6, initial=0
    )
    frequency = forms.ChoiceField(
        label="Reported", choices=Frequency.choices, widget=forms.RadioSelect
    )
    owner = forms.ModelChoiceField(
        label="Owner (optional)",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not named",
        help_text="Who answers for the indicator and enters its results.",
    )
    organisation = forms.ModelChoiceField(
        label="Reporting organisation (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None",
    )
    outcomes = forms.ModelMultipleChoiceField(
        label="Outcomes it measures (optional)",
        queryset=Outcome.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tolerance = forms.CharField(
        label="Tolerance (optional)",
        required=False,
        help_text=(
            "In the indicator's own units: a result this close to its target on the wrong "
            "side is 'close to target' rather than 'not on target'."
        ),
    )
    source_note = forms.CharField(
        label="Where the figures come from (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    targets = forms.CharField(
        label="Targets by year (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line: a financial year, a colon and the target, for example 2019/20: 75.6",
    )
    comparators = forms.CharField(
        label="Comparators (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "One a line: whom you compare with, a comma, the period, a colon and the figure, "
            "for example National, 2019/20: 73.1"
        ),
    )

    def __init__(self, *args, plan, indicator=None, **kwargs):
        self.plan = plan
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        partnership = plan.partnership_id
        self.fields["owner"].queryset = Person.objects.filter(
            partnership_id=partnership, removed_at__isnull=True
        ).select_related("organisation")
        self.fields["organisation"].queryset = Organisation.objects.filter(
            partnership_id=partnership
        )
        self.fields["outcomes"].queryset = Outcome.objects.filter(
            priority__plan=plan
        ).select_related("priority")
        self.fields["outcomes"].label_from_instance = _outcome_label

    def clean_code(self):
        code = " ".join(self.cleaned_data["code"].split())
        others = Indicator.objects.filter(plan=self.plan, code__iexact=code)
        if self.indicator is not None:
            others = others.exclude(pk=self.indicator.pk)
        if others.exists():
            raise forms.ValidationError(f"This plan already has an indicator {code}.")
        return code

    def clean_tolerance(self):
        text = self.cleaned_data["tolerance"].strip()
        if not text:
            return None
        value = self._number(text, "tolerance")
        if value < 0:
            raise forms.ValidationError("Enter a tolerance of 0 or more.")
        return value

    def _number(self, text: str, what: str):
        try:
            parsed = parse_value(text)
        except ValueError:
            raise forms.ValidationError(
                f"Enter the {what} as a number, like 75.6 or 1,406."
            ) from None
        if parsed.status != IndicatorValue.Status.VALUE:
            raise forms.ValidationError(f"Enter the {what} as a number.")
        problems = value_out_of_range(parsed.value)
        if problems:
            raise forms.ValidationError(problems[0][0].upper() + problems[0][1:] + ".")
        return parsed.value

    def _lines(self, name: str, *, named: bool) -> list[tuple[str, IndicatorPeriod, object]]:
        """Each line as (comparator, period, number); every bad line is an error by number."""
        found, errors, seen = [], [], set()
        for number, line in enumerate(self.cleaned_data.get(name, "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            where = f"Line {number} ('{line[:40]}')"
            head, colon, figure = line.rpartition(":")
            comparator = ""
            if named:
                comparator, comma, head = head.rpartition(",")
                comparator = " ".join(comparator.split())
                if not comma or not comparator:
                    errors.append(f"{where}: start with whom you compare with and a comma.")
                    continue
            if not colon or not figure.strip():
                errors.append(f"{where}: put a colon and the figure after the period.")
                continue
            try:
                period = IndicatorPeriod.parse(head)
                value = self._number(figure.strip(), "figure")
            except ValueError as error:
                errors.append(f"{where}: {error}")
                continue
            except forms.ValidationError as error:
                errors.append(f"{where}: {error.messages[0]}")
                continue
            if not named and period.period_type != "year":
                errors.append(f"{where}: a target is for a financial year, such as 2019/20.")
                continue
            if len(comparator) > 100:
                errors.append(f"{where}: the comparator's name is longer than 100 characters.")
                continue
            key = (comparator.lower(), period)
            if key in seen:
                errors.append(f"{where}: {period.label} is given twice.")
                continue
            seen.add(key)
            found.append((comparator, period, value))
        if errors:
            self.add_error(name, errors)
        return found

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        if unit == Unit.RATE and not cleaned.get("rate_per"):
            self.add_error("rate_per", "Enter the population the rate is per, such as 100000.")
        if unit != Unit.RATE:
            cleaned["rate_per"] = None
        cleaned["target_rows"] = self._lines("targets", named=False)
        cleaned["comparator_rows"] = self._lines("comparators", named=True)
        return cleaned
