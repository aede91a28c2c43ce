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

Parts are laid out in worker processes (``lay_out_parts``), one a core: a worker is given the
part's HTML, the base URL and an index of the static files it may read, and writes the part's
PDF to a file, so neither Django nor the pack's data is needed there. After the join, every
page is numbered "Page N of M" as an artifact (``stamp_page_numbers``), kept out of the tag
tree, and the parts' anchors become the joined file's named destinations, which the contents
page's links go to.
"""

import contextlib
import functools
import gc
import multiprocessing
import os
import re
import resource
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pikepdf
import pydyf
from weasyprint import CSS, HTML
from weasyprint import html as weasyprint_html
from weasyprint.urls import URLFetcher, URLFetcherResponse

SECTION = re.compile(r"<section\b[^>]*>.*?</section>", re.S)
SECTION_OPEN = re.compile(r"<section\b[^>]*>")
TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
ROW = re.compile(r"<tr\b.*?</tr>", re.S)
H2 = re.compile(r"<h2>(.*?)</h2>", re.S)
H3 = re.compile(r"<h3>(.*?)</h3>", re.S)
PT_PER_PX = 0.75  # 72 PDF points an inch, 96 CSS pixels
RUN = re.compile(r'<p class="for-(?:header|footer)">.*?</p>', re.S)
# The last parted render in this process: parts, workers and the largest worker's peak memory
# (bench/ reads it: workers are the fork server's children, outside this process's rusage).
LAST_RENDER: dict = {}


def _cached_page_references(pdf) -> tuple[bytes, ...]:
    """``pydyf.PDF.page_references``, built once per page count rather than on every read.

    pydyf 0.13 rebuilds the tuple of every page's reference each time the property is read, and
    WeasyPrint 70's tagging (PDF/UA) reads it once per structure element, so writing a tagged
    pack costs pages × elements: most of the time of a 1,500-page pack. Pages are only ever
    appended, so the page count says whether the cached tuple is still right.
    """
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_page_references"] = cached
    return cached[1]


# Here, not in pdf.py: the layout workers import this module only.
if isinstance(vars(pydyf.PDF).get("page_references"), property):
    pydyf.PDF.page_references = property(_cached_page_references)


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


def units(split: Split) -> int:
    """What ``part_bodies`` counts against a part's room: table rows, headings, paragraphs."""
    return sum(
        len(piece.rows) if isinstance(piece, Table) else 1
        for chapter in split.chapters
        for piece in chapter.pieces
    )


def even_parts(split: Split, max_rows: int, multiple: int = 1) -> list[str]:
    """``part_bodies`` in as few parts as ``max_rows`` allows, rounded up to a multiple of
    ``multiple``, of about the same work each, so that workers laying them out side by side
    finish together.

    The work of a row is taken as the length of its HTML: a row of the exceptions (context
    line, commentary, author) costs about twice a row of the full plan, and layout time
    follows the HTML's length closely (the 300-milestone pack's two parts: 1.45 times the
    bytes, 1.45 times the CPU seconds, when they were cut by rows).
    """
    count = max(1, -(-units(split) // max_rows))
    count = -(-count // max(1, multiple)) * max(1, multiple)
    total = weight(split)
    budget = -(-total // count)
    bodies = part_bodies(split, max_rows, budget)
    while len(bodies) > count and budget < total:
        # A part ends between rows once full, so each runs over its budget a little.
        budget += max(1, budget // 50)
        bodies = part_bodies(split, max_rows, budget)
    return bodies


def weight(split: Split) -> int:
    """The work of laying the chapters out, as ``part_bodies`` weighs it."""
    return sum(
        sum(map(len, piece.rows)) if isinstance(piece, Table) else len(piece)
        for chapter in split.chapters
        for piece in chapter.pieces
    )


def part_bodies(split: Split, max_rows: int, max_weight: int | None = None) -> list[str]:
    """The body of each part after the front: whole chapters while they fit, else pieces.

    A part is full at ``max_rows`` rows or, where given, ``max_weight`` characters of rows,
    headings and paragraphs (``weight``). A table longer than a part's room is cut between
    rows; a paragraph or heading counts as a row. The part that goes on with a chapter starts
    with a line saying so.
    """
    parts: list[str] = []
    current: list[str] = []
    used = weighed = 0

    def full() -> bool:
        return used >= max_rows or (max_weight is not None and weighed >= max_weight)

    for chapter in split.chapters:
        if full():  # a full part ends where a chapter does
            parts.append("".join(current))
            current, used, weighed = [], 0, 0
        current.append(chapter.opening)
        if len(current) == 1:  # a part's first chapter: inside it, so no blank page before
            current.append(_run(split))
        heading = ""  # the last <h3> seen: what a continued table is
        for piece in chapter.pieces:
            if isinstance(piece, str):
                if full():
                    current, used, weighed = _next_part(parts, current, split, chapter, "")
                current.append(piece)
                used += 1
                weighed += len(piece)
                if found := H3.findall(piece):
                    heading = found[-1]
                continue
            rows = piece.rows
            while True:
                if full() and rows:
                    current, used, weighed = _next_part(parts, current, split, chapter, heading)
                taken = 0
                while taken < len(rows) and not full():
                    used += 1
                    weighed += len(rows[taken])
                    taken += 1
                current.append(piece.opening + "".join(rows[:taken]) + piece.closing)
                rows = rows[taken:]
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
    return continued, 0, 0


def _run(split: Split) -> str:
    return f'<div class="run">{split.run}</div>'


def join_tagged(
    documents: list,
    bookmarks: list[tuple],
    *,
    destinations: list[tuple] | None = None,
    numbered: bool = False,
    batch: int = 4,
) -> bytes:
    """One PDF of the documents' pages in order, keeping each one's tag tree (PDF/UA).

    ``documents`` are PDF files (paths) or bytes. The first gives the catalog (title,
    language, metadata). Each later one's pages are copied, their keys in the structure parent
    tree renumbered after those already there, and the top structure elements of its tree
    moved under the first document's. The outline is made again from ``bookmarks``: (level,
    label, page index, x, y in CSS pixels); the named destinations, which internal links go
    to, from ``destinations``: (name, page index, x, y in CSS pixels). ``numbered`` stamps
    "Page N of M" on every page, as an artifact.

    qpdf keeps every object it has read, and a copied part's objects stay read in the part
    too, so every ``batch`` parts the joined file is saved and opened again: the parts are let
    go and the file's own objects are read again only as it is written.
    """

    def opened(document):
        return pikepdf.open(BytesIO(document) if isinstance(document, bytes) else document)

    with tempfile.TemporaryDirectory(prefix="pack-") as folder:
        out = opened(documents[0])
        sources = []
        for number, document in enumerate(documents[1:], start=1):
            sources.append(opened(document))
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
        if destinations is not None:
            _destinations(out, destinations)
        if numbered:
            stamp_page_numbers(out)
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


def _destinations(pdf: pikepdf.Pdf, destinations: list[tuple]) -> None:
    """The catalog's named destinations (a flat, sorted name tree), as WeasyPrint writes them."""
    names = pikepdf.Array()
    for name, page_index, x, y in sorted(destinations):
        page = pdf.pages[page_index]
        height = float(page.mediabox[3])
        names.append(pikepdf.String(name))
        names.append(
            pikepdf.Array([page.obj, pikepdf.Name.XYZ, x * PT_PER_PX, height - y * PT_PER_PX, 0])
        )
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(pikepdf.Dictionary(Names=names))


# ----- Page numbers, stamped after the join ---------------------------------------------------

# Where the pack's CSS puts its page number (@page margins 16mm 12mm 14mm 12mm; the bottom-right
# margin box, 8pt, #505a5f), in PDF points from the bottom-right corner, measured on a pack
# laid out as one document.
NUMBER_RIGHT = 12 * 72 / 25.4
NUMBER_BASELINE = 17.07
NUMBER_SIZE = 8
NUMBER_COLOUR = (0x50 / 255, 0x5A / 255, 0x5F / 255)
NUMBER_TEXT = "Page {number} of {total}"
NUMBER_CHARACTERS = "Page of 0123456789"
NUMBER_FONT = pikepdf.Name("/PackPageNumber")
# The pack's own font first (its CSS asks for DejaVu Sans, then Liberation Sans): embedded, as
# PDF/UA wants of every font, even one drawing only artifacts.
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
)
# Helvetica's widths (a standard 14 font, not embedded) where neither file is installed.
HELVETICA = {" ": 278, "P": 667, "a": 556, "g": 556, "e": 556, "o": 556, "f": 278}


def stamp_page_numbers(pdf: pikepdf.Pdf) -> None:
    """Draw "Page N of M" at the foot of every page, marked as a pagination artifact.

    Each page's own drawing is wrapped in q … Q first, so whatever it leaves set (WeasyPrint
    flips the y axis) does not move the number. The number is marked content /Artifact, so
    it is not in the tag tree and a screen reader does not read it in the text.
    """
    font, widths = _number_font(pdf)
    save = pdf.make_stream(b"q\n")
    total = len(pdf.pages)
    red, green, blue = NUMBER_COLOUR
    for number, page in enumerate(pdf.pages, start=1):
        text = NUMBER_TEXT.format(number=number, total=total)
        width = sum(widths[character] for character in text) * NUMBER_SIZE / 1000
        box = page.mediabox
        x = float(box[2]) - NUMBER_RIGHT - width
        y = float(box[1]) + NUMBER_BASELINE
        resources = page.obj.get("/Resources")
        if resources is None:
            resources = page.obj.Resources = pikepdf.Dictionary()
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font[NUMBER_FONT] = font
        stamp = (
            f"Q q /Artifact <</Type /Pagination /Subtype /Footer>> BDC "
            f"{red:.3f} {green:.3f} {blue:.3f} rg BT {NUMBER_FONT} {NUMBER_SIZE} Tf "
            f"{x:.2f} {y:.2f} Td ({text}) Tj ET EMC Q\n"
        )
        page.contents_add(save, prepend=True)
        page.contents_add(pdf.make_stream(stamp.encode("ascii")), prepend=False)


@functools.cache
def number_font_program() -> dict | None:
    """The page numbers' font, subset to ``NUMBER_CHARACTERS``: its program and metrics, or
    None where none of ``FONT_FILES`` is installed. Made once a process; a parted render asks
    for it while the parts are being laid out, so the join does not wait for it."""
    path = next((Path(p) for p in FONT_FILES if Path(p).exists()), None)
    if path is None:
        return None
    from fontTools import subset  # WeasyPrint's own dependency
    from fontTools.ttLib import TTFont

    ttf = TTFont(path)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    # FontForge's timestamps (not subsettable) and the layout tables: the numbers are drawn
    # one character a glyph, so no shaping is needed, and reading those tables is most of
    # the subsetting's time.
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=NUMBER_CHARACTERS)
    subsetter.subset(ttf)
    program = BytesIO()
    ttf.save(program)
    scale = 1000 / ttf["head"].unitsPerEm
    cmap = ttf.getBestCmap()
    head, hhea, os2 = ttf["head"], ttf["hhea"], ttf["OS/2"]
    return {
        "program": program.getvalue(),
        "widths": {c: ttf["hmtx"][cmap[ord(c)]][0] * scale for c in NUMBER_CHARACTERS},
        "name": "/PGNMBR+" + re.sub(r"[^A-Za-z0-9-]", "", ttf["name"].getBestFullName()),
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(hhea.ascent * scale),
        "descent": round(hhea.descent * scale),
        "cap_height": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
    }


def _number_font(pdf: pikepdf.Pdf):
    """A font for the page numbers in ``pdf``, and its widths (thousandths of the size)."""
    made = number_font_program()
    if made is None:
        font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
        widths = {c: HELVETICA.get(c, 556) for c in NUMBER_CHARACTERS}
        return pdf.make_indirect(font), widths
    widths = made["widths"]
    first, last = ord(min(NUMBER_CHARACTERS)), ord(max(NUMBER_CHARACTERS))
    name = pikepdf.Name(made["name"])
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=name,
        Flags=32,  # non-symbolic: WinAnsi characters
        FontBBox=made["bbox"],
        ItalicAngle=0,
        Ascent=made["ascent"],
        Descent=made["descent"],
        CapHeight=made["cap_height"],
        StemV=80,
        FontFile2=pdf.make_stream(made["program"]),
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.TrueType,
        BaseFont=name,
        FirstChar=first,
        LastChar=last,
        Widths=[round(widths.get(chr(code), 0)) for code in range(first, last + 1)],
        Encoding=pikepdf.Name.WinAnsiEncoding,
        FontDescriptor=pdf.make_indirect(descriptor),
    )
    return pdf.make_indirect(font), widths


# ----- Laying out parts, in worker processes ------------------------------------------------


def _pack_user_agent_css(text: str) -> str:
    """WeasyPrint's own user-agent stylesheet, less what costs the pack a style per element.

    Its ``::marker``, ``::footnote-*`` and ``::note-*`` rules have no element in their
    selectors, so the cascade gives every element of the document a computed style for each
    of those six pseudo-elements: five in six of the styles computed for a pack (about 46,000
    of 55,000 at 300 milestones) and a fifth of its layout's CPU time, though only a list item
    has a marker and the pack has no footnotes or notes. Here markers are styled on ``li``
    (the only element the stylesheet displays as a list item, and the pack's CSS adds none)
    and the notes' rules are left out; the rest is WeasyPrint's, unchanged.
    """
    text = re.sub(r"^::marker\b", "li::marker", text, flags=re.M)
    return re.sub(r"^::(?:footnote|note)-[a-z]+ \{[^}]*\}\n", "", text, flags=re.M)


PACK_USER_AGENT_STYLESHEET = CSS(
    string=_pack_user_agent_css(weasyprint_html.UA),
    counter_style=weasyprint_html.UA_COUNTER_STYLE,
)


class PackHTML(HTML):
    """A pack's HTML document, cascaded with ``PACK_USER_AGENT_STYLESHEET``."""

    def _ua_stylesheets(self, forms=False):
        sheets = super()._ua_stylesheets(forms)
        return [
            PACK_USER_AGENT_STYLESHEET if sheet is weasyprint_html.UA_STYLESHEET else sheet
            for sheet in sheets
        ]


class StaticURLFetcher(URLFetcher):
    """Serve ``data:`` URLs and the static files ``find`` gives a path for; refuse the rest.

    ``origin`` is the made-up origin relative URLs resolve against and ``static_url`` the
    prefix of static files under it; ``find`` takes the path after that prefix.
    """

    def __init__(self, origin: str, static_url: str, find):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.origin, self.static_url, self.find = origin, static_url, find
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin and parts.path.startswith(
            self.static_url
        ):
            found = self.find(parts.path.removeprefix(self.static_url))
            if found:
                import mimetypes

                path = Path(found)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, path.read_bytes(), headers={"Content-Type": content_type}
                )
        self.refused.append(url)
        raise ValueError(f"The board pack fetches only its own static files, not {url!r}.")


@dataclass
class PartTask:
    """What a worker needs to lay out one part: plain data, so it pickles."""

    html: str
    out: str  # where the part's PDF is written
    origin: str
    static_url: str
    static_files: dict  # path under static_url → file on disk
    variant: str


def lay_out_part(task: PartTask, url_fetcher=None) -> dict:
    """Lay one part out and write its PDF to ``task.out``.

    Returns its page count, the CPU seconds it took, its anchors ({name: (page index, x, y)})
    and bookmarks ((level, label, page index, x, y)), in CSS pixels and the part's own page
    indexes, and the URLs the fetcher refused.
    """
    started = time.process_time()
    with few_collections():
        result = _lay_out(task, url_fetcher)
    return {**result, "cpu_s": time.process_time() - started}


def _lay_out(task: PartTask, url_fetcher) -> dict:
    fetcher = url_fetcher or StaticURLFetcher(task.origin, task.static_url, task.static_files.get)
    document = PackHTML(string=task.html, base_url=f"{task.origin}/", url_fetcher=fetcher).render(
        pdf_variant=task.variant
    )
    anchors, bookmarks = {}, []
    for index, page in enumerate(document.pages):
        for name, (x, y, *_rest) in page.anchors.items():
            anchors.setdefault(name, (index, x, y))
        for level, label, (x, y), _state in page.bookmarks:
            bookmarks.append((level, label, index, x, y))
    document.write_pdf(task.out, pdf_variant=task.variant, custom_metadata=True)
    return {
        "pages": len(document.pages),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "anchors": anchors,
        "bookmarks": bookmarks,
        "refused": list(getattr(fetcher, "refused", ())),
        "path": task.out,
    }


# Python's cyclic garbage collector while a document is laid out and written: a collection
# every 100,000 allocations instead of 700, so hardly ever a full one. Laying a part out makes
# millions of objects (boxes, styles, Pango layouts) that live until the part is written, and
# each full collection walks them all: 15% of a part's CPU time (0.85 of 5.7 s, 5 full and 53
# middle collections, 300-milestone pack). Their garbage is almost all freed by reference
# counting; what a document leaves in cycles (about 60 MB a part) is collected when the next
# document starts, so a worker laying out part after part does not grow, and the last part a
# worker lays out returns without waiting for a collection (about 0.2 s a part).
FEW_COLLECTIONS = (100_000, 50, 100)
_collections_lock = threading.Lock()
_collections = {"inside": 0, "thresholds": None, "garbage": False}


@contextlib.contextmanager
def few_collections():
    """Collect cyclic garbage rarely inside; first, what an earlier document left. Nested or in
    several threads at once, the thresholds are restored when the last one leaves."""
    with _collections_lock:
        if _collections["inside"] == 0:
            if _collections["garbage"]:
                gc.collect()
                _collections["garbage"] = False
            _collections["thresholds"] = gc.get_threshold()
            gc.set_threshold(*FEW_COLLECTIONS)
        _collections["inside"] += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections["inside"] -= 1
            if _collections["inside"] == 0:
                gc.set_threshold(*_collections["thresholds"])
                _collections["garbage"] = True


class InProcess:
    """``ProcessPoolExecutor``'s ``submit`` for one worker: the work is done on submitting."""

    def __init__(self, url_fetcher=None):
        self.url_fetcher = url_fetcher

    def submit(self, function, task):
        future = Future()
        future.set_result(function(task, self.url_fetcher))
        return future

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def workers_pool(workers: int, url_fetcher=None):
    """Where parts are laid out: ``workers`` processes, or this one where ``workers`` is 1.

    A process with no thread but its own (a command, the bench) forks its workers: they start
    at once, with WeasyPrint already imported. A process with other threads (a threaded web
    server; ``db_worker``, whose watch and heartbeat threads run beside a render;
    pytest-xdist's worker) is never forked, as a thread may hold a lock the copy would never
    see released: its workers come from a fork server, which imports this module, and so
    WeasyPrint, once per process that uses it (0.5-0.8 s, mostly cffi reading Pango's
    declarations) and then forks each worker in milliseconds.
    """
    if workers <= 1:
        return InProcess(url_fetcher)
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def start_method() -> str:
    """ "fork" where this process has a single thread (counted by the kernel, so threads that C
    libraries started count too), else "forkserver"."""
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:  # no /proc: not Linux
        threads = 0
    return "fork" if threads == 1 and threading.active_count() == 1 else "forkserver"
