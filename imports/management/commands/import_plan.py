"""Import a legacy plan on the server: the same importer, mapping and findings as the browser.

The mapping used (each heading and the role it was read as) is always printed. Where the
importer is unsure of it, nothing is imported and the command exits non-zero with the
proposed mapping, unless ``--accept-mapping`` is given or ``--map``/``--mapping`` settle it.
"""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from imports.layout import FIELDS, label_key, role_for
from imports.services import (
    mapping_remember,
    mapping_remembered,
    plan_dates_infer,
    plan_file_read,
    plan_import,
)
from plans.formatting import plural
from plans.models import Partnership, Plan


class Command(BaseCommand):
    help = (
        "Import a legacy plan (.xlsx, .xlsm, .xls, .ods, .docx or .csv) into a partnership's "
        "plan, creating either if missing. Prints the mapping and every finding; exits "
        "non-zero when the import is refused or the mapping is uncertain (see --accept-mapping)."
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
        parser.add_argument(
            "--map",
            action="append",
            dest="maps",
            default=[],
            metavar="HEADING=ROLE",
            help="Read the column headed HEADING as ROLE (repeat). Roles: "
            + ", ".join(FIELDS)
            + ".",
        )
        parser.add_argument(
            "--mapping",
            metavar="FILE",
            help="A JSON object of heading to role, or lines of HEADING=ROLE.",
        )
        parser.add_argument(
            "--accept-mapping",
            action="store_true",
            help="Import with the importer's own best guess where it is unsure of a column.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        mapping = self.mapping(options)
        options["mapping_given"] = mapping
        result = self.run(data=data, filename=path.name, options=options)
        if result is None:
            raise CommandError(
                "The mapping is uncertain, so nothing was imported. Check the proposed mapping "
                'above, then run again with --map "Heading=role" for any column to change, '
                "or with --accept-mapping to import with it as it is."
            )
        for finding in result.findings:
            self.stdout.write(f"[{finding.level}] {finding.message}")
        if not result.ok:
            raise CommandError(f"Import refused: {result.refused}")
        self.stdout.write(
            f"Read from the file: {result.parsed.records} (records, however many rows each spans)."
        )
        for change in result.changes:
            self.stdout.write(f"Changed: {change}")
        verb = "Would create" if result.dry_run else "Created"
        created = ", ".join(_counted(count, kind) for kind, count in result.created.items())
        matched = ", ".join(
            _counted(count, kind) for kind, count in result.matched.items() if count
        )
        self.stdout.write(self.style.SUCCESS(f"{verb}: {created}."))
        if matched:
            self.stdout.write(f"Already in the plan, left unchanged: {matched}.")
        return None

    def mapping(self, options) -> dict[str, str]:
        """--mapping FILE then --map options, as {heading: role}; a wrong role is an error."""
        pairs: list[tuple[str, str]] = []
        if options["mapping"]:
            try:
                text = Path(options["mapping"]).read_text(encoding="utf-8-sig")
            except OSError as error:
                raise CommandError(
                    f"Cannot read {options['mapping']}: {error.strerror}."
                ) from error
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                pairs += [(str(k), str(v)) for k, v in loaded.items()]
            else:
                pairs += [
                    tuple(part.strip() for part in line.rsplit("=", 1))
                    for line in text.splitlines()
                    if "=" in line and not line.lstrip().startswith("#")
                ]
        for item in options["maps"]:
            if "=" not in item:
                raise CommandError(f'--map {item!r}: write it as "Heading=role".')
            heading, role = item.rsplit("=", 1)
            pairs.append((heading.strip(), role.strip()))
        mapping = {}
        for heading, role in pairs:
            field_name = role_for(role)
            if field_name is None:
                raise CommandError(
                    f"'{role}' (for the column '{heading}') is not a role we know. Use one of: "
                    + ", ".join(FIELDS)
                    + "."
                )
            mapping[label_key(heading)] = field_name
        return mapping

    def print_mapping(self, parsed):
        self.stdout.write("Mapping used (heading → role):")
        for column in parsed.columns:
            sure = "" if column.confident else "   (uncertain: our best guess)"
            sheets = f" [{', '.join(column.sheets)}]" if len(parsed.sheets) > 1 else ""
            self.stdout.write(f'  "{column.label}={column.field}"{sheets}{sure}')

    def run(self, *, data, filename, options):
        dry_run = options["dry_run"]
        mapping = options["mapping_given"]
        existing = Plan.objects.filter(
            partnership__name=options["partnership"], title=options["plan"]
        ).first()
        if existing is not None:
            first_read = plan_file_read(data=data, filename=filename, sheets=options["sheets"])
            remembered = mapping_remembered(plan=existing, parsed=first_read)
            if remembered:
                self.stdout.write("Using the mapping remembered from this plan's last import.")
                mapping = {**remembered, **mapping}
        parsed = plan_file_read(
            data=data, filename=filename, mapping=mapping, sheets=options["sheets"]
        )
        if not parsed.refused:
            self.print_mapping(parsed)
            if parsed.mapping_uncertain and not options["accept_mapping"]:
                return None
        # Creating the partnership or plan belongs to the same all-or-nothing step.
        with transaction.atomic():
            partnership, _ = Partnership.objects.get_or_create(
                name=options["partnership"],
                defaults={"slug": self.unique_slug(options["partnership"])},
            )
            plan = Plan.objects.filter(partnership=partnership, title=options["plan"]).first()
            if plan is None:
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
                plan=plan,
                data=data,
                filename=filename,
                mapping=mapping,
                sheets=options["sheets"],
                dry_run=dry_run,
            )
            if dry_run or not result.ok:
                transaction.set_rollback(True)
            else:
                mapping_remember(plan=plan, parsed=result.parsed)
        return result

    @staticmethod
    def unique_slug(name: str) -> str:
        base = slugify(name)[:70] or "partnership"
        slug, number = base, 2
        while Partnership.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug


_SINGULAR = {"priorities": "priority", "people": "person"}


def _counted(count: int, kind: str) -> str:
    """``1 priority``, ``2 priorities``: ``kind`` is the plural the import counts by."""
    return plural(count, _SINGULAR.get(kind, kind.removesuffix("s")), kind)
