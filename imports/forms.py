"""Forms of the import journey: upload a file, then check the columns and sheets."""

from pathlib import Path

from django import forms
from django.conf import settings

from imports.layout import FIELDS
from plans.access import partnership_ids_for
from plans.models import Membership, Plan

ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".csv")


class ImportUploadForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        label="Which plan are you importing into?",
        empty_label="Choose a plan",
        error_messages={
            "required": "Select the plan to import into",
            "invalid_choice": "Select the plan to import into",
        },
    )
    file = forms.FileField(
        label="Upload the spreadsheet",
        help_text="An Excel workbook (.xlsx or .xls), an OpenDocument spreadsheet (.ods), a "
        "Word document (.docx) with the plan as a table or as bulleted lists under headings, or "
        "a CSV file, up to "
        f"{settings.IMPORT_MAX_BYTES // 1_048_576} MB.",
        error_messages={
            "required": "Select the spreadsheet to import",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        admin_of = partnership_ids_for(user, roles=(Membership.Role.ADMIN,))
        # An archived plan is read-only: nothing is imported into it.
        self.fields["plan"].queryset = Plan.objects.filter(
            partnership_id__in=admin_of, archived_at__isnull=True
        ).select_related("partnership")
        self.fields["plan"].label_from_instance = lambda plan: (
            f"{plan.title} ({plan.partnership.name})"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                "The selected file must be an Excel workbook (.xlsx or .xls), an OpenDocument "
                "spreadsheet (.ods), a Word document (.docx) or a CSV file (.csv)"
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES // 1_048_576
            raise forms.ValidationError(f"The selected file must be smaller than {limit} MB")
        return upload


class ImportCheckForm(forms.Form):
    """What each heading means, which sheets to read, and the admin's confirmation."""

    sheets = forms.MultipleChoiceField(
        label="Sheets to import",
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": "Select at least one sheet to import"},
    )
    mapping_confirmed = forms.BooleanField(
        required=False, label="I have checked what each column means"
    )

    def __init__(self, *args, columns, sheet_names, uncertain, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        self.uncertain = uncertain
        self.fields["sheets"].choices = [(name, name) for name in sheet_names]
        self.column_fields = []
        for column in columns:
            name = column_field_name(column.key)
            self.fields[name] = forms.ChoiceField(
                label=f"Column headed '{column.label}'",
                choices=list(FIELDS.items()),
                initial=column.field,
                required=False,  # left out, the column keeps the meaning we read it as
                help_text="" if column.confident else "Our best guess: check it",
            )
            self.column_fields.append((self[name], column))

    def clean(self):
        cleaned = super().clean()
        if self.uncertain and not cleaned.get("mapping_confirmed"):
            self.add_error(
                "mapping_confirmed",
                "Check what each column means, then tick the box to confirm it",
            )
        return cleaned

    def mapping(self, previous: dict[str, str]) -> dict[str, str]:
        """``previous`` plus the headings the admin changed (read even if the form has errors).

        Only changes are recorded: a guess the admin left alone stays a guess, to be confirmed.
        """
        mapping = dict(previous)
        for column in self.columns:
            chosen = self.data.get(column_field_name(column.key)) if self.is_bound else None
            if chosen in FIELDS and chosen != column.field:
                mapping[column.key] = chosen
        return mapping

    def chosen_sheets(self) -> list[str]:
        if not self.is_bound:
            return [value for value, _ in self.fields["sheets"].choices]
        names = {value for value, _ in self.fields["sheets"].choices}
        return [name for name in self.data.getlist("sheets") if name in names]


def column_field_name(key: str) -> str:
    """A stable form field name for a heading, so choices survive a re-read of the file."""
    return "column_" + "_".join(key.split())
