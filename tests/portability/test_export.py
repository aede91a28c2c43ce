"""The plan's JSON export: the whole hierarchy, every registered section, constant queries."""

import json
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from imports.services import plan_import
from portability import export as exporting
from tests import factories

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MIDDLESBROUGH = FIXTURES / "middlesbrough-action-plan-2009.xlsx"


@pytest.fixture
def plan(partnership):
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2009")
    plan_import(plan=plan, data=MIDDLESBROUGH.read_bytes(), filename=MIDDLESBROUGH.name)
    return plan


def test_export_holds_the_hierarchy_with_leads_dates_rag_and_commentary(plan):
    data = exporting.plan_export(plan=plan)
    assert data["plan"]["title"] == "Action Plan 2009"
    assert data["partnership"] == "Middlesbrough Children's Trust"
    assert [p["title"] for p in data["priorities"]][1] == "Staying Safe"
    outcome = data["priorities"][1]["outcomes"][0]
    assert outcome["number"] == "6"
    action = outcome["actions"][2]
    assert action["number"] == "6.3"
    assert [{k: v for k, v in lead.items() if k != "id"} for lead in action["leads"]] == [
        {
            "name": "Voluntary Sector Manager",
            "role_title": "",
            "organisation": None,
            "email": "",
            "removed": False,
        }
    ]
    milestone = action["milestones"][0]
    assert milestone["due_text"] == "December 2008"
    assert milestone["due_date"] == milestone["original_due_date"] == "2008-12-31"
    assert (milestone["status"], milestone["commentary"]) == ("complete", "Complete")
    assert sum(len(p["outcomes"]) for p in data["priorities"]) == 45


def test_export_includes_every_registered_section(plan, monkeypatch):
    monkeypatch.setattr(exporting, "SECTIONS", {"extra": lambda *, plan: {"title": plan.title}})
    assert exporting.plan_export(plan=plan)["extra"] == {"title": "Action Plan 2009"}


@pytest.mark.parametrize("extra_outcomes", [1, 15])
def test_export_query_count_does_not_grow_with_the_plan(
    plan, extra_outcomes, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(exporting, "SECTIONS", {})
    priority = plan.priorities.first()
    for _ in range(extra_outcomes):
        outcome = factories.OutcomeFactory(priority=priority)
        factories.MilestoneFactory.create_batch(3, action__outcome=outcome)
    # 11: one more since the evidence on updates (their attachments' metadata) is exported.
    with django_assert_max_num_queries(11):
        exporting.plan_export(plan=plan)


def test_any_member_can_download_the_json(client, board_user, plan):
    client.force_login(board_user)
    response = client.get(reverse("portability:plan_export_json", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["plan"]["title"] == plan.title


def test_another_partnership_gets_404_for_the_json(client, outsider, plan):
    client.force_login(outsider)
    response = client.get(reverse("portability:plan_export_json", kwargs={"pk": plan.pk}))
    assert response.status_code == 404


def test_export_plan_command_writes_json_to_stdout(plan):
    out = StringIO()
    call_command(
        "export_plan",
        "--partnership",
        plan.partnership.name,
        "--plan",
        plan.title,
        "--format",
        "json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["priorities"][0]["title"] == "Being Healthy"


def test_export_plan_command_says_when_the_plan_is_missing(db):
    with pytest.raises(CommandError, match="No plan 'Nope'"):
        call_command("export_plan", "--partnership", "X", "--plan", "Nope")


def _plan_exported(caplog) -> list[dict]:
    return [
        r.security_fields
        for r in caplog.records
        if getattr(r, "security_event", "") == "plan_exported"
    ]


def test_downloading_the_json_is_logged_once_with_the_user(client, board_user, plan, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.force_login(board_user)
    client.get(reverse("portability:plan_export_json", kwargs={"pk": plan.pk}))

    assert _plan_exported(caplog) == [
        {"event": "plan_exported", "user_id": board_user.pk, "plan_id": plan.pk, "format": "json"}
    ]


def test_the_export_plan_command_is_logged(plan, caplog):
    caplog.set_level(logging.INFO, logger="security")
    call_command(
        "export_plan",
        "--partnership",
        plan.partnership.name,
        "--plan",
        plan.title,
        stdout=StringIO(),
    )

    assert _plan_exported(caplog) == [
        {"event": "plan_exported", "user_id": None, "plan_id": plan.pk, "format": "json"}
    ]
