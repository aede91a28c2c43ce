from django import forms
from django.conf import settings

from evidence.filetypes import ACCEPTED_SENTENCE


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Choose a file",
        help_text=f"{ACCEPTED_SENTENCE} Up to {settings.EVIDENCE_MAX_BYTES // 1_048_576} MB. "
        "Macro-enabled Office files are not accepted.",
        # An empty file gets the service's own sentence, like every other refusal.
        allow_empty_file=True,
        error_messages={"required": "Select a file to attach"},
    )

    def add_service_errors(self, errors: dict) -> None:
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)
