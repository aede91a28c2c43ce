from django.core.management.base import BaseCommand

from notifications.services import notifications_due_send


class Command(BaseCommand):
    help = (
        "Try again the notifications whose e-mail failed (with a growing wait, up to "
        "NOTIFICATIONS_MAX_ATTEMPTS) and any whose task was lost. Run every few minutes (cron)."
    )

    def handle(self, *args, **options):
        run = notifications_due_send()
        self.stdout.write(
            f"Sent: {run.sent}; digests sent: {run.digests}; failed: {run.failed}; "
            f"skipped, no e-mail address: {run.skipped}."
        )
