"""Stand-in for the notify branch's ``notify`` (CONTRACTS.md): sends the e-mail at once, on
commit. The integrator keeps the notify branch's real one, of exactly this signature."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction


def notify(
    *,
    user,
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    partnership_id: int | None = None,
) -> None:
    """Tell ``user`` of an event: here, an e-mail sent once the caller's transaction commits."""
    address = getattr(user, "email", "")
    if not address:
        return
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
