"""A large PDF pack is rendered in parts and joined (reporting.packs.pdf_parts).

Forced here on a small pack by setting ``PACK_PDF_PARTS_ABOVE_ROWS`` and ``PACK_PDF_PART_ROWS``
low, and read back as a reader would: page numbers, the contents page, bookmarks, running
headers, tags and every row.
"""

import os
import re
from collections import Counter
from io import BytesIO

import pikepdf
import pytest
import time_machine
from pypdf import PdfReader

from reporting import services
from reporting.packs import render
from reporting.packs.data import pack_for_period
from reporting.packs.pdf import CONTENTS, pack_html
from reporting.packs.pdf_parts import LAST_RENDER, even_parts, part_bodies, split_html
from tests.reporting.conftest import at
from tests.system_tools import pdf_text


@pytest.fixture
def pack(scenario):
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)
        # Produced at a frozen time too: renders cached by one test and compared in another
        # must not differ by the minute on the cover.
        return pack_for_period(period=scenario.q3)


@pytest.fixture(scope="module")
def _rendered():
    """PDFs rendered once a module: every test's scenario is the same data at the same frozen
    times and a closed quarter's pack comes from its snapshot, so each would render the same
    pages. Bytes are shared; each test reads them with its own PdfReader."""
    return {}


def _parted(pack, settings, _rendered, workers: int) -> bytes:
    settings.PACK_PDF_PARTS_ABOVE_ROWS = settings.PACK_PDF_PART_ROWS = 6
    settings.PACK_PDF_WORKERS = workers
    key = f"parted on {workers}"
    if key not in _rendered:
        _rendered[key] = render(pack, "pdf")
        assert LAST_RENDER["workers"] == workers
        _rendered[f"{key}: parts"] = LAST_RENDER["parts"]
    return _rendered[key]


@pytest.fixture
def parted_bytes(pack, settings, _rendered):
    """Laid out on two worker processes (whatever this machine's cores)."""
    return _parted(pack, settings, _rendered, 2)


@pytest.fixture
def parted(parted_bytes):
    return PdfReader(BytesIO(parted_bytes))


@pytest.fixture
def serial_bytes(pack, settings, _rendered):
    """The same parts, laid out one after another in this process (PACK_PDF_WORKERS = 1)."""
    return _parted(pack, settings, _rendered, 1)


@pytest.fixture
def whole(pack, settings, _rendered):
    """The same pack as one document (no parts)."""
    settings.PACK_PDF_PARTS_ABOVE_ROWS = 100_000
    if "whole" not in _rendered:
        _rendered["whole"] = render(pack, "pdf")
    return PdfReader(BytesIO(_rendered["whole"]))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def words(reader: PdfReader) -> Counter:
    """Every word after the cover and contents, but page numbers and "continued" lines."""
    text = "\n".join(page_texts(reader)[2:])
    text = re.sub(r"Page \d+( of \d+)?", "", text)
    text = re.sub(r".*, continued.*", "", text)
    return Counter(text.split())


def body_rows(html: str) -> list[str]:
    return [
        row
        for tbody in re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
        for row in re.findall(r"<tr\b.*?</tr>", tbody, re.S)
    ]


@pytest.mark.parametrize("cut", ["by rows", "evenly, in an even number of parts"])
def test_the_split_makes_parts_of_bounded_rows_with_every_row_once(pack, cut):
    html = pack_html(pack, parted={"pages": {}, "total": 0})
    split = split_html(html)
    bodies = part_bodies(split, 6) if cut == "by rows" else even_parts(split, 6, 2)

    assert len(bodies) > 4
    assert all(len(body_rows(body)) <= 6 for body in bodies)
    assert [row for body in bodies for row in body_rows(body)] == body_rows(html)
    if cut != "by rows":
        assert len(bodies) % 2 == 0


def test_pages_are_numbered_on_across_parts(parted):
    texts = page_texts(parted)

    assert len(texts) > 8
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"\bPage {number}\b", text), f"page {number} is not numbered so"
    assert f"{len(texts)} pages" in texts[0]


def test_the_contents_page_gives_each_chapter_s_page(parted):
    texts = page_texts(parted)
    entries = re.findall(r"^([^\n\d]+?) ?\.{3,} ?(\d+)$", texts[1], re.M)

    assert len(entries) == 7
    for title, page in entries:
        assert re.search(rf"^{re.escape(title.strip())}$", texts[int(page) - 1], re.M), title


def test_bookmarks_lead_to_their_headings(parted):
    texts = page_texts(parted)

    def flat(items):
        for item in items:
            yield from flat(item) if isinstance(item, list) else [item]

    bookmarks = list(flat(parted.outline))
    assert [b.title for b in bookmarks][:3] == [
        "Board pack: Delivery Plan 2019/20",
        "Contents",
        "Summary",
    ]
    assert len(bookmarks) > 9
    for bookmark in bookmarks:
        page = parted.get_destination_page_number(bookmark)
        assert bookmark.title[:25] in texts[page], bookmark.title


def test_every_page_keeps_its_running_header_and_tags(parted):
    texts = page_texts(parted)
    nums = parted.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    parents = dict(zip(nums[::2], nums[1::2], strict=True))

    assert parted.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert parted.trailer["/Root"]["/Lang"] == "en-GB"
    for text in texts[1:]:
        assert "Delivery Plan 2019/20 · 2019/20 Q3 · Whole plan" in text
    for page in parted.pages:
        elements = parents[page["/StructParents"]].get_object()
        assert len(elements) > 0
        for element in elements:
            assert element.get_object().raw_get("/Pg").idnum == page.indirect_reference.idnum


def test_a_pack_below_the_threshold_is_one_document_with_links_and_a_page_total(whole):
    reader = whole
    texts = page_texts(reader)

    assert f"Page 3 of {len(texts)}" in texts[2]
    links = [a.get_object() for a in reader.pages[1].get("/Annots", ())]
    assert {str(a["/Dest"]) for a in links if a["/Subtype"] == "/Link"} == {
        "summary",
        "changes",
        "exceptions",
        "slipped",
        "completed",
        "indicators",
        "plan",
    }


def test_parts_hold_the_same_text_as_one_document(parted, whole):

    # Parts repeat table and running headers on their extra pages; no text is lost or added.
    assert set(words(parted)) == set(words(whole))
    assert not words(whole) - words(parted)
    assert len(parted.pages) >= len(whole.pages)


def test_a_parted_pack_says_page_n_of_m_on_every_page(parted_bytes):
    pages = pdf_text(parted_bytes).split("\f")[:-1]  # pdftotext ends each page with a form feed
    total = len(PdfReader(BytesIO(parted_bytes)).pages)

    assert total > 8
    assert len(pages) == total
    for number, text in enumerate(pages, start=1):
        assert re.findall(r"Page \d+ of \d+", text) == [f"Page {number} of {total}"]


def test_stamped_page_numbers_are_artifacts_outside_the_tag_tree(parted_bytes):
    with pikepdf.open(BytesIO(parted_bytes)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            marks, numbers = [], []
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    marks.append(str(operands[0]))
                elif name == "EMC":
                    marks.pop()
                elif name == "Tj" and bytes(operands[0]).startswith(b"Page "):
                    numbers.append((bytes(operands[0]).decode(), list(marks)))
            assert numbers == [(f"Page {number} of {len(pdf.pages)}", ["/Artifact"])]
            font = page.Resources.Font.PackPageNumber
            assert "/FontFile2" in font.FontDescriptor  # embedded, as PDF/UA wants


def test_the_contents_links_go_to_each_chapter_s_first_page(parted):
    texts = page_texts(parted)
    printed = dict(re.findall(r"^([^\n\d]+?) ?\.{3,} ?(\d+)$", texts[1], re.M))
    printed = {title.strip(): int(page) for title, page in printed.items()}
    destinations = parted.named_destinations
    links = [a.get_object() for a in parted.pages[1].get("/Annots", ())]
    links = [a for a in links if a["/Subtype"] == "/Link"]

    assert {str(link["/Dest"]) for link in links} == {anchor for anchor, _title in CONTENTS}
    for link in links:
        page = parted.get_destination_page_number(destinations[str(link["/Dest"])])
        title = dict(CONTENTS)[str(link["/Dest"])]
        assert printed[title] == page + 1, title
        assert re.search(rf"^{re.escape(title)}$", texts[page], re.M), title
        assert page > 1 and page not in [
            parted.get_destination_page_number(destinations[str(other["/Dest"])])
            for other in links
            if dict(CONTENTS)[str(other["/Dest"])] != title
        ]


def test_parallel_and_serial_layout_give_the_same_pages(parted_bytes, serial_bytes, _rendered):
    assert _rendered["parted on 2: parts"] > 4
    assert pdf_text(parted_bytes) == pdf_text(serial_bytes)
    with pikepdf.open(BytesIO(parted_bytes)) as one, pikepdf.open(BytesIO(serial_bytes)) as two:
        assert len(one.pages) == len(two.pages)
        assert len(one.Root.StructTreeRoot.ParentTree.Nums) == len(
            two.Root.StructTreeRoot.ParentTree.Nums
        )


def test_the_contents_page_numbers_its_chapters(whole, parted):
    """The list markers ("1." to "7.") are drawn: the pack's lean user-agent stylesheet styles
    ``li::marker`` only (reporting.packs.pdf_parts.PACK_USER_AGENT_STYLESHEET)."""
    expected = [str(n) for n in range(1, len(CONTENTS) + 1)]
    for reader in (whole, parted):
        assert re.findall(r"^(\d)\. ", page_texts(reader)[1], re.M) == expected


def test_workers_are_forked_only_from_a_process_without_other_threads():
    """A fork copies one thread: a lock another thread holds would stay locked in the copy. So
    a process with other threads (a threaded server; pytest-xdist's worker) gets its layout
    workers from the fork server instead."""
    import threading

    from reporting.packs.pdf_parts import start_method

    if len(os.listdir("/proc/self/task")) == 1:
        assert start_method() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_method() == "forkserver"
    finally:
        stop.set()
        other.join()


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_forked_and_fork_server_workers_give_the_same_pages(
    method, pack, settings, monkeypatch, parted_bytes
):
    from reporting.packs import pdf_parts

    monkeypatch.setattr(pdf_parts, "start_method", lambda: method)
    settings.PACK_PDF_PARTS_ABOVE_ROWS = settings.PACK_PDF_PART_ROWS = 6
    settings.PACK_PDF_WORKERS = 2
    assert pdf_text(render(pack, "pdf")) == pdf_text(parted_bytes)
    assert LAST_RENDER["workers"] == 2
