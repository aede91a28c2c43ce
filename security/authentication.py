"""Password sign-in with a username or an e-mail address, and the one key lockouts count by.

A typed identifier names an account when it is that account's username, or else when it is
the e-mail address of exactly one active account (compared case-insensitively). An address
that two accounts share names neither: the service never guesses whose password it is, and
the sign-in form asks for the username instead.

django-axes counts failures by ``lockout_key``, so "ken" and "Ken@Yot.example.org" are the
same person to the lockout: switching between the two cannot buy more attempts.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.http import url_has_allowed_host_and_scheme


def accounts_for(identifier: str) -> list:
    """The accounts ``identifier`` may name: its username's, else every active one with that
    e-mail address (none, one, or several when an address is shared)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    User = get_user_model()
    by_username = list(User._default_manager.filter(**{User.USERNAME_FIELD: identifier})[:1])
    if by_username or "@" not in identifier:
        return by_username
    return list(
        User._default_manager.filter(email__iexact=identifier, is_active=True).order_by("pk")[:2]
    )


def account_for(identifier: str):
    """The one account ``identifier`` names, or None (unknown, or an address two share)."""
    accounts = accounts_for(identifier)
    return accounts[0] if len(accounts) == 1 else None


def is_shared_address(identifier: str) -> bool:
    """True when ``identifier`` is an e-mail address that more than one account uses."""
    return len(accounts_for(identifier)) > 1


def lockout_key(request, credentials: dict | None = None) -> str | None:
    """What django-axes counts failures by (AXES_USERNAME_CALLABLE): the named account's
    username, so its address counts against it too; else what was typed, lower-cased, so an
    unknown or shared address cannot be tried in many spellings."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get("username")
    if typed is None:
        return None  # not a password sign-in (a sign-in link): as django-axes itself
    typed = typed.strip()
    account = account_for(typed)
    return account.get_username() if account else typed.lower()


class UsernameOrEmailBackend(ModelBackend):
    """Django's model backend, reached by username or by an address only one account has."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = account_for(username)
        if user is None:
            # As ModelBackend does: hash anyway, so an unknown name costs the same time.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def own_site_path(value: str | None) -> str:
    """``value`` when it is a path on this site ("/my-milestones/?page=2"), else "".

    For ``next`` carried through e-mails and forms: never another site, never a scheme.
    """
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else ""
