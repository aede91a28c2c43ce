"""Write a plan's whole hierarchy to standard output (JSON), for archives and other tools."""

import json

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from portability.export import plan_export_logged


class Command(BaseCommand):
    help = "Export a plan (priorities, outcomes, actions, milestones, leads, RAG) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True, help="The partnership's name.")
        parser.add_argument("--plan", required=True, help="The plan's title.")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, **options):
        plan = (
            Plan.objects.select_related("partnership")
            .filter(partnership__name=options["partnership"], title=options["plan"])
            .first()
        )
        if plan is None:
            raise CommandError(
                f"No plan '{options['plan']}' in partnership '{options['partnership']}'."
            )
        data = plan_export_logged(plan=plan, user_id=None)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
