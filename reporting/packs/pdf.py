"""The board pack as a tagged A4-landscape PDF (WeasyPrint).

Rendering fetches nothing but ``data:`` URLs and the project's own static files: user text is
autoescaped by the template, and ``StaticOnlyURLFetcher`` refuses every other URL, so text
such as ``<img src="http://…">`` or ``file:///etc/passwd`` can neither fetch nor attach.
"""

import functools
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

from reporting.packs import pdf_parts

# Relative URLs in the pack (e.g. from {% static %}) resolve against this made-up origin,
# which the fetcher maps to the static files finders — never to the network.
STATIC_ORIGIN = "https://static.pack.invalid"


class StaticOnlyURLFetcher(pdf_parts.StaticURLFetcher):
    """Serve ``data:`` URLs and the project's static files; refuse everything else."""

    def __init__(self):
        super().__init__(STATIC_ORIGIN, settings.STATIC_URL, _find_static)


def _find_static(path: str) -> str | None:
    try:
        return finders.find(path)
    except SuspiciousFileOperation:
        return None  # "../" out of the static directories


@functools.cache
def _static_files() -> dict[str, str]:
    """Every static file the finders know, by the path ``finders.find`` would be given: what a
    layout worker may read (it has no Django to ask)."""
    found: dict[str, str] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            found.setdefault(path.replace("\\", "/"), storage.path(path))
    return found


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

    A pack of more than ``PACK_PDF_PARTS_ABOVE_ROWS`` table rows is laid out in parts of at
    most ``PACK_PDF_PART_ROWS`` rows (headings and paragraphs count as rows), split evenly,
    on ``PACK_PDF_WORKERS`` processes, and joined, so layout holds one part at a time a
    process and uses every core (``reporting.packs.pdf_parts``). Where a pack is parted
    depends on its rows and those settings only, never on the number of cores: a pack reads
    the same on any machine.
    """
    fetcher = url_fetcher or StaticOnlyURLFetcher()
    pdf_parts.LAST_RENDER.clear()
    html = pack_html(pack)
    rows = len(pdf_parts.ROW.findall(html))
    if rows <= settings.PACK_PDF_PARTS_ABOVE_ROWS:
        with pdf_parts.few_collections():
            return _document(html, fetcher).write_pdf(pdf_variant=VARIANT, custom_metadata=True)
    return _render_in_parts(pack, fetcher, settings.PACK_PDF_PART_ROWS, pdf_workers())


def pdf_workers() -> int:
    """Processes a parted pack is laid out on: ``PACK_PDF_WORKERS``, by default one a core."""
    workers = settings.PACK_PDF_WORKERS
    return max(1, int(workers) if workers else (os.cpu_count() or 1))


def _document(html: str, fetcher: StaticOnlyURLFetcher):
    return pdf_parts.PackHTML(
        string=html, base_url=f"{STATIC_ORIGIN}/", url_fetcher=fetcher
    ).render(pdf_variant=VARIANT)


def _render_in_parts(pack: dict, fetcher, max_rows: int, workers: int) -> bytes:
    """The chapters in parts, laid out at once on ``workers`` processes; then the cover and
    contents, whose page numbers and links come from where the parts put each chapter.

    Parts print no page number: the joined file is numbered "Page N of M" after the join.
    """

    def page_html(split, body: str) -> str:
        return split.head + body + "</body></html>"

    started = time.perf_counter()
    split = pdf_parts.split_html(pack_html(pack, parted={"pages": {}, "total": 0}))
    bodies = pdf_parts.even_parts(split, max_rows, settings.PACK_PDF_PARTS_MULTIPLE)
    with tempfile.TemporaryDirectory(prefix="pack-parts-") as folder:

        def task(html: str, name: str) -> pdf_parts.PartTask:
            return pdf_parts.PartTask(
                html=html,
                out=str(Path(folder) / name),
                origin=STATIC_ORIGIN,
                static_url=settings.STATIC_URL,
                static_files=_static_files() if workers > 1 else {},
                variant=VARIANT,
            )

        with pdf_parts.workers_pool(min(workers, len(bodies)), fetcher) as pool:
            futures = [
                pool.submit(pdf_parts.lay_out_part, task(page_html(split, body), f"{i}.pdf"))
                for i, body in enumerate(bodies, start=1)
            ]
            # Meanwhile, here: how many pages the cover and contents take.
            with pdf_parts.few_collections():
                front_pages = len(_document(page_html(split, _front(split)), fetcher).pages)
            pdf_parts.number_font_program()  # for the join, made while the parts are laid out
            results = [future.result() for future in futures]
        laid_out = time.perf_counter()
        # For bench/: the workers are the fork server's children, out of this process's rusage.
        pdf_parts.LAST_RENDER.update(
            parts=len(results),
            workers=min(workers, len(bodies)),
            worker_peak_mb=max(result["peak_mb"] for result in results),
            layout_s=laid_out - started,
            # CPU seconds of laying the parts out, all and the largest part's (steadier than
            # wall time on a shared machine).
            parts_cpu_s=sum(result["cpu_s"] for result in results),
            largest_part_cpu_s=max(result["cpu_s"] for result in results),
        )
        bookmarks, anchors, destinations = [], {}, []
        page_count = front_pages
        for result in results:
            fetcher.refused.extend(u for u in result["refused"] if u not in fetcher.refused)
            for level, label, index, x, y in result["bookmarks"]:
                bookmarks.append((level, label, page_count + index, x, y))
            for name, (index, x, y) in result["anchors"].items():
                if name not in anchors:
                    anchors[name] = page_count + index + 1
                    destinations.append((name, page_count + index, x, y))
            page_count += result["pages"]

        parted = {"pages": anchors, "total": page_count}
        split = pdf_parts.split_html(pack_html(pack, parted=parted))
        front_task = task(page_html(split, _front(split)), "front.pdf")
        front = pdf_parts.lay_out_part(front_task, fetcher)
        if front["pages"] != front_pages:
            raise RuntimeError("The pack's cover and contents changed length once numbered.")
        front_done = time.perf_counter()
        joined = pdf_parts.join_tagged(
            [front["path"], *(result["path"] for result in results)],
            front["bookmarks"] + bookmarks,
            destinations=destinations,
            numbered=True,
        )
        pdf_parts.LAST_RENDER.update(
            front_s=front_done - laid_out, join_s=time.perf_counter() - front_done
        )
        return joined


def _front(split) -> str:
    """The cover and contents, with a target for each contents link: WeasyPrint keeps only
    links whose anchor is in the same document, and the join points each one's name at its
    chapter's first page."""
    targets = "".join(f'<span id="{anchor}"></span>' for anchor, _title in CONTENTS)
    return split.front + f'<div class="link-targets">{targets}</div>'
