from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and board packs"

    def ready(self):
        # plans never imports reporting: reporting plugs into removals, the export and import.
        from plans.personal_data import register_person_removal_hook
        from reporting.services import snapshots_redact_person

        register_person_removal_hook(snapshots_redact_person)
