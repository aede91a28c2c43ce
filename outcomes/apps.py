from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes and indicators"

    def ready(self):
        # plans never imports outcomes: outcomes plugs into the JSON export and import.
        from outcomes import selectors, services
        from plans.exporting import register_export_section
        from plans.json_import import register_import_section

        register_export_section("indicators", selectors.indicators_export)
        register_export_section("indicator_settings", selectors.indicator_settings_export)
        register_import_section("indicators", services.indicators_json_import)
        register_import_section("indicator_settings", services.indicator_settings_json_import)
