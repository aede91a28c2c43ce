"""Open an uploaded plan file safely and turn it into plain rows of cells.

Formats: Excel workbooks (.xlsx, .xlsm), old Excel (.xls) and OpenDocument (.ods)
spreadsheets through calamine (values and merged cells; fills cannot be read there, and a
finding says so), Word documents (.docx: every table, with merged cells from gridSpan and
vMerge and shading read as fill colour, and the short headings between tables as rows of
their own), and CSV. ``read_file`` is the one entry point.

Hostile or broken files are refused with a sentence the admin can act on, before the
parser spends time or memory on them: the size limit, the zip members' declared sizes (a
zip bomb declares hundreds of megabytes), and then a broad catch around the parse itself,
because openpyxl raises many different exceptions on damaged files. Formulas are never run
or kept: a formula cell is read as empty, with a finding.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings

from imports.findings import SheetFinding
from plans import uploads
from plans.uploads import UploadRefused as ImportRefused
from plans.uploads import csv_bounds_check, xlsx_bounds_check

# A real plan's worksheet XML is rarely more than 30× smaller zipped; bombs are 100s×.
MAX_COMPRESSION_RATIO = 150
# ...but a small part may be tightly packed harmlessly (one long cell of repeated text): the
# ratio applies to parts that unpack to more than this.
RATIO_CHECKED_FROM_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000
# A plan table has tens of columns. Reading further costs time for nothing: each heading is
# fuzzy-matched, and 50,000 columns took 9 s a read (the browser journey reads four times).
MAX_COLUMNS = 500


@dataclass(slots=True)
class Cell:
    value: object = None  # str, date, or None
    fill: str | None = None  # "FFFF0000" style ARGB, or None
    # The value as text, made once: the builder reads a cell's text a dozen times (half a
    # million reads for a 5,000-row plan). A cell is never changed once made.
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        value = self.value
        if value is None:
            self.text = ""
        elif isinstance(value, date):
            self.text = value.strftime("%d/%m/%Y")
        else:
            self.text = str(value)


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    findings: list[SheetFinding] = field(default_factory=list)
    # Word tables say which cells are merged (vMerge), so a blank cell there is really blank;
    # a spreadsheet pasted from Word has lost its merges, and a blank may mean "as above".
    explicit_merges: bool = False
    # A CSV's or Word document's "sheet" is named after the file, which changes from one
    # quarter's copy to the next; a workbook's sheet names are the plan's own.
    named_after_file: bool = False
    # A Word document's paragraphs outside its tables (a legend below the table is read
    # from them; they are named in a finding, never imported as rows).
    outside_text: list[str] = field(default_factory=list)

    def values(self) -> list[list[object]]:
        """Plain values, as handed to registered sheet handlers."""
        return [[cell.value for cell in row] for row in self.rows]


def max_uncompressed_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 20 * settings.IMPORT_MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 50_000)


def read_file(*, data: bytes, filename: str, sheets: list[str] | None = None) -> list[Sheet]:
    """Read a workbook or CSV into sheets of cells, or raise ImportRefused with the reason."""
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportRefused(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB. Remove unused sheets or rows and upload it again."
        )
    if not data:
        raise ImportRefused("The file is empty. Choose the spreadsheet that holds the plan.")
    name = (filename or "").lower()
    if data[:8] == OLE_MAGIC:
        return _read_ole(data, filename=filename, sheets=sheets)
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm", ".docx", ".ods")):
        names = _check_zip(data)
        # Cells and characters of every XML part (Excel, Word or OpenDocument), counted while
        # streaming, before any parser builds a workbook or a document.
        xlsx_bounds_check(data)
        if "word/document.xml" in names:
            return _read_docx(data, filename=filename)
        if "content.xml" in names and "xl/workbook.xml" not in names:
            return _read_calamine(data, sheets=sheets, kind="OpenDocument spreadsheet (.ods)")
        return _read_xlsx(data, sheets=sheets)
    if name.endswith((".csv", ".txt")) or not name:
        return [_read_csv(data, filename=filename)]
    raise ImportRefused(
        "We can read Excel workbooks (.xlsx, .xls), OpenDocument spreadsheets (.ods), Word "
        "documents (.docx) and CSV files (.csv). Save the plan in one of those formats and "
        "upload it again."
    )


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_REFUSAL = (
    "This file is protected with a password, so it cannot be read. Open it, remove the "
    "password (in Excel or Word: File, Info, Protect, Encrypt with Password, then clear the "
    "box), save it and upload it again."
)


def _read_ole(data: bytes, *, filename: str, sheets) -> list[Sheet]:
    """An OLE compound file: an encrypted Office file, old Excel, or old Word."""
    # An encrypted .xlsx or .docx is an OLE file holding EncryptionInfo and EncryptedPackage.
    if (
        "EncryptionInfo".encode("utf-16-le") in data
        or "EncryptedPackage".encode("utf-16-le") in data
    ):
        raise ImportRefused(ENCRYPTED_REFUSAL)
    if "WordDocument".encode("utf-16-le") in data:
        raise ImportRefused(
            "This is an old-style Word (.doc) file. Open it in Word, save it as 'Word "
            "Document (.docx)' and upload that."
        )
    return _read_calamine(data, sheets=sheets, kind="old-style Excel file (.xls)")


def _check_zip(data: bytes) -> set[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ImportRefused(
            "This file is not a readable Excel workbook (it may be damaged or only partly "
            "uploaded). Open it in Excel, save it as .xlsx and upload it again."
        ) from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRefused("This workbook has too many parts to be a plan. Check the file.")
    total = sum(member.file_size for member in members)
    worst = max(
        (
            member.file_size / max(member.compress_size, 1)
            for member in members
            if member.file_size > RATIO_CHECKED_FROM_BYTES
        ),
        default=0,
    )
    if total > max_uncompressed_bytes() or worst > MAX_COMPRESSION_RATIO:
        raise ImportRefused(
            "This workbook expands to far more data than a plan holds "
            f"({total / 1_048_576:.0f} MB unpacked), so it was not opened. Check the file "
            "or export just the plan's sheets to a new workbook."
        )
    names = {member.filename for member in members}
    if not names & {"xl/workbook.xml", "word/document.xml", "content.xml"}:
        raise ImportRefused(
            "This is a zip file but not an Excel workbook or a Word document. Upload the "
            ".xlsx, .ods or .docx file itself."
        )
    return names


def _fill_of(cell, known: dict[int, str | None]) -> str | None:
    # Cells share their fill by its index in the workbook (openpyxl's StyleArray): reading
    # ``cell.fill`` builds a proxy each time, a fifth of the read, so each fill is read once.
    style = cell._style
    if style is None:
        return None
    fill_id = style.fillId
    if fill_id not in known:
        known[fill_id] = _fill_colour(cell.fill)
    colour = known[fill_id]
    # A cell with no style at all (every index 0) has no fill, whatever fill 0 is.
    if colour is not None and not fill_id and not any(style):
        return None
    return colour


def _fill_colour(fill) -> str | None:
    if fill is None or fill.fill_type != "solid":
        return None
    colour = fill.fgColor
    if colour is None:
        return None
    if colour.type == "rgb" and isinstance(colour.rgb, str):
        return colour.rgb.upper()
    if colour.type == "indexed" and isinstance(colour.indexed, int):
        from openpyxl.styles.colors import COLOR_INDEX

        if 0 <= colour.indexed < len(COLOR_INDEX):
            return COLOR_INDEX[colour.indexed].upper()
    if colour.type == "theme":
        return f"theme:{colour.theme}"
    return None


def _month_only(value: datetime, number_format: str):
    """A date shown as a month ("Apr-21", "April 2021") means that month, not its first
    day: the text as shown, for the deadline reader to take the end of the month."""
    shown = re.sub(r'"[^"]*"|\[[^\]]*\]', "", number_format.lower())
    if "d" in shown or "m" not in shown or "y" not in shown or "h" in shown:
        return value
    if "mmmm" in shown:
        return value.strftime("%B %Y")
    if "mmm" in shown:
        return value.strftime("%b-%y" if "yyyy" not in shown else "%b %Y")
    return value


def _plain(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (date, time)):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").strip()
    return text or None


def _read_xlsx(data: bytes, *, sheets: list[str] | None) -> list[Sheet]:
    import openpyxl  # defusedxml is installed, so openpyxl refuses XML entity attacks

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except Exception as error:  # openpyxl raises many types on damaged files; see FINDINGS.md
        raise ImportRefused(
            "This workbook could not be read (it may be damaged, password-protected or not "
            "really an Excel file). Open it in Excel, save it as .xlsx and upload it again."
        ) from error
    result = []
    try:
        for worksheet in workbook.worksheets:
            if sheets is not None and worksheet.title not in sheets:
                continue
            result.append(_read_worksheet(worksheet))
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(
            "Part of this workbook could not be read. Open it in Excel, save it as .xlsx and "
            "upload it again."
        ) from error
    finally:
        workbook.close()
    return result


def _read_worksheet(worksheet) -> Sheet:
    sheet = Sheet(name=worksheet.title, rows=[])
    if (worksheet.max_row or 0) > max_rows():
        raise ImportRefused(
            f"Sheet '{worksheet.title}' has {worksheet.max_row:,} rows; we import at most "
            f"{max_rows():,} rows a sheet. Split the plan or remove empty rows."
        )
    merged = []
    for merged_range in worksheet.merged_cells.ranges:
        merged.append(
            (merged_range.min_row, merged_range.max_row, merged_range.min_col, merged_range.max_col)
        )
    if (worksheet.max_column or 0) > MAX_COLUMNS:
        sheet.findings.append(_columns_dropped(worksheet.title, worksheet.max_column))
    fills: dict[int, str | None] = {}
    for row in worksheet.iter_rows(max_col=min(worksheet.max_column or 1, MAX_COLUMNS)):
        cells = []
        for cell in row:
            value = cell.value
            if value is None and cell.data_type != "f":  # most cells: nothing to convert
                cells.append(Cell(None, _fill_of(cell, fills)))
                continue
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                sheet.findings.append(
                    SheetFinding(
                        sheet=worksheet.title,
                        row=cell.row,
                        column=cell.column_letter,
                        message=(
                            "the cell holds a formula; formulas are not run or imported, so it "
                            "was read as empty. Type the value into the cell if it matters."
                        ),
                    )
                )
                value = None
            if isinstance(value, datetime) and cell.number_format:
                value = _month_only(value, cell.number_format)
            cells.append(Cell(value=_plain(value), fill=_fill_of(cell, fills)))
        sheet.rows.append(cells)
    _spread_merged(sheet, merged)
    return sheet


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Windows is Windows-1252 ("£", curly quotes, en dashes).
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes, *, filename: str) -> Sheet:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(
            "This file is not a text CSV file. Save the plan from Excel as 'CSV UTF-8' or "
            "as an Excel workbook (.xlsx) and upload it again."
        )
    try:
        text = _decode(data)
    except UnicodeError as error:
        raise ImportRefused(
            "This CSV file's characters could not be read. Save it from Excel as 'CSV UTF-8'."
        ) from error
    if "\x00" in text:
        # A NUL past the first 4 KB was stored on SQLite and refused by PostgreSQL.
        raise ImportRefused(
            f"Line {text.count(chr(10), 0, text.index(chr(0))) + 1:,} of this file holds a "
            "character that is not text (a NUL). Save the plan from Excel as 'CSV UTF-8' and "
            "upload it again."
        )
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv_bounds_check(text, dialect=dialect)
    stem = (filename or "Plan").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "Plan"
    sheet = Sheet(name=stem, rows=[], named_after_file=True)
    widest = number = 0
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
            if len(record) > MAX_COLUMNS:
                widest = max(widest, len(record))
                record = record[:MAX_COLUMNS]
            if number > max_rows():
                raise ImportRefused(
                    f"The file has more than {max_rows():,} rows; we import at most that many. "
                    "Split the plan or remove empty rows."
                )
            cells = []
            for column, value in enumerate(record):
                if value.startswith("="):
                    sheet.findings.append(
                        SheetFinding(
                            sheet=stem,
                            row=number,
                            column=_column_letter(column + 1),
                            message="the cell starts with '=' like a formula; it was read as "
                            "empty. Type the value without '=' if it matters.",
                        )
                    )
                    value = ""
                cells.append(Cell(value=_plain(value)))
            sheet.rows.append(cells)
    except csv.Error as error:
        # The csv module's own words ("field larger than field limit (131072)") mean nothing
        # to an admin: say where, and the likely cause.
        raise ImportRefused(
            f"Row {number + 1:,} of this CSV file could not be read: a cell is longer than "
            f"{csv.field_size_limit():,} characters, or a quotation mark is not closed. Check "
            "that row, or save the file from Excel as 'CSV UTF-8' and upload it again."
        ) from error
    if widest:
        sheet.findings.append(_columns_dropped(stem, widest))
    return sheet


def _columns_dropped(sheet_name: str, columns: int) -> SheetFinding:
    return SheetFinding(
        sheet=sheet_name,
        row=None,
        column=None,
        message=(
            f"the sheet is {columns:,} columns wide; only the first {MAX_COLUMNS} were read. "
            "Delete the unused columns if anything after them matters."
        ),
    )


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# Old Excel (.xls) and OpenDocument (.ods) --------------------------------------------------


def _read_calamine(data: bytes, *, sheets, kind: str) -> list[Sheet]:
    """Values and merged cells through calamine; it cannot read fills, and a finding says so."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as error:
        raise ImportRefused(ENCRYPTED_REFUSAL) from error
    except Exception as error:  # calamine raises its own and Python's types on damaged files
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise ImportRefused(ENCRYPTED_REFUSAL) from error
        raise ImportRefused(
            f"This {kind} could not be read (it may be damaged or only partly uploaded). "
            "Open it, save it as an Excel Workbook (.xlsx) and upload it again."
        ) from error
    result = []
    try:
        for name in workbook.sheet_names:
            if sheets is not None and name not in sheets:
                continue
            worksheet = workbook.get_sheet_by_name(name)
            if worksheet.total_height > max_rows():
                raise ImportRefused(
                    f"Sheet '{name}' has {worksheet.total_height:,} rows; we import at most "
                    f"{max_rows():,} rows a sheet. Split the plan or remove empty rows."
                )
            cells = worksheet.total_height * min(worksheet.total_width, MAX_COLUMNS)
            if cells > uploads.max_cells():
                raise ImportRefused(
                    f"Sheet '{name}' spans {cells:,} cells, far more than a plan needs "
                    f"(at most {uploads.max_cells():,}), so it was not read. Delete unused rows "
                    "and columns, or copy just the plan into a new workbook, and upload that."
                )
            sheet = Sheet(name=name, rows=[])
            if worksheet.total_width > MAX_COLUMNS:
                sheet.findings.append(_columns_dropped(name, worksheet.total_width))
            for values in worksheet.to_python(skip_empty_area=False):
                sheet.rows.append([Cell(value=_plain(value)) for value in values[:MAX_COLUMNS]])
            _spread_merged(
                sheet,
                [
                    (top + 1, bottom + 1, left + 1, right + 1)
                    for (top, left), (bottom, right) in (worksheet.merged_cell_ranges or [])
                ],
            )
            if any(cell.value is not None for row in sheet.rows for cell in row):
                sheet.findings.append(
                    SheetFinding(
                        sheet=name,
                        row=None,
                        column=None,
                        message=(
                            f"Sheet '{name}': this is an {kind}, whose cell colours cannot be "
                            "read here, so no RAG status was taken from a fill colour. Save it "
                            "as .xlsx if the colours carry the status."
                        ),
                        level="info",
                    )
                )
            result.append(sheet)
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(
            f"Part of this {kind} could not be read. Open it, save it as an Excel Workbook "
            "(.xlsx) and upload it again."
        ) from error
    return result


def _spread_merged(sheet: Sheet, merged: list[tuple[int, int, int, int]]) -> None:
    """A merged cell's value and fill apply to every row and column it spans (1-based)."""
    for min_row, max_row, min_col, max_col in merged:
        max_col = min(max_col, MAX_COLUMNS)
        if min_row - 1 >= len(sheet.rows) or min_col > max_col:
            continue
        top = sheet.rows[min_row - 1]
        if min_col - 1 >= len(top):
            continue
        source = top[min_col - 1]
        for row_number in range(min_row, min(max_row, len(sheet.rows)) + 1):
            row = sheet.rows[row_number - 1]
            while len(row) < max_col:
                row.append(Cell())
            for column in range(min_col, max_col + 1):
                if row_number == min_row and column == min_col:
                    continue
                row[column - 1] = Cell(value=source.value, fill=source.fill)


# Word (.docx) ------------------------------------------------------------------------------

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_SECTION = re.compile(
    r"^(?:priority|section|theme|part|strand|workstream|objective|outcome|aim|goal|pillar)\s*"
    r"[A-Z]?\d{1,2}(?:\.\d+)?\s*[:\-–]\s*\S",
    re.IGNORECASE,
)
# A paragraph between tables this short, or styled as a heading, is kept as a heading row.
DOCX_HEADING_MAX_CHARS = 160


def _read_docx(data: bytes, *, filename: str) -> list[Sheet]:
    """Every table of a Word document, in order, as the rows of one sheet per table layout.

    Tables with the same number of columns that follow one another (a long plan table broken
    by headings or page breaks) are one sheet; short paragraphs between them ("Section 2:
    Early help", a heading style) are rows of one value, which the plan reader takes as
    headings. Each merged cell's text applies to every grid cell it covers, as in Excel.
    """
    import docx

    _refuse_doctypes(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx and lxml raise many types on damaged files
        raise ImportRefused(
            "This Word document could not be read (it may be damaged or only partly "
            "uploaded). Open it in Word, save it as .docx and upload it again."
        ) from error
    stem = (filename or "Plan").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "Plan"
    groups: list[tuple[int, list[list[Cell]]]] = []  # (width, rows)
    pending: list[str] = []  # heading paragraphs since the last table
    prose: list[str] = []  # other paragraphs: the document's text, not the plan's table
    rows_read = 0
    section: str | None = None  # the last "Priority 5: …" paragraph since the last table
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag
        if tag == f"{W_NS}p":
            text = _docx_text(child)
            if text and _DOCX_SECTION.match(text):
                section = text
            if text and (len(text) <= DOCX_HEADING_MAX_CHARS or _docx_is_heading(child)):
                pending.append(text)
            elif text:
                prose.append(text)
            continue
        if tag != f"{W_NS}tbl":
            continue
        table_rows = _docx_table_rows(child)
        if not table_rows:
            continue
        rows_read += len(table_rows)
        if rows_read > max_rows():
            raise ImportRefused(
                f"The document's tables have more than {max_rows():,} rows; we import at most "
                "that many. Split the plan or remove empty rows."
            )
        width = max(len(row) for row in table_rows)
        distinct = list(dict.fromkeys(c.text for row in table_rows for c in row if c.text))
        if (width <= 2 or len(table_rows) == 1) and len(distinct) <= 2:
            # A boxed heading ("Recommendation 1 | Improve supervision") above the table of
            # actions: its text is a heading row for what follows, not a table of its own.
            pending.extend(distinct)
            continue
        if groups and groups[-1][0] == width:
            target = groups[-1][1]
        else:
            groups.append((width, []))
            target = groups[-1][1]
            # Paragraphs just above a new table are its title rows (kept to a few).
            prose.extend(pending[:-3])
            pending = pending[-3:]
            if section and section not in pending:
                # "Priority 5: …" further up, with reasons and outcomes between it and the
                # table: nothing nearer is a heading, so it heads this table.
                if section in prose:
                    prose.remove(section)
                pending.insert(0, section)
        target.extend([Cell(value=text)] for text in pending)
        pending = []
        section = None
        target.extend(table_rows)
    if not groups:
        listed = _docx_list_sheet(body, stem)
        if listed is None:
            raise ImportRefused(
                "This Word document has no table, so no plan was found in it. A plan is a "
                "table with headings such as 'Action', 'By when' and 'Who', or bulleted lists "
                "of actions under headings."
            )
        return [listed]
    sheets = []
    dropped = prose + pending  # pending here: short paragraphs after the last table
    furniture: list[tuple[str, str]] = []  # page headers and footers
    for number, (_, rows) in enumerate(groups, 1):
        name = stem if len(groups) == 1 else f"{stem} (table {number})"
        sheets.append(
            Sheet(name=name[:100], rows=rows, explicit_merges=True, named_after_file=True)
        )
    sheets[-1].outside_text = list(pending)
    for section in document.sections:
        for part, label in ((section.header, "page header"), (section.footer, "footer")):
            try:
                texts = [_docx_text(p._p) for p in part.paragraphs] if part is not None else []
            except Exception:  # a damaged header part must not stop the plan being read
                texts = []
            for text in texts:
                if text and (label, text) not in furniture:
                    furniture.append((label, text))
    if dropped or furniture:
        many = len(dropped) != 1
        sheets[0].findings.append(
            SheetFinding(
                sheet=sheets[0].name,
                row=None,
                column=None,
                message=(
                    f"{len(dropped)} paragraph{'s' if many else ''} of the document outside its "
                    f"tables (introduction, notes, legends) {'were' if many else 'was'} not "
                    "imported; each is named below."
                ),
                level="info",
            )
        )
        # Every paragraph by its words, so nothing the document says is dropped unnamed.
        for text in dropped[:500]:
            sheets[0].findings.append(
                SheetFinding(
                    sheet=sheets[0].name,
                    row=None,
                    column=None,
                    message=f"Paragraph outside the tables, not imported: '{_excerpt(text)}'.",
                    level="info",
                )
            )
        for label, text in furniture[:50]:
            sheets[0].findings.append(
                SheetFinding(
                    sheet=sheets[0].name,
                    row=None,
                    column=None,
                    message=f"The document's {label}, not imported: '{_excerpt(text)}'.",
                    level="info",
                )
            )
    return sheets


def _docx_heading_level(paragraph) -> int | None:
    """1 for Title and Heading 1, 2 for Heading 2 …; None for a paragraph of text."""
    style = paragraph.find(f"{W_NS}pPr/{W_NS}pStyle")
    value = (style.get(f"{W_NS}val", "") if style is not None else "").lower()
    if value.startswith("title"):
        return 1
    match = re.fullmatch(r"heading(\d)", value)
    return int(match[1]) if match else None


def _docx_list_sheet(body, stem: str) -> Sheet | None:
    """A plan written without a table: its actions as bulleted lists under headings.

    "Leadership, management and governance" (the top heading) names the priority; the
    heading nearest above each list ("What we will do") heads its items; every list
    paragraph is an action. Other paragraphs are the document's text, named in findings.
    None when the document has fewer than two list paragraphs.
    """
    rows: list[list[Cell]] = [[Cell(value="Action"), Cell(value="Notes")]]
    top: str | None = None
    heading: str | None = None
    written: str | None = None
    items, dropped = 0, []
    for child in body.iterchildren(f"{W_NS}p"):
        text = _docx_text(child)
        if not text:
            continue
        level = _docx_heading_level(child)
        if level is not None:
            if top is None or level == 1:
                top, heading = (top or text), None
            else:
                heading = text
            continue
        if not _docx_is_list_item(child):
            dropped.append(text)
            continue
        if heading and heading != written:
            rows.append([Cell(value=heading)])
            written = heading
        rows.append([Cell(value=text), Cell()])
        items += 1
    if items < 2:
        return None
    sheet = Sheet(name=(top or stem)[:100], rows=rows, explicit_merges=True)
    sheet.findings.append(
        SheetFinding(
            sheet=sheet.name,
            row=None,
            column=None,
            message=(
                f"The document has no table: its {items} bulleted or numbered paragraphs were "
                "read as actions, under the headings above them. Check them before saving."
            ),
            level="warning",
        )
    )
    for text in dropped[:500]:
        sheet.findings.append(
            SheetFinding(
                sheet=sheet.name,
                row=None,
                column=None,
                message=f"Paragraph outside the lists, not imported: '{_excerpt(text)}'.",
                level="info",
            )
        )
    return sheet


def _excerpt(text: str, limit: int = 300) -> str:
    """A paragraph's words for a finding: its lines joined, cut at ``limit`` characters."""
    joined = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def _refuse_doctypes(data: bytes) -> None:
    """python-docx parses with lxml's huge-tree option: refuse any DTD (entity expansion)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    for member in archive.infolist():
        if not member.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(member) as stream:
            head = stream.read(4096).lower()
        if b"<!doctype" in head or b"<!entity" in head:
            raise ImportRefused(
                "This Word document holds XML that a plan never needs (a document type "
                "declaration), so it was not opened. Open it in Word, save it as .docx and "
                "upload it again."
            )


_DOCX_LIST_STYLE = re.compile(r"^list(?:bullet|number|continue)?\d*$", re.IGNORECASE)


def _docx_is_list_item(paragraph) -> bool:
    """A bulleted or numbered paragraph: Word's own numbering, or a list style."""
    props = paragraph.find(f"{W_NS}pPr")
    if props is None:
        return False
    if props.find(f"{W_NS}numPr") is not None:
        return True
    style = props.find(f"{W_NS}pStyle")
    value = style.get(f"{W_NS}val", "") if style is not None else ""
    return bool(_DOCX_LIST_STYLE.match(value)) and value.lower() != "listparagraph"


def _docx_text(element, *, mark_lists: bool = False) -> str:
    """A paragraph's or cell's text: its paragraphs one a line (nested tables' text too).

    ``mark_lists`` starts each bulleted or numbered paragraph with "• ", as the list shows
    on the page (Word keeps the bullet in the numbering, not in the text), so that a cell
    holding several listed steps reads as several items.
    """
    lines = []
    for paragraph in element.iter(f"{W_NS}p"):
        parts = []
        for node in paragraph.iter(f"{W_NS}t", f"{W_NS}tab", f"{W_NS}br", f"{W_NS}cr"):
            if node.tag == f"{W_NS}t":
                parts.append(node.text or "")
            elif node.tag == f"{W_NS}tab":
                parts.append(" ")
            else:
                parts.append("\n")
        line = "".join(parts).replace("\xa0", " ").strip()
        if line and mark_lists and _docx_is_list_item(paragraph):
            line = f"• {line}"
        if line:
            lines.append(line)
    return "\n".join(lines)


def _docx_is_heading(paragraph) -> bool:
    style = paragraph.find(f"{W_NS}pPr/{W_NS}pStyle")
    value = style.get(f"{W_NS}val", "") if style is not None else ""
    return value.lower().startswith(("heading", "title"))


def _docx_table_rows(table) -> list[list[Cell]]:
    """Grid rows of a table: gridSpan repeats a cell across, vMerge continues it down."""
    rows: list[list[Cell]] = []
    for tr in table.iterchildren(f"{W_NS}tr"):
        row: list[Cell] = []
        before = tr.find(f"{W_NS}trPr/{W_NS}gridBefore")
        if before is not None:
            row.extend(Cell() for _ in range(_int_attr(before)))
        for tc in tr.iterchildren(f"{W_NS}tc"):
            props = tc.find(f"{W_NS}tcPr")
            span, merge, fill = 1, None, None
            if props is not None:
                grid_span = props.find(f"{W_NS}gridSpan")
                if grid_span is not None:
                    span = max(1, min(_int_attr(grid_span), MAX_COLUMNS))
                v_merge = props.find(f"{W_NS}vMerge")
                if v_merge is not None:
                    merge = v_merge.get(f"{W_NS}val", "continue")
                shading = props.find(f"{W_NS}shd")
                if shading is not None:
                    colour = (shading.get(f"{W_NS}fill") or "").upper()
                    if re.fullmatch(r"[0-9A-F]{6}", colour) and colour != "FFFFFF":
                        fill = "FF" + colour
            if merge == "continue" and rows:
                column = len(row)
                above = rows[-1][column] if column < len(rows[-1]) else Cell()
                cell = Cell(value=above.value, fill=above.fill)
            else:
                cell = Cell(value=_plain(_docx_text(tc, mark_lists=True)), fill=fill)
            for _ in range(span):
                row.append(Cell(value=cell.value, fill=cell.fill))
            if len(row) >= MAX_COLUMNS:
                break
        if row:
            rows.append(row[:MAX_COLUMNS])
    return rows


def _int_attr(element) -> int:
    try:
        return int(element.get(f"{W_NS}val", "1"))
    except ValueError:
        return 1
