from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes and indicators"

    def ready(self):
        # plans never imports outcomes: outcomes plugs into the importer and the export.
        from outcomes import selectors
        from outcomes.sheet_import import IndicatorSheetHandler
        from plans.exporting import register_export_section
        from plans.importer.registry import register_sheet_handler

        register_sheet_handler(IndicatorSheetHandler())
        register_export_section("indicators", selectors.indicators_export)
