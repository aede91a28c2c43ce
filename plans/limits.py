"""Hourly limits on the public forms that send e-mail, counted in the database.

The sign-in link and password reset forms answer anyone, so each is limited per e-mail
address and per client address (``security.addresses.client_ip``, which reads the address the
trusted proxy saw). The counts are kept where every web worker and app server shares them,
so a limit of 3 is 3 however many processes serve the form: in the shared cache (Redis) when
one is configured (``CACHE_IS_SHARED``), as atomic counters that expire an hour after the
first request they count, and otherwise as rows of ``RequestCount`` in the database.
"""

import contextlib
import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from plans.models import RequestCount
from security.addresses import client_ip
from security.events import security_event

WINDOW = timedelta(hours=1)


def _key(kind: str, subject: str) -> str:
    """A keyed hash, so the table holds no e-mail or network address in clear."""
    message = f"{kind}:{subject}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def requests_allow(*, limits: list[tuple[str, str, int]]) -> bool:
    """Count one request against each ``(kind, subject, limit)`` of the last hour; True if
    every count is within its limit. A refused request is not counted, so a flood does not
    grow the table, and the limit reopens an hour after the requests that filled it."""
    if settings.CACHE_IS_SHARED:
        return _cache_requests_allow(limits)
    now = timezone.now()
    cutoff = now - WINDOW
    expired = RequestCount.objects.filter(at__lte=cutoff)
    if expired.exists():
        expired.delete()
    keys = {_key(kind, subject): limit for kind, subject, limit in limits}
    # Insert first (one statement, committed at once), then count: two requests racing for
    # the last place both see each other and both are refused, rather than both let through.
    RequestCount.objects.bulk_create([RequestCount(key=key, at=now) for key in keys])
    counts = dict(
        RequestCount.objects.filter(key__in=keys, at__gt=cutoff)
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    allowed = all(counts.get(key, 0) <= limit for key, limit in keys.items())
    if not allowed:
        RequestCount.objects.filter(key__in=keys, at=now).delete()
    return allowed


def _cache_requests_allow(limits: list[tuple[str, str, int]]) -> bool:
    """The same count in the shared cache: ``incr`` is atomic in Redis, so two servers racing
    for the last place cannot both get it. A counter's hour starts at its first request."""
    keys = {f"limit:{_key(kind, subject)}": limit for kind, subject, limit in limits}
    counts = {}
    timeout = int(WINDOW.total_seconds())
    for key in keys:
        cache.add(key, 0, timeout=timeout)
        try:
            counts[key] = cache.incr(key)
        except ValueError:  # expired between add and incr: this request starts a new hour
            cache.add(key, 1, timeout=timeout)
            counts[key] = 1
    allowed = all(counts[key] <= limit for key, limit in keys.items())
    if not allowed:
        for key in keys:
            with contextlib.suppress(ValueError):  # already expired: nothing to give back
                cache.decr(key)
    return allowed


def email_request_allow(*, request, kind: str, email: str, per_address: int, per_ip: int) -> bool:
    """Whether a public form may send ``kind`` of e-mail to ``email`` for this client now.

    A refusal is logged as ``<kind>_throttled`` (``signin_link_throttled``,
    ``password_reset_throttled``), without the address.
    """
    allowed = requests_allow(
        limits=[
            (f"{kind}:email", email.strip().lower(), per_address),
            (f"{kind}:ip", client_ip(request) or "unknown", per_ip),
        ]
    )
    if not allowed:
        security_event(f"{kind.replace('-', '_')}_throttled", user_id=None)
    return allowed
