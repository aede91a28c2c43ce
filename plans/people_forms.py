"""Forms for people and access: what an admin typed, checked; the rules are in plans.people."""

from django import forms
from django.core.exceptions import ValidationError

from plans.forms import GovukRadios
from plans.models import Membership, Organisation, Person

ROLE_HINTS = {
    Membership.Role.BOARD: "Reads the plan and downloads board packs.",
    Membership.Role.LEAD: "Updates the milestones they lead, and reads the plan.",
    Membership.Role.ADMIN: "Runs the partnership's plans and people. Signs in with a code from "
    "an authenticator app as well as a password.",
}


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: each message on its field if it has one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class PersonForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="As the plan writes it: a person, a job title or a team.",
        error_messages={"required": "Enter the person's name"},
    )
    role_title = forms.CharField(
        label="Role or job title (optional)", max_length=200, required=False
    )
    organisation = forms.ModelChoiceField(
        label="Organisation (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not recorded",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="Where sign-in links and reminders go.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )

    def __init__(self, *args, partnership_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            partnership_id=partnership_id
        )


class OrganisationForm(forms.Form):
    name = forms.CharField(
        label="Name of the organisation",
        max_length=200,
        error_messages={"required": "Enter the organisation's name"},
    )


class OrganisationMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label="Merge into",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation to merge into",
            "invalid_choice": "Choose an organisation from the list",
        },
    )

    def __init__(self, *args, source: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Organisation.objects.filter(
            partnership_id=source.partnership_id
        ).exclude(pk=source.pk)


class ReassignForm(forms.Form):
    successor = forms.ModelChoiceField(
        label="Who takes over?",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose who takes over",
            "invalid_choice": "Choose a person from the list",
        },
    )

    def __init__(self, *args, leaver: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            Person.objects.filter(partnership_id=leaver.partnership_id, removed_at__isnull=True)
            .exclude(pk=leaver.pk)
            .select_related("organisation")
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the email address to send the invitation to",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    name = forms.CharField(label="Their name (optional)", max_length=150, required=False)
    role = forms.ChoiceField(
        label="What will they do?",
        choices=[
            (Membership.Role.BOARD, "Board member"),
            (Membership.Role.LEAD, "Lead"),
            (Membership.Role.ADMIN, "Partnership admin"),
        ],
        widget=GovukRadios(hints=ROLE_HINTS),
        error_messages={
            "required": "Choose what they will do",
            "invalid_choice": "Choose what they will do",
        },
    )
    person = forms.ModelChoiceField(
        label="For a lead: who are they in the plan? (optional)",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="They will update this person's milestones. Only people who cannot sign in "
        "yet are listed.",
        error_messages={"invalid_choice": "Choose a person from the list"},
    )

    def __init__(self, *args, partnership_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            partnership_id=partnership_id, removed_at__isnull=True, user__isnull=True
        ).select_related("organisation")

    def clean(self):
        data = super().clean()
        if data.get("person") and data.get("role") != Membership.Role.LEAD:
            self.add_error("person", "Only a lead is linked to a person in the plan")
        return data


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=InvitationForm.base_fields["role"].choices,
        widget=GovukRadios(hints=ROLE_HINTS),
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role"},
    )


class InvitationAcceptForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={"required": "Enter your name"},
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        help_text="At least 8 characters; not only numbers, not a common password.",
        error_messages={"required": "Choose a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        error_messages={"required": "Type the password again"},
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", "The two passwords are not the same")
        return data
