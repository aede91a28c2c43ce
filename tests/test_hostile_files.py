"""A corpus of malformed and hostile uploads, generated here: each is refused or imported.

Every file goes through ``plan_import`` (the path the upload page and the command use) and
must either be refused with a sentence the admin can act on, leaving the database exactly
as it was, or be imported whole, with the counts the result reports. Each must finish
within a time and a memory bound, and none may raise (which would be a server error).

Some files are *must refuse* (an entity attack, a zip bomb, an empty file); for the rest
either outcome is right as long as it is one of the two, whole.
"""

import io
import random
import select
import socket
import struct
import time
import tracemalloc
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from imports.services import plan_file_read, plan_import
from plans.models import Action, Milestone, MilestoneUpdate, Organisation, Outcome, Person, Priority
from tests import factories

FIXTURE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "middlesbrough-action-plan-2009.xlsx"
)

SECONDS = 10  # per file, whole import, on a shared two-core machine; most take milliseconds
PEAK_MB = 200  # Python allocations while reading one file (tracemalloc, a second pass)

REFUSE, EITHER = "refused", "either"

MODELS = {
    "priorities": Priority,
    "outcomes": Outcome,
    "actions": Action,
    "milestones": Milestone,
    "updates": MilestoneUpdate,
    "people": Person,
    "organisations": Organisation,
}


@dataclass
class Hostile:
    name: str
    data: bytes
    filename: str
    expect: str = EITHER


# --- Building blocks --------------------------------------------------------------------------

HEADER = ["Outcome", "Action", "By when", "Who", "Progress"]
ROWS = [
    ["1. Fewer young people offend", "1.1 Run the triage scheme", "March 2020", "YOT", "On track"],
    ["1. Fewer young people offend", "1.2 Review bail support", "December 2019", "YOT", "Red"],
    ["2. Safer schools", "2.1 Train designated leads", "Summer 2019", "LA", "Complete"],
]


def csv_bytes(rows=None, *, header=HEADER, sep=",", end="\n", encoding="utf-8") -> bytes:
    def cell(value):
        text = str(value)
        return (
            f'"{text.replace(chr(34), chr(34) * 2)}"'
            if any(c in text for c in f'{sep}"\n\r')
            else text
        )

    lines = [sep.join(cell(v) for v in row) for row in [header, *(ROWS if rows is None else rows)]]
    return end.join(lines).encode(encoding)


def xlsx_bytes(rows=None, *, header=HEADER, sheets=1) -> bytes:
    workbook = openpyxl.Workbook()
    for index in range(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = f"Plan {index + 1}"
        sheet.append(header)
        for row in ROWS if rows is None else rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zip_of(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_with(replace: dict[str, bytes | None], base: bytes | None = None) -> bytes:
    """A valid workbook with some parts replaced (None removes the part)."""
    members = members_of(base or xlsx_bytes())
    for name, content in replace.items():
        if content is None:
            members.pop(name, None)
        else:
            members[name] = content
    return zip_of(members)


def sheet_xml(body: str, *, prolog: str = "", dimension: str = "A1:E4") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"{prolog}"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def inline_row(number: int, values: list[str], *, first_column: int = 1) -> str:
    cells = "".join(
        f'<c r="{_letters(first_column + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def plan_sheet_rows(extra: str = "") -> str:
    rows = [inline_row(1, HEADER)] + [inline_row(n + 2, row) for n, row in enumerate(ROWS)]
    return "".join(rows) + extra


SHEET = "xl/worksheets/sheet1.xml"

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)


def with_entity_in(part: str, *, prolog: str, reference: str) -> bytes:
    """Put a DOCTYPE before the root element of ``part`` and a reference inside it."""
    members = members_of(xlsx_bytes())
    text = members[part].decode()
    root = text.index("<", text.index("?>") if text.startswith("<?") else 0)
    root_end = text.index(">", root) + 1
    members[part] = (
        text[:root] + prolog + text[root:root_end] + reference + text[root_end:]
    ).encode()
    return zip_of(members)


def patched_sizes(data: bytes, *, file_size: int) -> bytes:
    """Rewrite every central-directory entry's uncompressed size (a lying archive)."""
    out = bytearray(data)
    position = out.find(b"PK\x01\x02")
    while position != -1:
        struct.pack_into("<I", out, position + 24, file_size)
        position = out.find(b"PK\x01\x02", position + 4)
    return bytes(out)


def zeros_member(megabytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members_of(xlsx_bytes()).items():
            if name != SHEET:
                archive.writestr(name, content)
        with archive.open(SHEET, "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


def mutated(data: bytes, *, seed: int, flips: int) -> bytes:
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


# --- The corpus -------------------------------------------------------------------------------


def corpus() -> list[Hostile]:
    real = FIXTURE.read_bytes()
    valid_xlsx = xlsx_bytes()
    cases = [
        # Empty and nearly empty
        Hostile("empty .xlsx", b"", "plan.xlsx", REFUSE),
        Hostile("empty .csv", b"", "plan.csv", REFUSE),
        Hostile("whitespace-only csv", b"  \n\n \t \r\n", "plan.csv", REFUSE),
        Hostile("byte-order mark only", b"\xef\xbb\xbf", "plan.csv", REFUSE),
        Hostile("header row only", csv_bytes([]), "plan.csv", REFUSE),
        # Truncated and damaged archives
        *[
            Hostile(
                f"real workbook truncated to {p}%", real[: len(real) * p // 100], "m.xlsx", REFUSE
            )
            for p in (1, 10, 50, 90, 99)
        ],
        Hostile("end-of-archive record cut off", real[:-22], "m.xlsx", REFUSE),
        *[
            Hostile(
                f"real workbook with {n} random bytes changed (seed {s})",
                mutated(real, seed=s, flips=n),
                "m.xlsx",
            )
            for s, n in ((1, 1), (2, 5), (3, 50), (4, 500), (5, 5000))
        ],
        # Zip bombs and lying archives
        Hostile("zip bomb: 60 MB of spaces as the sheet", zeros_member(60), "bomb.xlsx", REFUSE),
        Hostile(
            "declared sizes of 4 GB per part",
            patched_sizes(valid_xlsx, file_size=0xFFFFFFF0),
            "liar.xlsx",
            REFUSE,
        ),
        Hostile(
            "declared sizes of 1 byte per part",
            patched_sizes(valid_xlsx, file_size=1),
            "liar.xlsx",
            REFUSE,
        ),
        Hostile(
            "3,000 parts",
            xlsx_with({f"xl/junk/{n}.bin": b"x" for n in range(3000)}),
            "many.xlsx",
            REFUSE,
        ),
        Hostile(
            "a zip that is not a workbook", zip_of({"readme.txt": b"hello"}), "plan.xlsx", REFUSE
        ),
        Hostile("workbook part missing", xlsx_with({"xl/workbook.xml": None}), "plan.xlsx", REFUSE),
        Hostile("sheet part missing", xlsx_with({SHEET: None}), "plan.xlsx", REFUSE),
        Hostile(
            "a workbook inside the sheet part", xlsx_with({SHEET: valid_xlsx}), "plan.xlsx", REFUSE
        ),
        Hostile(
            "stored (uncompressed) workbook",
            zip_of(members_of(valid_xlsx), compression=zipfile.ZIP_STORED),
            "plan.xlsx",
        ),
        # Not what the name says
        Hostile(
            "HTML table saved as .xlsx",
            b"<html><body><table><tr><td>Action</td><td>Who</td></tr></table></body></html>",
            "plan.xlsx",
            REFUSE,
        ),
        Hostile("CSV named .xlsx", csv_bytes(), "plan.xlsx", REFUSE),
        Hostile("workbook named .csv", valid_xlsx, "plan.csv"),
        Hostile(
            "old .xls (OLE) file",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "plan.xls",
            REFUSE,
        ),
        Hostile(
            "password-protected workbook (OLE container) named .xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4,
            "plan.xlsx",
            REFUSE,
        ),
        Hostile(
            "PDF named .csv",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
            "plan.csv",
            REFUSE,
        ),
        Hostile("PNG named .xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "plan.xlsx", REFUSE),
        Hostile("random bytes named .xlsx", random.Random(7).randbytes(4096), "plan.xlsx", REFUSE),
        Hostile("random bytes named .csv", random.Random(8).randbytes(4096), "plan.csv"),
        Hostile("unknown extension", csv_bytes(), "plan.docx", REFUSE),
        # XML attacks (defusedxml must stop every one)
        Hostile(
            "billion laughs in the sheet",
            with_entity_in(SHEET, prolog=LAUGHS, reference=""),
            "laughs.xlsx",
            REFUSE,
        ),
        Hostile(
            "billion laughs in the styles",
            with_entity_in("xl/styles.xml", prolog=LAUGHS, reference=""),
            "laughs.xlsx",
            REFUSE,
        ),
        Hostile(
            "billion laughs in the workbook",
            with_entity_in("xl/workbook.xml", prolog=LAUGHS, reference=""),
            "laughs.xlsx",
            REFUSE,
        ),
        Hostile(
            "external entity reading /etc/passwd",
            with_entity_in(
                "docProps/core.xml",
                prolog='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                reference="",
            ),
            "xxe.xlsx",
            REFUSE,
        ),
        Hostile(
            "external DTD fetched over the network",
            with_entity_in(
                "[Content_Types].xml",
                prolog='<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">',
                reference="",
            ),
            "dtd.xlsx",
        ),
        Hostile(
            "parameter entity",
            with_entity_in(
                SHEET,
                prolog='<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
                reference="",
            ),
            "pe.xlsx",
            REFUSE,
        ),
        Hostile(
            "100,000 nested elements",
            xlsx_with(
                {
                    SHEET: sheet_xml(plan_sheet_rows(), dimension="A1:E4").replace(
                        b"<sheetData>", b"<sheetData>" + b"<x>" * 100_000 + b"</x>" * 100_000, 1
                    )
                }
            ),
            "deep.xlsx",
        ),
        # Sizes: rows, columns, cells, sheets
        Hostile(
            "declared range of a million empty rows",
            xlsx_with({SHEET: sheet_xml(plan_sheet_rows(), dimension="A1:XFD1048576")}),
            "million.xlsx",
        ),
        Hostile(
            "one cell in the last row of the sheet",
            xlsx_with(
                {
                    SHEET: sheet_xml(
                        plan_sheet_rows(inline_row(1_048_576, ["x"])), dimension="A1:E1048576"
                    )
                }
            ),
            "lastrow.xlsx",
            REFUSE,
        ),
        Hostile(
            "one cell in the last column (XFD)",
            xlsx_with(
                {SHEET: sheet_xml(plan_sheet_rows(inline_row(5, ["x"], first_column=16384)))}
            ),
            "lastcol.xlsx",
        ),
        Hostile("60,000 empty CSV rows", csv_bytes([[""] * 5] * 60_000), "empty-rows.csv", REFUSE),
        Hostile(
            "a 32,767-character cell",
            xlsx_bytes([*ROWS, ["3. Long", "3.1 " + "x" * 32_760, "", "", ""]]),
            "long.xlsx",
        ),
        Hostile(
            "a 5 MB CSV cell",
            csv_bytes([*ROWS, ["3. Long", "3.1 " + "y" * 5_000_000, "", "", ""]]),
            "huge-cell.csv",
        ),
        Hostile(
            "a CSV one byte over the size limit",
            b"a" * (settings.IMPORT_MAX_BYTES + 1),
            "big.csv",
            REFUSE,
        ),
        Hostile(
            "16,384 columns",
            csv_bytes(header=HEADER + [f"C{n}" for n in range(16_379)]),
            "wide.csv",
        ),
        Hostile("200 sheets", xlsx_bytes(sheets=200), "sheets.xlsx"),
        # Formulas and cell types
        Hostile(
            "formulas in workbook cells",
            xlsx_bytes(
                [
                    *ROWS,
                    [
                        "3. F",
                        '=HYPERLINK("http://evil.example","click")',
                        "=1+1",
                        "=cmd|' /C calc'!A0",
                        "=NOW()",
                    ],
                ]
            ),
            "formulas.xlsx",
        ),
        Hostile(
            "formula-like text in CSV cells",
            csv_bytes(
                [
                    *ROWS,
                    ["3. F", "3.1 =1+1", "+1+2", "-3+4", "@SUM(A1)"],
                    ["4. G", "=2+2", "\t=1", "\r=1", ""],
                ]
            ),
            "formulas.csv",
        ),
        Hostile(
            "shared-string reference without a shared-string table",
            xlsx_with(
                {
                    SHEET: sheet_xml(
                        plan_sheet_rows('<row r="9"><c r="A9" t="s"><v>99999</v></c></row>')
                    )
                }
            ),
            "sst.xlsx",
        ),
        Hostile(
            "date-styled cell holding 1e308",
            xlsx_with(
                {
                    SHEET: sheet_xml(
                        plan_sheet_rows('<row r="9"><c r="C9" s="1"><v>1e308</v></c></row>')
                    )
                }
            ),
            "date.xlsx",
        ),
        Hostile(
            "error and boolean cell types",
            xlsx_with(
                {
                    SHEET: sheet_xml(
                        plan_sheet_rows(
                            '<row r="9"><c r="B9" t="e"><v>#REF!</v></c>'
                            '<c r="C9" t="b"><v>1</v></c></row>'
                        )
                    )
                }
            ),
            "types.xlsx",
        ),
        # Control characters
        Hostile(
            "NUL bytes in a CSV",
            csv_bytes([*ROWS, ["3. N", "3.1 a\x00b", "", "", ""]]),
            "nul.csv",
            REFUSE,
        ),
        Hostile(
            "bell, escape and form-feed characters in CSV",
            csv_bytes(
                [*ROWS, ["3. C", "3.1 \x07ring \x1b[31mred\x1b[0m \x0cpage \x0bvtab", "", "", ""]]
            ),
            "ctrl.csv",
        ),
        Hostile(
            "right-to-left override and zero-width characters",
            csv_bytes([*ROWS, ["3. R", "3.1 \u202egnp.exe \u200b\u200d\ufeff", "", "", ""]]),
            "bidi.csv",
        ),
        Hostile(
            "control-character references in sheet XML",
            xlsx_with(
                {SHEET: sheet_xml(plan_sheet_rows(inline_row(9, ["3. X", "3.1 &#x1;&#x1b;&#x0;"])))}
            ),
            "ctrl.xlsx",
        ),
        Hostile("CSV lines ending in CR only", csv_bytes(end="\r"), "mac.csv"),
        Hostile(
            "unbalanced quotes", csv_bytes() + b'\n"3. Q,"3.1 never closed,\n' * 3, "quotes.csv"
        ),
        # Encodings
        Hostile("UTF-16 LE with BOM", b"\xff\xfe" + csv_bytes(encoding="utf-16-le"), "u16.csv"),
        Hostile("UTF-16 BE with BOM", b"\xfe\xff" + csv_bytes(encoding="utf-16-be"), "u16be.csv"),
        Hostile("UTF-16 without a BOM", csv_bytes(encoding="utf-16-le"), "u16.csv", REFUSE),
        Hostile(
            "Windows-1252 with £ and curly quotes",
            csv_bytes([*ROWS, ["3. £", "3.1 “quoted” – £5", "", "", ""]], encoding="cp1252"),
            "w.csv",
        ),
        Hostile(
            "Shift-JIS",
            csv_bytes([*ROWS, ["3. J", "3.1 日本語の計画", "", "", ""]], encoding="shift_jis"),
            "sjis.csv",
        ),
        Hostile(
            "invalid UTF-8 sequences",
            csv_bytes() + b"\n3. Bad,3.1 \xc3\x28 \xa0\xa1 \xf0\x28\x8c\x28,,,\n",
            "bad.csv",
        ),
        Hostile("semicolon-separated", csv_bytes(sep=";"), "semi.csv"),
        Hostile("tab-separated .txt", csv_bytes(sep="\t"), "plan.txt"),
        # Names
        Hostile("path traversal in the file name", csv_bytes(), "../../../etc/passwd.csv"),
        Hostile(
            "line break and markup in the file name", csv_bytes(), "plan\n<script>x</script>.csv"
        ),
        Hostile(
            "macro-enabled workbook with a VBA part",
            xlsx_with({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512}),
            "macro.xlsm",
        ),
    ]
    return cases


CORPUS = corpus()


def counts() -> dict[str, int]:
    return {key: model.objects.count() for key, model in MODELS.items()}


def _assert_a_sentence(message: str):
    assert message.strip(), "a refusal must say why"
    assert message.rstrip().endswith((".", ")")), message
    assert len(message) < 500, message
    for leak in ("Traceback", "Exception", "Error(", "zipfile", "openpyxl", "<", 'File "'):
        assert leak not in message, f"refusal leaks internals ({leak}): {message}"


def peak_megabytes_reading(case: Hostile) -> float:
    """Peak Python allocations while reading the file (where bombs would blow up); traced
    separately because tracemalloc slows allocation-heavy code about threefold."""
    tracemalloc.start()
    try:
        plan_file_read(data=case.data, filename=case.filename)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1_048_576


@pytest.fixture
def plan(db):
    return factories.PlanFactory(title="Hostile Files Plan")


def test_the_corpus_has_at_least_fifty_files():
    assert len(CORPUS) >= 50
    assert len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_hostile_file_is_refused_with_a_sentence_or_imported_whole(case, plan):
    before = counts()
    started = time.perf_counter()
    result = plan_import(plan=plan, data=case.data, filename=case.filename)
    elapsed = time.perf_counter() - started
    after = counts()

    assert elapsed < SECONDS, f"{case.name} took {elapsed:.1f} s"
    assert peak_megabytes_reading(case) < PEAK_MB
    if case.expect == REFUSE:
        assert not result.ok, f"{case.name} should have been refused"
    if result.ok:
        created = {key: result.created.get(key, 0) for key in MODELS}
        assert {key: after[key] - before[key] for key in MODELS} == created
        assert created["milestones"] + created["actions"] > 0, "imported, but nothing landed"
    else:
        _assert_a_sentence(result.refused)
        assert after == before, f"{case.name}: refused, but the database changed"


def test_an_imported_formula_is_never_stored_as_a_formula(plan):
    case = next(c for c in CORPUS if c.name == "formulas in workbook cells")
    result = plan_import(plan=plan, data=case.data, filename=case.filename)
    assert result.ok
    texts = list(Action.objects.values_list("text", flat=True)) + list(
        Milestone.objects.values_list("text", flat=True)
    )
    assert not [text for text in texts if text.startswith("=")]
    assert any("formula" in finding.message for finding in result.findings)


@pytest.fixture
def listener():
    """A TCP port on loopback that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def _connected(server) -> bool:
    readable, _, _ = select.select([server], [], [], 0.3)
    return bool(readable)


def test_no_part_of_a_workbook_makes_the_server_fetch_a_url(plan, listener):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    files = [
        with_entity_in(
            "[Content_Types].xml", prolog=f'<!DOCTYPE x SYSTEM "{url}/a.dtd">', reference=""
        ),
        with_entity_in(
            SHEET, prolog=f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>', reference=""
        ),
        with_entity_in(
            "docProps/core.xml", prolog=f'<!DOCTYPE x [<!ENTITY e SYSTEM "{url}/e">]>', reference=""
        ),
        xlsx_with(
            {
                SHEET: sheet_xml(
                    plan_sheet_rows(
                        inline_row(
                            9,
                            [
                                '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                f'href="{url}/x"/>'
                            ],
                        )
                    )
                )
            }
        ),
        xlsx_bytes([*ROWS, ["3. L", f'=WEBSERVICE("{url}/w")', f'=HYPERLINK("{url}/h")', "", ""]]),
    ]
    for data in files:
        plan_import(plan=plan, data=data, filename="fetch.xlsx")
    assert not _connected(listener), "reading a workbook made a network request"
