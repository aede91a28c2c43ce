"""A large board pack rendered as several WeasyPrint documents and joined into one tagged PDF.

WeasyPrint keeps the laid-out boxes of every page (a Pango layout per line of text) until it
writes the file: about 2 MB a page, so a 1,500-page pack peaked at 4 GB. Laying a large pack
out in parts of at most ``PACK_PDF_PART_ROWS`` table rows bounds that, and the parts are joined with
pikepdf (qpdf), copying each part's pages and then its tag tree (PDF/UA), so a screen reader
still finds every page's text in reading order.

The split works on the pack's own HTML (``reporting/pack_pdf.html``): every tag in it is the
template's and user text is escaped, so chapters (``<section>``), tables and rows can be found
by pattern. A part that goes on with a chapter starts with a line naming it (and the heading
of the table it continues), which also sets the running header.
"""

import re
import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pikepdf

SECTION = re.compile(r"<section\b[^>]*>.*?</section>", re.S)
SECTION_OPEN = re.compile(r"<section\b[^>]*>")
TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
ROW = re.compile(r"<tr\b.*?</tr>", re.S)
H2 = re.compile(r"<h2>(.*?)</h2>", re.S)
H3 = re.compile(r"<h3>(.*?)</h3>", re.S)
PT_PER_PX = 0.75  # 72 PDF points an inch, 96 CSS pixels
RUN = re.compile(r'<p class="for-(?:header|footer)">.*?</p>', re.S)


@dataclass
class Table:
    opening: str  # <table> … <tbody>
    rows: list[str]
    closing: str  # </tbody></table>


@dataclass
class Chapter:
    opening: str  # <section …>
    title: str  # the <h2>'s text, already escaped
    pieces: list  # str (headings, paragraphs) and Table, in order


@dataclass
class Split:
    """The pack's HTML taken apart: what each part is built from."""

    head: str  # <!DOCTYPE> … <body>
    front: str  # the cover and contents
    run: str  # the cover's running header and footer text
    chapters: list[Chapter] = field(default_factory=list)


def split_html(html: str) -> Split:
    head, body = html.split("<body>", 1)
    sections = SECTION.findall(body)
    front = [s for s in sections if 'class="cover"' in s or "chapter contents" in s]
    split = Split(head=head + "<body>", front="".join(front), run="".join(RUN.findall(front[0])))
    for section in sections:
        if section in front:
            continue
        opening = SECTION_OPEN.match(section).group(0)
        inner = section[len(opening) : -len("</section>")]
        title = H2.search(inner)
        split.chapters.append(
            Chapter(opening, title.group(1) if title else "", list(_pieces(inner)))
        )
    return split


def _pieces(inner: str):
    position = 0
    for match in TABLE.finditer(inner):
        if inner[position : match.start()].strip():
            yield inner[position : match.start()]
        table = match.group(0)
        if "<tbody>" in table:
            start, end = table.index("<tbody>") + len("<tbody>"), table.rindex("</tbody>")
            yield Table(table[:start], ROW.findall(table[start:end]), table[end:])
        else:
            yield table
        position = match.end()
    if inner[position:].strip():
        yield inner[position:]


def part_bodies(split: Split, max_rows: int) -> list[str]:
    """The body of each part after the front: whole chapters while they fit, else pieces.

    A table longer than a part's room is cut between rows; a paragraph or heading counts as a
    row. The part that goes on with a chapter starts with a line saying so.
    """
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for chapter in split.chapters:
        if used >= max_rows:  # a full part ends where a chapter does
            parts.append("".join(current))
            current, used = [], 0
        current.append(chapter.opening)
        if len(current) == 1:  # a part's first chapter: inside it, so no blank page before
            current.append(_run(split))
        heading = ""  # the last <h3> seen: what a continued table is
        for piece in chapter.pieces:
            if isinstance(piece, str):
                if used >= max_rows:
                    current, used = _next_part(parts, current, split, chapter, "")
                current.append(piece)
                used += 1
                if found := H3.findall(piece):
                    heading = found[-1]
                continue
            rows = piece.rows
            while True:
                if used >= max_rows and rows:
                    current, used = _next_part(parts, current, split, chapter, heading)
                taken, rows = rows[: max_rows - used], rows[max_rows - used :]
                current.append(piece.opening + "".join(taken) + piece.closing)
                used += len(taken)
                if not rows:
                    break
        current.append("</section>")
    parts.append("".join(current))
    return parts


def _next_part(parts, current, split, chapter, heading):
    parts.append("".join(current) + "</section>")
    continued = [
        '<section class="chapter continued">',
        _run(split),
        f'<p class="continued"><span class="chapter-name">{chapter.title}</span>, continued'
        + (f": {heading}" if heading else "")
        + "</p>",
    ]
    return continued, 0


def _run(split: Split) -> str:
    return f'<div class="run">{split.run}</div>'


def join_tagged(documents: list[bytes], bookmarks: list[tuple], *, batch: int = 4) -> bytes:
    """One PDF of the documents' pages in order, keeping each one's tag tree (PDF/UA).

    The first document gives the catalog (title, language, metadata). Each later one's pages
    are copied, their keys in the structure parent tree renumbered after those already there,
    and the top structure elements of its tree moved under the first document's. The outline
    is made again from ``bookmarks``: (level, label, page index, x, y in CSS pixels).

    qpdf keeps every object it has read, and a copied part's objects stay read in the part
    too, so every ``batch`` parts the joined file is saved and opened again: the parts are let
    go and the file's own objects are read again only as it is written.
    """
    with tempfile.TemporaryDirectory(prefix="pack-") as folder:
        out = pikepdf.open(BytesIO(documents[0]))
        sources = []
        for number, data in enumerate(documents[1:], start=1):
            sources.append(pikepdf.open(BytesIO(data)))
            _append(out, sources[-1])
            if number % batch == 0 and number < len(documents) - 1:
                path = Path(folder) / f"{number}.pdf"
                out.save(path)
                out.close()
                for source in sources:
                    source.close()
                sources = []
                out = pikepdf.open(path)
        _outline(out, bookmarks)
        buffer = BytesIO()
        out.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        out.close()
        for source in sources:
            source.close()
    return buffer.getvalue()


def _append(out: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    """The source's pages after out's, with its tag tree under out's document element."""
    root = out.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    next_key = int(root.get("/ParentTreeNextKey", max(int(key) for key in nums[::2]) + 1))
    source_root = source.Root.StructTreeRoot
    source_nums = source_root.ParentTree.Nums
    keys = {int(key): next_key + i for i, key in enumerate(source_nums[::2])}
    elements = list(source_root.K[0].K)
    for element in elements:
        # Copied with its parent, it would drag the part's whole tree along.
        del element.P
    first = len(out.pages)
    out.pages.extend(source.pages)  # the same copier as copy_foreign: one copy per object
    for page in out.pages[first:]:
        page.obj.StructParents = keys[int(page.obj.StructParents)]
        for annotation in page.obj.get("/Annots", ()):
            if "/StructParent" in annotation:
                annotation.StructParent = keys[int(annotation.StructParent)]
    document_element = root.K[0]
    for element in elements:
        copied = out.copy_foreign(element)
        copied.P = document_element
        document_element.K.append(copied)
    for key, value in zip(source_nums[::2], source_nums[1::2], strict=True):
        nums.append(keys[int(key)])
        nums.append(_copied(out, value))
    root.ParentTreeNextKey = next_key + len(keys)


def _copied(out: pikepdf.Pdf, value):
    """A parent-tree entry of another PDF, as an object of ``out``."""
    if value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(out, item) for item in value])
    return value


def _outline(pdf: pikepdf.Pdf, bookmarks: list[tuple]) -> None:
    """Bookmarks nested by level, as WeasyPrint makes them for one document."""
    with pdf.open_outline() as outline:
        outline.root.clear()
        stack = [(0, outline.root)]
        for level, label, page_index, x, y in bookmarks:
            height = float(pdf.pages[page_index].mediabox[3])
            item = pikepdf.OutlineItem(
                label, page_index, "XYZ", left=x * PT_PER_PX, top=height - y * PT_PER_PX
            )
            while stack[-1][0] >= level:
                stack.pop()
            stack[-1][1].append(item)
            stack.append((level, item.children))
