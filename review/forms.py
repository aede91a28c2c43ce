"""Forms of the review: parse what admins and leads typed; the rules live in review.services."""

import django_filters
from django import forms
from django.db.models import Q

from plans import selectors as plan_selectors
from plans.models import Action, MilestoneUpdate, Organisation, Priority
from review.services import EMPTY_ANSWER, EMPTY_QUERY


class QueryForm(forms.Form):
    question = forms.CharField(
        label="Your question for the lead",
        widget=forms.Textarea,
        max_length=5000,
        help_text="For example, ‘Please say what happens next and when’.",
        error_messages={
            "required": EMPTY_QUERY,
            "max_length": "Your question must be 5,000 characters or fewer",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea,
        max_length=5000,
        help_text="The admin who asked reads it beside your update.",
        error_messages={
            "required": EMPTY_ANSWER,
            "max_length": "Your answer must be 5,000 characters or fewer",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReviewSettingsForm(forms.Form):
    pack_flags = forms.BooleanField(
        label="Flag updates ‘Not yet reviewed’ and ‘Queried, no answer’ in board packs",
        required=False,
        help_text="Board members then see which updates the coordinator has not accepted.",
    )


class ReviewFilter(django_filters.FilterSet):
    """The review page's filters: priority, organisation and RAG, scoped to one plan."""

    priority = django_filters.ModelChoiceFilter(
        field_name="milestone__action__outcome__priority",
        queryset=Priority.objects.none(),
        label="Priority",
        empty_label="All priorities",
    )
    organisation = django_filters.ModelChoiceFilter(
        method="filter_organisation",
        queryset=Organisation.objects.none(),
        label="Organisation",
        empty_label="All organisations",
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status",
        choices=[(status.value, status.label) for status in plan_selectors.RAG_ORDER],
        label="Status",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )

    class Meta:
        model = MilestoneUpdate
        fields: list[str] = []

    def __init__(self, data=None, *args, plan, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["priority"].queryset = Priority.objects.live().filter(plan=plan)
        self.filters["organisation"].queryset = Organisation.objects.filter(
            partnership_id=plan.partnership_id
        )

    def filter_organisation(self, queryset, name, value):
        # The milestone's own lead's organisation, or one of its action's leads'.
        return queryset.filter(
            Q(milestone__lead__organisation=value)
            | Q(milestone__action__in=Action.objects.filter(leads__organisation=value))
        )
