"""Removing a person who has left: "Former lead" in every view and export, history kept."""

import json
import logging
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from plans import personal_data, services
from plans.models import Delegation, LeadAccount, Membership, MilestoneUpdate, Person
from plans.personal_data import FORMER_LEAD, redact_text
from portability import export as exporting
from reporting import services as reporting_services
from reporting.models import PackJob, Snapshot, SnapshotRedaction
from reporting.packs import build_pack
from tests import factories
from tests.system_tools import pdf_text

LONDON = ZoneInfo("Europe/London")
# Every form of Ken's identity the product held: none may survive the removal.
KEN = ("Ken Dance", "ken.dance@cleveland.example", "Dance")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def xlsx_text(data: bytes) -> str:
    workbook = load_workbook(BytesIO(data))
    return "\n".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def assert_no_trace_of_ken(text: str, where: str) -> None:
    for word in KEN:
        assert word.casefold() not in text.casefold(), f"{word!r} still in {where}"


@pytest.fixture
def world(partnership, admin_user):
    """Ken (police, signs in, writes updates) and Simon (council, stays), a closed and an open
    quarter of a 2019/20 plan, now 20 November 2019."""
    police = factories.OrganisationFactory(partnership=partnership, name="Cleveland Police")
    council = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough Council")
    ken_user = factories.UserFactory(
        username="ken.dance@cleveland.example",
        email="ken.dance@cleveland.example",
        first_name="Ken",
        last_name="Dance",
    )
    simon_user = factories.UserFactory(username="simon", first_name="Simon", last_name="Perry")
    for user in (ken_user, simon_user):
        factories.MembershipFactory(partnership=partnership, user=user, role="lead")
    ken = factories.PersonFactory(
        partnership=partnership,
        name="Ken Dance",
        role_title="YOT manager",
        organisation=police,
        email="ken.dance@cleveland.example",
        user=ken_user,
    )
    simon = factories.PersonFactory(
        partnership=partnership,
        name="Simon Perry",
        role_title="Strategic Lead",
        organisation=council,
        email="simon.perry@council.example",
        user=simon_user,
    )
    # Ken's account is the one his partnership's sign-in-link flow made, so removing him may
    # close it; Simon's is a council account the partnership did not make.
    LeadAccount.objects.create(user=ken_user, partnership=partnership, person=ken)
    Delegation.objects.create(lead=simon, delegate=ken)
    with time_machine.travel(at(2019, 9, 15, 10), tick=False):
        plan = factories.PlanFactory(
            partnership=partnership,
            title="Delivery Plan 2019/20",
            start_date=date(2019, 4, 1),
            end_date=date(2020, 3, 31),
        )
        priority = factories.PriorityFactory(plan=plan, number="1", title="Staying Safe")
        outcome = factories.OutcomeFactory(
            priority=priority, number="1", statement="Young people offend less"
        )
        action = factories.ActionFactory(
            outcome=outcome,
            number="1.1",
            text="Run a youth panel",
            lead_text="Strategic Lead: Simon Perry / Lead Officer: Ken Dance",
        )
        action.leads.add(ken, simon)
        milestone = factories.MilestoneFactory(
            action=action,
            lead=ken,
            lead_text="YOT (Ken Dance)",
            number="a)",
            text="Panel members trained",
            due_text="December 2019",
            original_due_date=date(2019, 12, 31),
            due_date=date(2019, 12, 31),
        )
        services.milestone_update(
            milestone=milestone,
            user=ken_user,
            expected_version=milestone.version,
            status="green",
            commentary="Trainers booked for October.",
            due_date=date(2019, 12, 31),
        )
        indicator = factories.IndicatorFactory(plan=plan, code="NI 19", owner=ken)
        periods = reporting_services.periods_generate(plan=plan)
    q2, q3 = periods[1], periods[2]
    with time_machine.travel(at(2019, 10, 10, 9), tick=False):
        reporting_services.period_close(period=q2, user=admin_user)
    with time_machine.travel(at(2019, 11, 20, 14), tick=False):
        milestone.refresh_from_db()
        services.milestone_update(
            milestone=milestone,
            user=ken_user,
            expected_version=milestone.version,
            status="amber",
            commentary="Two trainers dropped out.",
            due_date=date(2020, 1, 31),
            due_date_reason="New trainers start in January.",
        )
        milestone.refresh_from_db()
        services.milestone_update(
            milestone=milestone,
            user=simon_user,
            expected_version=milestone.version,
            status="amber",
            commentary="Council trainers found.",
            due_date=date(2020, 1, 31),
        )
    milestone.refresh_from_db()
    return {
        "ken": ken,
        "ken_user": ken_user,
        "simon": simon,
        "simon_user": simon_user,
        "plan": plan,
        "action": action,
        "milestone": milestone,
        "q2": q2,
        "q3": q3,
        "indicator": indicator,
    }


def remove_ken(world, admin_user):
    with time_machine.travel(at(2019, 11, 21, 9), tick=False):
        return services.person_remove(person=world["ken"], user=admin_user)


def test_every_page_shows_former_lead_and_keeps_the_updates(client, world, admin_user):
    milestone, plan = world["milestone"], world["plan"]
    client.force_login(admin_user)
    for url in (
        reverse("plans:milestone_detail", args=[milestone.pk]),
        reverse("outcomes:indicator_detail", args=[world["indicator"].pk]),
    ):
        assert "Ken Dance" in client.get(url).content.decode()  # so the checks below can fail
    remove_ken(world, admin_user)
    pages = {
        "plan page": reverse("plans:plan_detail", args=[plan.pk]),
        "milestone list": reverse("plans:milestone_list") + f"?plan={plan.pk}",
        "milestone": reverse("plans:milestone_detail", args=[milestone.pk]),
        "action": reverse("plans:action_detail", args=[world["action"].pk]),
        "milestone history": reverse("plans:item_history", args=["milestone", milestone.pk]),
        "plan history": reverse("plans:plan_history", args=[plan.pk]),
        "update form": reverse("plans:milestone_update", args=[milestone.pk]),
        "people": reverse("plans:people"),
        "board packs": reverse("reporting:board_pack", args=[plan.pk]),
        "Q2 changes (closed)": reverse("reporting:period_changes", args=[world["q2"].pk]),
        "Q3 changes (open)": reverse("reporting:period_changes", args=[world["q3"].pk]),
        "indicator owned": reverse("outcomes:indicator_detail", args=[world["indicator"].pk]),
        "scorecard": reverse("outcomes:scorecard", args=[plan.pk]),
    }
    client.force_login(admin_user)
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        assert_no_trace_of_ken(response.content.decode(), where)
    detail = client.get(pages["milestone"]).content.decode()
    assert detail.count(FORMER_LEAD) >= 3  # the lead and both of Ken's updates
    for commentary in ("Trainers booked for October.", "Two trainers dropped out."):
        assert commentary in detail
    assert "Simon Perry" in detail  # the person who stays keeps their name

    # Simon co-leads the action, so the milestone is on his own page.
    client.force_login(world["simon_user"])
    mine = client.get(reverse("plans:my_milestones")).content.decode()
    assert "Panel members trained" in mine
    assert_no_trace_of_ken(mine, "my milestones")
    assert f"lead {FORMER_LEAD}" in mine


def test_history_is_kept_with_former_lead_as_author(world, admin_user):
    updates_before = MilestoneUpdate.objects.count()
    remove_ken(world, admin_user)
    assert MilestoneUpdate.objects.count() == updates_before
    authors = list(
        world["milestone"]
        .updates.order_by("created_at", "pk")
        .values_list("author_name", flat=True)
    )
    assert authors == [FORMER_LEAD, FORMER_LEAD, "Simon Perry"]
    ken = Person.objects.get(pk=world["ken"].pk)
    assert (ken.name, ken.email, ken.role_title) == (FORMER_LEAD, "", "YOT manager")
    assert ken.organisation.name == "Cleveland Police"
    assert ken.removed_at == at(2019, 11, 21, 9)
    assert world["milestone"].__class__.objects.get(pk=world["milestone"].pk).lead_id == ken.pk
    # The person's own history keeps the removal and when, but not who they were.
    records = ken.history.order_by("history_id")
    assert {r.name for r in records} == {FORMER_LEAD}
    assert {r.email for r in records} == {""}
    assert records.last().history_change_reason == "Removed: has left"
    texts = world["milestone"].history.values_list("lead_text", flat=True)
    assert set(texts) == {f"YOT ({FORMER_LEAD})"}
    action_texts = set(world["action"].history.values_list("lead_text", flat=True))
    assert action_texts == {f"Strategic Lead: Simon Perry / Lead Officer: {FORMER_LEAD}"}


def test_the_json_export_names_no_one_who_has_left(world, admin_user, client):
    remove_ken(world, admin_user)
    data = exporting.plan_export(plan=world["plan"])
    text = json.dumps(data)
    assert_no_trace_of_ken(text, "JSON export")
    milestone = data["priorities"][0]["outcomes"][0]["actions"][0]["milestones"][0]
    assert milestone["lead"]["name"] == FORMER_LEAD
    assert milestone["lead"]["removed"] is True
    assert [u["author_name"] for u in milestone["updates"]] == [
        FORMER_LEAD,
        FORMER_LEAD,
        "Simon Perry",
    ]
    client.force_login(admin_user)
    download = client.get(reverse("portability:plan_export_json", args=[world["plan"].pk]))
    assert_no_trace_of_ken(download.content.decode(), "JSON download")


@pytest.mark.parametrize("quarter", ["q2", "q3"])
@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_board_packs_of_closed_and_open_quarters_name_no_one_who_has_left(
    world, admin_user, quarter, fmt
):
    period = world[quarter]
    before = build_pack(period_id=period.pk, fmt=fmt)
    read = pdf_text if fmt == "pdf" else xlsx_text
    assert "Ken Dance" in read(before)  # the pack did name him: the check below can fail
    remove_ken(world, admin_user)
    with time_machine.travel(at(2019, 11, 21, 10), tick=False):
        after = read(build_pack(period_id=period.pk, fmt=fmt))
    assert_no_trace_of_ken(after, f"{fmt} pack of {quarter}")
    assert FORMER_LEAD in after  # the milestone's lead
    latest = {"q2": "Trainers booked for October.", "q3": "Council trainers found."}[quarter]
    assert latest in after


def test_closed_quarter_snapshot_is_redacted_recorded_and_its_digest_still_holds(world, admin_user):
    snapshot = Snapshot.objects.get(period=world["q2"])
    old_digest = snapshot.digest
    assert "Ken Dance" in json.dumps(snapshot.data)
    remove_ken(world, admin_user)
    snapshot.refresh_from_db()
    assert_no_trace_of_ken(json.dumps(snapshot.data), "snapshot")
    assert snapshot.digest == reporting_services.state_digest(snapshot.data) != old_digest
    redaction = SnapshotRedaction.objects.get(snapshot=snapshot)
    assert (redaction.person_id, redaction.digest) == (world["ken"].pk, snapshot.digest)
    assert redaction.redacted_by == admin_user
    # Everything but the names is as it was frozen.
    milestone = snapshot.data["priorities"][0]["outcomes"][0]["actions"][0]["milestones"][0]
    assert (milestone["status"], milestone["commentary"]) == (
        "green",
        "Trainers booked for October.",
    )


def test_stored_packs_rendered_with_the_old_name_lose_their_file_and_say_why(
    world, admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    job = PackJob.objects.create(
        period=world["q2"],
        snapshot=Snapshot.objects.get(period=world["q2"]),
        fmt="pdf",
        status=PackJob.Status.DONE,
    )
    job.file.save("pack.pdf", ContentFile(b"Ken Dance"), save=True)
    stored = tmp_path / job.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        remove_ken(world, admin_user)
    job.refresh_from_db()
    assert job.status == PackJob.Status.CANCELLED
    assert "withdrawn because a person was removed" in job.message
    assert not job.file
    assert not stored.exists()


def test_the_account_of_someone_with_no_other_partnership_is_closed(world, admin_user, client):
    remove_ken(world, admin_user)
    account = get_user_model().objects.get(pk=world["ken_user"].pk)
    assert not account.is_active
    assert not account.has_usable_password()
    assert account.email == ""
    assert account.get_full_name() == FORMER_LEAD
    assert_no_trace_of_ken(account.get_username(), "username")
    assert not Membership.objects.filter(user=account).exists()
    assert not Delegation.objects.filter(delegate=world["ken"]).exists()
    # A session opened before the removal no longer signs them in.
    client.force_login(world["ken_user"])
    response = client.get(reverse("plans:my_milestones"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_account_the_partnership_did_not_make_is_never_closed(world, admin_user):
    """Simon's council account existed before: removing him ends his role here, nothing more."""
    simon = world["simon_user"]
    services.person_remove(person=world["simon"], user=admin_user)
    simon.refresh_from_db()
    assert simon.is_active and simon.username == "simon" and simon.has_usable_password()
    assert simon.get_full_name() == "Simon Perry"
    assert not Membership.objects.filter(user=simon).exists()
    assert Person.objects.get(pk=world["simon"].pk).user is None


def test_someone_who_stays_in_another_partnership_keeps_their_account_there(
    world, admin_user, partnership
):
    elsewhere = factories.PartnershipFactory(name="Redcar Youth Justice Board")
    factories.MembershipFactory(partnership=elsewhere, user=world["ken_user"], role="lead")
    remove_ken(world, admin_user)
    account = get_user_model().objects.get(pk=world["ken_user"].pk)
    assert account.is_active
    assert list(Membership.objects.filter(user=account).values_list("partnership", flat=True)) == [
        elsewhere.pk
    ]
    assert not Membership.objects.filter(user=account, partnership=partnership).exists()
    # Their updates in this partnership still say "Former lead".
    assert set(world["ken_user"].milestone_updates.values_list("author_name", flat=True)) == {
        FORMER_LEAD
    }


def test_only_an_admin_of_the_partnership_may_remove(world, outsider):
    for user in (world["simon_user"], outsider):
        with pytest.raises(PermissionDenied):
            services.person_remove(person=world["ken"], user=user)
    assert Person.objects.get(pk=world["ken"].pk).name == "Ken Dance"


def test_a_failure_part_way_leaves_everything_as_it_was(world, admin_user, monkeypatch):
    def fail(removal):
        raise RuntimeError("disk full")

    monkeypatch.setattr(personal_data, "_hooks", [*personal_data._hooks, fail])
    snapshot_before = Snapshot.objects.get(period=world["q2"]).data
    with pytest.raises(RuntimeError):
        services.person_remove(person=world["ken"], user=admin_user)
    ken = Person.objects.get(pk=world["ken"].pk)
    assert (ken.name, ken.removed_at) == ("Ken Dance", None)
    assert world["ken_user"].milestone_updates.filter(author_name="Ken Dance").count() == 2
    assert Snapshot.objects.get(period=world["q2"]).data == snapshot_before
    assert get_user_model().objects.get(pk=world["ken_user"].pk).is_active


def test_removing_logs_ids_only(world, admin_user, caplog):
    with caplog.at_level(logging.DEBUG):
        remove_ken(world, admin_user)
    assert f"event=person_removed user_id={admin_user.pk} person_id={world['ken'].pk}" in (
        caplog.text
    )
    assert_no_trace_of_ken(caplog.text, "the log")


def test_two_removed_people_with_the_same_role_can_both_be_former_leads(partnership, admin_user):
    first, second = factories.PersonFactory.create_batch(2, partnership=partnership, role_title="")
    for person in (first, second):
        services.person_remove(person=person, user=admin_user)
    assert list(
        Person.objects.filter(pk__in=[first.pk, second.pk]).values_list("name", flat=True)
    ) == [FORMER_LEAD, FORMER_LEAD]


def test_only_whole_words_are_redacted():
    assert redact_text("Jo Smith and the Joint team", names=["Jo Smith"]) == (
        "Former lead and the Joint team"
    )
    assert redact_text("YOT (jo smith)", names=["Jo Smith", ""]) == "YOT (Former lead)"
    assert redact_text("Joint team", names=["Jo"]) == "Joint team"


# --- The pages ------------------------------------------------------------------------------


def test_admin_confirms_then_removes_from_the_people_page(client, world, admin_user):
    client.force_login(admin_user)
    people = client.get(reverse("plans:people")).content.decode()
    url = reverse("plans:person_remove", args=[world["ken"].pk])
    assert url in people
    assert "Yes, has an account" in people
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure you want to remove Ken Dance (YOT manager)?" in confirm.content.decode()
    assert Person.objects.get(pk=world["ken"].pk).removed_at is None  # GET changes nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("plans:people"), 302)]
    page = response.content.decode()
    assert "Former lead (YOT manager)" in page
    assert_no_trace_of_ken(page, "people page after removal")
    assert Person.objects.get(pk=world["ken"].pk).removed_at is not None
    assert client.get(url).status_code == 404  # removed once only


def test_members_who_are_not_admins_get_403(client, world):
    client.force_login(world["simon_user"])
    url = reverse("plans:person_remove", args=[world["ken"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert client.get(reverse("plans:people")).status_code == 403
    assert Person.objects.get(pk=world["ken"].pk).removed_at is None


def test_another_partnerships_admin_gets_404_and_never_sees_our_people(client, world, outsider):
    client.force_login(outsider)
    url = reverse("plans:person_remove", args=[world["ken"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert "Ken Dance" not in client.get(reverse("plans:people")).content.decode()
    assert Person.objects.get(pk=world["ken"].pk).removed_at is None


@pytest.mark.parametrize("extra_people", [1, 30])
def test_people_page_query_count_does_not_grow(
    client, partnership, admin_user, extra_people, django_assert_max_num_queries
):
    factories.PersonFactory.create_batch(extra_people, partnership=partnership)
    removed = factories.PersonFactory(partnership=partnership)
    services.person_remove(person=removed, user=admin_user)
    client.force_login(admin_user)
    with django_assert_max_num_queries(10):  # 8, the hub's partnerships, the header's line
        response = client.get(reverse("plans:people"))
    assert response.content.decode().count("Remove (has left)") == extra_people


def test_chasing_page_asks_for_a_new_lead_instead_of_a_sign_in_link(client, world, admin_user):
    remove_ken(world, admin_user)
    client.force_login(admin_user)
    with time_machine.travel(at(2020, 1, 16, 9), tick=False):  # Q4 collects once Q1-Q3 close
        for period in world["plan"].periods.filter(status="open", year=2019, quarter__lte=3):
            reporting_services.period_close(period=period, user=admin_user)
    with time_machine.travel(at(2020, 1, 20, 9), tick=False):
        page = client.get(reverse("plans:update_compliance", args=[world["plan"].pk]))
    html = page.content.decode()
    assert "Former lead (YOT manager)" in html
    assert "Has left: name a new lead" in html
    assert f"?person={world['ken'].pk}" not in html
    assert_no_trace_of_ken(html, "chasing page")


def test_an_admin_cannot_remove_themselves_and_is_told_why(client, partnership, admin_user):
    me = factories.PersonFactory(partnership=partnership, name="Ada Admin", user=admin_user)
    client.force_login(admin_user)
    response = client.post(reverse("plans:person_remove", args=[me.pk]), follow=True)
    assert response.status_code == 200
    assert "You cannot remove yourself" in response.content.decode()
    me.refresh_from_db()
    assert (me.name, me.removed_at) == ("Ada Admin", None)
    assert Membership.objects.filter(user=admin_user, partnership=partnership).exists()


def test_the_django_admins_own_log_no_longer_names_them(world, admin_user):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    entry = LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(world["ken"].pk),
        object_repr="Ken Dance (YOT manager)",
        action_flag=CHANGE,
        change_message='[{"added": {"name": "delegation", "object": "Ken Dance for Simon Perry"}}]',
    )
    remove_ken(world, admin_user)
    entry.refresh_from_db()
    assert entry.object_repr == "Former lead (YOT manager)"
    assert_no_trace_of_ken(entry.change_message, "admin log")
    assert "Simon Perry" in entry.change_message
