"""The board pack as a tagged A4-landscape PDF (WeasyPrint).

Rendering fetches nothing but ``data:`` URLs and the project's own static files: user text is
autoescaped by the template, and ``StaticOnlyURLFetcher`` refuses every other URL, so text
such as ``<img src="http://…">`` or ``file:///etc/passwd`` can neither fetch nor attach.
"""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reporting.packs import pdf_parts


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


if isinstance(vars(pydyf.PDF).get("page_references"), property):
    pydyf.PDF.page_references = property(_cached_page_references)

# Relative URLs in the pack (e.g. from {% static %}) resolve against this made-up origin,
# which the fetcher maps to the static files finders — never to the network.
STATIC_ORIGIN = "https://static.pack.invalid"


class StaticOnlyURLFetcher(URLFetcher):
    """Serve ``data:`` URLs and the project's static files; refuse everything else."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin == STATIC_ORIGIN and parts.path.startswith(settings.STATIC_URL):
            try:
                found = finders.find(parts.path.removeprefix(settings.STATIC_URL))
            except SuspiciousFileOperation:
                found = None  # "../" out of the static directories
            if found:
                path = Path(found)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, path.read_bytes(), headers={"Content-Type": content_type}
                )
        self.refused.append(url)
        raise ValueError(f"The board pack fetches only its own static files, not {url!r}.")


CONTENTS = [
    ("summary", "Summary"),
    ("changes", "What changed since last quarter"),
    ("exceptions", "Exceptions: red and amber"),
    ("slipped", "Slipped and overdue"),
    ("completed", "Completed this quarter"),
    ("indicators", "Indicator scorecard"),
    ("plan", "Full plan by priority"),
]
VARIANT = "pdf/ua-1"


def pack_html(pack: dict, *, parted: dict | None = None) -> str:
    """The pack's HTML (also handy to look at in a browser while changing the layout).

    ``parted`` is for a pack rendered in parts: ``{"pages": {anchor: page}, "total": n}``.
    """
    pages = parted["pages"] if parted else {}
    contents = [(anchor, title, pages.get(anchor)) for anchor, title in CONTENTS]
    return render_to_string(
        "reporting/pack_pdf.html", {"pack": pack, "contents": contents, "parted": parted}
    )


def render_pdf(pack: dict, *, url_fetcher: StaticOnlyURLFetcher | None = None) -> bytes:
    """Render pack data to PDF bytes: tagged (PDF/UA-1), with a title and language.

    A pack of more than ``PACK_PDF_PARTS_ABOVE_ROWS`` table rows is laid out in parts of
    ``PACK_PDF_PART_ROWS`` and joined, so layout holds one part at a time
    (``reporting.packs.pdf_parts``).
    """
    fetcher = url_fetcher or StaticOnlyURLFetcher()
    html = pack_html(pack)
    if len(pdf_parts.ROW.findall(html)) <= settings.PACK_PDF_PARTS_ABOVE_ROWS:
        return _document(html, fetcher).write_pdf(pdf_variant=VARIANT, custom_metadata=True)
    return _render_in_parts(pack, fetcher, settings.PACK_PDF_PART_ROWS)


def _document(html: str, fetcher: StaticOnlyURLFetcher):
    return HTML(string=html, base_url=f"{STATIC_ORIGIN}/", url_fetcher=fetcher).render(
        pdf_variant=VARIANT
    )


def _render_in_parts(pack: dict, fetcher: StaticOnlyURLFetcher, max_rows: int) -> bytes:
    """The chapters in parts, numbered on from each other; then the cover and contents."""

    def page_html(split, body: str, first_page: int) -> str:
        numbering = f"<style>@page :first {{ counter-reset: page {int(first_page)}; }}</style>"
        return split.head.replace("</head>", numbering + "</head>", 1) + body + "</body></html>"

    split = pdf_parts.split_html(pack_html(pack, parted={"pages": {}, "total": 0}))
    front_pages = len(_document(page_html(split, split.front, 1), fetcher).pages)
    documents, bookmarks, anchors = [], [], {}
    page_count = front_pages
    for body in pdf_parts.part_bodies(split, max_rows):
        document = _document(page_html(split, body, page_count + 1), fetcher)
        _gather(document, page_count, bookmarks, anchors)
        documents.append(document.write_pdf(pdf_variant=VARIANT, custom_metadata=True))
        page_count += len(document.pages)
        del document  # the next part's layout takes its place in memory

    parted = {"pages": anchors, "total": page_count}
    split = pdf_parts.split_html(pack_html(pack, parted=parted))
    front = _document(page_html(split, split.front, 1), fetcher)
    if len(front.pages) != front_pages:
        raise RuntimeError("The pack's cover and contents changed length once numbered.")
    front_bookmarks = []
    _gather(front, 0, front_bookmarks, {})
    return pdf_parts.join_tagged(
        [front.write_pdf(pdf_variant=VARIANT, custom_metadata=True), *documents],
        front_bookmarks + bookmarks,
    )


def _gather(document, first_index: int, bookmarks: list, anchors: dict) -> None:
    for index, page in enumerate(document.pages, start=first_index):
        for name in page.anchors:
            anchors.setdefault(name, index + 1)
        for level, label, (x, y), _state in page.bookmarks:
            bookmarks.append((level, label, index, x, y))
