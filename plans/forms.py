"""Forms: parse and check what people typed; the rules themselves live in plans.services."""

from datetime import date

from django import forms
from django.utils import timezone

from plans import services
from plans.models import RAG, Milestone, Person


class DateInputWidget(forms.Widget):
    """GOV.UK date input: three boxes named ``<name>-day``, ``-month`` and ``-year``."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data, files, name):
        return tuple((data.get(f"{name}-{part}") or "").strip() for part in self.parts)

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part in self.parts)


class DateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages."""

    widget = DateInputWidget

    def __init__(self, *, noun: str, **kwargs):
        self.noun = noun
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, date):
            return (str(value.day), str(value.month), str(value.year))
        return value or ("", "", "")

    def to_python(self, value):
        if isinstance(value, date):
            return value
        if not value or not any(value):
            return None
        day, month, year = value
        names = ("day", "month", "year")
        missing = [name for name, part in zip(names, value, strict=True) if not part]
        if missing:
            raise forms.ValidationError(
                f"{self.noun.capitalize()} must include a {' and '.join(missing)}"
            )
        try:
            result = date(int(year), int(month), int(day))
        except (TypeError, ValueError):
            raise forms.ValidationError(
                f"{self.noun.capitalize()} must be a real date, for example 27 3 2020"
            ) from None
        if result.year < 1990 or result.year > 2100:
            raise forms.ValidationError(
                f"{self.noun.capitalize()} must have a four-digit year, for example 2020"
            )
        return result


class MilestoneUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[
            (RAG.NOT_STARTED, "Not started"),
            (RAG.RED, "Red"),
            (RAG.AMBER, "Amber"),
            (RAG.GREEN, "Green"),
            (RAG.COMPLETE, "Complete"),
        ],
        error_messages={
            "required": "Select the milestone's status",
            "invalid_choice": "Select the milestone's status",
        },
    )
    commentary = forms.CharField(
        label="Progress commentary",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="What has happened since the last update and what happens next. "
        "Needed for Red and Amber and whenever the status changes.",
    )
    due_date = DateField(noun="the due date", label="Due date")
    due_date_reason = forms.CharField(
        label="Why has the due date moved later?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    completed_on = DateField(noun="the completion date", label="Date completed")
    status_reason = forms.CharField(
        label="Why is the status better than the dates suggest?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    no_change = forms.BooleanField(
        label="No change since the last update",
        required=False,
        help_text="Tick this if nothing has moved on: the last commentary stays on show, "
        "marked as confirmed today.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    field_order = [
        "status",
        "commentary",
        "no_change",
        "due_date",
        "due_date_reason",
        "completed_on",
        "status_reason",
    ]

    def __init__(self, *args, milestone: Milestone, **kwargs):
        self.milestone = milestone
        kwargs["initial"] = {
            "status": milestone.status,
            "due_date": milestone.due_date,
            "completed_on": milestone.completed_on,
            "version": milestone.version,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors.get("status") or "version" not in data:
            return data
        errors = services.milestone_update_errors(
            milestone=self.milestone,
            status=data.get("status", ""),
            commentary=data.get("commentary", ""),
            due_date=data.get("due_date"),
            due_date_reason=data.get("due_date_reason", ""),
            completed_on=data.get("completed_on"),
            status_reason=data.get("status_reason", ""),
            today=timezone.localdate(),
            no_change=data.get("no_change", False),
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def suggestion(self):
        """The RAG the dates suggest: from what was typed when valid, else the current dates."""
        due = self.milestone.due_date
        if self.is_bound and self.is_valid():
            due = self.cleaned_data.get("due_date") or due
        return services.rag_suggest(
            due_date=due,
            original_due_date=self.milestone.original_due_date,
            today=timezone.localdate(),
        )

    def error_list(self):
        """(anchor id, message) pairs for the error summary, in the page's order."""
        anchors = {
            "status": "status",
            "due_date": "due_date-day",
            "completed_on": "completed_on-day",
        }
        return [
            (anchors.get(name, f"id_{name}"), message)
            for name in self.fields
            for message in self.errors.get(name, [])
        ]


class MilestoneFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *RAG.choices],
    )


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(
        label="Who should be able to update your milestones?",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the person who will update your milestones",
            "invalid_choice": "Choose a person from the list",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = candidates


class SignInLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address your partnership has for you, usually your work email.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class SendSignInLinkForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Lead",
        queryset=Person.objects.none(),
        empty_label="Choose a lead",
        error_messages={
            "required": "Choose the lead to send a sign-in link to",
            "invalid_choice": "Choose a lead from the list",
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
