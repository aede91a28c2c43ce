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

from django.contrib.auth import get_user_model

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


def user_id_of(user) -> int | None:
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
    security_event("signed_in", user_id=user_id_of(user))


def on_logged_out(sender, request=None, user=None, **kwargs):
    security_event("signed_out", user_id=user_id_of(user))
