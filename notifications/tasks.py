"""The worker's side of notifications (django-tasks' database queue; ``db_worker`` runs it)."""

from django_tasks import task

from notifications import services


@task()
def notification_send(*, notification_id: int) -> str:
    """Send one immediate notification, unless it has gone already; what happened."""
    return services.notification_send(notification_id=notification_id)
