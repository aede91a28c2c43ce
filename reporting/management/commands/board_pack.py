"""Produce a board pack from the command line, e.g. for a scheduled run before the board.

    python manage.py board_pack --partnership "Middlesbrough Children's Trust" \
        --plan "Action Plan 2009" --period "2009/10 Q3" --format pdf --output pack.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Organisation, Plan, Priority, ReportingPeriod
from plans.periods import FinancialQuarter
from reporting.downloads import pack_export
from reporting.packs import FORMATS


class Command(BaseCommand):
    help = "Write a plan's board pack for one reporting period as PDF or Excel."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True, help="The partnership's name.")
        parser.add_argument("--plan", required=True, help="The plan's title.")
        parser.add_argument("--period", required=True, help='A quarter such as "2019/20 Q3".')
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="fmt")
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--priority", help="Only this priority, by its number, e.g. 3.")
        parser.add_argument("--organisation", help="Only items led by this organisation.")

    def handle(self, *args, partnership, plan, period, fmt, output, priority, organisation, **kw):
        found = (
            Plan.objects.filter(partnership__name=partnership, title=plan)
            .select_related("partnership")
            .first()
        )
        if found is None:
            raise CommandError(f"No plan called '{plan}' in a partnership called '{partnership}'.")
        try:
            quarter = FinancialQuarter.parse(period)
        except ValueError as error:
            raise CommandError(str(error)) from None
        reporting_period = (
            ReportingPeriod.objects.filter(plan=found, year=quarter.year, quarter=quarter.quarter)
            .select_related("plan__partnership")
            .first()
        )
        if reporting_period is None:
            raise CommandError(
                f"'{plan}' has no reporting period {quarter.label}; set up its periods first."
            )
        priority_id = None
        if priority:
            priority_id = (
                Priority.objects.filter(plan=found, number=priority)
                .values_list("pk", flat=True)
                .first()
            )
            if priority_id is None:
                raise CommandError(f"'{plan}' has no priority numbered '{priority}'.")
        organisation_id = None
        if organisation:
            organisation_id = (
                Organisation.objects.filter(partnership=found.partnership, name=organisation)
                .values_list("pk", flat=True)
                .first()
            )
            if organisation_id is None:
                raise CommandError(f"'{partnership}' has no organisation called '{organisation}'.")
        pack, content = pack_export(
            period=reporting_period,
            fmt=fmt,
            priority_id=priority_id,
            organisation_id=organisation_id,
        )
        Path(output).write_bytes(content)
        state = "DRAFT from live data" if pack["draft"] else "from the closed quarter's snapshot"
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {output} ({len(content):,} bytes), {quarter.label} {state}.")
        )
