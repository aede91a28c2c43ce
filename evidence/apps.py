"""Evidence: files attached to a milestone update, checked, stored and served to members."""

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence on updates"

    def ready(self):
        # plans never imports evidence, yet removing a person must reach the names kept on
        # the files they attached: the hook plans offers a higher app.
        from evidence.services import attachments_redact_person
        from plans.personal_data import register_person_removal_hook

        register_person_removal_hook(attachments_redact_person)
