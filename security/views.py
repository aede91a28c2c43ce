"""The service's own pages for a lockout (429), a bad request (400) and a failed CSRF check."""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import render


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
