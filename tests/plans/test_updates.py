"""Leads' updates: the rules, the append-only trail, no lost updates, My milestones."""

import re
import threading
from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from plans import services
from plans.forms import MilestoneUpdateForm
from plans.models import RAG, Milestone, MilestoneUpdate, ReportingPeriod
from tests import factories
from tests.plans.update_world import build_world, form_data

# 2019/20 Q3 runs October to December 2019.
TODAY = datetime(2019, 11, 15, 10, 0)


@pytest.fixture
def world(partnership):
    with time_machine.travel(TODAY, tick=False):
        yield build_world(partnership)


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(TODAY, tick=False):
        yield


def update(world, **kwargs):
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    arguments = {
        "milestone": milestone,
        "user": world.lead,
        "expected_version": milestone.version,
        "status": RAG.GREEN,
        "commentary": "",
        "due_date": milestone.due_date,
        "due_date_reason": "",
        "completed_on": None,
        "status_reason": "",
        "source": MilestoneUpdate.Source.WEB,
    }
    arguments.update(kwargs)
    return services.milestone_update(**arguments)


class TestMilestoneUpdateService:
    def test_appends_an_update_and_the_milestone_follows_it(self, world):
        first = update(world, status=RAG.AMBER, commentary="Survey delayed by a month.")
        second = update(world, status=RAG.GREEN, commentary="Back on track.")
        milestone = Milestone.objects.get(pk=world.milestone.pk)
        assert milestone.status == RAG.GREEN
        assert milestone.latest_update == second
        assert milestone.version == 2
        assert list(milestone.updates.order_by("created_at", "pk")) == [first, second]
        assert first.author == world.lead and first.author_name == "Ken Dance"
        # The milestone's own history has the before → after of each update.
        statuses = list(milestone.history.order_by("history_id").values_list("status", flat=True))
        assert statuses[-2:] == [RAG.AMBER, RAG.GREEN]

    @pytest.mark.parametrize("status", [RAG.RED, RAG.AMBER])
    def test_red_and_amber_need_commentary(self, world, status):
        with pytest.raises(ValidationError) as error:
            update(world, status=status, commentary="  ")
        assert "commentary" in error.value.message_dict
        assert not MilestoneUpdate.objects.exists()
        assert Milestone.objects.get(pk=world.milestone.pk).version == 0

    def test_a_status_change_needs_commentary(self, world):
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.GREEN)
        assert "changed from Not started to Green" in error.value.message_dict["commentary"][0]

    def test_a_moved_date_with_the_same_green_status_needs_no_commentary(self, world):
        update(world, status=RAG.GREEN, commentary="Started.")
        update(world, status=RAG.GREEN, due_date=date(2019, 12, 1), due_date_reason="Ahead.")
        assert MilestoneUpdate.objects.count() == 2

    def test_a_save_that_changes_nothing_is_refused(self, world):
        update(world, status=RAG.GREEN, commentary="Started.")
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.GREEN)
        assert error.value.message_dict["commentary"] == [
            "Enter what has happened since the last update, or tick "
            "'No change since the last update'"
        ]
        assert MilestoneUpdate.objects.count() == 1

    def test_no_change_is_recorded_and_keeps_the_last_commentary(self, world):
        update(world, status=RAG.AMBER, commentary="Two trainers dropped out.")
        confirmed = update(world, status=RAG.AMBER, no_change=True)
        assert confirmed.no_change and confirmed.commentary == ""
        world.milestone.refresh_from_db()
        assert world.milestone.latest_update == confirmed

    def test_no_change_with_a_change_is_refused(self, world):
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.GREEN, commentary="Started.", no_change=True)
        [message] = error.value.message_dict["no_change"]
        assert message.startswith("Untick 'No change since the last update'")

    def test_a_later_due_date_needs_a_reason_and_the_original_is_kept(self, world):
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.AMBER, commentary="Late.", due_date=date(2020, 3, 31))
        assert "due_date_reason" in error.value.message_dict
        made = update(
            world,
            status=RAG.AMBER,
            commentary="Late.",
            due_date=date(2020, 3, 31),
            due_date_reason="Fieldwork moved after the schools' term.",
        )
        milestone = Milestone.objects.get(pk=world.milestone.pk)
        assert milestone.due_date == date(2020, 3, 31)
        assert milestone.original_due_date == date(2019, 12, 31)
        assert milestone.slipped
        assert made.due_date_reason == "Fieldwork moved after the schools' term."

    def test_an_earlier_due_date_asks_why_and_keeps_the_reason(self, world):
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.GREEN, commentary="Ahead.", due_date=date(2019, 12, 1))
        assert error.value.message_dict["due_date_reason"] == [
            "Enter why the due date has moved earlier than 31 December 2019, or put the date back"
        ]
        made = update(
            world,
            status=RAG.GREEN,
            commentary="Ahead.",
            due_date=date(2019, 12, 1),
            due_date_reason="The venue came free earlier.",
        )
        assert Milestone.objects.get(pk=world.milestone.pk).due_date == date(2019, 12, 1)
        assert made.due_date_reason == "The venue came free earlier."

    def test_complete_needs_a_completion_date_not_in_the_future(self, world):
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.COMPLETE, commentary="Done.")
        assert "completed_on" in error.value.message_dict
        with pytest.raises(ValidationError):
            update(world, status=RAG.COMPLETE, commentary="Done.", completed_on=date(2019, 12, 1))
        update(world, status=RAG.COMPLETE, commentary="Done.", completed_on=date(2019, 11, 1))
        milestone = Milestone.objects.get(pk=world.milestone.pk)
        assert milestone.completed_on == date(2019, 11, 1)

    def test_a_completion_date_typed_for_another_status_is_refused_not_dropped(self, world):
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.GREEN, commentary="Going.", completed_on=date(2019, 11, 1))
        assert error.value.message_dict["completed_on"] == [
            "Choose Complete, or remove the date completed"
        ]
        assert not MilestoneUpdate.objects.exists()

    def test_past_due_suggests_red_and_a_kinder_status_needs_a_reason(self, world):
        Milestone.objects.filter(pk=world.milestone.pk).update(
            due_date=date(2019, 10, 31), original_due_date=date(2019, 10, 31)
        )
        with pytest.raises(ValidationError) as error:
            update(world, status=RAG.GREEN, commentary="Nearly there.")
        assert "the dates suggest Red" in error.value.message_dict["status_reason"][0]
        made = update(
            world,
            status=RAG.GREEN,
            commentary="Nearly there.",
            status_reason="Report drafted; sign-off meeting is booked.",
        )
        assert made.suggested_status == RAG.RED
        assert made.status_reason.startswith("Report drafted")

    def test_red_when_dates_suggest_red_needs_no_status_reason(self, world):
        Milestone.objects.filter(pk=world.milestone.pk).update(due_date=date(2019, 10, 31))
        made = update(world, status=RAG.RED, commentary="Stuck.")
        assert made.suggested_status == RAG.RED and made.status_reason == ""

    def test_a_slipped_date_suggests_amber(self):
        suggestion = services.rag_suggest(
            due_date=date(2020, 3, 31),
            original_due_date=date(2019, 12, 31),
            today=date(2019, 11, 15),
        )
        assert suggestion.status == RAG.AMBER

    def test_a_stale_version_is_refused_and_nothing_is_saved(self, world):
        update(world, status=RAG.AMBER, commentary="First.")
        stale = Milestone.objects.get(pk=world.milestone.pk)
        with pytest.raises(services.MilestoneConflict):
            services.milestone_update(
                milestone=stale,
                user=world.admin,
                expected_version=0,
                status=RAG.RED,
                commentary="Second.",
                due_date=stale.due_date,
                due_date_reason="",
                completed_on=None,
                status_reason="",
                source=MilestoneUpdate.Source.WEB,
            )
        assert MilestoneUpdate.objects.count() == 1
        assert Milestone.objects.get(pk=world.milestone.pk).status == RAG.AMBER


class TestUpdateForm:
    def url(self, world):
        return reverse("plans:milestone_update", args=[world.milestone.pk])

    def test_the_form_shows_the_milestone_and_its_suggestion(self, client, world):
        Milestone.objects.filter(pk=world.milestone.pk).update(due_date=date(2019, 10, 31))
        client.force_login(world.lead)
        response = client.get(self.url(world))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Why young women get pregnant" in body
        assert "The dates suggest <strong>Red</strong>" in body
        assert 'name="due_date-day"' in body and 'value="31"' in body
        assert 'name="version" value="0"' in body

    def test_errors_follow_the_govuk_pattern_and_keep_what_was_typed(self, client, world):
        client.force_login(world.lead)
        response = client.post(
            self.url(world),
            form_data(
                world.milestone,
                status="red",
                commentary="",
                **{"due_date-day": "31", "due_date-month": "2", "due_date-year": "2020"},
            ),
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "<title>Error: " in body
        assert "govuk-error-summary" in body
        assert 'href="#id_commentary"' in body
        assert 'href="#due_date-day"' in body
        assert "The due date must be a real date" in body
        assert 'value="2020"' in body  # the year typed is kept
        assert 'value="red" checked' in body
        assert not MilestoneUpdate.objects.exists()

    def test_a_date_missing_its_month_says_so_and_marks_only_the_month_box(self, client, world):
        client.force_login(world.lead)
        response = client.post(
            self.url(world),
            form_data(
                world.milestone,
                status="green",
                commentary="On track.",
                **{"due_date-day": "31", "due_date-month": "", "due_date-year": "2020"},
            ),
        )
        body = response.content.decode()
        assert 'href="#due_date-day">The due date must include a month</a>' in body
        marked = re.findall(r'govuk-input--error govuk-input--width-\d"\s+id="([\w-]+)"', body)
        assert marked == ["due_date-month"]
        assert not MilestoneUpdate.objects.exists()

    def test_the_error_summary_lists_errors_in_the_order_of_the_page(self, client, world):
        client.force_login(world.lead)
        response = client.post(
            self.url(world),
            form_data(
                world.milestone,
                status="complete",
                commentary="",
                **{"completed_on-day": "", "completed_on-month": "", "completed_on-year": "20"},
            ),
        )
        summary = response.content.decode().split('<ul class="govuk-list govuk-error-summary')[1]
        anchors = re.findall(r'href="#([\w-]+)"', summary.split("</ul>")[0])
        # The completion date's boxes come before the commentary on the page.
        assert anchors[:2] == ["completed_on-day", "id_commentary"]

    def test_each_status_radio_has_its_hint_in_the_form_fields_order(self, client, world):
        client.force_login(world.lead)
        body = client.get(self.url(world)).content.decode()
        values = re.findall(r'type="radio"\s+value="(\w+)"', body)
        choices = [value for value, _ in MilestoneUpdateForm.base_fields["status"].choices]
        assert values == choices
        red = choices.index("red")
        assert re.search(
            rf'aria-describedby="id_status_{red}-item-hint">.*?'
            rf'id="id_status_{red}-item-hint" class="govuk-hint govuk-radios__hint">At risk',
            body,
            re.DOTALL,
        )

    def test_a_valid_update_saves_and_returns_to_my_milestones(self, client, world):
        client.force_login(world.lead)
        response = client.post(
            self.url(world),
            form_data(
                world.milestone,
                status="amber",
                commentary="Survey late.",
                due_date_reason="Schools closed for the election.",
                **{"due_date-day": "31", "due_date-month": "3", "due_date-year": "2020"},
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("plans:my_milestones")
        page = client.get(response["Location"])
        html = page.content.decode()
        banner = html.split('class="govuk-notification-banner govuk-notification-banner--success"')
        assert 'role="alert" tabindex="-1"' in banner[1].split(">")[0]
        # Named in full, never cut mid-word.
        assert f"Your update to milestone a) ‘{world.milestone.text}’ has been saved." in html
        assert html.count("Just saved") == 1
        update = MilestoneUpdate.objects.get()
        assert (update.status, update.due_date) == ("amber", date(2020, 3, 31))
        assert update.source == MilestoneUpdate.Source.WEB

    def test_two_forms_loaded_at_the_same_version_never_lose_an_update(self, client, world):
        """Both leads open the form; the first saves; the second sees it and re-applies."""
        client.force_login(world.lead)
        first_form = form_data(world.milestone, status="amber", commentary="Lead: survey late.")
        second_form = form_data(world.milestone, status="red", commentary="Admin: no funding.")
        assert first_form["version"] == second_form["version"] == "0"

        assert client.post(self.url(world), first_form).status_code == 302

        client.force_login(world.admin)
        response = client.post(self.url(world), second_form)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Someone else updated this milestone" in body
        assert "Lead: survey late." in body  # what changed
        assert "Admin: no funding." in body  # their own input is kept
        assert 'name="version" value="1"' in body
        assert MilestoneUpdate.objects.count() == 1

        # Re-applying from the conflict page saves on top of the first update.
        response = client.post(self.url(world), {**second_form, "version": "1"})
        assert response.status_code == 302
        milestone = Milestone.objects.get(pk=world.milestone.pk)
        assert milestone.status == RAG.RED and milestone.version == 2
        assert [u.commentary for u in milestone.updates.order_by("created_at", "pk")] == [
            "Lead: survey late.",
            "Admin: no funding.",
        ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers on one file lock, so this race cannot happen there; "
    "CI runs it on PostgreSQL",
)
def test_concurrent_saves_on_postgresql_keep_exactly_one_per_version(partnership):
    world = build_world(partnership)
    barrier = threading.Barrier(8)
    outcomes = []

    def save(n):
        from django.db import connections

        try:
            barrier.wait()
            update(world, status=RAG.AMBER, commentary=f"Writer {n}", expected_version=0)
            outcomes.append("saved")
        except services.MilestoneConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["saved"]
    assert MilestoneUpdate.objects.filter(milestone=world.milestone).count() == 1


class TestMyMilestones:
    url = reverse("plans:my_milestones")

    def test_groups_overdue_needs_update_updated_and_complete(self, client, world):
        action = world.action
        overdue = factories.MilestoneFactory(
            action=action, lead=world.lead_person, text="Overdue one", due_date=date(2019, 10, 1)
        )
        updated = factories.MilestoneFactory(action=action, lead=world.lead_person, text="Done Q3")
        factories.MilestoneUpdateFactory(
            milestone=updated, status="green", created_at=datetime(2019, 10, 5, 9, 0).astimezone()
        )
        old = factories.MilestoneFactory(action=action, lead=world.lead_person, text="Last Q only")
        factories.MilestoneUpdateFactory(
            milestone=old, status="green", created_at=datetime(2019, 9, 5, 9, 0).astimezone()
        )
        complete = factories.MilestoneFactory(
            action=action,
            lead=world.lead_person,
            text="All finished",
            status="complete",
            completed_on=date(2019, 6, 1),
        )
        client.force_login(world.lead)
        response = client.get(self.url)
        groups = {key: {m.pk for m in items} for key, _, items in response.context["groups"]}
        assert groups == {
            "overdue": {overdue.pk},
            "needs_update": {world.milestone.pk, old.pk},
            "updated": {updated.pk},
            "complete": {complete.pk},
            "ended": set(),
        }
        body = response.content.decode()
        assert reverse("plans:milestone_update", args=[overdue.pk]) in body

    def test_lists_what_the_user_leads_through_actions_and_delegations_only(self, client, world):
        not_mine = factories.MilestoneFactory(action=world.action, text="Someone else's")
        for user in (world.action_lead, world.delegate):
            client.force_login(user)
            work = client.get(self.url).context["work"]
            ids = {m.pk for _, _, items in work.as_list() for m in items}
            # The action lead leads the whole action; the delegate acts for Ken Dance only.
            expected = {world.milestone.pk}
            if user == world.action_lead:
                expected.add(not_mine.pk)
            assert ids == expected
        client.force_login(world.other_lead)
        assert client.get(self.url).context["work"].total == 0

    def test_filters_by_status(self, client, world):
        red = factories.MilestoneFactory(action=world.action, lead=world.lead_person, status="red")
        client.force_login(world.lead)
        work = client.get(self.url, {"status": "red"}).context["work"]
        assert [m.pk for _, _, items in work.as_list() for m in items] == [red.pk]

    def test_deadline_comes_from_the_reporting_period_else_the_default(self, client, world):
        client.force_login(world.lead)
        # Not set up: the default deadline, 14 days after the quarter ends.
        [line] = client.get(self.url).context["work"].periods
        assert line.collecting.deadline == date(2020, 1, 14)
        ReportingPeriod.objects.create(
            plan=world.plan,
            year=2019,
            quarter=3,
            start_date=date(2019, 10, 1),
            end_date=date(2019, 12, 31),
            update_deadline=date(2019, 12, 13),
        )
        response = client.get(self.url)
        [line] = response.context["work"].periods
        assert line.collecting.deadline == date(2019, 12, 13)
        assert "13 December 2019" in response.content.decode()

    # Sign-in's reads and session save (4), the lead's partnerships, people and actions, counts
    # by group, a page of ids and their rows, the lead's plans and their periods (for the
    # period collecting updates), "is a lead", the admin's plans (2), the page's milestones
    # with a query waiting (review_tags.queried_milestones).
    # Exact, at both sizes, 1 of them the two-factor check: a ceiling would hide a lost join.
    QUERIES = 17  # 1 of them the header's signed-in line (selectors.signed_in)

    @pytest.mark.parametrize("rows", [3, 120])
    def test_query_count_does_not_grow_with_milestones(
        self, client, world, rows, django_assert_num_queries
    ):
        for n in range(rows):
            milestone = factories.MilestoneFactory(
                action=world.action, lead=world.lead_person, due_date=date(2019, 10 + n % 3, 1)
            )
            factories.MilestoneUpdateFactory(milestone=milestone)
            milestone.latest_update = milestone.updates.first()
            milestone.save()
        client.force_login(world.lead)
        for page in (1, 2):
            with django_assert_num_queries(self.QUERIES):
                response = client.get(self.url, {"page": page})
        assert response.context["work"].total == rows + 1

    def test_pages_fifty_at_a_time_through_the_groups_in_order(self, client, world):
        action = world.action
        overdue = [
            factories.MilestoneFactory(
                action=action, lead=world.lead_person, due_date=date(2019, 9, d)
            )
            for d in range(1, 31)
        ]
        for d in range(1, 31):
            factories.MilestoneFactory(
                action=action, lead=world.lead_person, due_date=date(2020, 1, d)
            )
        for _ in range(10):
            factories.MilestoneFactory(
                action=action,
                lead=world.lead_person,
                status="complete",
                completed_on=date(2019, 6, 1),
            )
        client.force_login(world.lead)
        first = client.get(self.url)
        work = first.context["work"]
        assert work.total == 71  # and world.milestone, which needs an update
        assert [(g.key, g.count, g.first_page) for g in work.groups] == [
            ("overdue", 30, 1),
            ("needs_update", 31, 1),
            ("updated", 0, 2),
            ("complete", 10, 2),
            ("ended", 0, 2),
        ]
        on_first = [m.pk for _, _, items in first.context["groups"] for m in items]
        assert on_first[:30] == [m.pk for m in overdue]
        assert len(on_first) == 50
        body = first.content.decode()
        assert 'class="govuk-pagination"' in body
        assert 'Complete: 10</a> <span class="app-muted">(from page 2)</span>' in body

        second = client.get(self.url, {"page": 2})
        on_second = {key: [m.pk for m in items] for key, _, items in second.context["groups"]}
        assert len(on_second["needs_update"]) == 11
        assert len(on_second["complete"]) == 10
        assert not set(on_first) & {pk for pks in on_second.values() for pk in pks}
        assert "(31, continued from page 1)" in second.content.decode()

    def test_an_update_from_a_later_page_returns_to_that_page(self, client, world):
        for _ in range(60):
            factories.MilestoneFactory(action=world.action, lead=world.lead_person, status="red")
        client.force_login(world.lead)
        page = client.get(self.url, {"status": "red", "page": 2}).content.decode()
        milestone = Milestone.objects.filter(status="red").order_by("pk").last()
        link = (
            re.search(rf'href="([^"]*/milestones/{milestone.pk}/update/[^"]*)"', page)
            .group(1)
            .replace("&amp;", "&")
        )

        response = client.post(link, form_data(milestone, status="red", commentary="Still late."))

        assert response.status_code == 302
        assert response["Location"].startswith(f"{self.url}?")
        assert "status=red" in response["Location"] and "page=2" in response["Location"]
        # The top of the page, where the banner is; the saved row is marked, not jumped to.
        assert "#" not in response["Location"]
        back = client.get(response["Location"])
        row = back.content.decode().split(f'id="milestone-{milestone.pk}"')[1].split("</tr>")[0]
        assert "Just saved" in row

    @pytest.mark.parametrize(
        "next_url", ["https://elsewhere.example/my-milestones/?page=2", "/admin/?page=2"]
    )
    def test_an_update_never_returns_anywhere_but_my_milestones(self, client, world, next_url):
        client.force_login(world.lead)
        milestone = world.milestone
        url = reverse("plans:milestone_update", args=[milestone.pk])

        response = client.post(
            f"{url}?next={next_url}", form_data(milestone, commentary="On track.")
        )

        assert response["Location"] == self.url

    def test_pages_keep_the_status_filter(self, client, world):
        for _ in range(60):
            factories.MilestoneFactory(action=world.action, lead=world.lead_person, status="red")
        client.force_login(world.lead)
        response = client.get(self.url, {"status": "red", "page": 2})
        assert response.context["work"].total == 60
        assert sum(len(items) for _, _, items in response.context["groups"]) == 10
        nav = response.content.decode().split('class="govuk-pagination"')[1]
        assert "status=red" in nav and "page=1" in nav


def test_partnership_admins_find_the_chasing_and_history_pages_from_my_milestones(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("plans:my_milestones")).content.decode()
    assert reverse("plans:update_compliance", args=[world.plan.pk]) in body
    assert reverse("plans:plan_history", args=[world.plan.pk]) in body
    client.force_login(world.lead)
    body = client.get(reverse("plans:my_milestones")).content.decode()
    assert reverse("plans:update_compliance", args=[world.plan.pk]) not in body


class TestLatestRealCommentary:
    """A later update without commentary never replaces real commentary with nothing."""

    def test_pages_keep_the_last_real_commentary_and_mark_a_no_change(self, client, world):
        update(world, status=RAG.GREEN, commentary="Trainers booked for October.")
        update(world, status=RAG.GREEN, due_date=date(2019, 12, 1), due_date_reason="Ahead.")
        with time_machine.travel(datetime(2019, 11, 20, 9), tick=False):
            update(world, status=RAG.GREEN, no_change=True)
        client.force_login(world.lead)
        detail = client.get(reverse("plans:milestone_detail", args=[world.milestone.pk]))
        plan_page = client.get(reverse("plans:action_detail", args=[world.action.pk]))
        for page in (detail, plan_page):
            html = page.content.decode()
            assert "Trainers booked for October." in html
            assert "No change, confirmed on 20 November 2019" in html
            assert "No commentary" not in html.split("Update history")[0]
