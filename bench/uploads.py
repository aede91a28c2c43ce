"""Hostile and large uploads, generated here, and what each costs the process that reads it.

``python -m bench.uploads`` reads every file in a fresh subprocess through
``plan_file_read`` (what the upload page does) and prints wall time and peak resident
memory (``resource.getrusage(...).ru_maxrss``, which includes Python and Django, about
70 MB before the file). Not a CI test: tests/security/test_upload_bounds.py checks the
refusals; the figures go in docs/security.md.
"""

import io
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"


def _workbook(zf: zipfile.ZipFile, sheets: int, *, shared: bool = False) -> None:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
        for n in range(1, sheets + 1)
    )
    if shared:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
    zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides))
    zf.writestr(
        "_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
    )
    zf.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        + "".join(
            f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, sheets + 1)
        )
        + "</sheets></workbook>",
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    if shared:
        rels += f'<Relationship Id="rId{sheets + 1}" Type="{REL}/sharedStrings" '
        rels += 'Target="sharedStrings.xml"/>'
    zf.writestr(
        "xl/_rels/workbook.xml.rels",
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>",
    )


def dense_parts_workbook(parts: int = 20, part_bytes: int = 5 * 1024 * 1024 - 4096) -> bytes:
    """Twenty parts just under 5 MB of dense ``<c><v>1</v></c>`` cells: about 447 KB zipped."""
    row = "<row>" + "<c><v>1</v></c>" * 1000 + "</row>"
    body = SHEET_HEAD + row * ((part_bytes - len(SHEET_HEAD) - len(SHEET_TAIL)) // len(row))
    body = (body + SHEET_TAIL).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _workbook(zf, parts)
        for n in range(1, parts + 1):
            zf.writestr(f"xl/worksheets/sheet{n}.xml", body)
    return out.getvalue()


def varied_cells_workbook(cells: int = 200_000, seed: int = 1) -> bytes:
    """Dense cells with varied numbers and references: zips like a real sheet (about 8x)."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _workbook(zf, 1)
        with zf.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(SHEET_HEAD.encode())
            columns = 20
            for r in range(1, cells // columns + 1):
                part.write(
                    (
                        f'<row r="{r}">'
                        + "".join(
                            f'<c r="{_letters(c)}{r}"><v>{rng.randint(0, 10**6)}</v></c>'
                            for c in range(1, columns + 1)
                        )
                        + "</row>"
                    ).encode()
                )
            part.write(SHEET_TAIL.encode())
    return out.getvalue()


def long_cells_workbook(cells: int = 4_800, length: int = 32_760, seed: int = 1) -> bytes:
    """``cells`` inline strings of ``length`` characters, each a random phrase repeated."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    words = ["plan", "board", "youth", "safety", "review", "partner", "health", "school"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _workbook(zf, 1)
        with zf.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(SHEET_HEAD.encode())
            for r in range(1, cells + 1):
                phrase = " ".join(rng.choice(words) for _ in range(200)) + " "
                text = (phrase * (length // len(phrase) + 1))[:length]
                cell = f'<c r="A{r}" t="inlineStr"><is><t>{text}</t></is></c>'
                part.write(f'<row r="{r}">{cell}</row>'.encode())
            part.write(SHEET_TAIL.encode())
    return out.getvalue()


def shared_long_string_workbook(cells: int = 4_800, length: int = 32_760) -> bytes:
    """One shared string of ``length`` characters used by ``cells`` cells: a few KB zipped."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _workbook(zf, 1, shared=True)
        zf.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1">'
            f"<si><t>{'long text ' * (length // 10)}</t></si></sst>",
        )
        rows = "".join(
            f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, cells + 1)
        )
        zf.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + rows + SHEET_TAIL)
    return out.getvalue()


def many_cells_csv(megabytes: float = 9.9) -> bytes:
    """About 10 MB of CSV: 100 one-digit cells a line, some 5 million cells."""
    line = ",".join(["1"] * 100) + "\n"
    return ("Issue,Action,By when,Who\n" + line * int(megabytes * 1_000_000 / len(line))).encode()


def long_cells_csv(megabytes: float = 9.9, length: int = 32_000) -> bytes:
    """About 10 MB of CSV in cells of ``length`` characters (under Excel's cell limit)."""
    cell = "x" * length
    lines = int(megabytes * 1_000_000 / (length + 40))
    body = "".join(f'"{n}. Outcome","{n}.1 {cell}",March 2020,Officer\n' for n in range(lines))
    return ("Issue,Action,By when,Who\n" + body).encode()


def plan_rows_csv(rows: int) -> bytes:
    """A plan-shaped CSV that imports: outcomes of five actions, dates, leads, progress."""
    lines = ["Issue,Action,By when,Who,Progress"]
    for n in range(rows):
        outcome, action = n // 500 + 1, n // 5 + 1
        lines.append(
            f"{outcome}. Outcome number {outcome},{outcome}.{action} Action number {action},"
            f"March 2020,Officer {n % 40},{'On track' if n % 50 == 0 else ''}"
        )
    return "\n".join(lines).encode()


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


CASES = {
    "20 parts of just under 5 MB, dense <c><v>1</v></c> (xlsx)": (dense_parts_workbook, "xlsx"),
    "200,000 varied numeric cells (xlsx)": (varied_cells_workbook, "xlsx"),
    "4,800 cells of 32,760 characters (xlsx)": (long_cells_workbook, "xlsx"),
    "2,400 cells of 32,760 characters (xlsx)": (lambda: long_cells_workbook(2_400), "xlsx"),
    "one 32,760-character shared string in 4,800 cells (xlsx)": (
        shared_long_string_workbook,
        "xlsx",
    ),
    "about 10 MB of CSV, 5 million one-digit cells": (many_cells_csv, "csv"),
    "about 10 MB of CSV in 32,000-character cells": (long_cells_csv, "csv"),
    "accepted: plan CSV of 10,000 rows": (lambda: plan_rows_csv(10_000), "csv"),
    "accepted: 115,000 varied numeric cells (xlsx; read, then no plan table)": (
        lambda: varied_cells_workbook(115_000),
        "xlsx",
    ),
    "accepted: legacy workbook of 2,000 rows (bench/legacy.py)": ("legacy", "xlsx"),
}

CHILD = """
import os, sys, time, resource
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django; django.setup()
from imports.services import plan_file_read
import openpyxl  # imported before the clock starts, as in a warm web process
path, name = sys.argv[1], sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
data = open(path, "rb").read()
start = time.perf_counter()
parsed = plan_file_read(data=data, filename=name)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{took:.2f}|{peak:.0f}|{before:.0f}|{parsed.refused or 'accepted'}")
"""


def measure(name: str, data: bytes, suffix: str) -> tuple[float, float, float, str]:
    with tempfile.NamedTemporaryFile(suffix=f".{suffix}") as handle:
        handle.write(data)
        handle.flush()
        output = subprocess.run(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", CHILD, handle.name, f"upload.{suffix}"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.strip()
    took, peak, before, outcome = output.rsplit("\n", 1)[-1].split("|", 3)
    return float(took), float(peak), float(before), outcome


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    print("| file | size | outcome | time | peak RSS (before reading) |")
    print("|---|---:|---|---:|---:|")
    for name, (make, suffix) in CASES.items():
        if make == "legacy":
            from bench.legacy import legacy_workbook

            data = legacy_workbook(2_000)
        else:
            data = make()
        took, peak, before, outcome = measure(name, data, suffix)
        short = outcome if outcome == "accepted" else "refused: " + outcome.split(",")[0][:70]
        print(
            f"| {name} | {len(data) / 1_048_576:.2f} MB | {short} | {took:.2f} s "
            f"| {peak:.0f} MB ({before:.0f}) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
