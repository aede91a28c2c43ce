"""A large PDF pack is rendered in parts and joined (reporting.packs.pdf_parts).

Forced here on a small pack by setting ``PACK_PDF_PARTS_ABOVE_ROWS`` and ``PACK_PDF_PART_ROWS``
low, and read back as a reader would: page numbers, the contents page, bookmarks, running
headers, tags and every row.
"""

import re
from collections import Counter
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from reporting import services
from reporting.packs import render
from reporting.packs.data import pack_for_period
from reporting.packs.pdf import pack_html
from reporting.packs.pdf_parts import part_bodies, split_html
from tests.reporting.conftest import at


@pytest.fixture
def pack(scenario):
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)
    return pack_for_period(period=scenario.q3)


@pytest.fixture(scope="module")
def _rendered():
    """PDFs rendered once a module: every test's scenario is the same data at the same frozen
    times and a closed quarter's pack comes from its snapshot, so each would render the same
    pages. Bytes are shared; each test reads them with its own PdfReader."""
    return {}


@pytest.fixture
def parted(pack, settings, _rendered):
    settings.PACK_PDF_PARTS_ABOVE_ROWS = settings.PACK_PDF_PART_ROWS = 6
    if "parted" not in _rendered:
        _rendered["parted"] = render(pack, "pdf")
    return PdfReader(BytesIO(_rendered["parted"]))


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


def test_the_split_makes_parts_of_bounded_rows_with_every_row_once(pack):
    html = pack_html(pack, parted={"pages": {}, "total": 0})
    bodies = part_bodies(split_html(html), 6)

    assert len(bodies) > 4
    assert all(len(body_rows(body)) <= 6 for body in bodies)
    assert [row for body in bodies for row in body_rows(body)] == body_rows(html)


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
