"""The audit trail's filters (plans.audit.AuditFilters) as a GET form: held in the address.

Kept apart from plans.forms, whose forms write; this one only reads the query string.
"""

from datetime import datetime

from django import forms

from plans.audit import AuditFilters, extra_item_choices
from plans.forms import GovukDateField

ITEM_CHOICES = [
    ("", "Any item"),
    ("plan", "The plan itself"),
    ("priority", "Priorities"),
    ("outcome", "Outcomes"),
    ("action", "Actions"),
    ("milestone", "Milestones"),
    ("period", "Quarters (closed and reopened)"),
    ("reminder", "Reminder rounds (from the chase page)"),
]
CHANGE_CHOICES = [
    ("", "Any change"),
    ("created", "Created"),
    ("changed", "Changed"),
    ("deleted", "Deleted"),
    ("status", "RAG status changed (milestones)"),
]


class AuditFilterForm(forms.Form):
    """Who, which item, what kind of change, between which dates. Every field optional."""

    who = forms.ChoiceField(label="Who made the change", required=False)
    item = forms.ChoiceField(label="Kind of item", choices=ITEM_CHOICES, required=False)
    q = forms.CharField(
        label="Item number or words",
        required=False,
        max_length=200,
        help_text="For example, 6.3 or safeguarding",
    )
    change = forms.ChoiceField(label="Kind of change", choices=CHANGE_CHOICES, required=False)
    date_from = GovukDateField(
        label="Changed on or after", help_text="For example, 1 4 2019", noun="the earliest date"
    )
    date_to = GovukDateField(
        label="Changed on or before", help_text="For example, 31 3 2020", noun="the latest date"
    )
    imported = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [*ITEM_CHOICES, *extra_item_choices()]
        self.fields["who"].choices = [
            ("", "Anyone"),
            ("system", "System (imports and commands)"),
            *[(str(pk), name) for pk, name in people],
        ]

    def clean_imported(self):
        text = self.cleaned_data["imported"].strip()
        if not text:
            return None
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError("That import is not one we recorded.") from None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The latest date must be the same as or after the earliest")
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters chosen; none when the form is not valid (the page says why)."""
        if not self.is_bound or not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        who = data["who"]
        return AuditFilters(
            who=int(who) if who.isdigit() else (who or None),
            item=data["item"],
            q=data["q"].strip(),
            change=data["change"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            imported_at=data["imported"],
        )
