from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and board packs"

    def ready(self):
        # plans never imports reporting: reporting plugs into removals, the export and import.
        from plans.exporting import register_export_section
        from plans.json_import import register_import_section
        from plans.personal_data import register_person_removal_hook
        from reporting.selectors import periods_export
        from reporting.services import periods_json_import, snapshots_redact_person

        register_person_removal_hook(snapshots_redact_person)
        register_export_section("periods", periods_export)
        register_import_section("periods", periods_json_import)
