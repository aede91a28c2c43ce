"""A corpus of malformed and hostile uploads, built in code (nothing binary is committed).

Each ``Hostile`` is a file as an admin could upload it: bytes and a file name, what the
service must do with it (``REFUSE``, ``IMPORT``, or ``EITHER`` as long as it is one of the
two, whole), and for some an extra check of what was stored. Large files (the zip bomb,
10,000 rows) are generated once per test session and stay small on disk because nothing is
written to disk at all.
"""

import functools
import io
import random
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from django.conf import settings

REFUSE, IMPORT, EITHER = "refuse", "import", "either"


@dataclass(frozen=True)
class Hostile:
    name: str
    source: bytes | Callable[[], bytes]  # large files are built only when a test needs them
    filename: str
    expect: str = EITHER
    heavy: bool = False  # slow enough to parse that tracing it would take too long
    forbidden: tuple[str, ...] = ()  # text that must never be stored or shown (e.g. passwd)
    must_store: tuple[str, ...] = ()  # text that an import must have stored exactly
    check: Callable | None = None
    # The upload page takes only .xlsx, .xlsm and .csv; the import_plan command reads more
    # (a .txt of tab-separated values): such a file is refused by the page, with a sentence.
    page_refuses: bool = False

    @property
    def data(self) -> bytes:
        return self.source() if callable(self.source) else self.source


HEADER = ["Outcome", "Action", "By when", "Who", "Progress"]
ROWS = [
    ["1. Fewer young people offend", "1.1 Run the triage scheme", "March 2020", "YOT", "On track"],
    ["1. Fewer young people offend", "1.2 Review bail support", "December 2019", "YOT", "Red"],
    ["2. Safer schools", "2.1 Train designated leads", "Summer 2019", "LA", "Complete"],
]
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- Building blocks --------------------------------------------------------------------------


def csv_bytes(rows=None, *, header=HEADER, sep=",", end="\n", encoding="utf-8") -> bytes:
    def cell(value):
        text = str(value)
        if any(c in text for c in f'{sep}"\n\r'):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [sep.join(cell(v) for v in row) for row in [header, *(ROWS if rows is None else rows)]]
    return end.join(lines).encode(encoding)


def xlsx_bytes(rows=None, *, header=HEADER, titles=("Plan",)) -> bytes:
    workbook = openpyxl.Workbook()
    for index, title in enumerate(titles):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append(header)
        for row in ROWS if rows is None else rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def valid_xlsx() -> bytes:
    return xlsx_bytes()


SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def shared_strings_xlsx(*, prolog: str = "", replace: dict[str, str] | None = None) -> bytes:
    """A workbook as Excel saves it, its text in xl/sharedStrings.xml (openpyxl writes inline).

    ``replace`` swaps a string's XML-escaped text for raw XML (an entity reference)."""
    texts = [value for row in [HEADER, *ROWS] for value in row]
    items = []
    for text in texts:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        items.append(f"<si><t>{(replace or {}).get(text, escaped)}</t></si>")
    sst = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(texts)}" uniqueCount="{len(texts)}">{"".join(items)}</sst>'
    )
    index = iter(range(len(texts)))
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{letters(c)}{r}" t="s"><v>{next(index)}</v></c>' for c in range(1, 6))
        + "</row>"
        for r in range(1, len(ROWS) + 2)
    )
    members = members_of(valid_xlsx())
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rSst" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>',
    )
    types = members["[Content_Types].xml"].decode()
    types = types.replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/></Types>'
    )
    return xlsx_with(
        {
            STRINGS: sst.encode(),
            SHEET: sheet_xml(rows),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
        }
    )


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zip_of(members: dict[str, bytes] | list[tuple[str, bytes]], **kwargs) -> bytes:
    buffer = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, **kwargs) as archive:
        for name, content in items:
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_with(replace: dict[str, bytes | None], base: bytes | None = None) -> bytes:
    """A valid workbook with some parts replaced (None removes the part)."""
    members = members_of(base or valid_xlsx())
    for name, content in replace.items():
        if content is None:
            members.pop(name, None)
        else:
            members[name] = content
    return zip_of(members)


def letters(number: int) -> str:
    out = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        out = chr(65 + remainder) + out
    return out


def inline_row(number: int, values, *, first_column: int = 1) -> str:
    cells = "".join(
        f'<c r="{letters(first_column + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def plan_rows() -> str:
    return "".join([inline_row(1, HEADER)] + [inline_row(n + 2, r) for n, r in enumerate(ROWS)])


def sheet_xml(body: str, *, prolog: str = "", dimension: str = "A1:E4") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"{prolog}"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def with_sheet(body: str, *, prolog: str = "", dimension: str = "A1:E4") -> bytes:
    return xlsx_with({SHEET: sheet_xml(body, prolog=prolog, dimension=dimension)})


def with_doctype(part: str, doctype: str, *, reference: str = "", inside: str = "") -> bytes:
    """Put a DOCTYPE before the root element of ``part``; ``reference`` replaces ``inside``."""
    members = members_of(valid_xlsx())
    text = members[part].decode()
    root = text.index("<", text.index("?>") if text.startswith("<?") else 0)
    text = text[:root] + doctype + text[root:]
    if inside:
        assert inside in text, f"{inside!r} not in {part}"
        text = text.replace(inside, reference, 1)
    members[part] = text.encode()
    return zip_of(members)


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "' + f"&lol{'' if n == 2 else n - 1};" * 10 + '">' for n in range(2, 10)
    )
    + "]>"
)
QUADRATIC = '<!DOCTYPE q [<!ENTITY a "' + "A" * 50_000 + '">]>'
XXE_PASSWD = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite one member's uncompressed size in its local header and the central directory."""
    out = bytearray(data)
    name = member.encode()
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        position = out.find(signature)
        while position != -1:
            (length,) = struct.unpack_from("<H", out, position + name_len_at)
            if bytes(out[position + name_at : position + name_at + length]) == name:
                struct.pack_into("<I", out, position + size_at, size)
            position = out.find(signature, position + 4)
    return bytes(out)


def symlink_zip(link_name: str, target: str) -> bytes:
    """A workbook whose sheet part is a Unix symbolic link to ``target``."""
    members = members_of(valid_xlsx())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if name == link_name:
                info = zipfile.ZipInfo(name)
                info.create_system = 3
                info.external_attr = (0o120777 << 16) & 0xFFFF0000
                archive.writestr(info, target)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


@functools.cache
def zip_bomb(megabytes: int = 200) -> bytes:
    """A valid openpyxl workbook whose sheet XML is ``megabytes`` of empty-cell rows."""
    members = members_of(valid_xlsx())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            if name != SHEET:
                archive.writestr(name, content)
        head = sheet_xml(plan_rows(), dimension="A1:E4").split(b"</sheetData>")[0]
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000  # ~1 MB
        with archive.open(SHEET, "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(megabytes):
                member.write(row)
            member.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@functools.cache
def bomb_declaring_tiny_sizes() -> bytes:
    """The bomb again, its central directory claiming every part is a few bytes."""
    data = zip_bomb(60)
    for member in (SHEET,):
        data = declared_size(data, member, 200)
    return data


def encrypted_ooxml() -> bytes:
    """What Excel saves with a password: an OLE compound file holding EncryptionInfo."""
    sector = 512
    header = bytearray(sector)
    header[:8] = OLE
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)  # minor, major version, byte order
    struct.pack_into("<H", header, 30, 9)  # sector shift: 512-byte sectors
    directory = bytearray(sector)
    for index, name in enumerate(["Root Entry", "EncryptionInfo", "EncryptedPackage"]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry = index * 128
        directory[entry : entry + len(encoded)] = encoded
        struct.pack_into("<H", directory, entry + 64, len(encoded))
        directory[entry + 66] = 5 if index == 0 else 2
    return bytes(header) + bytes(directory) + b"\x00" * sector * 2


def workbook_xml(sheets: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="{rid}"/>'
        for n, (name, rid) in enumerate(sheets, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{entries}</sheets></workbook>"
    ).encode()


def rels_xml(targets: dict[str, str]) -> bytes:
    ws = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    styles = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
    body = "".join(
        f'<Relationship Id="{rid}" Type="{ws}" Target="{target}"/>'
        for rid, target in targets.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{body}<Relationship Id="rStyles" Type="{styles}" Target="styles.xml"/>'
        "</Relationships>"
    ).encode()


def with_sheets(sheets: list[tuple[str, str]], targets: dict[str, str], extra=None) -> bytes:
    return xlsx_with(
        {WORKBOOK: workbook_xml(sheets), "xl/_rels/workbook.xml.rels": rels_xml(targets)}
        | (extra or {})
    )


def macro_workbook() -> bytes:
    """An .xlsm with a VBA project part and an image, as Excel would save one."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    return xlsx_with(
        {
            "xl/vbaProject.bin": OLE + b'Attribute VB_Name = "Module1"\nShell("calc")' * 10,
            "xl/media/image1.png": png,
        },
        base=buffer.getvalue(),
    )


@functools.cache
def empty_rows(count: int = 200_000) -> bytes:
    """Empty row elements after the plan. (A million took openpyxl 6-10 s a read here; the
    cost is linear, so a fifth of that keeps the test quick and proves the same thing.)"""
    return with_sheet(plan_rows() + "".join(f'<row r="{n}"/>' for n in range(5, count + 5)))


def renamed_sheet(data: bytes, old: str, new: str) -> bytes:
    """Give a sheet a name Excel would never allow (openpyxl refuses to write one)."""
    workbook = members_of(data)[WORKBOOK].replace(
        f'name="{old}"'.encode(), f'name="{new}"'.encode()
    )
    return xlsx_with({WORKBOOK: workbook}, base=data)


@functools.cache
def ten_thousand_rows() -> bytes:
    rows = []
    for n in range(10_000):
        outcome, action = n // 500 + 1, n // 5 + 1
        rows.append(
            [
                f"{outcome}. Outcome number {outcome}",
                f"{outcome}.{action} Action number {action}",
                ["March 2020", "8/09/10", "Summer 2019", "Q3 2019/20", "Ongoing"][n % 5],
                f"Officer {n % 40}",
                "On track" if n % 50 == 0 else "",
            ]
        )
    return csv_bytes(rows)


def stored_text_does_not_start_with_equals(texts: list[str]) -> str | None:
    bad = [t for t in texts if t.lstrip().startswith("=")]
    return f"formula stored as text: {bad[:3]}" if bad else None


# --- The corpus -------------------------------------------------------------------------------


def corpus() -> list[Hostile]:
    base = valid_xlsx()
    half = len(base) // 2
    return [
        # Controls: the ordinary files every other case is a damaged version of.
        Hostile("control: a valid workbook", base, "plan.xlsx", IMPORT),
        Hostile("control: a valid CSV", csv_bytes(), "plan.csv", IMPORT),
        Hostile(
            "control: shared strings as Excel saves them", shared_strings_xlsx(), "x.xlsx", IMPORT
        ),
        # Empty, nearly empty, not what the name says.
        Hostile("empty .xlsx", b"", "plan.xlsx", REFUSE),
        Hostile("empty .csv", b"", "plan.csv", REFUSE),
        Hostile("header row only", csv_bytes([]), "plan.csv", REFUSE),
        Hostile("zero-byte sheet part", xlsx_with({SHEET: b""}), "plan.xlsx", REFUSE),
        Hostile("workbook with no sheets", with_sheets([], {}, {SHEET: None}), "plan.xlsx", REFUSE),
        Hostile("truncated zip (half the workbook)", base[:half], "plan.xlsx", REFUSE),
        Hostile("truncated zip (end record cut off)", base[:-22], "plan.xlsx", REFUSE),
        Hostile(
            ".xlsx that is really HTML",
            b"<html><body><table><tr><td>Action</td><td>Who</td></tr>"
            b"<tr><td>1.1 Run triage</td><td>YOT</td></tr></table></body></html>",
            "plan.xlsx",
            REFUSE,
        ),
        Hostile("CSV renamed .xlsx", csv_bytes(), "plan.xlsx", REFUSE),
        Hostile("old binary .xls", OLE + bytes(1024), "plan.xls", REFUSE),
        Hostile("old binary .xls renamed .xlsx", OLE + bytes(1024), "plan.xlsx", REFUSE),
        Hostile("password-protected OOXML", encrypted_ooxml(), "plan.xlsx", REFUSE),
        Hostile("gzip named .csv", b"\x1f\x8b\x08\x00" + bytes(64), "plan.csv", REFUSE),
        Hostile("PDF named .xlsx", b"%PDF-1.7\n1 0 obj<<>>endobj\n", "plan.xlsx", REFUSE),
        Hostile("random bytes named .xlsx", random.Random(1).randbytes(4096), "plan.xlsx", REFUSE),
        Hostile("executable extension", csv_bytes(), "plan.csv.exe", REFUSE),
        # Archives that lie or explode.
        Hostile(
            "zip bomb: 200 MB of rows compressed",
            zip_bomb,
            "bomb.xlsx",
            REFUSE,
        ),
        Hostile(
            "zip bomb declaring a 200-byte sheet",
            bomb_declaring_tiny_sizes,
            "bomb.xlsx",
            REFUSE,
        ),
        Hostile(
            "member declaring a 4 GB file_size",
            declared_size(base, "docProps/app.xml", 0xFFFFFFF0),
            "liar.xlsx",
            REFUSE,
        ),
        Hostile(
            "3,000 zip members",
            xlsx_with({f"xl/junk/{n}.bin": b"x" for n in range(3000)}),
            "many.xlsx",
            REFUSE,
        ),
        Hostile(
            "zip entry named ../../etc/passwd",
            zip_of({**members_of(base), "../../etc/passwd": b"root:x:0:0:evil"}),
            "traversal.xlsx",
            forbidden=PASSWD_MARKERS,
        ),
        Hostile(
            "zip entry named /etc/passwd (absolute)",
            zip_of({**members_of(base), "/etc/passwd": b"root:x:0:0:evil"}),
            "absolute.xlsx",
            forbidden=PASSWD_MARKERS,
        ),
        Hostile(
            "sheet part is a symbolic link to /etc/passwd",
            symlink_zip(SHEET, "/etc/passwd"),
            "symlink.xlsx",
            REFUSE,
            forbidden=PASSWD_MARKERS,
        ),
        Hostile(
            "sheet relationship pointing to ../../../etc/passwd",
            with_sheets([("Plan", "rId1")], {"rId1": "../../../../etc/passwd"}),
            "rel.xlsx",
            REFUSE,
            forbidden=PASSWD_MARKERS,
        ),
        Hostile(
            "a workbook zipped inside the sheet part", xlsx_with({SHEET: base}), "nest.xlsx", REFUSE
        ),
        # XML attacks: defusedxml must stop every entity.
        Hostile(
            "billion laughs in sheet1.xml",
            with_doctype(SHEET, LAUGHS, reference="&lol9;", inside="Outcome"),
            "laughs.xlsx",
            REFUSE,
        ),
        Hostile(
            "billion laughs in sharedStrings.xml",
            shared_strings_xlsx(prolog=LAUGHS, replace={"Outcome": "&lol9;"}),
            "laughs.xlsx",
            REFUSE,
        ),
        Hostile(
            "quadratic blow-up entity in sharedStrings.xml",
            shared_strings_xlsx(prolog=QUADRATIC, replace={"Outcome": "&a;" * 2000}),
            "quadratic.xlsx",
            REFUSE,
        ),
        Hostile(
            "external entity file:///etc/passwd in sheet1.xml",
            with_sheet(plan_rows() + inline_row(9, ["3. X", "3.1 &xxe;"]), prolog=XXE_PASSWD),
            "xxe.xlsx",
            REFUSE,
            forbidden=PASSWD_MARKERS,
        ),
        Hostile(
            "external entity file:///etc/passwd in sharedStrings.xml",
            shared_strings_xlsx(prolog=XXE_PASSWD, replace={"YOT": "&xxe;"}),
            "xxe.xlsx",
            REFUSE,
            forbidden=PASSWD_MARKERS,
        ),
        Hostile(
            "deeply nested XML (100,000 levels)",
            with_sheet(plan_rows() + "<x>" * 100_000 + "</x>" * 100_000),
            "deep.xlsx",
        ),
        # Sizes.
        Hostile(
            "dimension A1:XFD1048576 with a few cells",
            with_sheet(plan_rows(), dimension="A1:XFD1048576"),
            "dimension.xlsx",
            IMPORT,
        ),
        Hostile(
            "200,000 empty rows",
            empty_rows,
            "million.xlsx",
            heavy=True,
        ),
        Hostile(
            "a few cells at row 1,000,000",
            with_sheet(plan_rows() + inline_row(1_000_000, ["9. Far", "9.1 Away", "", "YOT"])),
            "far.xlsx",
            REFUSE,
        ),
        Hostile(
            "a 1 MB cell in a workbook",
            with_sheet(plan_rows() + inline_row(9, ["3. Long", "3.1 " + "x" * 1_048_576])),
            "long.xlsx",
        ),
        Hostile(
            "a 1 MB cell in a CSV",
            csv_bytes([*ROWS, ["3. Long", "3.1 " + "y" * 1_048_576, "", "", ""]]),
            "long.csv",
        ),
        Hostile(
            "50,000 columns in a CSV",
            csv_bytes(header=HEADER + [f"Extra {n}" for n in range(50_000)]),
            "wide.csv",
            heavy=True,
        ),
        Hostile(
            "a cell beyond the last column (XFD) in a workbook",
            with_sheet(plan_rows() + inline_row(9, ["x"], first_column=50_000)),
            "wide.xlsx",
        ),
        Hostile("10,001 rows, valid", ten_thousand_rows, "big.csv", IMPORT, heavy=True),
        # Formulas and cell types.
        Hostile(
            "formulas in workbook cells",
            xlsx_bytes(
                [
                    *ROWS,
                    ["3. F", '=HYPERLINK("http://evil.example","click")', "=1+1", "YOT", "Red"],
                    ["3. F", "3.2 Fine", "=cmd|' /C calc'!A0", "YOT", "=1+1"],
                ]
            ),
            "formulas.xlsx",
            IMPORT,
            forbidden=("calc", "evil.example"),
            check=stored_text_does_not_start_with_equals,
        ),
        Hostile(
            "formulas in CSV cells",
            csv_bytes(
                [*ROWS, ["3. F", "=cmd|' /C calc'!A0", "=1+1", '=HYPERLINK("http://e.x")', ""]]
            ),
            "formulas.csv",
            IMPORT,
            forbidden=("calc", "e.x"),
            check=stored_text_does_not_start_with_equals,
        ),
        Hostile(
            "shared-string index out of range",
            with_sheet(plan_rows() + '<row r="9"><c r="B9" t="s"><v>99999</v></c></row>'),
            "sst.xlsx",
        ),
        Hostile(
            "negative and zero row numbers",
            with_sheet(plan_rows() + inline_row(0, ["zero"]) + inline_row(-5, ["minus"])),
            "rows.xlsx",
        ),
        Hostile(
            "date cell of 1e308 and an ISO date of garbage",
            with_sheet(
                plan_rows()
                + '<row r="9"><c r="C9" s="1"><v>1e308</v></c>'
                + '<c r="D9" t="d"><v>not-a-date</v></c></row>'
            ),
            "dates.xlsx",
        ),
        # Characters and encodings.
        Hostile(
            "NUL bytes in a CSV",
            csv_bytes([*ROWS, ["3. N", "3.1 a\x00b", "", "", ""]]),
            "nul.csv",
            REFUSE,
        ),
        Hostile(
            "NUL bytes after the first 4 KB of a CSV",
            csv_bytes([*ROWS * 40, ["3. N", "3.1 a\x00b", "", "", ""]]),
            "late-nul.csv",
            REFUSE,
            forbidden=("\x00",),
        ),
        Hostile(
            "a quotation mark never closed",
            csv_bytes() + b'\n3. Q,"3.1 never closed, and the file ends\n4. R,4.1 x,,,\n',
            "quote.csv",
        ),
        Hostile(
            "control characters in a CSV",
            csv_bytes([*ROWS, ["3. C", "3.1 \x07bell \x1b[31mred\x1b[0m \x0cff", "", "", ""]]),
            "ctrl.csv",
        ),
        Hostile(
            "control-character references in sheet XML",
            with_sheet(plan_rows() + inline_row(9, ["3. X", "3.1 &#x1;&#x1b;&#x0;"])),
            "ctrl.xlsx",
        ),
        Hostile(
            "UTF-16 CSV with a byte-order mark",
            b"\xff\xfe"
            + csv_bytes([*ROWS, ["3. £", "3.1 Cost £5", "", "", ""]], encoding="utf-16-le"),
            "u16.csv",
            IMPORT,
            must_store=("Cost £5",),
        ),
        Hostile(
            "Latin-1 CSV with £",
            csv_bytes([*ROWS, ["3. £", "3.1 Cost £5 each", "", "", ""]], encoding="latin-1"),
            "latin1.csv",
            IMPORT,
            must_store=("Cost £5 each",),
        ),
        Hostile(
            "UTF-8 CSV with a byte-order mark and £",
            b"\xef\xbb\xbf" + csv_bytes([*ROWS, ["3. £", "3.1 Budget £10k", "", "", ""]]),
            "bom.csv",
            IMPORT,
            must_store=("Budget £10k",),
        ),
        Hostile(
            "mixed encodings in one CSV (UTF-8 and Latin-1 lines)",
            csv_bytes()
            + "\n3. Mix,3.1 Café £5,,,\n".encode()
            + "4. Mix,4.1 £9,,,\n".encode("latin-1"),
            "mixed.csv",
        ),
        Hostile(
            "right-to-left override in a cell",
            csv_bytes([*ROWS, ["3. R", "3.1 \u202egnp.exe", "", "", ""]]),
            "bidi.csv",
        ),
        # Names.
        Hostile(
            "duplicate sheet names",
            with_sheets(
                [("Plan", "rId1"), ("Plan", "rId2")],
                {"rId1": "worksheets/sheet1.xml", "rId2": "worksheets/sheet1.xml"},
            ),
            "dupes.xlsx",
        ),
        Hostile(
            "sheet names with path traversal",
            renamed_sheet(
                xlsx_bytes(titles=("Traversal", "Plan")), "Traversal", "../../etc/passwd"
            ),
            "names.xlsx",
        ),
        Hostile("path traversal in the file name", csv_bytes(), "../../etc/passwd.csv"),
        Hostile("macros and an image (.xlsm)", macro_workbook(), "macro.xlsm", IMPORT),
    ]


# --- The second suite's building blocks (merged from tests/test_hostile_files.py) -------------

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "middlesbrough-action-plan-2009.xlsx"


def legacy_xlsx_bytes(rows=None, *, header=HEADER, sheets=1) -> bytes:
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


def legacy_zip_of(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def legacy_xlsx_with(replace: dict[str, bytes | None], base: bytes | None = None) -> bytes:
    """A valid workbook with some parts replaced (None removes the part)."""
    members = members_of(base or legacy_xlsx_bytes())
    for name, content in replace.items():
        if content is None:
            members.pop(name, None)
        else:
            members[name] = content
    return legacy_zip_of(members)


def plan_sheet_rows(extra: str = "") -> str:
    rows = [inline_row(1, HEADER)] + [inline_row(n + 2, row) for n, row in enumerate(ROWS)]
    return "".join(rows) + extra


def with_entity_in(part: str, *, prolog: str, reference: str) -> bytes:
    """Put a DOCTYPE before the root element of ``part`` and a reference inside it."""
    members = members_of(legacy_xlsx_bytes())
    text = members[part].decode()
    root = text.index("<", text.index("?>") if text.startswith("<?") else 0)
    root_end = text.index(">", root) + 1
    members[part] = (
        text[:root] + prolog + text[root:root_end] + reference + text[root_end:]
    ).encode()
    return legacy_zip_of(members)


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
        for name, content in members_of(legacy_xlsx_bytes()).items():
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


def legacy_corpus() -> list[Hostile]:
    """The cases of the second suite (tests/test_hostile_files.py until December 2026).

    Five of its cases were byte for byte the same file as one above (empty .xlsx, empty .csv,
    header row only, a CSV named .xlsx, NUL bytes in a CSV) and are kept once, above; four
    that shared a name with a different file above were renamed.
    """
    real = FIXTURE.read_bytes()
    valid_xlsx = legacy_xlsx_bytes()
    cases = [
        # Empty and nearly empty
        Hostile("whitespace-only csv", b"  \n\n \t \r\n", "plan.csv", REFUSE),
        Hostile("byte-order mark only", b"\xef\xbb\xbf", "plan.csv", REFUSE),
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
            legacy_xlsx_with({f"xl/junk/{n}.bin": b"x" for n in range(3000)}),
            "many.xlsx",
            REFUSE,
        ),
        Hostile(
            "a zip that is not a workbook",
            legacy_zip_of({"readme.txt": b"hello"}),
            "plan.xlsx",
            REFUSE,
        ),
        Hostile(
            "workbook part missing",
            legacy_xlsx_with({"xl/workbook.xml": None}),
            "plan.xlsx",
            REFUSE,
        ),
        Hostile("sheet part missing", legacy_xlsx_with({SHEET: None}), "plan.xlsx", REFUSE),
        Hostile(
            "a workbook inside the sheet part",
            legacy_xlsx_with({SHEET: valid_xlsx}),
            "plan.xlsx",
            REFUSE,
        ),
        Hostile(
            "stored (uncompressed) workbook",
            legacy_zip_of(members_of(valid_xlsx), compression=zipfile.ZIP_STORED),
            "plan.xlsx",
        ),
        # Not what the name says
        Hostile(
            "HTML table saved as .xlsx",
            b"<html><body><table><tr><td>Action</td><td>Who</td></tr></table></body></html>",
            "plan.xlsx",
            REFUSE,
        ),
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
        Hostile(
            "other random bytes named .xlsx (seed 7)",
            random.Random(7).randbytes(4096),
            "plan.xlsx",
            REFUSE,
        ),
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
            legacy_xlsx_with(
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
            legacy_xlsx_with({SHEET: sheet_xml(plan_sheet_rows(), dimension="A1:XFD1048576")}),
            "million.xlsx",
        ),
        Hostile(
            "one cell in the last row of the sheet",
            legacy_xlsx_with(
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
            legacy_xlsx_with(
                {SHEET: sheet_xml(plan_sheet_rows(inline_row(5, ["x"], first_column=16384)))}
            ),
            "lastcol.xlsx",
        ),
        Hostile("60,000 empty CSV rows", csv_bytes([[""] * 5] * 60_000), "empty-rows.csv", REFUSE),
        Hostile(
            "a 32,767-character cell",
            legacy_xlsx_bytes([*ROWS, ["3. Long", "3.1 " + "x" * 32_760, "", "", ""]]),
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
        Hostile("200 sheets", legacy_xlsx_bytes(sheets=200), "sheets.xlsx"),
        # Formulas and cell types
        Hostile(
            "DDE, HYPERLINK and NOW formulas in workbook cells",
            legacy_xlsx_bytes(
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
            legacy_xlsx_with(
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
            legacy_xlsx_with(
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
            legacy_xlsx_with(
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
            "SOH, ESC and NUL character references in sheet XML",
            legacy_xlsx_with(
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
        Hostile("tab-separated .txt", csv_bytes(sep="\t"), "plan.txt", page_refuses=True),
        # Names
        Hostile(
            "path traversal three levels up in the file name",
            csv_bytes(),
            "../../../etc/passwd.csv",
        ),
        Hostile(
            "line break and markup in the file name", csv_bytes(), "plan\n<script>x</script>.csv"
        ),
        Hostile(
            "macro-enabled workbook with a VBA part",
            legacy_xlsx_with({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512}),
            "macro.xlsm",
        ),
    ]
    return cases


@functools.cache
def the_corpus() -> tuple[Hostile, ...]:
    return (*corpus(), *legacy_corpus())
