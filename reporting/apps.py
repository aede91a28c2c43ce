from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and board packs"

    def ready(self):
        # plans never imports reporting, yet a person's removal must reach the names frozen
        # into closed quarters' snapshots: the one hook plans offers a higher app.
        from plans.personal_data import register_person_removal_hook
        from reporting.services import snapshots_redact_person

        register_person_removal_hook(snapshots_redact_person)
