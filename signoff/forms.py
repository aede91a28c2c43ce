"""Forms of the sign-off pages: check what people chose or typed; the rules are in services."""

from django import forms

from plans.forms import GovukRadios
from signoff import selectors


class _MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = selectors.user_name(obj)
        return f"{name} ({obj.email})" if obj.email and obj.email != name else name


class SignoffSettingsForm(forms.Form):
    enabled = forms.TypedChoiceField(
        label="Do partners sign off each quarter before it is closed?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=GovukRadios(
            hints={
                "yes": "Each organisation's signatory signs off their agency's updates, then "
                "the chair signs off the whole. Closing a quarter names any sign-off missing.",
                "no": "Quarters are closed without sign-off.",
            }
        ),
        error_messages={"required": "Select yes if partners sign off each quarter"},
    )
    chair = _MemberChoiceField(
        label="Chair (optional)",
        queryset=selectors.members_for_select(partnership_id=0),
        required=False,
        empty_label="No chair named",
        help_text="The member who signs off the whole quarter once every organisation has.",
        error_messages={"invalid_choice": "Choose the chair from the partnership's members"},
    )

    def __init__(self, *args, partnership_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = selectors.members_for_select(partnership_id=partnership_id)


class SignatoryForm(forms.Form):
    signatory = _MemberChoiceField(
        label="Signatory",
        queryset=selectors.members_for_select(partnership_id=0),
        required=False,
        empty_label="No signatory",
        help_text="A member of the partnership who signs off this organisation's updates "
        "each quarter.",
        error_messages={"invalid_choice": "Choose the signatory from the partnership's members"},
    )

    def __init__(self, *args, partnership_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatory"].queryset = selectors.members_for_select(
            partnership_id=partnership_id
        )


class SignForm(forms.Form):
    """The sign-off button: carries the version the page showed."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why are you withdrawing this sign-off?",
        help_text="This is kept in the sign-off's history with your name and the time.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the sign-off is being withdrawn"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the sign-off is being withdrawn")
        return reason
