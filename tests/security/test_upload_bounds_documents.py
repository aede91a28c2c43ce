"""Word and OpenDocument uploads are bounded like workbooks: their table cells and text are
counted while streaming the XML, before python-docx or calamine builds anything."""

import io
import zipfile

import pytest

from plans.uploads import UploadRefused, xlsx_bounds_check

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def zipped(name: str, xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, xml)
    return buffer.getvalue()


def docx(cells: int) -> bytes:
    row = "<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>" * 10
    rows = f"<w:tr>{row}</w:tr>" * (cells // 10)
    return zipped(
        "word/document.xml",
        f'<w:document xmlns:w="{W}"><w:body><w:tbl>{rows}</w:tbl></w:body></w:document>',
    )


def ods(cell: str) -> bytes:
    return zipped(
        "content.xml",
        f'<office:document-content xmlns:office="{OFFICE}" xmlns:table="{TABLE}" '
        f'xmlns:text="{TEXT}"><office:body><office:spreadsheet><table:table>{cell}'
        "</table:table></office:spreadsheet></office:body></office:document-content>",
    )


def test_a_word_table_of_too_many_cells_is_refused_before_it_is_parsed(settings):
    with pytest.raises(UploadRefused, match="far more"):  # the zip ratio or the cells
        xlsx_bounds_check(docx(130_000))
    # Counted cell by cell: a small limit refuses a table that unpacks to little.
    settings.UPLOAD_MAX_CELLS = 1_000
    with pytest.raises(UploadRefused, match="more than 1,000 cells"):
        xlsx_bounds_check(docx(2_000))
    settings.UPLOAD_MAX_CELLS = 120_000
    xlsx_bounds_check(docx(2_000))  # a real plan's table passes


def test_an_opendocument_cell_repeated_past_the_limit_is_refused():
    # 200 columns × 1,000 rows of one cell with content: the reader would expand 200,000.
    repeated = (
        '<table:table-row table:number-rows-repeated="1000"><table:table-cell '
        'table:number-columns-repeated="200" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )
    with pytest.raises(UploadRefused, match="more than 120,000 cells"):
        xlsx_bounds_check(ods(repeated))


def test_opendocument_padding_of_empty_repeated_rows_is_not_counted():
    # LibreOffice pads every sheet with a million empty rows; they cost its readers nothing.
    padding = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Plan</text:p>'
        "</table:table-cell></table:table-row><table:table-row table:number-rows-repeated="
        '"1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    xlsx_bounds_check(ods(padding))
