"""Forms of the reporting pages: check what people typed; the rules live in services."""

from django import forms

from plans.forms import GovukDateField


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
    """The update deadline, typed as GOV.UK's day, month and year boxes."""

    deadline = GovukDateField(noun="the update deadline", label="Update deadline", required=True)

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["deadline"]
        field.label = f"When should leads update by for {period.label}?"
        start, end, deadline = period.start_date, period.end_date, period.update_deadline
        field.help_text = (
            f"The quarter runs from {start.day} {start:%B %Y} to {end.day} {end:%B %Y}. "
            f"For example, {deadline.day} {deadline.month} {deadline.year}"
        )


class BoardMeetingForm(forms.Form):
    """The board and meeting a period's pack is for; both optional, shown on its cover."""

    board_name = forms.CharField(
        label="Board's name (optional)",
        required=False,
        max_length=200,
        help_text="As the cover should say it, for example Children's Trust Board.",
    )
    meeting_date = GovukDateField(
        noun="the meeting date",
        label="Date of the meeting (optional)",
        help_text="For example, 27 1 2020",
    )


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
