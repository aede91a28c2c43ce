"""Rebuild a plan from its JSON export, e.g. when a partnership moves to another server."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portability.json_import import PlanJsonImportError, plan_json_import


class Command(BaseCommand):
    help = (
        "Import a plan exported as JSON (export_plan or 'Download this plan as JSON'): its "
        "hierarchy, leads, every update, indicators, quarters and closed quarters' snapshots. "
        "User accounts are not in the file; people ask for a sign-in link afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file.")
        parser.add_argument(
            "--partnership",
            help="Import into this partnership (created if new) instead of the one in the file.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommandError(
                f"{path} is not a JSON plan export: export the plan again and import that file."
            ) from None
        try:
            plan = plan_json_import(data=data, partnership_name=options["partnership"])
        except PlanJsonImportError as error:
            raise CommandError(str(error)) from None
        milestones = plan.priorities.values("outcomes__actions__milestones").exclude(
            outcomes__actions__milestones=None
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported '{plan.title}' into {plan.partnership.name}: "
                f"{milestones.count()} milestones. Nothing else was changed."
            )
        )
