"""The packs take RAG order and colours from plans/rag.py, the one place they are defined."""

import time_machine

from plans import rag
from reporting.packs.data import pack_for_period
from reporting.packs.excel import RAG_FILLS, RAG_FONTS
from reporting.packs.pdf import pack_html
from tests.reporting.conftest import at


def test_pdf_css_excel_fills_and_chart_use_the_rag_modules_colours(scenario):
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        pack = pack_for_period(period=scenario.q3)
    assert [row[0] for row in pack["rag_order"]] == [s.value for s in rag.ORDER]
    html = pack_html(pack)
    for status in rag.STATUSES.values():
        css = f".rag-{status.value} {{ background: {status.colour}; color: {status.ink}; }}"
        assert css in html
        assert RAG_FILLS[status.value].fgColor.rgb == "00" + status.colour[1:].upper()
        assert RAG_FONTS[status.value].color.rgb == "00" + status.ink[1:].upper()
        assert f'fill="{status.colour}"' in pack["chart_svg"]  # the chart's legend
