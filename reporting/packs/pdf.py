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


def pack_html(pack: dict) -> str:
    """The pack's HTML (also handy to look at in a browser while changing the layout)."""
    return render_to_string("reporting/pack_pdf.html", {"pack": pack})


def render_pdf(pack: dict, *, url_fetcher: StaticOnlyURLFetcher | None = None) -> bytes:
    """Render pack data to PDF bytes: tagged (PDF/UA-1), with a title and language."""
    html = HTML(
        string=pack_html(pack),
        base_url=f"{STATIC_ORIGIN}/",
        url_fetcher=url_fetcher or StaticOnlyURLFetcher(),
    )
    return html.write_pdf(pdf_variant="pdf/ua-1")
