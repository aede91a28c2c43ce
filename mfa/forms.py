from django import forms


class CodeForm(forms.Form):
    """One code: from the authenticator app, or (on the sign-in step) a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, label: str = "Code", hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].help_text = hint
