"""Security-event logging: failed sign-ins, lockouts, refusals, and events other code reports.

Everything goes to the ``security`` logger as one line of ``key=value`` pairs, with the same
pairs on the record (``record.security_event``, ``record.security_fields``) for handlers that
ship structured logs. Nothing personal is written beyond a user id: no usernames, e-mail
addresses, names or IP addresses (the partnerships record safeguarding work; an information-
governance officer will read these logs).

Other code reports its own events with :func:`security_event`, e.g.::

    security_event("plan_imported", user_id=request.user.pk, plan_id=plan.pk, rows=120)
    security_event("period_closed", user_id=user.pk, period_id=period.pk)
    security_event("board_pack_exported", user_id=user.pk, period_id=period.pk, format="pdf")
"""

import logging
from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.shortcuts import render
from ipware import get_client_ip

logger = logging.getLogger("security")

# Field names that would put personal data in the log; security_event refuses them so a
# mistake fails loudly in tests instead of leaking quietly in production.
PERSONAL_FIELDS = frozenset(
    {
        "username",
        "user",
        "email",
        "e_mail",
        "name",
        "full_name",
        "first_name",
        "last_name",
        "ip",
        "ip_address",
        "remote_addr",
        "user_agent",
        "password",
        "credentials",
    }
)


def _clean(value) -> str:
    """One token per value: control characters escaped (no forged log lines), quoted if spaced."""
    text = str(value)
    quote = not text or any(ch.isspace() or ch in '"=' for ch in text)
    text = "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )
    return '"' + text.replace('"', '\\"') + '"' if quote else text


def security_event(
    name: str, /, *, user_id: int | None = None, level: int = logging.INFO, **fields
):
    """Log security event ``name`` with the acting user's id and non-personal ``fields``."""
    personal = PERSONAL_FIELDS.intersection(fields)
    if personal:
        raise TypeError(
            f"security_event({name!r}) was given personal data ({', '.join(sorted(personal))}); "
            "log ids only."
        )
    pairs = {"event": name, "user_id": user_id, **fields}
    logger.log(
        level,
        " ".join(f"{key}={_clean(value)}" for key, value in pairs.items()),
        extra={"security_event": name, "security_fields": pairs},
    )


def _user_id(user) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def _user_id_for_username(username: str | None) -> int | None:
    """The id of the account a failed sign-in named, so the log never holds the name."""
    if not username:
        return None
    user_model = get_user_model()
    return (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username})
        .values_list("pk", flat=True)
        .first()
    )


class SecurityEventMiddleware:
    """Log every refused request (403) with its path and the user's id.

    Placed near the top of MIDDLEWARE, it sees refusals from views (PermissionDenied), from
    CSRF checks and from any other middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            security_event(
                "permission_denied",
                user_id=_user_id(getattr(request, "user", None)),
                level=logging.WARNING,
                method=request.method,
                path=request.path,
            )
        return response


class PrivateResponseMiddleware:
    """Headers every response carries that the settings of Django and django-csp cannot give.

    ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) turns off browser features the service
    never uses, for it and anything it might embed. Every response to a signed-in user (pages,
    JSON, file downloads, errors) is ``Cache-Control: private, no-store``, so neither a shared
    proxy nor the browser's cache keeps a copy of plan data once the person has gone. Placed
    above the session and authentication middleware, it sees their outcome and every error.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response


def on_login_failed(sender, credentials=None, request=None, **kwargs):
    username = (credentials or {}).get(get_user_model().USERNAME_FIELD)
    user_id = _user_id_for_username(username)
    security_event(
        "sign_in_failed",
        user_id=user_id,
        level=logging.WARNING,
        known_account=user_id is not None,
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    security_event(
        "sign_in_locked_out", user_id=_user_id_for_username(username), level=logging.WARNING
    )


def on_logged_in(sender, request=None, user=None, **kwargs):
    security_event("signed_in", user_id=_user_id(user))


def on_logged_out(sender, request=None, user=None, **kwargs):
    security_event("signed_out", user_id=_user_id(user))


def client_ip(request) -> str | None:
    """The address of the person making the request, as the trusted proxies saw it.

    django-axes (``AXES_CLIENT_IP_CALLABLE``) and the e-mail form limits (``plans.limits``) both
    use this. With ``TRUSTED_PROXY_COUNT`` = 0 it is ``REMOTE_ADDR``. With N proxies in front,
    each appending the address it was reached from to ``X-Forwarded-For``, it is the Nth entry
    from the right, the one the outermost proxy wrote; entries further left came from the
    client and are ignored, so adding some changes nothing. django-ipware counts only the
    proxies listed after the client (N - 1), and is told not to refuse a longer chain (a
    council's own web proxy may add an entry of its own).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    # No proxy, or a request that did not come through them (no or too short a header).
    return request.META.get("REMOTE_ADDR") or None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page: the service's own page, saying how long to wait (429)."""
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    minutes = int(cooloff.total_seconds() // 60) if isinstance(cooloff, timedelta) else None
    return render(request, "403.html", {"locked_out": True, "cooloff_minutes": minutes}, status=429)


def bad_request(request, exception=None):
    """400 (a Host header not in ALLOWED_HOSTS, an interrupted session): the service's page.

    Django's own handler renders 400.html without the request, so the layout would lose the
    service's name; nothing here calls request.get_host(), which raised in the first place.
    """
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: explain what to do, on the service's own page."""
    return render(request, "403.html", {"csrf_failed": True}, status=403)


class SecurityConfig(AppConfig):
    """Connects the sign-in signal receivers at start-up (not an app with models)."""

    name = "config"
    label = "security"
    verbose_name = "Security events"

    def ready(self):
        from axes.signals import user_locked_out

        user_login_failed.connect(on_login_failed, dispatch_uid="security.login_failed")
        user_locked_out.connect(on_locked_out, dispatch_uid="security.locked_out")
        user_logged_in.connect(on_logged_in, dispatch_uid="security.logged_in")
        user_logged_out.connect(on_logged_out, dispatch_uid="security.logged_out")
