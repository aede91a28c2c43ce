from django.apps import AppConfig
from django.conf import settings
from django.core import checks


def mfa_required_check(app_configs, **kwargs):
    """`check --deploy` warns when two-factor sign-in is off (ASVS level 2 asks for it)."""
    if getattr(settings, "MFA_REQUIRED", True):
        return []
    return [
        checks.Warning(
            "MFA_REQUIRED is off: staff, superusers and partnership admins sign in without a "
            "second factor.",
            hint="Remove MFA_REQUIRED=false from the environment (it is on by default).",
            id="mfa.W001",
        )
    ]


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = "Two-factor sign-in"

    def ready(self):
        checks.register(mfa_required_check, checks.Tags.security, deploy=True)
