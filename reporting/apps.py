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

        # A change to a plan's data makes its current quarter's draft packs due again
        # (reporting.freshness); plans tells us after each commit, once per transaction.
        from plans.data_changes import register_plan_data_hook
        from reporting.freshness import changes_watch, plan_versions_bump

        register_plan_data_hook(plan_versions_bump)
        changes_watch()
