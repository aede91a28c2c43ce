"""Packs always ready: after changes the current quarter's draft packs are produced again in
the background, once per burst; a fresh pack downloads from storage; a stale one says it is
being updated and offers the previous version; a closed quarter's pack is never made again."""

import re
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from plans import services as plan_services
from plans.models import Milestone
from reporting import freshness, jobs, packs, selectors, services
from reporting.models import PackJob, PackRefresh, PlanDataVersion
from tests import factories

LONDON = ZoneInfo("Europe/London")
# Wednesday 20 November 2019, 10am: 2019/20 Q3 is collecting updates.
NOW = datetime(2019, 11, 20, 10, 0, tzinfo=LONDON)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(partnership, clock):
    return factories.plan_with_milestones(partnership=partnership, milestones=6)


@pytest.fixture
def q2(plan):
    """Open until a test closes it: an open Q2 past its deadline would be the one collecting."""
    return factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=2)


@pytest.fixture
def q3(plan):
    return factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)


@pytest.fixture
def render_calls(monkeypatch):
    """Every render of a pack (PDF or Excel), wherever it is called from."""
    calls = []
    real = packs.render

    def counting(pack, fmt):
        calls.append(fmt)
        return real(pack, fmt)

    monkeypatch.setattr(packs, "render", counting)
    return calls


def run_worker():
    """The database queue's worker, until nothing due is left, as `db_worker` does."""
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)


def update(milestone: Milestone, user, commentary: str):
    """A lead's update through the service the update form uses."""
    milestone.refresh_from_db()
    return plan_services.milestone_update(
        milestone=milestone,
        user=user,
        expected_version=milestone.version,
        status=milestone.status,
        commentary=commentary,
        due_date=milestone.due_date,
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def download(client, period, fmt="xlsx", **query):
    return client.get(reverse("reporting:pack_download", args=[period.pk, fmt]), query)


def cell_texts(content: bytes) -> str:
    book = load_workbook(BytesIO(content), read_only=True)
    return " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def first_milestone(plan) -> Milestone:
    return Milestone.objects.filter(action__outcome__priority__plan=plan).order_by("pk").first()


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_five_updates_gives_one_render_of_each_whole_plan_pack(
    partnership, admin_user, settings, render_calls
):
    settings.PACK_REFRESH_DELAY = 30
    with time_machine.travel(NOW, tick=True) as clock:
        plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
        q3 = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
        run_worker()  # nothing is due yet: the setting up was a change too
        assert render_calls == []
        milestone = first_milestone(plan)

        for n in range(5):
            update(milestone, admin_user, f"Progress note {n}")
            clock.shift(5)
        run_worker()  # 5 s after the last update: still waiting for changes to stop
        assert render_calls == []
        refresh = PackRefresh.objects.get(period=q3, key="pdf:p-:o-")
        assert refresh.due_at >= timezone.now() + timedelta(seconds=20)

        clock.shift(31)
        run_worker()

    assert sorted(render_calls) == ["pdf", "xlsx"]
    done = PackJob.objects.filter(period=q3, status=PackJob.Status.DONE)
    assert sorted(done.values_list("fmt", flat=True)) == ["pdf", "xlsx"]
    assert set(done.values_list("data_version", flat=True)) == {
        selectors.plan_data_version(plan_id=plan.pk)
    }
    assert not PackRefresh.objects.filter(due_at__isnull=False).exists()


@pytest.mark.django_db
def test_after_the_render_a_board_members_download_is_the_stored_file_not_a_new_render(
    client, board_user, admin_user, q3, settings, render_calls, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        update(first_milestone(q3.plan), admin_user, "Partners met in November")
    assert sorted(render_calls) == ["pdf", "xlsx"]  # produced in the background
    stored = PackJob.objects.get(period=q3, fmt="xlsx", status=PackJob.Status.DONE)
    client.force_login(board_user)

    response = download(client, q3)

    assert response.status_code == 200
    assert response.streaming  # FileResponse from storage
    content = body(response)
    assert content == stored.file.open("rb").read()
    assert "Partners met in November" in cell_texts(content)
    assert sorted(render_calls) == ["pdf", "xlsx"]
    assert PackJob.objects.filter(period=q3).count() == 2


@pytest.mark.django_db
def test_a_change_makes_the_pack_stale_the_download_says_so_and_offers_the_previous_version(
    client,
    board_user,
    admin_user,
    q3,
    clock,
    settings,
    render_calls,
    django_capture_on_commit_callbacks,
):
    client.force_login(board_user)
    first = download(client, q3)  # produced inline the first time, then kept
    assert first.status_code == 200
    previous = PackJob.objects.get(period=q3, fmt="xlsx")
    assert render_calls == ["xlsx"]

    clock.shift(timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        update(first_milestone(q3.plan), admin_user, "Moved to the new building")
    response = client.get(reverse("reporting:pack_download", args=[q3.pk, "xlsx"]), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Being updated with the latest changes" in page
    assert re.search(r"ready in about \d+ seconds", page)
    assert "data-app-poll" in page  # checked again in place, and by a link without JavaScript
    again = response.redirect_chain[-1][0]
    assert f'href="{again}">Check again' in page.replace("&amp;", "&")
    assert "Download the version of 10am today" in page
    link = reverse("reporting:pack_job_download", args=[previous.pk])
    assert f'href="{link}"' in page
    previous_file = client.get(link)
    assert previous_file.status_code == 200
    assert body(previous_file) == body(first)
    assert render_calls == ["xlsx"]  # the new one is the worker's to produce
    assert PackRefresh.objects.get(period=q3, key="xlsx:p-:o-").task_due_at is not None

    board = client.get(reverse("reporting:board_pack", args=[q3.plan_id])).content.decode()
    assert "Being updated with the latest changes, ready in about" in board
    assert "Download the version of 10am today" in board

    # The worker produces the new pack; checking again offers it.
    settings.TASKS = IMMEDIATE
    freshness.pack_refresh_run(refresh_id=PackRefresh.objects.get(period=q3, key="xlsx:p-:o-").pk)
    ready = client.get(again).content.decode()
    new = PackJob.objects.filter(period=q3, fmt="xlsx").order_by("-pk").first()
    assert "The updated board pack is ready" in ready
    assert reverse("reporting:pack_job_download", args=[new.pk]) in ready
    assert "data-app-poll" not in ready
    assert "Moved to the new building" in cell_texts(new.file.open("rb").read())


@pytest.mark.django_db
def test_progress_and_estimate_come_from_the_job_and_the_last_render(
    admin_user, q3, clock, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW - timedelta(minutes=1), tick=False):
        job = jobs.pack_job_request(period=q3, fmt="pdf", user=admin_user)
    PackJob.objects.filter(pk=job.pk).update(
        status=PackJob.Status.DONE,
        file="packs/old.pdf",
        started_at=NOW - timedelta(seconds=50),
        finished_at=NOW - timedelta(seconds=10),  # took 40 s
        data_version=selectors.plan_data_version(plan_id=q3.plan_id),
    )
    with django_capture_on_commit_callbacks(execute=True):
        update(first_milestone(q3.plan), admin_user, "A change")
    # The worker has started the new render 10 s ago and is 30% through.
    new = PackJob.objects.create(
        period=q3,
        fmt="pdf",
        status=PackJob.Status.RUNNING,
        progress=30,
        stage="Laying out the pages",
        started_at=NOW - timedelta(seconds=10),
    )

    state = freshness.pack_state(
        period=q3, fmt="pdf", filters=selectors.pack_filters(priority_id=None, organisation_id=None)
    )

    assert state.updating and state.job == new
    assert (state.progress, state.seconds) == (30, 30)
    assert state.ready_in == "about 30 seconds"


@pytest.mark.django_db
def test_a_closed_quarters_pack_is_produced_once_and_never_again_after_later_changes(
    client,
    board_user,
    admin_user,
    q2,
    q3,
    render_calls,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = IMMEDIATE
    with time_machine.travel(datetime(2019, 10, 10, 9, tzinfo=LONDON), tick=False):
        services.period_close(period=q2, user=admin_user)
    q2.refresh_from_db()
    client.force_login(board_user)
    first = download(client, q2)
    assert render_calls == ["xlsx"]

    with django_capture_on_commit_callbacks(execute=True):
        update(first_milestone(q2.plan), admin_user, "After the close")
    second = download(client, q2)

    assert body(second) == body(first)
    assert second.streaming
    assert render_calls.count("xlsx") == 2  # the other is Q3's draft, produced after the change
    assert not PackJob.objects.filter(period=q2).exclude(status=PackJob.Status.DONE).exists()
    assert PackJob.objects.filter(period=q2).count() == 1
    assert not PackRefresh.objects.filter(period=q2).exists()


@pytest.mark.django_db
def test_a_filtered_pack_once_asked_for_is_kept_ready_after_changes(
    client, board_user, admin_user, q3, settings, render_calls, django_capture_on_commit_callbacks
):
    priority = q3.plan.priorities.order_by("pk").first()
    client.force_login(board_user)
    assert download(client, q3, priority=priority.pk).status_code == 200
    assert render_calls == ["xlsx"]
    assert PackRefresh.objects.get(period=q3, priority=priority).asked_at is not None
    settings.TASKS = IMMEDIATE

    with django_capture_on_commit_callbacks(execute=True):
        update(first_milestone(q3.plan), admin_user, "A change")

    assert sorted(render_calls) == ["pdf", "xlsx", "xlsx", "xlsx"]
    kept = PackJob.objects.filter(period=q3, priority=priority, status=PackJob.Status.DONE)
    assert kept.count() == 2
    response = download(client, q3, priority=priority.pk)
    assert response.streaming
    assert body(response) == kept.order_by("-pk").first().file.open("rb").read()
    assert len(render_calls) == 4
    organisation_key = PackRefresh.objects.filter(period=q3, organisation__isnull=False)
    assert not organisation_key.exists()  # only what was asked for is kept


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_refresh_produce_the_pack_once(
    partnership, admin_user, render_calls
):
    with time_machine.travel(NOW, tick=True):
        plan = factories.plan_with_milestones(partnership=partnership, milestones=4)
        q3 = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
        update(first_milestone(plan), admin_user, "A change")
        refresh = PackRefresh.objects.get(period=q3, key="xlsx:p-:o-")

        # Both workers pick up a task for the same refresh (one was queued twice).
        first = freshness.pack_refresh_run(refresh_id=refresh.pk)
        second = freshness.pack_refresh_run(refresh_id=refresh.pk)
        job = PackJob.objects.get(period=q3, fmt="xlsx")
        results = [jobs.pack_job_run(job_id=job.pk), jobs.pack_job_run(job_id=job.pk)]

    assert (first, second) == ("asked", "up to date")
    assert results == ["done", "skipped: not queued"]
    assert render_calls == ["xlsx"]


@pytest.mark.django_db
def test_changes_rolled_back_make_no_pack_stale(admin_user, q3, django_capture_on_commit_callbacks):
    before = selectors.plan_data_version(plan_id=q3.plan_id)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        update(first_milestone(q3.plan), admin_user, "Never saved")
        raise RuntimeError
    assert selectors.plan_data_version(plan_id=q3.plan_id) == before
    assert not callbacks


@pytest.mark.parametrize("milestones", [2, 40])
@pytest.mark.django_db
def test_the_board_pack_page_with_pack_states_costs_a_constant_number_of_queries(
    client,
    partnership,
    board_user,
    admin_user,
    clock,
    milestones,
    django_assert_num_queries,
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=milestones)
    q3 = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
    for fmt in ("pdf", "xlsx"):
        job = jobs.pack_job_request(period=q3, fmt=fmt, user=admin_user)
        PackJob.objects.filter(pk=job.pk).update(
            status=PackJob.Status.DONE, file=f"packs/x.{fmt}", finished_at=NOW, started_at=NOW
        )
    client.force_login(board_user)

    # 7 of them for where the current quarter's packs stand (the rest are the page's): the plan's
    # data version, and for each format its latest stored pack and, stale, its update's job
    # and when its refresh is due.
    with django_assert_num_queries(21):
        page = client.get(reverse("reporting:board_pack", args=[plan.pk])).content.decode()
    assert page.count("Download the version of 10am today") == 2


@pytest.mark.django_db
def test_older_versions_made_by_refreshes_leave_storage_the_latest_two_stay(
    admin_user, q3, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            update(first_milestone(q3.plan), admin_user, f"Change {n}")

    done = PackJob.objects.filter(period=q3, fmt="xlsx", status=PackJob.Status.DONE)
    assert done.count() == 2
    newest = done.order_by("-pk").first()
    assert "Change 3" in cell_texts(newest.file.open("rb").read())


@pytest.mark.django_db
def test_an_import_counts_as_one_change_and_makes_the_current_quarters_packs_due(
    admin_user, q3, django_capture_on_commit_callbacks
):
    from imports.services import plan_import

    before = selectors.plan_data_version(plan_id=q3.plan_id)
    with django_capture_on_commit_callbacks(execute=True):
        result = plan_import(
            plan=q3.plan,
            data=b"Outcome,Action,By when,Who\n1. A new outcome,1.1 A new action,May 2020,X\n",
            filename="plan.csv",
            user=admin_user,
        )

    assert not result.refused
    assert selectors.plan_data_version(plan_id=q3.plan_id) == before + 1
    due = PackRefresh.objects.filter(period=q3, due_at__isnull=False)
    assert sorted(due.values_list("key", flat=True)) == ["pdf:p-:o-", "xlsx:p-:o-"]


@pytest.mark.django_db
def test_accepting_an_update_or_attaching_evidence_makes_the_draft_packs_stale(
    admin_user, q3, django_capture_on_commit_callbacks
):
    """What packs show of the conversation around an update (review flags, evidence) counts as
    a change of the plan's data, so a board member is never handed a pack without it."""
    from evidence.services import attachment_add
    from review.services import review_accept
    from tests.evidence.corpus import pdf

    with django_capture_on_commit_callbacks(execute=True):
        saved = update(first_milestone(q3.plan), admin_user, "Panel met in November")
    before = selectors.plan_data_version(plan_id=q3.plan_id)

    with django_capture_on_commit_callbacks(execute=True):
        review_accept(update=saved, user=admin_user, expected_version=0)
    after_review = selectors.plan_data_version(plan_id=q3.plan_id)
    assert after_review > before

    with django_capture_on_commit_callbacks(execute=True):
        attachment_add(update=saved, user=admin_user, name="minutes.pdf", file=BytesIO(pdf("x")))
    assert selectors.plan_data_version(plan_id=q3.plan_id) > after_review


@pytest.mark.django_db(transaction=True)
def test_a_plan_changed_then_deleted_in_one_transaction_is_not_counted_and_nothing_fails(
    admin_user, q3, caplog
):
    """Removing a partnership (its plans with it) right after changing one: the hook that
    runs after the commit has no plan to count, and says nothing went wrong."""
    plan = q3.plan
    with transaction.atomic():
        update(first_milestone(plan), admin_user, "Last words")
        plan.partnership.delete()
    assert not PlanDataVersion.objects.filter(plan_id=plan.pk).exists()
    assert "Error" not in caplog.text and "IntegrityError" not in caplog.text
