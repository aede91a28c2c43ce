"""The board pack page: newest first, this quarter and the latest closed one marked, open
quarters from before the first closed one tucked away, Open not in RAG Green."""

import re

import time_machine
from django.urls import reverse

from reporting import services
from tests import factories
from tests.reporting.conftest import at


def test_quarters_are_newest_first_with_the_current_and_latest_closed_marked(
    client, partnership, admin_user, board_user
):
    plan = factories.PlanFactory(
        partnership=partnership, start_date=at(2019, 4, 1).date(), end_date=at(2021, 3, 31).date()
    )
    periods = services.periods_generate(plan=plan)  # 2019/20 Q1 … 2020/21 Q4
    with time_machine.travel(at(2020, 10, 20, 9), tick=False):
        services.period_close(period=periods[4], user=admin_user)  # 2020/21 Q1
        services.period_close(period=periods[5], user=admin_user)  # 2020/21 Q2
    client.force_login(board_user)
    with time_machine.travel(at(2020, 11, 2, 9), tick=False):
        page = client.get(reverse("reporting:board_pack", kwargs={"pk": plan.pk})).content.decode()

    main, _, earlier = page.partition("Earlier quarters, never closed (3)")
    labels = re.findall(r'<th scope="row" class="govuk-table__header">(\d{4}/\d{2} Q\d)', main)
    # 2019/20 Q1 is still open and its deadline has passed: it is the quarter collecting
    # updates (late), so it stays in view; Q2–Q4 of 2019/20 go behind "Earlier quarters".
    assert labels == [
        "2020/21 Q4",
        "2020/21 Q3",
        "2020/21 Q2",
        "2020/21 Q1",
        "2019/20 Q1",
    ]
    assert re.findall(r"(\d{4}/\d{2} Q\d)<br><strong class=\"app-period-mark\">([^<]+)", main) == [
        ("2020/21 Q2", "Latest closed"),
        ("2019/20 Q1", "Current quarter"),
    ]
    assert re.findall(
        r'<th scope="row" class="govuk-table__header">(\d{4}/\d{2} Q\d)', earlier
    ) == [
        "2019/20 Q4",
        "2019/20 Q3",
        "2019/20 Q2",
    ]
    assert 'govuk-tag--purple">Open' in page and 'govuk-tag--green">Open' not in page


def test_pdf_links_carry_the_progress_message_and_a_status_region(client, scenario, board_user):
    client.force_login(board_user)
    page = client.get(
        reverse("reporting:board_pack", kwargs={"pk": scenario.plan.pk})
    ).content.decode()

    link = re.search(r'<a[^>]+data-app-download="(pdf-status-\d+)"[^>]*>PDF \(draft\)', page)
    assert link and "Producing the draft PDF" in link.group(0)
    assert f'role="status" id="{link.group(1)}"' in page
