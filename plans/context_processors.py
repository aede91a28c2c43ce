from django.conf import settings


def service(request):
    """The service's name for the header; pages add the partnership's own name."""
    return {"service_name": settings.SERVICE_NAME}
