"""Forms for entering indicator results. Validation here; writes in outcomes.services."""

from django import forms

from outcomes.csv_values import value_out_of_range
from outcomes.formatting import parse_value
from outcomes.models import IndicatorValue
from outcomes.periods import IndicatorPeriod


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
