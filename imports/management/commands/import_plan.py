"""Import a legacy plan spreadsheet on the server: the same importer and findings as the browser."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from imports.services import plan_dates_infer, plan_file_read, plan_import
from plans.models import Partnership, Plan


class Command(BaseCommand):
    help = (
        "Import a legacy plan (.xlsx or .csv) into a partnership's plan, creating either if "
        "missing. Prints every finding; exits non-zero when the import is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the .xlsx or .csv file.")
        parser.add_argument("--partnership", required=True, help="The partnership's name.")
        parser.add_argument("--plan", required=True, help="The plan's title.")
        parser.add_argument("--dry-run", action="store_true", help="Check, write nothing.")
        parser.add_argument(
            "--sheet", action="append", dest="sheets", help="Import only this sheet (repeat)."
        )
        parser.add_argument("--start", type=date.fromisoformat, help="New plan's first day.")
        parser.add_argument("--end", type=date.fromisoformat, help="New plan's last day.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        result = self.run(data=data, filename=path.name, options=options)
        for finding in result.findings:
            self.stdout.write(f"[{finding.level}] {finding.message}")
        if not result.ok:
            raise CommandError(f"Import refused: {result.refused}")
        verb = "Would create" if result.dry_run else "Created"
        created = ", ".join(f"{count} {kind}" for kind, count in result.created.items())
        matched = ", ".join(f"{count} {kind}" for kind, count in result.matched.items() if count)
        self.stdout.write(self.style.SUCCESS(f"{verb}: {created}."))
        if matched:
            self.stdout.write(f"Already in the plan, left unchanged: {matched}.")
        return None

    def run(self, *, data, filename, options):
        dry_run = options["dry_run"]
        # Creating the partnership or plan belongs to the same all-or-nothing step.
        with transaction.atomic():
            partnership, _ = Partnership.objects.get_or_create(
                name=options["partnership"],
                defaults={"slug": self.unique_slug(options["partnership"])},
            )
            plan = Plan.objects.filter(partnership=partnership, title=options["plan"]).first()
            if plan is None:
                parsed = plan_file_read(data=data, filename=filename, sheets=options["sheets"])
                start, end = plan_dates_infer(parsed=parsed)
                plan = Plan.objects.create(
                    partnership=partnership,
                    title=options["plan"],
                    start_date=options["start"] or start,
                    end_date=options["end"] or end,
                )
                self.stdout.write(
                    f"New plan '{plan.title}' covering {plan.start_date:%-d %B %Y} to "
                    f"{plan.end_date:%-d %B %Y}."
                )
            result = plan_import(
                plan=plan, data=data, filename=filename, sheets=options["sheets"], dry_run=dry_run
            )
            if dry_run or not result.ok:
                transaction.set_rollback(True)
        return result

    @staticmethod
    def unique_slug(name: str) -> str:
        base = slugify(name)[:70] or "partnership"
        slug, number = base, 2
        while Partnership.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug
