"""`manage.py import_plan`: the same importer and findings on the command line."""

import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from plans.models import Milestone, Outcome, Partnership, Plan

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
    assert "Would create: 1 priority, 6 outcomes" in output
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


UNCERTAIN_CSV = (
    "Action,Target date or notes,Responsible person\n"
    "Open the hub,May 2024,Jo Smith\n"
    "Hire two staff,June 2024,Ann Lee\n"
)


@pytest.mark.django_db
def test_an_uncertain_mapping_exits_non_zero_with_the_proposed_mapping(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(UNCERTAIN_CSV)
    out = StringIO()
    with pytest.raises(CommandError, match="The mapping is uncertain"):
        call_command("import_plan", str(path), "--partnership", "P", "--plan", "AP", stdout=out)
    assert '"Target date or notes=due"   (uncertain' in out.getvalue()
    assert not Outcome.objects.exists()


@pytest.mark.django_db
def test_accept_mapping_imports_the_best_guess_and_prints_it(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(UNCERTAIN_CSV)
    output = run(path, "--partnership", "P", "--plan", "AP", "--accept-mapping")
    assert "Mapping used (heading → role):" in output
    assert '"Responsible person=lead"' in output
    assert "Read from the file: 1 priority, 1 outcome, 2 actions, 2 milestones" in output
    assert Milestone.objects.get(text="Open the hub").due_date.isoformat() == "2024-05-31"


@pytest.mark.django_db
def test_map_and_mapping_file_settle_the_columns(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(UNCERTAIN_CSV)
    mapping = tmp_path / "mapping.txt"
    mapping.write_text("Responsible person=lead organisation\n")
    output = run(
        path, "--partnership", "P", "--plan", "AP",
        "--map", "Target date or notes=notes", "--map", "Action=action",
        "--mapping", mapping,
    )  # fmt: skip
    assert '"Responsible person=lead_org"' in output
    milestone = Milestone.objects.get(text="Open the hub")
    assert milestone.due_date is None
    assert "Target date or notes: May 2024" in milestone.latest_update.commentary
    assert milestone.lead.organisation.name == "Jo Smith"


@pytest.mark.django_db
def test_an_unknown_role_is_refused_with_the_roles_we_know(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(UNCERTAIN_CSV)
    with pytest.raises(CommandError, match="'owner' .* is not a role we know"):
        run(path, "--partnership", "P", "--plan", "AP", "--map", "Action=owner")


@pytest.mark.django_db
def test_the_command_remembers_the_mapping_for_the_plans_next_import(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(UNCERTAIN_CSV)
    run(path, "--partnership", "P", "--plan", "AP", "--map", "Target date or notes=notes",
        "--map", "Responsible person=lead")  # fmt: skip
    output = run(path, "--partnership", "P", "--plan", "AP")
    assert "Using the mapping remembered from this plan's last import." in output
    assert '"Target date or notes=notes"' in output


@pytest.mark.django_db
def test_a_new_plan_is_never_said_to_have_had_items_already(tmp_path):
    path = tmp_path / "plan.csv"
    # One outcome over two rows and one step written twice: records, not rows, are counted.
    path.write_text(
        "Outcome,Action,Lead,By when\n"
        "Fewer exclusions,Train staff,Jo Smith,May 2024\n"
        "Fewer exclusions,Train staff,Jo Smith,May 2024\n"
        "Fewer exclusions,Audit the data,Ann Lee,June 2024\n"
    )
    output = run(path, "--partnership", "P", "--plan", "AP", "--accept-mapping")
    assert "Already in the plan" not in output
    assert "Created: 1 priority, 1 outcome, 2 actions, 2 milestones" in output


@pytest.mark.django_db
def test_an_import_from_the_command_is_a_security_event_and_a_dry_run_is_not(caplog):
    caplog.set_level(logging.INFO, logger="security")

    def imported():
        return [r for r in caplog.records if getattr(r, "security_event", "") == "plan_imported"]

    run(ROTHERHAM, "--partnership", "Rotherham", "--plan", "CYPP", "--dry-run")
    assert imported() == []
    run(ROTHERHAM, "--partnership", "Rotherham", "--plan", "CYPP")
    [event] = imported()
    plan = Plan.objects.get(title="CYPP")
    assert event.security_fields["plan_id"] == plan.pk
    assert (
        event.security_fields["milestones_added"]
        == Milestone.objects.filter(action__outcome__priority__plan=plan).count()
    )
