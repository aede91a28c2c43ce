"""Partnership admins add and edit indicators, their targets by year and their comparators.

Admins only (others 403; another partnership's plan or indicator 404); the two-factor rule
for admins (mfa.middleware) applies as on every admin page. Writes in outcomes.services.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.generic import FormView

from outcomes import selectors, services
from outcomes.forms import IndicatorForm
from outcomes.models import IndicatorValue
from plans.access import is_partnership_admin


def _figure(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


class IndicatorFormView(FormView):
    form_class = IndicatorForm
    template_name = "outcomes/indicator_form.html"
    indicator = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.indicator = selectors.indicator_for_user(user=request.user, pk=kwargs["pk"])
            self.plan = self.indicator.plan
        else:
            self.plan = selectors.plan_for_user(user=request.user, pk=kwargs["plan_pk"])
        if not is_partnership_admin(request.user, self.plan.partnership_id):
            raise PermissionDenied("Only partnership admins can add or edit indicators.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plan": self.plan, "indicator": self.indicator}

    def get_initial(self):
        indicator = self.indicator
        if indicator is None:
            return {"polarity": "higher", "unit": "count", "frequency": "annual"}
        values = list(indicator.values.all())
        targets = [
            f"{v.period.label}: {_figure(v.value)}"
            for v in values
            if v.kind == IndicatorValue.Kind.TARGET and v.status == IndicatorValue.Status.VALUE
        ]
        comparators = [
            f"{v.comparator}, {v.period.label}: {_figure(v.value)}"
            for v in values
            if v.kind == IndicatorValue.Kind.COMPARATOR and v.status == IndicatorValue.Status.VALUE
        ]
        initial = {name: getattr(indicator, name) for name in services.INDICATOR_FIELDS}
        initial.update(
            tolerance=_figure(indicator.tolerance),
            outcomes=list(indicator.outcomes.all()),
            targets="\n".join(targets),
            comparators="\n".join(comparators),
        )
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, indicator=self.indicator, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        indicator = services.indicator_save(
            plan=self.plan,
            user=self.request.user,
            data={name: data[name] for name in (*services.INDICATOR_FIELDS, "outcomes")},
            targets=data["target_rows"],
            comparators=data["comparator_rows"],
            indicator=self.indicator,
        )
        verb = "saved" if self.indicator else "added"
        messages.success(self.request, f"Indicator {indicator.code} {verb}.")
        return redirect(indicator.get_absolute_url())
