from django.core.management.base import BaseCommand

from notifications.services import digests_send


class Command(BaseCommand):
    help = (
        "Send each person who chose a daily digest one e-mail with everything waiting for "
        "them, grouped by kind. Run once a day (cron); running it twice sends nothing new."
    )

    def handle(self, *args, **options):
        run = digests_send()
        self.stdout.write(
            f"Digests sent: {run.sent} ({run.items} notifications); failed: {run.failed} "
            f"(tried again later); skipped, no e-mail address: {run.skipped}."
        )
