"""`manage.py import_plan`: the same importer and findings on the command line."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from plans.models import Outcome, Partnership, Plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MIDDLESBROUGH = FIXTURES / "middlesbrough-action-plan-2009.xlsx"
ROTHERHAM = FIXTURES / "rotherham-cypp-2010-positive-contribution.xlsx"


def run(*args):
    out = StringIO()
    call_command("import_plan", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_creates_the_partnership_and_plan_with_inferred_dates():
    output = run(MIDDLESBROUGH, "--partnership", "Middlesbrough Children's Trust", "--plan", "AP")
    plan = Plan.objects.get(title="AP", partnership__name="Middlesbrough Children's Trust")
    assert (plan.start_date.isoformat(), plan.end_date.isoformat()) == ("2007-04-01", "2011-03-31")
    assert Outcome.objects.filter(priority__plan=plan).count() == 45
    assert "Created: 6 priorities, 45 outcomes" in output
    assert "Sheet 'Contents'" in output


@pytest.mark.django_db
def test_dry_run_prints_findings_and_writes_nothing():
    output = run(ROTHERHAM, "--partnership", "Rotherham", "--plan", "CYPP", "--dry-run")
    assert "Would create: 1 priorities, 6 outcomes" in output
    assert "Aspirations" in output
    assert not Partnership.objects.exists()
    assert not Outcome.objects.exists()


@pytest.mark.django_db
def test_second_import_reports_everything_already_there():
    run(MIDDLESBROUGH, "--partnership", "M", "--plan", "AP")
    output = run(MIDDLESBROUGH, "--partnership", "M", "--plan", "AP")
    assert "Created: 0 priorities, 0 outcomes, 0 actions, 0 milestones" in output
    assert "Already in the plan, left unchanged: 6 priorities, 45 outcomes" in output


@pytest.mark.django_db
def test_a_refused_file_exits_non_zero_and_creates_nothing(tmp_path):
    bad = tmp_path / "plan.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="Import refused: This file is not a readable"):
        run(bad, "--partnership", "M", "--plan", "AP")
    assert not Partnership.objects.exists()


@pytest.mark.django_db
def test_plan_dates_can_be_given():
    run(
        ROTHERHAM,
        "--partnership",
        "R",
        "--plan",
        "P",
        "--start",
        "2010-04-01",
        "--end",
        "2013-03-31",
    )
    plan = Plan.objects.get(title="P")
    assert plan.end_date.isoformat() == "2013-03-31"
