"""Files to attach, good and bad, generated in code (nothing binary is committed).

``CORPUS`` is a list of ``Case(name, data, refused)``: ``refused`` is "" for a file that must
be stored whole, else a fragment of the sentence that must refuse it. The numbers in
docs/security.md ("Attachments") are counted from it by tests/evidence/test_corpus.py.
"""

import io
import zipfile
from dataclasses import dataclass
from functools import cache

from django.conf import settings


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    refused: str = ""  # a fragment of the refusal sentence; "" when the file is accepted
    why: str = ""


def pdf(text: str = "Board minutes, 12 March 2020") -> bytes:
    """A small valid PDF of one page with a line of text."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def padded_pdf(size: int) -> bytes:
    """A valid PDF of exactly ``size`` bytes (spaces before its end marker)."""
    good = pdf()
    return good[:-6] + b" " * (size - len(good)) + good[-6:]


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading("Safeguarding strategy 2020", level=1)
    document.add_paragraph("Agreed by the board on 12 March 2020.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Quarter", "Referrals"])
    workbook.active.append(["2019/20 Q3", 41])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "xlsm": ("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "pptm": (
        "ppt/presentation.xml",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    ),
}


def ooxml(kind: str, *, extra: dict[str, bytes] | None = None, types: str | None = None) -> bytes:
    """A minimal Office Open XML package of ``kind`` (its main part and content types)."""
    part, content_type = MAIN[kind]
    declared = types or (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_TYPES}">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", declared)
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(part, '<?xml version="1.0"?><document>Quarterly report</document>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def image(fmt: str, size=(40, 30), mode="RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, (29, 112, 184) if mode == "RGB" else 1).save(out, format=fmt)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A .docx whose document part is 4 MB of one repeated byte (ratio about 1,000)."""
    return ooxml("docx", extra={"word/media/filler.xml": b"<" + b"a" * 4_000_000 + b">"})


@cache
def corpus() -> list[Case]:
    limit = settings.EVIDENCE_MAX_BYTES
    good_pdf = pdf()
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    png = image("PNG")
    return [
        # --- stored whole ---------------------------------------------------------------
        Case("board-minutes.pdf", good_pdf),
        Case("Minutes – Café meeting 12.03.2020.pdf", pdf("Cafe"), why="non-ASCII name"),
        Case("strategy.docx", docx(), why="a real Word document (python-docx)"),
        Case("referrals.xlsx", xlsx(), why="a real workbook (openpyxl)"),
        Case("briefing.pptx", ooxml("pptx")),
        Case("minimal.docx", ooxml("docx")),
        Case("chart.png", png),
        Case("photo.jpg", image("JPEG")),
        Case("photo.JPEG", image("JPEG"), why="upper-case extension"),
        Case("animation.gif", image("GIF")),
        Case("picture.webp", image("WEBP")),
        Case("figures.csv", b"Quarter,Referrals\n2019/20 Q3,41\n"),
        Case("figures-bom.csv", "\ufeffQuarter,Cost\n2019/20 Q3,£41\n".encode()),
        Case("figures-windows.csv", "Quarter,Cost\r\n2019/20 Q3,£41\r\n".encode("cp1252")),
        Case("tabbed.csv", b"a\tb\tc\r\n1\t2\t3\r\n"),
        Case(
            "report\u202efdp.exe.pdf",
            good_pdf,
            why="a right-to-left override dropped from the name",
        ),
        Case("x" * 300 + ".pdf", good_pdf, why="a long name, shortened keeping .pdf"),
        Case("exactly-the-limit.pdf", padded_pdf(limit)),
        # --- too big, empty ----------------------------------------------------------------
        Case("too-big.pdf", padded_pdf(limit + 1), "at most 10.0 MB"),
        Case("empty.pdf", b"", "The file is empty"),
        Case("empty.csv", b"", "The file is empty"),
        # --- not an accepted type --------------------------------------------------------
        Case("setup.exe", exe, "Files ending .exe cannot be attached"),
        Case("page.html", b"<html><script>alert(1)</script></html>", "Files ending .html"),
        Case(
            "drawing.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
            "Files ending .svg",
        ),
        Case("notes.txt", b"plain text", "Files ending .txt"),
        Case("archive.zip", ooxml("docx"), "Files ending .zip"),
        Case("noextension", good_pdf, "has no extension"),
        Case(".pdf", good_pdf, "has no extension"),
        # --- the name says one thing, the content another --------------------------------
        Case("report.pdf", exe, "its content is a Windows program, not a PDF", why="renamed .exe"),
        Case("minutes.pdf", b"<html><body>Minutes</body></html>", "its content is not a PDF"),
        Case("cut-short.pdf", good_pdf[: len(good_pdf) // 2], "This PDF is incomplete"),
        Case("strategy.docx", good_pdf, "its content is a PDF, not a Word document"),
        Case("workbook-as.docx", xlsx(), "its content is a zip archive, not a Word document"),
        Case("document-as.xlsx", docx(), "not an Excel workbook"),
        Case("plain.docx", b"just some words", "is not a Word document"),
        Case("chart.png", image("JPEG"), "its content is a JPEG image, not a PNG image"),
        Case("photo.jpg", png, "its content is a PNG image, not a JPEG image"),
        Case("vector.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not a PNG image"),
        Case("broken.png", png[:40], "damaged or incomplete"),
        Case("figures.csv", exe, "its content is a Windows program, not CSV text"),
        Case("nul.csv", b"a,b\n1,\x002\n", "is not text"),
        Case("zipped.csv", ooxml("docx"), "its content is a zip archive, not CSV text"),
        Case("script.csv", b"#!/bin/sh\nrm -rf /\n", "its content is a script, not CSV text"),
        # --- macros ----------------------------------------------------------------------
        Case("macros.docm", ooxml("docm"), "contains macros"),
        Case("macros.xlsm", ooxml("xlsm"), "contains macros"),
        Case("macros.pptm", ooxml("pptm"), "contains macros"),
        Case("renamed-docm.docx", ooxml("docm"), "contains macros", why="macro content type"),
        Case("renamed-xlsm.xlsx", ooxml("xlsm"), "contains macros"),
        Case(
            "vba.xlsx",
            ooxml("xlsx", extra={"xl/vbaProject.bin": ole}),
            "contains macros",
            why="vbaProject.bin inside a workbook with the plain content type",
        ),
        Case("vba.docx", ooxml("docx", extra={"word/vbaProject.bin": ole}), "contains macros"),
        Case("legacy.doc", ole, "Old-format Office files (.doc)"),
        Case("legacy.xls", ole, "Old-format Office files (.xls)"),
        Case("legacy.ppt", ole, "Old-format Office files (.ppt)"),
        Case("protected.docx", ole, "password-protected", why="encrypted OOXML is an OLE file"),
        # --- bombs and damage ------------------------------------------------------------
        Case("bomb.docx", zip_bomb(), "would unpack to far more data"),
        Case("huge.png", image("PNG", size=(10_000, 6_000), mode="1"), "more than the 50 million"),
        Case("huger.png", image("PNG", size=(12_000, 8_000), mode="1"), "more than the 50 million"),
        Case("truncated.docx", ooxml("docx")[:-30], "damaged or encrypted"),
        # --- names that could reach outside a folder -------------------------------------
        Case("../../etc/passwd.pdf", good_pdf, "folder path"),
        Case("/etc/passwd.pdf", good_pdf, "folder path"),
        Case("..\\..\\windows\\win.pdf", good_pdf, "folder path"),
        Case("C:\\Users\\report.pdf", good_pdf, "folder path"),
        Case("C:report.pdf", good_pdf, "folder path"),
        Case("minutes.pdf\x00.exe", good_pdf, "folder path"),
        Case("..", good_pdf, "folder path"),
        Case("evidence/minutes.pdf", good_pdf, "folder path"),
    ]
