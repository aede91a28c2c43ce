"""Cron: e-mail each lead one digest of what needs their update this quarter or is overdue."""

import os

from django.core.management.base import BaseCommand, CommandError

from plans import services


class Command(BaseCommand):
    help = (
        "E-mail each lead one digest of the milestones that need their update before each "
        "plan's own update deadline or are overdue. Safe to rerun: a lead is sent one digest "
        "per period; a failed send is reported, exits non-zero and is retried on the next "
        "run. Leads with no e-mail address are listed as unreachable."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
            help="The service's address for links in the e-mails (default: $SITE_URL).",
        )

    def handle(self, *args, base_url, **options):
        run = services.reminders_send(base_url=base_url)
        for digest in run.sent:
            self.stdout.write(
                f"Sent {digest.person.email}: {len(digest.milestones)} milestone(s) "
                f"for {digest.person}"
            )
        self.stdout.write(
            f"{len(run.sent)} sent, {run.skipped} already sent this quarter, "
            f"{len(run.failed)} failed, {len(run.unreachable)} unreachable (no e-mail address)."
        )
        for item in run.unreachable:
            self.stdout.write(
                f"Unreachable: {item.person} has {item.milestone_count} milestone(s) to update "
                "and no e-mail address; add one on the People page."
            )
        if run.failed:
            for person, error in run.failed:
                self.stderr.write(f"Could not e-mail {person} at {person.email}: {error}")
            raise CommandError(
                f"{len(run.failed)} reminder(s) could not be sent; they will be retried on the "
                "next run."
            )
