"""Forms for the plan's structure pages: each kind's fields, its parent and a hidden version."""

from django import forms

from plans.models import Action, Milestone, Outcome, Person, Plan, Priority
from plans.structure import CHILD_KIND, PLAN_PATH, RENUMBER_STYLES, ItemFields

# What an admin types for each kind; dates and RAG move only through updates.
FIELDS = {
    "priority": ["number", "title"],
    "outcome": ["number", "statement", "success_criteria"],
    "action": ["number", "text", "resources", "sources", "timescale"],
    "milestone": ["number", "text", "due_text", "lead"],
}
MODELS = {"priority": Priority, "outcome": Outcome, "action": Action, "milestone": Milestone}
PARENT_LABELS = {
    "outcome": "Priority",
    "action": "Outcome",
    "milestone": "Action",
}
LABELS = {
    "priority": {"title": "Title"},
    "outcome": {"statement": "Outcome", "success_criteria": "Success criteria"},
    "action": {"text": "What will be done", "sources": "Sources", "timescale": "Timescale"},
    "milestone": {"text": "Milestone", "due_text": "Due", "lead": "Lead"},
}
REQUIRED_MESSAGES = {
    "title": "Enter the priority's title",
    "statement": "Enter the outcome",
    "text": "Enter what is to be done",
}


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = str(obj)
        return label if len(label) <= 90 else f"{label[:87]}…"


def plan_items(kind: str, plan: Plan):
    """The live items of ``kind`` in ``plan``, in plan order (the choices for a move)."""
    model = MODELS[kind]
    return model.objects.live().filter(**{PLAN_PATH[kind]: plan})


def parent_kind_of(kind: str) -> str:
    return next(parent for parent, child in CHILD_KIND.items() if child == kind)


class ItemForm(forms.ModelForm):
    """Add or edit one priority, outcome, action or milestone of ``plan``."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind: str, plan: Plan, with_parent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        people = (
            Person.objects.filter(partnership_id=plan.partnership_id, removed_at__isnull=True)
            .select_related("organisation")
            .order_by("name", "pk")
        )
        for name, label in LABELS[kind].items():
            self.fields[name].label = label
        if "due_text" in self.fields:
            self.fields["due_text"].help_text = (
                "As the plan says it, for example 'December 2019' or 'Quarterly'. The due date "
                "itself moves with the lead's updates."
            )
        for name, message in REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message
        if "number" in self.fields:
            self.fields[
                "number"
            ].help_text = (
                "As the plan numbers it, for example 6.3 or a). Other items keep their numbers."
            )
        if "lead" in self.fields:
            self.fields["lead"].queryset = people
            self.fields["lead"].empty_label = "No lead named"
            self.fields["lead"].help_text = "Someone in this partnership"
        if kind == "action":
            self.fields["leads"] = forms.ModelMultipleChoiceField(
                queryset=people,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Leads",
                help_text="Who leads the action; choose from this partnership's people",
            )
            if self.instance.pk:
                self.initial["leads"] = list(self.instance.leads.values_list("pk", flat=True))
        if with_parent and kind in PARENT_LABELS:
            parent_kind = parent_kind_of(kind)
            self.fields["parent"] = ParentChoiceField(
                queryset=plan_items(parent_kind, plan),
                label=PARENT_LABELS[kind],
                help_text=f"Move it to another {parent_kind} of this plan",
                empty_label=None,
                error_messages={"invalid_choice": f"Choose a {parent_kind} of this plan"},
            )
            self.initial.setdefault("parent", getattr(self.instance, f"{parent_kind}_id", None))

    class Meta:
        model = Priority  # replaced per kind by item_form_class
        fields: list[str] = []

    def item_fields(self) -> ItemFields:
        values = {name: self.cleaned_data[name] for name in FIELDS[self.kind]}
        for name, value in values.items():
            if isinstance(value, str):
                values[name] = value.strip()
        leads = list(self.cleaned_data["leads"]) if "leads" in self.fields else None
        return ItemFields(values=values, leads=leads)


def item_form_class(kind: str) -> type[ItemForm]:
    meta = type("Meta", (), {"model": MODELS[kind], "fields": FIELDS[kind]})
    return type(f"{kind.title()}Form", (ItemForm,), {"Meta": meta})


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea,
        label="Why is it being withdrawn?",
        help_text="For example, imported twice, or the board dropped it. Kept in its history.",
        error_messages={"required": "Enter why the item is being withdrawn"},
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RenumberForm(forms.Form):
    style = forms.ChoiceField(
        choices=list(RENUMBER_STYLES.items()),
        widget=forms.RadioSelect,
        label="How should they be numbered?",
        error_messages={"required": "Choose how to number the items"},
    )
