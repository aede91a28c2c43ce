"""Board packs and quarter closes are logged once, by the service, from a page or a command."""

import logging

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from reporting import services
from tests.reporting.conftest import at


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="security")

    def events(name: str) -> list[dict]:
        return [
            r.security_fields for r in caplog.records if getattr(r, "security_event", "") == name
        ]

    return events


def test_closing_a_quarter_from_the_page_is_logged_once(client, scenario, security_log):
    client.force_login(scenario.admin)
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        client.post(reverse("reporting:period_close", kwargs={"pk": scenario.q3.pk}))

    assert security_log("period_closed") == [
        {"event": "period_closed", "user_id": scenario.admin.pk, "period_id": scenario.q3.pk}
    ]


def test_closing_a_quarter_outside_a_page_is_logged_too(scenario, security_log):
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)

    assert [e["period_id"] for e in security_log("period_closed")] == [scenario.q3.pk]


def test_reopening_a_quarter_from_the_page_is_logged_once(client, scenario, security_log):
    client.force_login(scenario.admin)
    url = reverse("reporting:period_reopen", kwargs={"pk": scenario.q2.pk})
    client.post(url, {"reason": "The police figures came late."})

    assert security_log("period_reopened") == [
        {"event": "period_reopened", "user_id": scenario.admin.pk, "period_id": scenario.q2.pk}
    ]


def test_a_pack_download_is_logged_once(client, scenario, board_user, security_log):
    client.force_login(board_user)
    url = reverse("reporting:pack_download", kwargs={"pk": scenario.q2.pk, "fmt": "xlsx"})
    assert client.get(url).status_code == 200

    assert security_log("board_pack_downloaded") == [
        {
            "event": "board_pack_downloaded",
            "user_id": board_user.pk,
            "period_id": scenario.q2.pk,
            "format": "xlsx",
        }
    ]


def test_the_board_pack_command_is_logged(scenario, tmp_path, security_log):
    call_command(
        "board_pack",
        "--partnership",
        scenario.plan.partnership.name,
        "--plan",
        scenario.plan.title,
        "--period",
        "2019/20 Q2",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "pack.xlsx"),
    )

    assert security_log("board_pack_exported") == [
        {
            "event": "board_pack_exported",
            "user_id": None,
            "period_id": scenario.q2.pk,
            "format": "xlsx",
        }
    ]
