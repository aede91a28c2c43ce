"""The milestone list's filters: every choice scoped to the user's partnerships.

The filter state lives in the query string, so a filtered, sorted page is a link that can be
shared. Dates are typed as GOV.UK day / month / year boxes (``plans.forms.GovukDateField``).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from plans import selectors
from plans.access import partnership_ids_for
from plans.forms import DATE_PARTS, GovukDateField
from plans.models import RAG, Action, Milestone


class DatePartsFilter(django_filters.DateFilter):
    """A date typed as GOV.UK's day, month and year boxes (plans.forms.GovukDateField)."""

    field_class = GovukDateField


class LabelledChoiceField(forms.ModelChoiceField):
    """A choice whose label says which plan or partnership it belongs to."""

    def __init__(self, *args, label_from=None, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj) if self._label_from else super().label_from_instance(obj)


class LabelledChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LabelledChoiceField


def _priority_label(priority) -> str:
    return f"{priority.plan.title}: {priority}"


def _person_label(person) -> str:
    label = str(person)
    if person.organisation_id:
        label = f"{label}, {person.organisation.name}"
    return label


def _with_date_boxes_renamed(data):
    """The query string with date boxes named as before (``due_from_day``) renamed.

    The boxes were named ``<name>_day`` until the service's date inputs shared one naming
    scheme (``<name>-day``); links people copied and shared then keep their dates.
    """
    if data is None:
        return None
    old = {
        f"{name}_{part}": f"{name}-{part}" for name in ("due_from", "due_to") for part in DATE_PARTS
    }
    if not any(key in data for key in old):
        return data
    data = data.copy()
    for before, after in old.items():
        if before in data and after not in data:
            data[after] = data.pop(before)[-1] if hasattr(data, "getlist") else data.pop(before)
    return data


class MilestoneFilter(django_filters.FilterSet):
    OVERDUE_CHOICES = [("yes", "Overdue"), ("no", "Not overdue")]

    q = django_filters.CharFilter(
        method="filter_text",
        label="Search",
        help_text="Words from the milestone, its action or its outcome",
    )
    plan = django_filters.ModelChoiceFilter(
        field_name="action__outcome__priority__plan",
        queryset=None,
        label="Plan",
        empty_label="All plans",
    )
    priority = LabelledChoiceFilter(
        field_name="action__outcome__priority",
        queryset=None,
        label="Priority",
        empty_label="All priorities",
        label_from=_priority_label,
    )
    lead = LabelledChoiceFilter(
        method="filter_lead",
        queryset=None,
        label="Lead",
        empty_label="All leads",
        label_from=_person_label,
    )
    organisation = django_filters.ModelChoiceFilter(
        method="filter_organisation",
        queryset=None,
        label="Organisation",
        empty_label="All organisations",
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status",
        choices=[(status.value, status.label) for status in selectors.RAG_ORDER],
        label="Status",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # a plain column: no join can repeat a row
    )
    overdue = django_filters.ChoiceFilter(
        method="filter_overdue",
        choices=OVERDUE_CHOICES,
        label="Overdue",
        empty_label="Either",
        widget=forms.RadioSelect,
    )
    due_from = DatePartsFilter(
        field_name="due_date",
        lookup_expr="gte",
        label="Due on or after",
        help_text="For example, 1 4 2019",
        noun="the earliest due date",
    )
    due_to = DatePartsFilter(
        field_name="due_date",
        lookup_expr="lte",
        label="Due on or before",
        help_text="For example, 31 3 2020",
        noun="the latest due date",
    )

    withdrawn = django_filters.ChoiceFilter(
        method="filter_withdrawn",
        choices=[("only", "Only withdrawn milestones")],
        label="Withdrawn",
        empty_label="Leave out withdrawn milestones",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Milestone
        fields: list[str] = []

    def __init__(self, data=None, *args, request=None, partnership_ids=None, **kwargs):
        super().__init__(_with_date_boxes_renamed(data), *args, request=request, **kwargs)
        if partnership_ids is None:
            user = request.user if request is not None else None
            partnership_ids = partnership_ids_for(user) if user is not None else []
        self.partnership_ids = partnership_ids
        options = selectors.filter_options(partnership_ids=self.partnership_ids)
        for name, queryset in options.items():
            self.filters[name].queryset = queryset
        self.today = timezone.localdate()

    def filter_text(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(text__icontains=word)
                | Q(number__icontains=word)
                | Q(lead_text__icontains=word)
                | Q(action__text__icontains=word)
                | Q(action__number__icontains=word)
                | Q(action__outcome__statement__icontains=word)
                | Q(action__outcome__number__icontains=word)
            )
        return queryset

    def filter_lead(self, queryset, name, value):
        # The milestone's own lead, or a lead of its action: both answer for it.
        return queryset.filter(Q(lead=value) | Q(action__in=Action.objects.filter(leads=value)))

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(
            Q(lead__organisation=value)
            | Q(action__in=Action.objects.filter(leads__organisation=value))
        )

    def filter_withdrawn(self, queryset, name, value):
        # Applied by the selector (milestone_list(withdrawn=…)): left out unless asked for.
        return queryset

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_date__lt=self.today) & ~Q(status=RAG.COMPLETE)
        if value == "yes":
            return queryset.filter(overdue)
        if value == "no":
            return queryset.exclude(overdue)
        return queryset
