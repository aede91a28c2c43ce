"""Your data leaves with you: a plan's JSON export re-imports as the same plan."""

import copy
import json
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from outcomes.models import IndicatorSettings, IndicatorValue
from plans import services
from plans.models import Delegation, Milestone, MilestoneUpdate, Person, Plan, ReportingPeriod
from portability.export import plan_export
from portability.json_import import PlanJsonImportError, plan_json_import
from reporting import services as reporting_services
from reporting.models import Snapshot, SnapshotRedaction
from reporting.packs import build_pack
from tests import factories

LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def update(milestone, user, **fields):
    milestone.refresh_from_db()
    fields.setdefault("due_date", milestone.due_date)
    return services.milestone_update(
        milestone=milestone, user=user, expected_version=milestone.version, **fields
    )


def build_world(partnership, admin_user) -> Plan:
    """A plan with everything an export carries: structure, leads (one removed), every kind of
    update, indicators with values, open, closed and reopened-and-closed-again quarters."""
    police = factories.OrganisationFactory(partnership=partnership, name="Cleveland Police")
    council = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough Council")
    factories.OrganisationFactory(partnership=partnership, name="Voluntary sector forum")
    lead_user = factories.UserFactory(username="simon", first_name="Simon", last_name="Perry")
    factories.MembershipFactory(partnership=partnership, user=lead_user, role="lead")
    simon = factories.PersonFactory(
        partnership=partnership,
        name="Simon Perry",
        role_title="Strategic Lead",
        organisation=council,
        email="simon.perry@council.example",
        user=lead_user,
    )
    leaver = factories.PersonFactory(
        partnership=partnership, name="Ken Dance", role_title="YOT", organisation=police
    )
    analyst = factories.PersonFactory(
        partnership=partnership, name="Ann Lee", role_title="", organisation=None, email=""
    )
    Delegation.objects.create(lead=simon, delegate=analyst)

    with time_machine.travel(at(2019, 4, 20, 10), tick=False):
        plan = factories.PlanFactory(
            partnership=partnership,
            title="Delivery Plan 2019/20",
            start_date=date(2019, 4, 1),
            end_date=date(2020, 3, 31),
            description="Agreed by the board in March 2019.",
        )
        safe = factories.PriorityFactory(plan=plan, number="1", position=0, title="Staying Safe")
        healthy = factories.PriorityFactory(
            plan=plan, number="", position=1, title="Additional partnership actions"
        )
        o1 = factories.OutcomeFactory(
            priority=safe,
            number="1",
            position=0,
            statement="Young people offend less",
            success_criteria="Fewer first-time entrants\n\nRe-offending below 30%",
        )
        o2 = factories.OutcomeFactory(
            priority=healthy, number="2", position=1, statement="Fewer conceptions"
        )
        a1 = factories.ActionFactory(
            outcome=o1,
            number="1.1",
            position=0,
            text="Run a youth panel (see 2)",
            lead_text="Strategic Lead: Simon Perry / YOT (Ken Dance)",
            resources="£20,000 YJB grant",
            sources="JAR; CYPP",
            timescale="short",
        )
        a1.leads.add(simon, leaver)
        a1.see_also.add(o2)
        a2 = factories.ActionFactory(outcome=o2, number="2.1", position=0, text="Survey")
        milestones = {
            "train": factories.MilestoneFactory(
                action=a1,
                number="a)",
                position=0,
                text="Panel members trained",
                lead=leaver,
                lead_text="YOT (Ken Dance)",
                due_text="December 2019",
                original_due_date=date(2019, 12, 31),
                due_date=date(2019, 12, 31),
            ),
            "survey": factories.MilestoneFactory(
                action=a2,
                number="",
                position=3,
                text="Survey of young women",
                lead=simon,
                due_text="Summer 2019",
                original_due_date=date(2019, 8, 31),
                due_date=date(2019, 8, 31),
            ),
            "quarterly": factories.MilestoneFactory(
                action=a2,
                number="b)",
                position=4,
                text="Report to the board",
                lead=None,
                lead_text="All partners",
                due_text="Quarterly",
                original_due_date=None,
                due_date=None,
            ),
            "doomed": factories.MilestoneFactory(
                action=a2, number="c)", position=5, text="Pilot in two schools", lead=analyst
            ),
        }
        MilestoneUpdate.objects.create(
            milestone=milestones["survey"],
            status="green",
            commentary="Imported from the 2018 plan.",
            author_name="",
            source=MilestoneUpdate.Source.IMPORT,
        )
        indicator = factories.IndicatorFactory(
            plan=plan,
            code="NI 19",
            definition="Rate of proven re-offending",
            polarity="lower",
            unit="rate",
            rate_per=100000,
            decimal_places=2,
            frequency="quarterly",
            owner=simon,
            organisation=police,
            source_note="YOT case management system",
            tolerance=Decimal("0.5"),
            position=0,
            priority=safe,
        )
        indicator.outcomes.add(o1)
        sub = factories.IndicatorFactory(
            plan=plan, code="NI 19 a", parent=indicator, position=1, owner=leaver
        )
        for kind, value, comparator in [
            ("baseline", "1.20", ""),
            ("target", "1.00", ""),
            ("actual", "1.10", ""),
            ("comparator", "1.05", "Statistical neighbours"),
        ]:
            factories.IndicatorValueFactory(
                indicator=indicator,
                kind=kind,
                comparator=comparator,
                value=Decimal(value),
                note=f"{kind} from the YJB",
            )
        factories.IndicatorValueFactory(
            indicator=sub,
            kind="actual",
            year=2019,
            quarter=2,
            period_type="quarter",
            value=None,
            status=IndicatorValue.Status.NOT_AVAILABLE,
        )
        IndicatorSettings.objects.create(
            partnership=partnership, comparator_threshold_percent=Decimal("7.5")
        )
        q1, q2, q3, _q4 = reporting_services.periods_generate(plan=plan)

    with time_machine.travel(at(2019, 6, 20, 14), tick=False):
        update(milestones["train"], lead_user, status="green", commentary="Trainers booked.")
        update(
            milestones["survey"],
            lead_user,
            status="complete",
            commentary="Survey published.",
            completed_on=date(2019, 6, 18),
        )
    with time_machine.travel(at(2019, 7, 10, 9), tick=False):
        reporting_services.period_close(period=q1, user=admin_user)
    with time_machine.travel(at(2019, 8, 5, 9), tick=False):
        milestones["doomed"].delete()  # in Q1's snapshot, not in the plan any more
        update(
            milestones["train"],
            lead_user,
            status="amber",
            commentary="Two trainers dropped out.",
            due_date=date(2020, 1, 31),
            due_date_reason="New trainers start in January.",
        )
    with time_machine.travel(at(2019, 10, 9, 9), tick=False):
        reporting_services.period_close(period=q2, user=admin_user)
        reporting_services.period_reopen(period=q2, user=admin_user, reason="A late update.")
    with time_machine.travel(at(2019, 10, 10, 9), tick=False):
        # Dates passed say red; the lead chooses amber and says why.
        update(
            milestones["quarterly"],
            admin_user,
            status="amber",
            commentary="Reported in September.",
            status_reason="",
        )
        reporting_services.period_close(period=q2, user=admin_user)
    with time_machine.travel(at(2020, 2, 3, 9), tick=False):
        update(
            milestones["train"],
            lead_user,
            status="amber",
            commentary="Trainers start next week.",
            due_date=date(2020, 1, 31),
            status_reason="Trainers are booked; a week's delay only.",
        )
        # Nothing new on the quarterly report: the admin confirms so.
        update(milestones["quarterly"], admin_user, status="amber", no_change=True)
        services.person_remove(person=leaver, user=admin_user)
    assert q3.status == ReportingPeriod.Status.OPEN
    return plan


def normalised(data, *, partnership_names=()):
    """``data`` without the ids (and digests, which cover ids) that differ between databases."""
    if isinstance(data, dict):
        return {
            key: normalised(value, partnership_names=partnership_names)
            for key, value in data.items()
            if not (key == "id" or key.endswith("_id") or key.endswith("_ids") or key == "digest")
        }
    if isinstance(data, list):
        return [normalised(value, partnership_names=partnership_names) for value in data]
    if isinstance(data, str) and data in partnership_names:
        return "(partnership)"
    return data


def through_a_file(data: dict) -> dict:
    return json.loads(json.dumps(data, indent=2, ensure_ascii=False))


@pytest.fixture
def plan(partnership, admin_user):
    return build_world(partnership, admin_user)


def test_the_export_holds_everything_needed_to_rebuild_the_plan(plan):
    data = plan_export(plan=plan)
    assert [p["title"] for p in data["priorities"]] == [
        "Additional partnership actions",  # no number sorts first
        "Staying Safe",
    ]
    action = data["priorities"][1]["outcomes"][0]["actions"][0]
    assert (action["number"], action["see_also"], action["timescale"]) == ("1.1", ["2"], "short")
    train = action["milestones"][0]
    assert [u["commentary"] for u in train["updates"]] == [
        "Trainers booked.",
        "Two trainers dropped out.",
        "Trainers start next week.",
    ]
    last = train["updates"][-1]
    assert last["status_reason"] == "Trainers are booked; a week's delay only."
    assert last["suggested_status"] == "red"
    assert last["author_name"] == "Simon Perry" and last["source"] == "web"
    assert train["updates"][1]["due_date_reason"] == "New trainers start in January."
    confirmed = [
        u
        for p in data["priorities"]
        for o in p["outcomes"]
        for a in o["actions"]
        for m in a["milestones"]
        for u in m["updates"]
        if u["no_change"]
    ]
    assert [(u["status"], u["commentary"]) for u in confirmed] == [("amber", "")]
    assert train["lead"] == {
        "id": train["lead"]["id"],
        "name": "Former lead",
        "role_title": "YOT",
        "organisation": "Cleveland Police",
        "email": "",
        "removed": True,
    }
    assert [p["name"] for p in data["people"]] == ["Ann Lee", "Former lead", "Simon Perry"]
    assert len(data["delegations"]) == 1
    assert [o["name"] for o in data["organisations"]] == [
        "Cleveland Police",
        "Middlesbrough Council",
        "Voluntary sector forum",
    ]
    periods = data["periods"]
    assert [(p["label"], p["status"], len(p["snapshots"])) for p in periods] == [
        ("2019/20 Q1", "closed", 1),
        ("2019/20 Q2", "closed", 2),
        ("2019/20 Q3", "open", 0),
        ("2019/20 Q4", "open", 0),
    ]
    snapshot = periods[0]["snapshots"][0]
    assert snapshot["digest"] == reporting_services.state_digest(snapshot["data"])
    assert len(snapshot["redactions"]) == 1  # Ken's name, replaced when he was removed
    indicators = {i["code"]: i for i in data["indicators"]}
    assert indicators["NI 19"]["tolerance"] == "0.5000"
    assert indicators["NI 19 a"]["parent"] == "NI 19"
    assert data["indicator_settings"] == {"comparator_threshold_percent": "7.50"}
    assert "Ken Dance" not in json.dumps(data)


def test_a_plan_reimported_into_a_new_partnership_exports_the_same(plan):
    first = plan_export(plan=plan)
    copy_plan = plan_json_import(data=through_a_file(first), partnership_name="Restored Trust")
    assert copy_plan.pk != plan.pk
    second = plan_export(plan=copy_plan)
    names = (plan.partnership.name, "Restored Trust")
    assert normalised(second, partnership_names=names) == normalised(first, partnership_names=names)
    # Accounts are not exported: authors are the names their updates showed.
    assert not MilestoneUpdate.objects.filter(
        milestone__action__outcome__priority__plan=copy_plan, author__isnull=False
    ).exists()
    assert Person.objects.filter(partnership=copy_plan.partnership, user__isnull=False).count() == 0


def test_snapshots_are_kept_with_ids_of_the_new_database_and_digests_that_hold(plan):
    copy_plan = plan_json_import(data=plan_export(plan=plan), partnership_name="Restored Trust")
    for snapshot in Snapshot.objects.filter(period__plan=copy_plan):
        assert snapshot.digest == reporting_services.state_digest(snapshot.data)
        assert snapshot.data["plan"]["id"] == copy_plan.pk
        assert snapshot.data["period"]["id"] == snapshot.period_id
    q1 = Snapshot.objects.get(period__plan=copy_plan, period__quarter=1)
    q2_latest = Snapshot.objects.filter(period__plan=copy_plan, period__quarter=2).latest()
    assert q2_latest.data["previous_snapshot_id"] == q1.pk
    ids_now = set(
        Milestone.objects.filter(action__outcome__priority__plan=copy_plan).values_list(
            "pk", flat=True
        )
    )
    frozen = [
        m["id"]
        for p in q1.data["priorities"]
        for o in p["outcomes"]
        for a in o["actions"]
        for m in a["milestones"]
    ]
    # The milestone deleted after Q1 keeps a (negative) id no item here can have.
    assert (
        sorted(i for i in frozen if i not in ids_now) == [i for i in sorted(frozen) if i < 0] != []
    )
    assert SnapshotRedaction.objects.filter(snapshot__period__plan=copy_plan).count() == 3


@pytest.mark.parametrize("fmt", ["xlsx"])
def test_closed_quarter_board_packs_read_the_same_after_the_round_trip(plan, fmt):
    copy_plan = plan_json_import(data=plan_export(plan=plan), partnership_name="Restored Trust")
    for quarter in (1, 2):
        with time_machine.travel(at(2020, 2, 4, 9), tick=False):
            before = build_pack(period_id=plan.periods.get(quarter=quarter).pk, fmt=fmt)
            after = build_pack(period_id=copy_plan.periods.get(quarter=quarter).pk, fmt=fmt)
        assert xlsx_cells(after, plan.partnership.name) == xlsx_cells(
            before, plan.partnership.name, rename="Restored Trust"
        )


def xlsx_cells(data: bytes, name: str, rename: str = "") -> list:
    workbook = load_workbook(BytesIO(data))
    cells = []
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            cells.append(
                tuple(
                    value.replace(name, rename or name) if isinstance(value, str) else value
                    for value in row
                )
            )
    return cells


@pytest.mark.django_db(transaction=True)
def test_the_export_rebuilds_the_plan_in_an_empty_database(tmp_path):
    partnership = factories.PartnershipFactory(name="Middlesbrough Children's Trust")
    admin = factories.MembershipFactory(partnership=partnership, role="admin").user
    plan = build_world(partnership, admin)
    first = plan_export(plan=plan)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(first, indent=2, ensure_ascii=False), encoding="utf-8")

    call_command("flush", interactive=False, verbosity=0)
    assert not Plan.objects.exists() and not Person.objects.exists()

    out = StringIO()
    call_command("import_plan_json", str(path), stdout=out)
    assert "Imported 'Delivery Plan 2019/20' into Middlesbrough Children's Trust: 3 milestones" in (
        out.getvalue()
    )
    second = plan_export(plan=Plan.objects.get())
    assert normalised(second) == normalised(first)


def test_a_changed_snapshot_is_refused_and_nothing_is_saved(plan):
    data = plan_export(plan=plan)
    data["periods"][0]["snapshots"][0]["data"]["priorities"][0]["title"] = "Rewritten"
    plans_before = Plan.objects.count()
    with pytest.raises(PlanJsonImportError, match="does not match its digest"):
        plan_json_import(data=data, partnership_name="Restored Trust")
    assert Plan.objects.count() == plans_before
    assert not Person.objects.filter(partnership__name="Restored Trust").exists()


def test_a_plan_title_already_in_the_partnership_is_refused(plan):
    with pytest.raises(PlanJsonImportError, match="already has a plan called"):
        plan_json_import(data=plan_export(plan=plan))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something else"), "not a plan export"),
        (lambda d: d.update(version=1), "only version 2"),
        (lambda d: d["priorities"][0].pop("outcomes"), "not a complete plan export"),
        (lambda d: d["plan"].update(start_date="13/13/2019"), "not a complete plan export"),
    ],
)
def test_a_file_that_is_not_a_whole_export_is_refused_with_a_reason(plan, change, message):
    data = copy.deepcopy(plan_export(plan=plan))
    change(data)
    with pytest.raises(PlanJsonImportError, match=message):
        plan_json_import(data=data, partnership_name="Restored Trust")
    assert not Plan.objects.filter(partnership__name="Restored Trust").exists()


def test_the_command_refuses_a_file_that_is_not_json_with_a_sentence(tmp_path, db):
    path = tmp_path / "plan.json"
    path.write_bytes(b"\x89PNG not json")
    with pytest.raises(CommandError, match="is not a JSON plan export"):
        call_command("import_plan_json", str(path))


def test_the_plan_page_download_carries_the_whole_export(client, plan, admin_user):
    # A partnership admin's download: others get no e-mail addresses (issue 12, finding 13).
    client.force_login(admin_user)
    response = client.get(reverse("portability:plan_export_json", args=[plan.pk]))
    assert response.status_code == 200
    downloaded = json.loads(response.content)
    assert normalised(downloaded) == normalised(through_a_file(plan_export(plan=plan)))
    assert "periods" in downloaded and "indicators" in downloaded


@pytest.mark.parametrize("extra", [1, 12])
def test_the_whole_export_costs_the_same_queries_at_any_size(
    plan, extra, django_assert_max_num_queries, admin_user
):
    priority = plan.priorities.first()
    for n in range(extra):
        outcome = factories.OutcomeFactory(priority=priority)
        milestone = factories.MilestoneFactory(action__outcome=outcome, lead=None)
        MilestoneUpdate.objects.create(milestone=milestone, status="green", commentary=f"{n}")
        factories.IndicatorFactory(plan=plan, owner=None).outcomes.add(outcome)
    with django_assert_max_num_queries(23):  # 3: the sign-off section; 1: the evidence
        plan_export(plan=plan)


def test_every_demo_plan_round_trips(db):
    """The demo's real legacy plans, imported and replayed quarter by quarter, come back whole."""
    call_command("load_demo", stdout=StringIO())
    plans = list(Plan.objects.select_related("partnership"))
    assert len(plans) >= 2
    for plan in plans:
        first = plan_export(plan=plan)
        assert any(period["snapshots"] for period in first["periods"]), plan.title
        name = f"Restored {plan.partnership.name}"
        copy_plan = plan_json_import(data=through_a_file(first), partnership_name=name)
        second = plan_export(plan=copy_plan)
        names = (plan.partnership.name, name)
        assert normalised(second, partnership_names=names) == normalised(
            first, partnership_names=names
        ), plan.title
