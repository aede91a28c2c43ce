from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes and indicators"

    def ready(self):
        # plans never imports outcomes: indicators join a plan's audit trail through its hook.
        from django.db.models import Q

        from outcomes.models import Indicator, IndicatorValue
        from outcomes.periods import IndicatorPeriod
        from outcomes.roll_forward import indicators_copy, indicators_preview
        from plans.audit import HistorySource, register_history_source
        from plans.lifecycle import RollForwardHook, register_roll_forward_hook

        register_roll_forward_hook(
            RollForwardHook(preview=indicators_preview, copy=indicators_copy)
        )

        def indicators_of(plan):
            # Historical rows, so an indicator since deleted is still the plan's.
            return Indicator.history.model.objects.filter(plan_id=plan.pk).values("id")

        def indicator_label(record, names):
            label = f"{record.code} {record.definition}".strip()
            return label if len(label) <= 90 else f"{label[:87]}…"

        def value_label(record, names):
            # "Actual for 2019/20 Q2: NI 45 Young offenders in education"
            indicator = names.get((Indicator, record.indicator_id), f"#{record.indicator_id}")
            kind = record.comparator or dict(IndicatorValue.Kind.choices).get(record.kind, "")
            period = IndicatorPeriod(record.year, record.quarter, record.period_type)
            label = f"{kind} for {period.label}: {indicator}"
            return label if len(label) <= 90 else f"{label[:87]}…"

        register_history_source(
            HistorySource(
                kind="indicator",
                model=Indicator,
                columns=("code", "definition"),
                for_plan=lambda plan: Q(plan_id=plan.pk),
                label="Indicators",
                item_label=indicator_label,
                imported=True,
            )
        )
        register_history_source(
            HistorySource(
                kind="indicator_value",
                model=IndicatorValue,
                columns=("note", "comparator"),
                for_plan=lambda plan: Q(indicator_id__in=indicators_of(plan)),
                label="Indicator results and targets",
                item_label=value_label,
                imported=True,
                # The period is in the label ("Actual for 2019/20 Q2"), and never changes.
                hidden=("year", "quarter", "period_type"),
            )
        )
