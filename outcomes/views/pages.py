"""Pages that show indicators: the scorecard, an indicator, how judgements are worked out."""

from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from outcomes import selectors
from outcomes.assessment import assess
from outcomes.charts import trend_svg
from outcomes.permissions import enterable_indicator_ids, may_enter_values
from plans.access import is_partnership_admin, partnership_ids_for
from plans.periods import FinancialQuarter


class ScorecardView(TemplateView):
    """The plan's indicators (or one priority's) with their judgements as text and symbol."""

    template_name = "outcomes/scorecard_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = selectors.plan_for_user(user=self.request.user, pk=self.kwargs["plan_pk"])
        priority = None
        if "priority_pk" in self.kwargs:
            priority = selectors.priority_for_plan(plan=plan, pk=self.kwargs["priority_pk"])
        quarter = None
        quarter_text = self.request.GET.get("quarter", "").strip()
        quarter_error = ""
        if quarter_text:
            try:
                quarter = FinancialQuarter.parse(quarter_text)
            except ValueError:
                quarter_error = (
                    f"'{quarter_text}' is not a quarter such as 2019/20 Q3, so the latest "
                    "results are shown."
                )
        rows = selectors.scorecard(plan=plan, priority=priority, quarter=quarter)
        context.update(
            plan=plan,
            priority=priority,
            priorities=list(plan.priorities.live()),
            quarter=quarter,
            quarter_text=quarter_text,
            quarter_error=quarter_error,
            rows=rows,
            threshold=selectors.comparator_threshold(partnership_id=plan.partnership_id),
            is_admin=is_partnership_admin(self.request.user, plan.partnership_id),
            # The upload page refuses everyone else (403): offer it only to who may use it.
            may_upload=enterable_indicator_ids(user=self.request.user, plan=plan) != set(),
        )
        return context


class IndicatorDetailView(TemplateView):
    """One indicator: its latest judgements, a trend chart and the data table beside it."""

    template_name = "outcomes/indicator_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = selectors.indicator_for_user(user=self.request.user, pk=self.kwargs["pk"])
        threshold = selectors.comparator_threshold(partnership_id=indicator.plan.partnership_id)
        values = list(indicator.values.all())
        header, table = selectors.value_table(indicator)
        # trend_svg escapes every text it draws (tests/outcomes prove it).
        chart = mark_safe(trend_svg(indicator=indicator, values=values))  # noqa: S308  # nosec B308 B703
        context.update(
            indicator=indicator,
            plan=indicator.plan,
            assessment=assess(indicator, values, threshold_percent=threshold),
            chart=chart,
            table_header=header,
            table=table,
            may_enter=may_enter_values(user=self.request.user, indicator=indicator),
            is_admin=is_partnership_admin(self.request.user, indicator.plan.partnership_id),
            threshold=threshold,
        )
        return context


class JudgementsHelpView(TemplateView):
    """How on target, direction of travel and comparator judgements are worked out."""

    template_name = "outcomes/judgements_help.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Usually one partnership per user: show its own threshold when there is just one.
        ids = partnership_ids_for(self.request.user)
        thresholds = {selectors.comparator_threshold(partnership_id=pk) for pk in ids}
        context["threshold"] = thresholds.pop() if len(thresholds) == 1 else None
        context["default_threshold"] = selectors.DEFAULT_COMPARATOR_THRESHOLD
        return context
