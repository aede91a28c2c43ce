"""The client's address behind the trusted reverse proxies (lockouts and e-mail limits)."""

from django.conf import settings
from ipware import get_client_ip


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
