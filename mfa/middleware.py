"""Nothing but the code pages for an admin who has not given a second factor yet."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from mfa.services import user_has_confirmed_app
from plans.access import has_admin_powers

# Reachable before the code: signing out (the service's and the Django admin's).
ALLOWED_VIEWS = frozenset({"logout", "admin:logout"})


def next_query(request) -> str:
    """``?next=…`` back to a page that was asked for with GET, so nobody loses their place."""
    if request.method != "GET":
        return ""
    return "?" + urlencode({"next": request.get_full_path()})


class MFARequiredMiddleware:
    """Staff, superusers and partnership admins must have given a code in this session.

    Placed after ``OTPMiddleware`` (which reads the verified device from the session) and
    ``LoginRequiredMiddleware``. However they signed in, password or e-mailed link, such a
    person with an authenticator app is sent to give a code, and one without to set one up;
    every page, the Django admin included, waits until then. The public pages (sign-in,
    password reset, sign-in links: ``login_not_required``), the code pages and sign-out stay
    open. Leads and board members are never asked. Off when ``MFA_REQUIRED`` is false.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and (match.namespace == "mfa" or match.view_name in ALLOWED_VIEWS):
            return None
        if user.is_verified() or not has_admin_powers(user):
            return None
        step = "mfa:verify" if user_has_confirmed_app(user) else "mfa:set_up"
        return redirect(reverse(step) + next_query(request))
