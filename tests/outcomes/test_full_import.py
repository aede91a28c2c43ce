"""The whole Rotherham workbook through the plan importer: indicators land with the plan."""

import json

import pytest
from django.urls import reverse

from imports.services import plan_import
from outcomes.models import Indicator
from portability.export import plan_export
from tests import factories
from tests.outcomes.conftest import FIXTURE
from tests.outcomes.test_sheet_import import FILE_DOT, FILE_ON_TARGET


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="CYPP 2010")


def run(plan, **kwargs):
    return plan_import(plan=plan, data=FIXTURE.read_bytes(), filename=FIXTURE.name, **kwargs)


def test_rotherham_workbook_imports_its_indicator_table_under_the_priority(plan):
    result = run(plan)
    assert result.ok, result.refused
    assert result.created["indicators"] == 15
    priority = plan.priorities.get(title="Make a positive contribution")
    # "MAKING A POSITIVE CONTRIBUTION" heads the table: its indicators sit under the priority.
    assert set(Indicator.objects.filter(plan=plan).values_list("priority", flat=True)) == {
        priority.pk
    }
    comparator_cells = [f for f in result.findings if f.column and "Perf against" in f.column]
    assert len(comparator_cells) == 6


def test_dry_run_of_the_workbook_leaves_no_indicators(plan):
    result = run(plan, dry_run=True)
    assert result.ok, result.refused
    assert result.created["indicators"] == 15
    assert not Indicator.objects.exists()


def test_priority_scorecard_after_import_matches_the_file(client, admin_user, plan):
    run(plan)
    priority = plan.priorities.get(title="Make a positive contribution")
    client.force_login(admin_user)
    url = reverse(
        "outcomes:scorecard_priority", kwargs={"plan_pk": plan.pk, "priority_pk": priority.pk}
    )
    response = client.get(url)
    rows = {row.code: row for row in response.context["rows"]}
    assert {code: rows[code].on_target.symbol for code in FILE_ON_TARGET} == FILE_ON_TARGET
    assert {code: rows[code].direction.symbol for code in FILE_DOT} == FILE_DOT
    html = response.content.decode()
    assert "Measured by its sub-measures below." in html  # NI 111 and NI 113 group rows


def test_plan_export_includes_the_indicators_with_values_and_judgements(plan):
    run(plan)
    data = json.loads(json.dumps(plan_export(plan=plan)))
    ni45 = next(i for i in data["indicators"] if i["code"] == "NI 45")
    assert ni45["polarity"] == "higher" and ni45["unit"] == "percentage"
    assert ni45["latest"]["on_target"] == "not_on_target"
    assert ni45["latest"]["direction"] == "worsening"
    assert {(v["kind"], v["period"]) for v in ni45["values"]} >= {
        ("actual", "2008/09"),
        ("actual", "2009/10"),
        ("target", "2009/10"),
        ("comparator", "2009/10"),
    }
