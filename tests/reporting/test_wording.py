"""Issue 14, item 10: the board's pages and packs count and date things as people write them."""

import re

import time_machine
from django.urls import reverse

from reporting import services
from reporting.packs import build_pack
from tests.reporting.conftest import at, pdf_text, xlsx_values
from tests.reporting.test_reason_travels import slip_after_quarter_end

MONTH_ABBREVIATED = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}")


def closed_q3(scenario):
    slip_after_quarter_end(scenario)
    with time_machine.travel(at(2020, 1, 10, 12), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)


def test_what_changed_counts_in_the_singular_and_writes_dates_in_full(client, scenario):
    closed_q3(scenario)
    client.force_login(scenario.admin)
    body = client.get(
        reverse("reporting:period_changes", kwargs={"pk": scenario.q3.pk})
    ).content.decode()
    slipped = re.search(r"<li>(\d+) due dates? moved later</li>", body)
    count = int(slipped.group(1))
    assert slipped.group(0) == f"<li>{count} due date{'' if count == 1 else 's'} moved later</li>"
    assert not MONTH_ABBREVIATED.search(body)
    assert "10 January 2020 at midday" in body
    assert not re.search(r"a\.m\.|p\.m\.|\b\d{2}:\d{2}\b", body)


def test_the_closed_packs_write_dates_and_times_the_same_way(scenario):
    closed_q3(scenario)
    text = pdf_text(build_pack(period_id=scenario.q3.pk, fmt="pdf"))
    assert "frozen on 10 January 2020 at midday" in text
    assert not MONTH_ABBREVIATED.search(text)
    cover = xlsx_values(build_pack(period_id=scenario.q3.pk, fmt="xlsx"))
    cells = [str(v) for rows in cover.values() for row in rows for v in row if v is not None]
    assert "Closed quarter, frozen on 10 January 2020 at midday" in cells
    assert not any(MONTH_ABBREVIATED.search(cell) for cell in cells)
