from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from security.events import on_locked_out, on_logged_in, on_logged_out, on_login_failed


class SecurityConfig(AppConfig):
    """Connects the sign-in signal receivers at start-up (not an app with models)."""

    name = "security"
    label = "security"
    verbose_name = "Security events"

    def ready(self):
        from axes.signals import user_locked_out

        user_login_failed.connect(on_login_failed, dispatch_uid="security.login_failed")
        user_locked_out.connect(on_locked_out, dispatch_uid="security.locked_out")
        user_logged_in.connect(on_logged_in, dispatch_uid="security.logged_in")
        user_logged_out.connect(on_logged_out, dispatch_uid="security.logged_out")
