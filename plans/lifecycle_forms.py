"""Forms of a plan's life and of chasing: check what admins typed; the rules live in
``plans.lifecycle`` and ``plans.chasing``."""

from django import forms

from plans.chasing import MESSAGE_MAX
from plans.forms import GovukDateField


def _stripped_required(message: str):
    def clean(value: str) -> str:
        value = (value or "").strip()
        if not value:
            raise forms.ValidationError(message)
        return value

    return clean


def owner_label(user) -> str:
    """How an account is named in the owner list: its full name, else its username."""
    name = user.get_full_name().strip()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class PlanForm(forms.Form):
    """A plan's title, dates and description (creating, editing, or next year's plan)."""

    partnership = forms.TypedChoiceField(
        label="Which partnership is the plan for?",
        coerce=int,
        error_messages={
            "required": "Select the partnership the plan is for",
            "invalid_choice": "Select the partnership the plan is for",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=250,
        help_text="As the partnership calls it, for example 'Action Plan 2026/27'.",
        error_messages={
            "required": "Enter the plan's title",
            "max_length": "The title must be 250 characters or fewer",
        },
    )
    start_date = GovukDateField(
        noun="the start date",
        label="Start date",
        required=True,
        help_text="The first day the plan covers, for example 1 4 2026",
    )
    end_date = GovukDateField(
        noun="the end date",
        label="End date",
        required=True,
        help_text="The last day the plan covers, for example 31 3 2027",
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"max_length": "The description must be 5,000 characters or fewer"},
    )

    owner = forms.TypedChoiceField(
        label="Owner (optional)",
        help_text="The person who answers for this plan. They are e-mailed when a milestone "
        "goes Red. With no owner, the partnership's admins are.",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "invalid_choice": "Select a member of the partnership as the plan's owner",
        },
    )

    def __init__(self, *args, partnerships=None, with_description=True, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", "No owner")] + [
                (user.pk, owner_label(user)) for user in owners
            ]
        partnerships = list(partnerships or [])
        if len(partnerships) > 1:
            self.fields["partnership"].choices = [("", "Choose a partnership")] + [
                (p.pk, p.name) for p in partnerships
            ]
        else:
            del self.fields["partnership"]
            self.only_partnership = partnerships[0] if partnerships else None
        if not with_description:
            del self.fields["description"]

    def clean_title(self):
        return _stripped_required("Enter the plan's title")(self.cleaned_data["title"])


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label="Why are you archiving this plan? (optional)",
        help_text="Kept in the plan's history with your name and the time.",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )


class UnarchiveForm(forms.Form):
    reason = forms.CharField(
        label="Why are you unarchiving this plan?",
        help_text="Kept in the plan's history with your name and the time.",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Enter why the plan is being unarchived",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean_reason(self):
        return _stripped_required("Enter why the plan is being unarchived")(
            self.cleaned_data["reason"]
        )


class ReminderRoundForm(forms.Form):
    message = forms.CharField(
        label="Your message (optional)",
        help_text="Shown at the top of every lead's email, above their milestones.",
        required=False,
        widget=forms.Textarea,
        max_length=MESSAGE_MAX,
        error_messages={
            "max_length": f"The message must be {MESSAGE_MAX:,} characters or fewer",
        },
    )
