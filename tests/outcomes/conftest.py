from pathlib import Path

import openpyxl
import pytest

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "rotherham-cypp-2010-positive-contribution.xlsx"
)


def read_sheet_rows(path: Path, sheet: str) -> list[list]:
    """Rows of a sheet as the importer gives them: values, merged ranges filled in."""
    workbook = openpyxl.load_workbook(path)
    worksheet = workbook[sheet]
    rows = [[cell.value for cell in row] for row in worksheet.iter_rows()]
    for merged in worksheet.merged_cells.ranges:
        top_left = worksheet.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                rows[r - 1][c - 1] = top_left
    return rows


@pytest.fixture(scope="session")
def rotherham_rows():
    return read_sheet_rows(FIXTURE, "Performance indicators")
