"""Read a spreadsheet's indicator table(s) into a plan, using the importer's sheet handler.

The plan importer does this for whole workbooks; this command is for adding indicators to a
plan that already exists: ``manage.py import_indicators --plan 3 path/to/file.xlsx``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from outcomes.sheet_import import IndicatorSheetHandler
from plans.models import Plan
from plans.uploads import UploadRefused, xlsx_bounds_check


def workbook_rows(path: Path) -> dict[str, list[list]]:
    """Each sheet's rows as values, merged ranges filled with their top-left value."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=True)
    sheets = {}
    for worksheet in workbook.worksheets:
        rows = [[cell.value for cell in row] for row in worksheet.iter_rows()]
        for merged in worksheet.merged_cells.ranges:
            top_left = worksheet.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    rows[r - 1][c - 1] = top_left
        sheets[worksheet.title] = rows
    return sheets


class Command(BaseCommand):
    help = "Import performance-indicator tables from an .xlsx file into an existing plan."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--plan", type=int, required=True, help="The plan's id.")
        parser.add_argument("--sheet", help="Only this sheet (default: every indicator table).")
        parser.add_argument("--dry-run", action="store_true", help="Check, but save nothing.")

    def handle(self, *args, path, plan, sheet, dry_run, **options):
        try:
            plan_obj = Plan.objects.get(pk=plan)
        except Plan.DoesNotExist as error:
            raise CommandError(f"There is no plan with id {plan}.") from error
        try:
            xlsx_bounds_check(path.read_bytes())
            sheets = workbook_rows(path)
        except UploadRefused as refusal:
            raise CommandError(f"{path}: {refusal}") from refusal
        except Exception as error:  # openpyxl raises many kinds for a bad file
            raise CommandError(f"{path} could not be read as an .xlsx file: {error}") from error
        handler = IndicatorSheetHandler()
        found = False
        with transaction.atomic():
            for name, rows in sheets.items():
                if sheet and name != sheet:
                    continue
                if not handler.claims(sheet_name=name, rows=rows):
                    continue
                found = True
                counts, findings = handler.import_sheet(
                    plan=plan_obj, sheet_name=name, rows=rows, dry_run=dry_run
                )
                self.stdout.write(
                    f"{name}: {counts['indicators']} indicators, "
                    f"{counts['indicator_values']} values"
                    + (" (dry run: nothing saved)" if dry_run else "")
                )
                for finding in findings:
                    where = f"row {finding.row}" if finding.row else "sheet"
                    self.stdout.write(f"  {finding.level}: {where}: {finding.message}")
                if any(f.level == "error" for f in findings):
                    raise CommandError("The import was refused; nothing was saved.")
        if not found:
            raise CommandError("No indicator table was found in that file.")
