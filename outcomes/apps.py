from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes and indicators"

    def ready(self):
        # The plan importer asks outcomes to read indicator sheets.
        from outcomes.sheet_import import IndicatorSheetHandler
        from plans.importer.registry import register_sheet_handler

        register_sheet_handler(IndicatorSheetHandler())
