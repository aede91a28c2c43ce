"""Bounds on uploaded spreadsheets, checked before any parser builds a workbook or rows.

A small upload can cost minutes of CPU and gigabytes of memory once a parser expands it:
openpyxl builds an object for every cell, so a 447 KB workbook of dense cells took 66 s and
3.2 GB. These checks cost a streaming pass over the archive (no tree is built) and refuse,
with a sentence, anything that would unpack to more cells or characters than a plan holds:

* every zip part's compression ratio, and the total unpacked size;
* the cells and the characters of every XML part, counted while streaming it with expat
  (a shared string counts for every cell that uses it, so repeating one long string in
  many cells is counted as what the parser would produce);
* for CSV, the same cells and characters, and the longest cell, counted by one pass of
  the csv module, so no caller meets its "field larger than field limit" error.

Generic on purpose: the plan importer and the indicator uploads call these at their entry
points. Limits are settings (``UPLOAD_MAX_CELLS``, ``UPLOAD_MAX_CHARACTERS``,
``UPLOAD_MAX_UNCOMPRESSED_BYTES``) with defaults sized for the target in docs/security.md:
any upload of 10 MB or less costs at most 15 s and 500 MB in the process that handles it.
"""

import csv
import io
import sys
import zipfile
from xml.parsers import expat

from django.conf import settings

# Real workbook parts zip 3-30x; bombs are hundreds of times. Parts that unpack to less
# than RATIO_FLOOR_BYTES are exempt: they cannot cost anything that matters (their cells
# and characters are counted below all the same), and a short sheet holding one long cell
# of repeated text is tightly packed harmlessly.
MAX_COMPRESSION_RATIO = 150
RATIO_FLOOR_BYTES = 256 * 1024
# Each cell costs openpyxl about 500 bytes and the importer about 100 µs to read (measured:
# 380,000 cells took 40 s on a busy machine). 120,000 cells is a plan of 10,000 rows of 12
# columns, read in about 12 s; a real plan has a few thousand cells.
DEFAULT_MAX_CELLS = 120_000
# Ten million characters is about 3,000 pages of text; a large plan holds under a million.
DEFAULT_MAX_CHARACTERS = 10_000_000
READ_CHUNK = 256 * 1024

# The elements each format's parser turns into a cell object, and those holding its text:
# Excel (spreadsheetml), Word (wordprocessingml: table cells and text runs) and OpenDocument
# (table cells, which may say they repeat, and text paragraphs and spans).
_SPREADSHEET = ({"c", "si", "comment"}, {"t", "v"})
_KINDS = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main": _SPREADSHEET,
    "http://purl.oclc.org/ooxml/spreadsheetml/main": _SPREADSHEET,
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main": ({"tc"}, {"t"}),
    "http://purl.oclc.org/ooxml/wordprocessingml/main": ({"tc"}, {"t"}),
    "urn:oasis:names:tc:opendocument:xmlns:table:1.0": (
        {"table-cell", "covered-table-cell"},
        set(),
    ),
    "urn:oasis:names:tc:opendocument:xmlns:text:1.0": (set(), {"p", "span", "h"}),
}
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_REPEAT_COLUMNS = f"{_ODF_TABLE}}}number-columns-repeated"
_ODF_REPEAT_ROWS = f"{_ODF_TABLE}}}number-rows-repeated"
_ODF_VALUE_TYPE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"


# The csv module stops at 131,072 characters a field with its own words; lifting that (once,
# here: it is process-wide) lets csv_bounds_check name the line and the cell's length.
csv.field_size_limit(max(csv.field_size_limit(), DEFAULT_MAX_CHARACTERS + 1))


class UploadRefused(Exception):
    """The upload cannot be read; the message says why and what to do, in a sentence."""


def max_cells() -> int:
    return getattr(settings, "UPLOAD_MAX_CELLS", DEFAULT_MAX_CELLS)


def max_characters() -> int:
    return getattr(settings, "UPLOAD_MAX_CHARACTERS", DEFAULT_MAX_CHARACTERS)


def zip_expansion(members: list[zipfile.ZipInfo]) -> tuple[int, float]:
    """What a zip's members say they unpack to: the total bytes, and the worst compression
    ratio among members over RATIO_FLOOR_BYTES (a small member may compress far, harmlessly).
    Compare them with a bound and MAX_COMPRESSION_RATIO before reading any member."""
    total = sum(member.file_size for member in members)
    worst = max(
        (
            member.file_size / max(member.compress_size, 1)
            for member in members
            if member.file_size > RATIO_FLOOR_BYTES
        ),
        default=0,
    )
    return total, worst


def max_uncompressed_bytes() -> int:
    default = 10 * getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024)
    return getattr(settings, "UPLOAD_MAX_UNCOMPRESSED_BYTES", default)


def _too_many_cells(limit: int) -> UploadRefused:
    return UploadRefused(
        f"This workbook holds more than {limit:,} cells (formatted empty cells count too), "
        "far more than a plan needs, so it was not opened. Delete unused sheets, rows and "
        "columns, or copy just the plan into a new workbook, and upload that."
    )


def _too_many_characters(limit: int) -> UploadRefused:
    return UploadRefused(
        f"This workbook holds more than {limit:,} characters of text, far more than a plan "
        "needs, so it was not opened. Delete unused sheets or very long cells, or copy just "
        "the plan into a new workbook, and upload that."
    )


def _not_a_workbook() -> UploadRefused:
    return UploadRefused(
        "This file is not a readable Excel workbook (it may be damaged or only partly "
        "uploaded). Open it in Excel, save it as .xlsx and upload it again."
    )


class _PartCounter:
    """Counts cells and characters of one workbook while expat streams its parts."""

    def __init__(self, *, cells: int, characters: int):
        self.cell_limit, self.character_limit = cells, characters
        self.cells = 0
        self.characters = 0  # what the cells produce, shared strings once per use
        self.shared_characters = 0
        self.shared: list[int] = []  # length of each shared string, by index
        self._in_text = False
        self._in_si = False
        self._si_length = 0
        self._cell_shared = False
        self._cell_value: list[str] = []
        self._names: dict[str, tuple[str, str] | None] = {}
        # OpenDocument repeats a cell (and a row) by an attribute: a cell with content counts
        # as many times as the reader will expand it; an empty repeated run (LibreOffice pads
        # every sheet with a million) costs the reader nothing and is not counted.
        self._row_repeat = 1
        self._repeat = 1

    def count(self, stream) -> None:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        parser.EntityDeclHandler = self._refuse_doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.buffer_text = True
        while chunk := stream.read(READ_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _refuse_doctype(self, *args):
        raise UploadRefused(
            "This workbook contains a document type declaration, which Excel never writes, "
            "so it was not opened. Open it in Excel, save it as .xlsx and upload it again."
        )

    def _local(self, name: str) -> tuple[str, str] | None:
        """("cell" | "text" | "si" | "row", local name), or None for an element not counted."""
        # A part has a handful of element names: split each once, not once per element.
        if name not in self._names:
            namespace, _, local = name.rpartition("}")
            cells, texts = _KINDS.get(namespace, (set(), set()))
            if local in cells:
                self._names[name] = ("cell", local)
            elif local in texts:
                self._names[name] = ("text", local)
            elif namespace == _ODF_TABLE and local == "table-row":
                self._names[name] = ("row", local)
            else:
                self._names[name] = None
        return self._names[name]

    def _start(self, name, attributes):
        kind = self._names[name] if name in self._names else self._local(name)
        if kind is None:
            return
        what, local = kind
        if what == "row":
            self._row_repeat = int(attributes.get(_ODF_REPEAT_ROWS, "1") or 1)
        elif what == "cell":
            self._repeat = 1
            if local in ("table-cell", "covered-table-cell"):
                columns = int(attributes.get(_ODF_REPEAT_COLUMNS, "1") or 1)
                self._repeat = columns * self._row_repeat
                if self._repeat > 1 and _ODF_VALUE_TYPE not in attributes:
                    self._repeat = -self._repeat  # counted only if text follows (_text)
            self.cells += max(self._repeat, 0)
            if self.cells > self.cell_limit:
                raise _too_many_cells(self.cell_limit)
            if local == "c":
                self._cell_shared = attributes.get("t") == "s"
                self._cell_value = []
            elif local == "si":
                self._in_si, self._si_length = True, 0
        elif what == "text":
            self._in_text = True

    def _end(self, name):
        kind = self._names[name] if name in self._names else self._local(name)
        if kind is None:
            return
        what, local = kind
        if what == "text":
            self._in_text = False
        elif what == "row":
            self._row_repeat = 1
        elif local == "si":
            self._in_si = False
            self.shared.append(self._si_length)
            self.shared_characters += self._si_length
            if self.shared_characters > self.character_limit:
                raise _too_many_characters(self.character_limit)
        elif local == "c" and self._cell_shared:
            index = "".join(self._cell_value).strip()
            if index.isdigit() and int(index) < len(self.shared):
                self._add(self.shared[int(index)])
            self._cell_shared = False
        elif local in ("table-cell", "covered-table-cell"):
            self._repeat = 1

    def _text(self, data: str):
        if not self._in_text:
            return
        if self._in_si:
            self._si_length += len(data)
        elif self._cell_shared:
            if len(self._cell_value) < 4:  # an index is a few digits; never keep more
                self._cell_value.append(data)
        else:
            if self._repeat < 0:  # text in a repeated cell with no value type: count it now
                self.cells += -self._repeat
                if self.cells > self.cell_limit:
                    raise _too_many_cells(self.cell_limit)
                self._repeat = -self._repeat
            self._add(len(data) * max(self._repeat, 1))

    def _add(self, characters: int):
        self.characters += characters
        if self.characters > self.character_limit:
            raise _too_many_characters(self.character_limit)


def xlsx_bounds_check(data: bytes) -> None:
    """Refuse a workbook (or a Word or OpenDocument file: all are zips of XML) that would
    unpack to more than a plan holds, before it is opened.

    Raises ``UploadRefused`` with a sentence; returns None when the workbook is in bounds.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _not_a_workbook() from error
    total, worst = zip_expansion(members)
    if total > max_uncompressed_bytes() or worst > MAX_COMPRESSION_RATIO:
        raise UploadRefused(
            "This workbook expands to far more data than a plan holds "
            f"({total / 1_048_576:.0f} MB unpacked), so it was not opened. Check the file "
            "or export just the plan's sheets to a new workbook."
        )
    counter = _PartCounter(cells=max_cells(), characters=max_characters())
    parts = [m for m in members if m.filename.lower().endswith(".xml")]
    # Shared strings first, so each cell that uses one counts its length.
    parts.sort(key=lambda member: "sharedstrings" not in member.filename.lower())
    for member in parts:
        try:
            with archive.open(member) as stream:
                counter.count(stream)
        except UploadRefused:
            raise
        except Exception as error:
            # A part expat cannot read (not well-formed, an encoding Excel never writes) would
            # go uncounted, so it is refused; so is a damaged, encrypted or lying archive
            # (zipfile and zlib raise half a dozen types).
            raise _not_a_workbook() from error


def csv_bounds_check(
    text: str,
    *,
    dialect=csv.excel,
    max_cell_characters: int = 32_767,
) -> None:
    """Refuse CSV text with more cells or characters than a plan holds, or an overlong cell.

    One pass of the csv module, keeping nothing; raises ``UploadRefused`` with the line.
    ``max_cell_characters`` defaults to Excel's own limit for a cell.
    """
    if len(text) > max_characters():
        raise UploadRefused(
            f"This file holds more than {max_characters():,} characters, far more than a "
            "plan needs. Split it into smaller files and upload them one by one."
        )
    cells = 0
    limit = max_cells()
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for record in reader:
            cells += len(record)
            if cells > limit:
                raise UploadRefused(
                    f"This file holds more than {limit:,} cells (line {reader.line_num:,} "
                    "goes past that), far more than a plan needs. Delete unused columns and "
                    "rows, or split the file, and upload it again."
                )
            longest = max(map(len, record), default=0)
            if longest > max_cell_characters:
                raise UploadRefused(
                    f"Line {reader.line_num:,} has a cell of {longest:,} "
                    f"characters; a cell may hold at most {max_cell_characters:,}. Shorten it "
                    "(or close a quotation mark left open before it) and upload the file again."
                )
    except csv.Error as error:
        raise UploadRefused(
            f"Line {reader.line_num:,} of this file could not be read: a quotation mark may "
            "not be closed, or a cell is far too long. Check that line, or save the file from "
            "Excel as 'CSV UTF-8' and upload it again."
        ) from error


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB (for the bench script)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
