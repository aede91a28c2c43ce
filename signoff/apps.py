"""Sign-off of a reporting period by each partner organisation's signatory and the chair."""

from django.apps import AppConfig


class SignoffConfig(AppConfig):
    name = "signoff"
    verbose_name = "Sign-off of a quarter"

    def ready(self):
        # plans never imports signoff, yet a removed person's name must leave the sign-offs
        # (and an account no longer a member stops signing): the hook plans offers.
        from plans.personal_data import register_person_removal_hook
        from signoff.services import signoffs_redact_person

        register_person_removal_hook(signoffs_redact_person)
