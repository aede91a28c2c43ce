"""A large plan imports in bulk: the same queries for 50 rows as for 200, with an audit trail.

The workbook is the benchmark's generated legacy plan (bench/legacy.py): six theme sheets,
header rows repeated, merged issue cells, lettered milestones in one cell, free-text dates.
"""

import sqlite3
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.legacy import legacy_workbook
from imports.services import plan_import
from plans import audit
from plans.models import Action, Milestone, MilestoneUpdate, Outcome, Person, Priority
from tests import factories

pytestmark = pytest.mark.django_db


@contextmanager
def whole_statements():
    """Let SQLite take the parameters its driver allows, as PostgreSQL takes any number.

    Django assumes SQLite's old limit of 999 parameters and splits a bulk insert into many
    statements by row count; SQLite 3.32+ takes 32,766. PostgreSQL has no limit to lift.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    saved = connection.features.max_query_params
    connection.features.max_query_params = limit
    try:
        yield
    finally:
        connection.features.max_query_params = saved


def new_leads_plan(rows: int) -> bytes:
    """A CSV plan whose every action has a lead (and agency) not named before."""
    lines = ["Issue,Action,By when,Who,Progress"]
    for row in range(rows):
        issue = f"{row // 4 + 1}. Outcome {row // 4 + 1}" if row % 4 == 0 else ""
        action = f'"{row // 4 + 1}.{row % 4 + 1} Action {row}\na) first step\nb) second step"'
        lines.append(f"{issue},{action},March 2010,Agency {row} (Officer {row}),On track")
    return "\n".join(lines).encode()


def imported(rows: int, *, plan_file=legacy_workbook, filename="plan.xlsx"):
    plan = factories.PlanFactory()
    with whole_statements(), CaptureQueriesContext(connection) as queries:
        result = plan_import(plan=plan, data=plan_file(rows), filename=filename)
    assert result.ok, result.refused
    return plan, result, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    "plan_file, filename", [(legacy_workbook, "plan.xlsx"), (new_leads_plan, "plan.csv")]
)
def test_an_import_sends_the_same_queries_for_50_rows_as_for_200(plan_file, filename):
    _, small, small_queries = imported(50, plan_file=plan_file, filename=filename)
    _, large, large_queries = imported(200, plan_file=plan_file, filename=filename)

    assert large.created["milestones"] > 3 * small.created["milestones"]
    assert small.created["people"] and large.created["people"]
    assert len(small_queries) == len(large_queries), "\n".join(q[:90] for q in large_queries)


def test_new_leads_and_their_agencies_are_created_once_each():
    plan, result, _ = imported(50, plan_file=new_leads_plan, filename="plan.csv")

    assert result.created["people"] == result.created["organisations"] == 50
    officer = Person.objects.get(partnership=plan.partnership, name="Officer 7")
    assert officer.organisation.name == "Agency 7"
    assert list(Action.objects.get(number="2.4").leads.all()) == [officer]
    assert {m.lead for m in Milestone.objects.filter(action__number="2.4")} == {officer}


def test_every_item_an_import_creates_has_its_history_record():
    plan, result, _ = imported(50)

    for model, kind, items in (
        (Priority, "priorities", Priority.objects.filter(plan=plan)),
        (Outcome, "outcomes", Outcome.objects.filter(priority__plan=plan)),
        (Action, "actions", Action.objects.filter(outcome__priority__plan=plan)),
        (Milestone, "milestones", Milestone.objects.filter(action__outcome__priority__plan=plan)),
        (Person, "people", Person.objects.filter(partnership=plan.partnership)),
    ):
        assert items.count() == result.created[kind]
        created = model.history.filter(id__in=items.values("pk"), history_type="+")
        assert created.count() == result.created[kind], kind


def test_each_imported_milestone_points_at_its_one_imported_update():
    plan, result, _ = imported(50)

    milestones = Milestone.objects.filter(action__outcome__priority__plan=plan)
    updates = MilestoneUpdate.objects.filter(milestone__in=milestones)
    assert updates.count() == result.created["updates"] == milestones.count()
    for milestone in milestones.select_related("latest_update"):
        assert milestone.latest_update.milestone_id == milestone.pk
        assert milestone.version == 1
        assert milestone.latest_update.source == MilestoneUpdate.Source.IMPORT


def test_the_lead_of_each_imported_milestone_is_one_person_of_the_partnership():
    plan, result, _ = imported(200)

    people = Person.objects.filter(partnership=plan.partnership)
    assert people.count() == result.created["people"]
    assert len({person.name for person in people}) == people.count()
    milestones = Milestone.objects.filter(action__outcome__priority__plan=plan)
    assert not milestones.filter(lead__isnull=True).exists()
    for milestone in milestones.select_related("lead")[:50]:
        assert milestone.lead.name == milestone.lead_text


def test_each_history_record_holds_what_was_created_and_who_imported_it():
    plan = factories.PlanFactory()
    admin = factories.UserFactory(first_name="Ada", last_name="Admin")
    with whole_statements():
        result = plan_import(plan=plan, data=legacy_workbook(50), filename="plan.xlsx", user=admin)
    assert result.ok, result.refused

    milestones = Milestone.objects.filter(action__outcome__priority__plan=plan).order_by("pk")
    records = {r.id: r for r in Milestone.history.filter(id__in=milestones.values("pk"))}
    assert len(records) == milestones.count() == result.created["milestones"]
    for milestone in milestones:
        record = records[milestone.pk]
        assert record.history_type == "+"
        assert record.history_user == admin
        assert (record.number, record.text, record.lead_id, record.due_date, record.status) == (
            milestone.number,
            milestone.text,
            milestone.lead_id,
            milestone.due_date,
            milestone.status,
        )
    # The plan's audit trail names the admin and each created item's words.
    # The import is one entry, naming the admin; listed one by one, each item's words show.
    page = audit.plan_history(plan=plan)
    (imported,) = [c for c in page.changes if isinstance(c, audit.ImportGroup)]
    assert imported.who == "Ada Admin" and imported.counts["milestones"] == milestones.count()
    listed = audit.plan_history(plan=plan, filters=audit.AuditFilters(change="created"))
    newest = milestones.last()
    assert any(
        change.kind == "Created"
        and change.who == "Ada Admin"
        and newest.text[:40] in change.item_label
        for change in listed.changes
    )


def test_a_dry_run_leaves_no_history_records():
    plan = factories.PlanFactory()
    counts = [m.history.count() for m in (Priority, Outcome, Action, Milestone, Person)]
    with whole_statements():
        result = plan_import(
            plan=plan, data=legacy_workbook(50), filename="plan.xlsx", dry_run=True
        )
    assert result.ok and result.created["milestones"] > 50
    assert [m.history.count() for m in (Priority, Outcome, Action, Milestone, Person)] == counts
    assert not Milestone.objects.filter(action__outcome__priority__plan=plan).exists()


def test_history_of_more_rows_than_sqlite_binds_in_one_statement_is_whole():
    """Without whole_statements: SQLite's history copy is split into several statements."""
    plan = factories.PlanFactory()
    result = plan_import(plan=plan, data=legacy_workbook(600), filename="plan.xlsx")
    assert result.ok, result.refused

    milestones = Milestone.objects.filter(action__outcome__priority__plan=plan)
    assert milestones.count() > 1000
    history = Milestone.history.filter(id__in=milestones.values("pk"), history_type="+")
    assert history.count() == milestones.count()
