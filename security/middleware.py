"""Middleware: refusals logged as security events; headers every response must carry."""

import logging

from django.conf import settings

from security.events import security_event, user_id_of


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
                user_id=user_id_of(getattr(request, "user", None)),
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
