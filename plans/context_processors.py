from django.conf import settings
from django.utils.functional import SimpleLazyObject

from plans import selectors


def service(request):
    """The service's name for the header (pages add the partnership's own name), and who is
    signed in: read only when a page shows the header's menu, in one query."""
    context = {"service_name": settings.SERVICE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["signed_in"] = SimpleLazyObject(lambda: selectors.signed_in(user=user))
    return context
