"""The plan's structure in the product's own pages: withdraw, reinstate, delete, add, edit,
move, reorder and renumber, by partnership admins (issue 16, items 1 and 3)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plans import reminders, selectors, structure
from plans.models import RAG, Action, Milestone, MilestoneUpdate, Outcome, Person, Priority
from portability.export import plan_export
from portability.json_import import plan_json_import
from reporting import services as reporting_services
from reporting.selectors import plan_state
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def plan(partnership):
    """Two actions of one outcome; the first has milestones a) and b), the second c)."""
    plan = factories.PlanFactory(partnership=partnership, title="Delivery Plan 2019/20")
    priority = factories.PriorityFactory(plan=plan, number="1", title="Staying Safe")
    outcome = factories.OutcomeFactory(priority=priority, number="1", statement="Children safe")
    first = factories.ActionFactory(outcome=outcome, number="1.1", text="Revise procedures")
    second = factories.ActionFactory(outcome=outcome, number="1.2", text="Train staff")
    lead = factories.PersonFactory(partnership=partnership, name="Simon Perry", email="s@x.example")
    for number, action in (("a)", first), ("b)", first), ("c)", second)):
        factories.MilestoneFactory(
            action=action, number=number, text=f"Milestone {number}", lead=lead
        )
    return plan


def milestone(number) -> Milestone:
    return Milestone.objects.get(number=number)


def withdraw(admin, item, reason="Imported twice (TOTAL row)"):
    kind = structure.kind_of(item)
    return admin.post(
        reverse("plans:item_withdraw", args=[kind, item.pk]),
        {"reason": reason, "version": item.version},
        follow=True,  # the page it lands on shows (and so uses up) the confirmation
    )


# --- Withdraw and reinstate ----------------------------------------------------------------


def test_a_withdrawn_milestone_leaves_pages_counts_lists_and_chasing(admin, plan, partnership):
    wrong = milestone("b)")
    factories.MilestoneUpdateFactory(milestone=wrong, status=RAG.RED, commentary="Imported")
    response = withdraw(admin, wrong)
    assert response.redirect_chain[-1][0] == wrong.get_absolute_url()

    page = admin.get(plan.get_absolute_url()).content.decode()
    assert "Milestone a)" in page and "Milestone b)" not in page
    plan_row = selectors.plan_detail(user=admin_user_of(partnership)).get(pk=plan.pk)
    selectors.plan_roll_up(plan=plan_row)
    assert plan_row.milestone_total == 2

    listed = admin.get(reverse("plans:milestone_list")).content.decode()
    assert "Milestone b)" not in listed
    only = admin.get(reverse("plans:milestone_list") + "?withdrawn=only").content.decode()
    assert "Milestone b)" in only and "Milestone a)" not in only

    with time_machine.travel(date(2019, 11, 20)):
        digests, _ = reminders.reminder_digests(today=date(2019, 11, 20))
        chased = {m.pk for d in digests for m in d.overdue + d.needs_update}
        compliance = reminders.update_compliance(plan=plan, today=date(2019, 11, 20))
    assert wrong.pk not in chased and milestone("a)").pk in chased
    assert compliance["open"] == 2

    period = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
    state = plan_state(period=period)
    packed = [
        m["text"]
        for p in state["priorities"]
        for o in p["outcomes"]
        for a in o["actions"]
        for m in a["milestones"]
    ]
    assert packed == ["Milestone a)", "Milestone c)"]


def admin_user_of(partnership):
    return partnership.memberships.get(role="admin").user


def test_the_withdrawn_item_keeps_its_page_with_the_reason_and_history(admin, plan):
    wrong = milestone("b)")
    withdraw(admin, wrong, reason="A TOTAL row the importer made into a milestone")
    page = admin.get(wrong.get_absolute_url()).content.decode()
    assert "Withdrawn" in page
    assert "A TOTAL row the importer made into a milestone" in page
    assert "Reinstate" in page
    history = admin.get(reverse("plans:plan_history", args=[plan.pk])).content.decode()
    assert "Withdrawn: A TOTAL row the importer made into a milestone" in history


def test_withdrawing_needs_a_reason_and_changes_nothing_without_one(admin, plan):
    wrong = milestone("b)")
    response = withdraw(admin, wrong, reason="  ")
    assert response.redirect_chain == []
    assert "Enter why the item is being withdrawn" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert Milestone.objects.live().filter(pk=wrong.pk).exists()


def test_reinstating_brings_it_back(admin, plan):
    wrong = milestone("b)")
    withdraw(admin, wrong)
    wrong.refresh_from_db()
    response = admin.post(
        reverse("plans:item_reinstate", args=["milestone", wrong.pk]), {"version": wrong.version}
    )
    assert response.status_code == 302
    assert "Milestone b)" in admin.get(plan.get_absolute_url()).content.decode()


def test_a_withdrawn_action_hides_its_milestones_everywhere(admin, plan):
    action = Action.objects.get(number="1.1")
    withdraw(admin, action, reason="Merged into 1.2")
    assert set(Milestone.objects.live().values_list("number", flat=True)) == {"c)"}
    page = admin.get(plan.get_absolute_url()).content.decode()
    assert "Revise procedures" not in page and "Milestone a)" not in page
    # The milestone's own page says why it is out of the plan.
    own = admin.get(milestone("a)").get_absolute_url()).content.decode()
    assert "has been withdrawn" in own
    # Reinstating the action brings its milestones back as they were.
    action.refresh_from_db()
    admin.post(
        reverse("plans:item_reinstate", args=["action", action.pk]), {"version": action.version}
    )
    assert Milestone.objects.live().count() == 3


def test_a_closed_quarters_snapshot_stays_as_it_was(admin, plan, admin_user):
    period = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=2)
    snapshot = reporting_services.period_close(period=period, user=admin_user)
    before = snapshot.data
    withdraw(admin, milestone("b)"))
    snapshot.refresh_from_db()
    assert snapshot.data == before
    texts = [
        m["text"]
        for p in before["priorities"]
        for o in p["outcomes"]
        for a in o["actions"]
        for m in a["milestones"]
    ]
    assert "Milestone b)" in texts


def test_the_json_export_carries_the_withdrawal_through_a_round_trip(admin, plan, partnership):
    withdraw(admin, milestone("b)"), reason="Duplicate")
    withdraw(admin, Action.objects.get(number="1.2"), reason="Dropped by the board")
    data = plan_export(plan=plan)
    data["plan"]["title"] = "Copy of the plan"
    copy = plan_json_import(data=data, partnership_name=partnership.name)
    milestones = Milestone.objects.filter(action__outcome__priority__plan=copy)
    assert set(milestones.live().values_list("number", flat=True)) == {"a)"}
    copied = milestones.get(number="b)")
    assert copied.withdrawn_at is not None and copied.withdrawn_reason.startswith("Duplicate")


# --- Delete only when nothing is recorded --------------------------------------------------


def test_delete_is_offered_only_for_an_item_with_nothing_recorded(admin, plan):
    fresh = milestone("c)")
    page = admin.get(fresh.get_absolute_url()).content.decode()
    assert reverse("plans:item_delete", args=["milestone", fresh.pk]) in page
    response = admin.post(reverse("plans:item_delete", args=["milestone", fresh.pk]))
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=fresh.pk).exists()
    assert "Deleted" in admin.get(reverse("plans:plan_history", args=[plan.pk])).content.decode()


def test_an_item_with_an_update_cannot_be_deleted_only_withdrawn(admin, plan):
    updated = milestone("a)")
    factories.MilestoneUpdateFactory(milestone=updated)
    page = admin.get(updated.get_absolute_url()).content.decode()
    assert reverse("plans:item_delete", args=["milestone", updated.pk]) not in page
    assert reverse("plans:item_withdraw", args=["milestone", updated.pk]) in page
    admin.post(reverse("plans:item_delete", args=["milestone", updated.pk]))
    assert Milestone.objects.filter(pk=updated.pk).exists()
    assert MilestoneUpdate.objects.filter(milestone=updated).exists()


def test_an_action_with_milestones_cannot_be_deleted(plan):
    assert structure.delete_blockers(Action.objects.get(number="1.1")) == [
        "it has milestones under it"
    ]


def test_an_item_in_a_closed_quarter_cannot_be_deleted(plan, admin_user):
    period = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=2)
    reporting_services.period_close(period=period, user=admin_user)
    assert "it is in a closed quarter's board pack" in structure.delete_blockers(milestone("c)"))


# --- Add, edit, move -----------------------------------------------------------------------


def test_an_admin_rewords_an_action_and_the_audit_trail_shows_it(admin, plan):
    action = Action.objects.get(number="1.1")
    response = admin.post(
        reverse("plans:item_edit", args=["action", action.pk]),
        {
            "number": "1.1",
            "text": "Revise safeguarding procedures",
            "resources": "",
            "sources": "JAR",
            "timescale": "short",
            "parent": action.outcome_id,
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.text == "Revise safeguarding procedures" and action.sources == "JAR"
    history = admin.get(reverse("plans:item_history", args=["action", action.pk])).content
    assert "Revise safeguarding procedures" in history.decode()


def test_two_admins_editing_the_same_item_cannot_overwrite_each_other(admin, plan):
    action = Action.objects.get(number="1.1")
    seen = action.version
    structure.item_edit(
        item=action,
        user=None,
        version=seen,
        fields=structure.ItemFields(values={"text": "First admin's words"}),
    )
    response = admin.post(
        reverse("plans:item_edit", args=["action", action.pk]),
        {
            "number": "1.1",
            "text": "Second admin's words",
            "parent": action.outcome_id,
            "version": seen,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.text == "First admin's words"
    follow = admin.get(response.url).content.decode()
    assert "Someone else changed this item" in follow


def test_a_milestone_moves_to_another_action_of_the_plan_and_keeps_its_number(admin, plan):
    moving = milestone("b)")
    target = Action.objects.get(number="1.2")
    response = admin.post(
        reverse("plans:item_edit", args=["milestone", moving.pk]),
        {
            "number": "b)",
            "text": moving.text,
            "due_text": moving.due_text,
            "lead": moving.lead_id,
            "parent": target.pk,
            "version": moving.version,
        },
    )
    assert response.status_code == 302
    moving.refresh_from_db()
    assert moving.action_id == target.pk and moving.number == "b)"
    assert milestone("c)").number == "c)"  # nothing renumbered silently


def test_moving_into_another_plans_action_is_not_found(admin, plan, partnership):
    other = factories.ActionFactory(
        outcome__priority__plan=factories.PlanFactory(partnership=partnership)
    )
    moving = milestone("b)")
    response = admin.post(
        reverse("plans:item_edit", args=["milestone", moving.pk]),
        {"number": "b)", "text": "x", "parent": other.pk, "version": moving.version},
    )
    assert response.status_code == 404
    moving.refresh_from_db()
    assert moving.action.number == "1.1" and moving.text == "Milestone b)"


def test_a_lead_from_another_partnership_cannot_be_chosen(admin, plan, outsider):
    stranger = factories.PersonFactory(partnership=outsider.memberships.get().partnership)
    moving = milestone("a)")
    response = admin.post(
        reverse("plans:item_edit", args=["milestone", moving.pk]),
        {
            "number": "a)",
            "text": "x",
            "lead": stranger.pk,
            "parent": moving.action_id,
            "version": moving.version,
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    moving.refresh_from_db()
    assert moving.lead.name == "Simon Perry" and moving.text == "Milestone a)"


def test_an_admin_adds_a_milestone_with_a_lead_last_in_the_order(admin, plan, partnership):
    action = Action.objects.get(number="1.1")
    lead = factories.PersonFactory(partnership=partnership, name="Ken Dance")
    form = admin.get(reverse("plans:item_add", args=["action", action.pk])).content.decode()
    assert 'value="c)"' in form  # the next letter is suggested
    response = admin.post(
        reverse("plans:item_add", args=["action", action.pk]),
        {"number": "c)", "text": "Audit the procedures", "due_text": "March 2020", "lead": lead.pk},
    )
    assert response.status_code == 302
    added = action.milestones.get(text="Audit the procedures")
    assert added.lead == lead and list(action.milestones.values_list("number", flat=True)) == [
        "a)",
        "b)",
        "c)",
    ]


def test_adding_without_text_shows_an_error_and_adds_nothing(admin, plan):
    outcome = Outcome.objects.get()
    response = admin.post(
        reverse("plans:item_add", args=["outcome", outcome.pk]), {"number": "1.3"}
    )
    assert response.status_code == 200
    assert "Enter what is to be done" in response.content.decode()
    assert outcome.actions.count() == 2


def test_an_admin_changes_an_actions_leads(admin, plan, partnership):
    action = Action.objects.get(number="1.2")
    lead = factories.PersonFactory(partnership=partnership, name="Ken Dance")
    admin.post(
        reverse("plans:item_edit", args=["action", action.pk]),
        {
            "number": "1.2",
            "text": action.text,
            "leads": [lead.pk],
            "parent": action.outcome_id,
            "version": action.version,
        },
    )
    assert list(action.leads.all()) == [lead]


# --- Order and numbering -------------------------------------------------------------------


def test_move_up_swaps_the_two_items_numbers_and_order(admin, plan):
    second = Action.objects.get(number="1.2")
    response = admin.post(
        reverse("plans:item_move", args=["action", second.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert [a.text for a in outcome.actions.all()] == ["Train staff", "Revise procedures"]
    assert [a.number for a in outcome.actions.all()] == ["1.1", "1.2"]


def test_renumbering_is_previewed_and_changes_nothing_until_confirmed(admin, plan):
    outcome = Outcome.objects.get()
    Action.objects.filter(number="1.2").update(number="7")  # an odd number from an import
    for action in Action.objects.all():
        action.save()  # sort keys follow
    url = reverse("plans:item_renumber", args=["outcome", outcome.pk])
    preview = admin.get(url, {"style": "dotted"}).content.decode()
    assert "1.2" in preview and "Renumber 2 actions" in preview
    assert Action.objects.filter(number="7").exists()
    admin.post(url, {"style": "dotted"})
    assert sorted(Action.objects.values_list("number", flat=True)) == ["1.1", "1.2"]


def test_renumber_with_letters(plan):
    action = Action.objects.get(number="1.1")
    Milestone.objects.filter(number="b)").update(number="z)")
    assert [r.after for r in structure.renumber_preview(parent=action, style="letters")] == [
        "a)",
        "b)",
    ]


# --- Entry points ---------------------------------------------------------------------------


def test_admins_see_the_links_and_board_members_do_not(admin, client, plan, board_user):
    action = Action.objects.get(number="1.1")
    page = admin.get(action.get_absolute_url()).content.decode()
    assert reverse("plans:item_edit", args=["action", action.pk]) in page
    assert reverse("plans:item_add", args=["action", action.pk]) in page
    assert (
        reverse("plans:plan_structure", args=[plan.pk])
        in admin.get(plan.get_absolute_url()).content.decode()
    )
    client.force_login(board_user)
    assert (
        reverse("plans:item_edit", args=["action", action.pk])
        not in client.get(action.get_absolute_url()).content.decode()
    )


def test_the_structure_page_lists_withdrawn_items_to_reinstate(admin, plan):
    withdraw(admin, Priority.objects.get(), reason="Wrong plan")
    page = admin.get(reverse("plans:plan_structure", args=[plan.pk])).content.decode()
    assert "Wrong plan" in page and "Withdrawn" in page


@pytest.mark.parametrize("size", [1, 8])
def test_structure_page_queries_do_not_grow_with_the_plan(
    admin, partnership, size, django_assert_num_queries
):
    plan = factories.PlanFactory(partnership=partnership)
    for _ in range(size):
        priority = factories.PriorityFactory(plan=plan)
        for _ in range(2):
            outcome = factories.OutcomeFactory(priority=priority)
            action = factories.ActionFactory(outcome=outcome)
            factories.MilestoneFactory(action=action, withdrawn_reason="x")
        Milestone.objects.filter(action=action).update(withdrawn_at=timezone.now())
    with django_assert_num_queries(STRUCTURE_PAGE):
        response = admin.get(reverse("plans:plan_structure", args=[plan.pk]))
    assert response.status_code == 200


# Measured: sign-in, session and two-factor (5), the partnership and role checks (3), the plan,
# its priorities, outcomes and actions (4), one list of withdrawn items per kind (4), and the
# session save (1). The larger plan needing no more is the point.
STRUCTURE_PAGE = 18  # 1 of them the header's signed-in line


def test_a_withdrawn_milestone_takes_no_more_updates(admin, plan):
    wrong = milestone("b)")
    withdraw(admin, wrong)
    page = admin.get(wrong.get_absolute_url()).content.decode()
    assert "Update this milestone" not in page
    response = admin.post(
        reverse("plans:milestone_update", args=[wrong.pk]),
        {"status": RAG.GREEN, "commentary": "On track", "version": wrong.version},
    )
    assert response.status_code == 403
    assert not MilestoneUpdate.objects.filter(milestone=wrong).exists()


def test_my_milestones_leave_out_what_is_withdrawn(admin, client, plan, partnership):
    lead_user = factories.MembershipFactory(partnership=partnership, role="lead").user
    Person.objects.filter(name="Simon Perry").update(user=lead_user)
    withdraw(admin, Action.objects.get(number="1.2"), reason="Dropped")
    client.force_login(lead_user)
    page = client.get(reverse("plans:my_milestones")).content.decode()
    assert "Milestone a)" in page and "Milestone c)" not in page


def test_a_withdrawn_outcome_leaves_its_prioritys_counts(admin, plan, admin_user):
    priority = Priority.objects.get()
    second = factories.OutcomeFactory(priority=priority, number="2")
    factories.MilestoneFactory(action=factories.ActionFactory(outcome=second, number="2.1"))

    def total():
        row = selectors.plan_detail(user=admin_user).get(pk=plan.pk)
        return row.priorities.all()[0].milestone_total

    assert total() == 4
    withdraw(admin, second, reason="Belongs to another plan")
    assert total() == 3
