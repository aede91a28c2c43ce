"""The legacy-spreadsheet importer: read a workbook or CSV, find the plan in it, build it."""
