"""Forms of the reporting pages: check what people typed; the rules live in services."""

from datetime import date

from django import forms


class PeriodReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reopening this quarter?",
        help_text="This is kept in the period's history with your name and the time.",
        max_length=2000,
        error_messages={"required": "Enter why the period is being reopened"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the period is being reopened")
        return reason


class PeriodDeadlineForm(forms.Form):
    """The update deadline as GOV.UK's three boxes: deadline-day, deadline-month, deadline-year."""

    deadline_day = forms.CharField(required=False)
    deadline_month = forms.CharField(required=False)
    deadline_year = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        parts = [(data.get(f"deadline_{p}") or "").strip() for p in ("day", "month", "year")]
        if not any(parts):
            raise forms.ValidationError("Enter the update deadline")
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise forms.ValidationError(
                f"The update deadline must include a {' and '.join(missing)}"
            )
        try:
            day, month, year = (int(p) for p in parts)
            deadline = date(year, month, day)
        except ValueError:
            raise forms.ValidationError(
                "The update deadline must be a real date, for example 14 1 2020"
            ) from None
        if not 1990 <= deadline.year <= 2100:
            raise forms.ValidationError("The update deadline must have a four-digit year")
        data["update_deadline"] = deadline
        return data


class PackFilterForm(forms.Form):
    """Which items a pack covers: the whole plan, one priority or one organisation's items."""

    priority = forms.TypedChoiceField(
        label="Priority", coerce=int, required=False, empty_value=None
    )
    organisation = forms.TypedChoiceField(
        label="Organisation", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, priorities, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", "All priorities")] + [
            (p.pk, str(p)) for p in priorities
        ]
        self.fields["organisation"].choices = [("", "All organisations")] + [
            (o.pk, o.name) for o in organisations
        ]
        self.fields["priority"].error_messages["invalid_choice"] = "Select a priority of this plan"
        self.fields["organisation"].error_messages["invalid_choice"] = (
            "Select an organisation of this partnership"
        )
