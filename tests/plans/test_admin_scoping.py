"""The Django admin for partnership admins: their own partnership's data only, at two partnerships.

Alpha's partnership admin (staff, Membership role admin, not superuser) must see, choose and
save only Alpha's rows; Bravo's rows are not listed, not offered as choices, not reachable by
id and cannot be chosen by posting their ids.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from outcomes.models import Indicator, IndicatorSettings, IndicatorValue
from plans.models import (
    Action,
    Delegation,
    Membership,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Partnership,
    Person,
    Plan,
    Priority,
    ReportingPeriod,
)
from reporting.models import Snapshot
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()

# Each registered model, its admin URL name and its path to the partnership — written out
# here rather than read from the admin, so a wrong path in the admin fails these tests.
MODELS = {
    "plans_partnership": (Partnership, "pk"),
    "plans_membership": (Membership, "partnership"),
    "plans_organisation": (Organisation, "partnership"),
    "plans_person": (Person, "partnership"),
    "plans_delegation": (Delegation, "lead__partnership"),
    "plans_plan": (Plan, "partnership"),
    "plans_reportingperiod": (ReportingPeriod, "plan__partnership"),
    "plans_priority": (Priority, "plan__partnership"),
    "plans_outcome": (Outcome, "priority__plan__partnership"),
    "plans_action": (Action, "outcome__priority__plan__partnership"),
    "plans_milestone": (Milestone, "action__outcome__priority__plan__partnership"),
    "plans_milestoneupdate": (
        MilestoneUpdate,
        "milestone__action__outcome__priority__plan__partnership",
    ),
    "outcomes_indicator": (Indicator, "plan__partnership"),
    "outcomes_indicatorvalue": (IndicatorValue, "indicator__plan__partnership"),
    "outcomes_indicatorsettings": (IndicatorSettings, "partnership"),
    "reporting_snapshot": (Snapshot, "period__plan__partnership"),
}
READ_ONLY = {"plans_partnership", "plans_milestoneupdate", "reporting_snapshot"}


def _rows(model, path, partnership):
    key = "pk" if path == "pk" else path
    return model.objects.filter(**{key: partnership.pk})


def _partnership(name, slug):
    partnership = factories.PartnershipFactory(name=name, slug=slug)
    plan = factories.plan_with_milestones(
        partnership=partnership, milestones=4, title=f"{name} Plan"
    )
    lead, delegate = Person.objects.filter(partnership=partnership)[:2]
    Delegation.objects.create(lead=lead, delegate=delegate)
    period = factories.ReportingPeriodFactory(plan=plan)
    Snapshot.objects.create(period=period, data={}, digest="0" * 64)
    indicator = factories.IndicatorFactory(plan=plan, definition=f"{name} indicator")
    factories.IndicatorValueFactory(indicator=indicator)
    IndicatorSettings.objects.create(partnership=partnership)
    member = factories.MembershipFactory(partnership=partnership, role="board").user
    return SimpleNamespace(
        partnership=partnership,
        plan=plan,
        period=period,
        person=lead,
        member=member,
        action=Action.objects.filter(outcome__priority__plan=plan).first(),
        milestone=Milestone.objects.filter(action__outcome__priority__plan=plan).first(),
    )


@pytest.fixture
def alpha(db):
    return _partnership("Alpha Children's Trust", "alpha")


@pytest.fixture
def bravo(db):
    return _partnership("Bravo Safeguarding Board", "bravo")


@pytest.fixture
def alpha_admin(alpha):
    return factories.MembershipFactory(
        partnership=alpha.partnership,
        role="admin",
        user__username="alpha-admin",
        user__is_staff=True,
    ).user


@pytest.fixture
def alpha_client(client, alpha_admin, bravo):
    client.force_login(alpha_admin)
    return client


def admin_post_data(response):
    """The admin form's current values (and its inlines'), as the browser would post them."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, (list, tuple)):
                value = [getattr(v, "pk", v) for v in value]
            data[key] = getattr(value, "pk", value)
    return data


# --- Lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_partnership_admin_lists_only_their_partnerships_rows(alpha_client, alpha, bravo, name):
    model, path = MODELS[name]
    assert _rows(model, path, bravo.partnership).exists(), "Bravo needs a row to hide"

    response = alpha_client.get(reverse(f"admin:{name}_changelist"))

    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["cl"].result_list}
    assert listed == set(_rows(model, path, alpha.partnership).values_list("pk", flat=True))
    html = response.content.decode()
    # Not in the rows, nor in the sidebar filters (which list related rows).
    assert "Bravo Safeguarding Board" not in html
    assert "Bravo Safeguarding Board Plan" not in html


def test_partnership_admin_sidebar_filters_offer_only_their_partnership(alpha_client, alpha):
    factories.plan_with_milestones(partnership=alpha.partnership, milestones=1, title="Second")
    response = alpha_client.get(reverse("admin:plans_milestone_changelist"))
    choices = [
        choice["display"]
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
    ]
    # One partnership leaves nothing to filter by partnership; two plans do.
    assert {"Alpha Children's Trust Plan", "Second"} <= set(choices)
    assert not any("Bravo" in str(choice) for choice in choices)


def test_partnership_admin_search_finds_nothing_of_another_partnership(alpha_client, bravo):
    response = alpha_client.get(
        reverse("admin:plans_plan_changelist"), {"q": "Bravo Safeguarding Board Plan"}
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_superuser_still_lists_every_partnership(client, alpha, bravo):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-long-pass"))
    response = client.get(reverse("admin:plans_plan_changelist"))
    assert {plan.pk for plan in response.context["cl"].result_list} == {
        alpha.plan.pk,
        bravo.plan.pk,
    }


# --- Another partnership's objects by id ------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_another_partnerships_change_page_redirects_without_showing_it(alpha_client, bravo, name):
    model, path = MODELS[name]
    obj = _rows(model, path, bravo.partnership).first()
    response = alpha_client.get(reverse(f"admin:{name}_change", args=[obj.pk]))
    # Django's admin treats an object outside get_queryset as missing: back to the index.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    response = alpha_client.get(reverse(f"admin:{name}_delete", args=[obj.pk]))
    # A staff partnership admin may delete nothing here (issue 16): refused before the
    # object is even looked up.
    assert response.status_code == 403
    response = alpha_client.post(reverse(f"admin:{name}_change", args=[obj.pk]), {})
    assert response.status_code in (302, 403)
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("name", [name for name in MODELS if hasattr(MODELS[name][0], "history")])
def test_another_partnerships_history_and_revert_pages_are_refused(alpha_client, bravo, name):
    model, path = MODELS[name]
    obj = _rows(model, path, bravo.partnership).first()
    record = model.history.filter(id=obj.pk).first()

    history = alpha_client.get(reverse(f"admin:{name}_history", args=[obj.pk]))
    revert = alpha_client.get(
        reverse(f"admin:{name}_simple_history", args=[obj.pk, record.history_id])
    )

    assert history.status_code == 403
    assert revert.status_code == 403


def test_history_of_a_deleted_object_of_another_partnership_is_refused(alpha_client, bravo):
    priority = Priority.objects.filter(plan=bravo.plan).first()
    pk = priority.pk
    priority.delete()
    response = alpha_client.get(reverse("admin:plans_priority_history", args=[pk]))
    assert response.status_code == 403


def test_own_objects_change_and_history_pages_open(alpha_client, alpha):
    for name, obj in [
        ("plans_plan", alpha.plan),
        ("plans_action", alpha.action),
        ("plans_milestone", alpha.milestone),
        ("plans_partnership", alpha.partnership),
    ]:
        assert alpha_client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 200
        assert alpha_client.get(reverse(f"admin:{name}_history", args=[obj.pk])).status_code == 200


# --- Choices ----------------------------------------------------------------------------------


def _choice_fields(response):
    forms = [response.context["adminform"].form]
    forms += [inline.formset.empty_form for inline in response.context["inline_admin_formsets"]]
    for form in forms:
        for name, field in form.fields.items():
            # An inline row's own hidden id is looked up in the row's parent, not offered.
            if hasattr(field, "queryset") and name != field.queryset.model._meta.pk.name:
                yield f"{form.prefix or ''}{name}", field.queryset


PATHS = dict(MODELS.values())


@pytest.mark.parametrize("name", sorted(set(MODELS) - READ_ONLY))
def test_add_form_offers_only_their_partnerships_choices(alpha_client, alpha, bravo, name):
    response = alpha_client.get(reverse(f"admin:{name}_add"))
    assert response.status_code == 200
    fields = list(_choice_fields(response))
    for field, queryset in fields:
        model = queryset.model
        if model is User:
            assert bravo.member not in queryset, field
            assert set(queryset) <= set(
                User.objects.filter(memberships__partnership=alpha.partnership)
            ) | set(User.objects.filter(people__partnership=alpha.partnership)), field
            continue
        path = PATHS[model]
        offered = set(queryset.values_list("pk", flat=True))
        assert offered == set(_rows(model, path, alpha.partnership).values_list("pk", flat=True)), (
            field
        )


def test_inline_choices_on_a_change_page_are_their_partnerships(alpha_client, alpha, bravo):
    response = alpha_client.get(reverse("admin:plans_action_change", args=[alpha.action.pk]))
    leads = [queryset for field, queryset in _choice_fields(response) if field.endswith("lead")]
    assert leads, "the milestone inline offers a lead"
    for queryset in leads:
        assert set(queryset) == set(Person.objects.filter(partnership=alpha.partnership))


def test_partnership_page_offers_only_their_partnerships_accounts_for_members(
    alpha_client, alpha, bravo
):
    response = alpha_client.get(
        reverse("admin:plans_partnership_change", args=[alpha.partnership.pk])
    )
    users = [qs for field, qs in _choice_fields(response) if qs.model is User]
    assert users, "the membership inline offers accounts"
    for queryset in users:
        assert alpha.member in queryset
        assert bravo.member not in queryset


def test_autocomplete_returns_only_their_partnerships_people(alpha_client, alpha, bravo):
    response = alpha_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "plans", "model_name": "milestone", "field_name": "lead", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == set(
        Person.objects.filter(partnership=alpha.partnership).values_list("pk", flat=True)
    )


def test_autocomplete_search_by_another_partnerships_name_finds_nothing(alpha_client, bravo):
    response = alpha_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "plans",
            "model_name": "milestone",
            "field_name": "lead",
            "term": bravo.person.name,
        },
    )
    assert response.json()["results"] == []


# --- Saving -----------------------------------------------------------------------------------


def test_a_plan_cannot_be_added_to_another_partnership(alpha_client, bravo):
    response = alpha_client.post(
        reverse("admin:plans_plan_add"),
        {
            "partnership": bravo.partnership.pk,
            "title": "Smuggled plan",
            "start_date": "2019-04-01",
            "end_date": "2020-03-31",
            **_empty_formsets("priorities", "periods"),
        },
    )
    assert response.status_code == 200
    assert "partnership" in response.context["adminform"].form.errors
    assert not Plan.objects.filter(title="Smuggled plan").exists()


def test_a_milestone_cannot_be_added_under_another_partnerships_action(alpha_client, bravo):
    response = alpha_client.post(
        reverse("admin:plans_milestone_add"),
        {
            "action": bravo.action.pk,
            "text": "Smuggled milestone",
            "position": 0,
            **_empty_formsets("updates"),
        },
    )
    assert response.status_code == 200
    assert "action" in response.context["adminform"].form.errors
    assert not Milestone.objects.filter(text="Smuggled milestone").exists()


def test_own_priority_cannot_be_moved_into_another_partnerships_plan(alpha_client, alpha, bravo):
    priority = Priority.objects.filter(plan=alpha.plan).first()
    url = reverse("admin:plans_priority_change", args=[priority.pk])
    data = admin_post_data(alpha_client.get(url))
    data["plan"] = bravo.plan.pk

    response = alpha_client.post(url, data)

    assert response.status_code == 200
    assert "plan" in response.context["adminform"].form.errors
    priority.refresh_from_db()
    assert priority.plan == alpha.plan


def test_partnership_admin_edits_their_plan_and_history_records_them(
    alpha_client, alpha_admin, alpha
):
    url = reverse("admin:plans_plan_change", args=[alpha.plan.pk])
    data = admin_post_data(alpha_client.get(url))
    data["title"] = "Alpha plan (revised)"

    response = alpha_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    alpha.plan.refresh_from_db()
    assert alpha.plan.title == "Alpha plan (revised)"
    assert alpha.plan.history.first().history_user == alpha_admin


def test_partnership_admin_adds_a_milestone_to_their_action(alpha_client, alpha):
    response = alpha_client.post(
        reverse("admin:plans_milestone_add"),
        {
            "action": alpha.action.pk,
            "lead": alpha.person.pk,
            "text": "Publish the revised procedures",
            "position": 9,
            **_empty_formsets("updates"),
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Milestone.objects.get(text="Publish the revised procedures").action == alpha.action


@pytest.fixture
def charlie(alpha_admin):
    """A third partnership Alpha's admin also administers."""
    partnership = factories.PartnershipFactory(name="Charlie Partnership", slug="charlie")
    factories.MembershipFactory(partnership=partnership, role="admin", user=alpha_admin)
    return factories.PersonFactory(partnership=partnership, name="Charlie Lead")


@pytest.mark.parametrize("who", ["partnership admin of both", "superuser"])
def test_a_milestone_lead_must_be_of_the_milestones_own_partnership(
    client, alpha_admin, alpha, charlie, who
):
    if who == "superuser":
        client.force_login(User.objects.create_superuser("root", "r@example.org", "x-long-pass"))
    else:
        client.force_login(alpha_admin)
    url = reverse("admin:plans_milestone_change", args=[alpha.milestone.pk])
    data = admin_post_data(client.get(url))
    data["lead"] = charlie.pk

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead"]
    assert errors == [
        "Choose a person of Alpha Children's Trust, the partnership this milestone belongs to."
    ]
    alpha.milestone.refresh_from_db()
    assert alpha.milestone.lead_id != charlie.pk


def test_an_inline_milestone_lead_must_be_of_the_actions_partnership(
    client, alpha_admin, alpha, charlie
):
    client.force_login(alpha_admin)
    url = reverse("admin:plans_action_change", args=[alpha.action.pk])
    data = admin_post_data(client.get(url))
    data["milestones-0-lead"] = charlie.pk

    response = client.post(url, data)

    assert response.status_code == 200
    milestones = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "milestones"
    )
    assert milestones.errors[0]["lead"] == [
        "Choose a person of Alpha Children's Trust, the partnership this milestone belongs to."
    ]
    assert not Milestone.objects.filter(lead=charlie).exists()


def _empty_formsets(*prefixes):
    return {
        f"{prefix}-{key}": value
        for prefix in prefixes
        for key, value in {
            "TOTAL_FORMS": "0",
            "INITIAL_FORMS": "0",
            "MIN_NUM_FORMS": "0",
            "MAX_NUM_FORMS": "1000",
        }.items()
    }


# --- Partnerships, memberships and users --------------------------------------------------------


def test_partnership_admin_cannot_create_or_delete_a_partnership(alpha_client, alpha):
    assert alpha_client.get(reverse("admin:plans_partnership_add")).status_code == 403
    delete = alpha_client.post(
        reverse("admin:plans_partnership_delete", args=[alpha.partnership.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Partnership.objects.filter(pk=alpha.partnership.pk).exists()


def test_partnership_admin_adds_a_member_from_their_partnerships_leads(alpha_client, alpha):
    lead_user = factories.UserFactory(username="alpha-lead")
    Person.objects.filter(pk=alpha.person.pk).update(user=lead_user)

    response = alpha_client.post(
        reverse("admin:plans_membership_add"),
        {"user": lead_user.pk, "partnership": alpha.partnership.pk, "role": "lead"},
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert Membership.objects.get(user=lead_user).partnership == alpha.partnership


@pytest.mark.parametrize("target", ["bravo's member into alpha", "anyone into bravo"])
def test_partnership_admin_cannot_add_memberships_outside_their_partnership(
    alpha_client, alpha, bravo, target
):
    user, partnership = (
        (bravo.member, alpha.partnership)
        if target.startswith("bravo")
        else (alpha.member, bravo.partnership)
    )
    before = Membership.objects.count()
    response = alpha_client.post(
        reverse("admin:plans_membership_add"),
        {"user": user.pk, "partnership": partnership.pk, "role": "admin"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Membership.objects.count() == before


def test_partnership_admin_cannot_open_the_user_admin(alpha_client):
    assert alpha_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert alpha_client.get(reverse("admin:auth_user_add")).status_code == 403


def test_membership_user_is_a_plain_choice_not_a_user_admin_autocomplete(alpha_client):
    response = alpha_client.get(reverse("admin:plans_membership_add"))
    assert "admin-autocomplete" not in str(response.context["adminform"].form["user"])


# --- Other staff --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["board", "lead"])
def test_staff_who_are_not_partnership_admins_see_nothing(client, alpha, bravo, role):
    user = factories.MembershipFactory(
        partnership=alpha.partnership, role=role, user__is_staff=True
    ).user
    client.force_login(user)

    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert index.context["app_list"] == []
    for name in MODELS:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
    assert client.get(reverse("admin:plans_plan_change", args=[alpha.plan.pk])).status_code in (
        302,
        403,
    )


def test_partnership_admin_sees_the_plans_outcomes_and_reporting_apps(alpha_client):
    index = alpha_client.get(reverse("admin:index"))
    apps = {app["app_label"] for app in index.context["app_list"]}
    assert apps == {"plans", "outcomes", "reporting"}


# --- Append-only and read-only rules still hold ---------------------------------------------


def test_milestone_updates_stay_read_only_for_partnership_admins(alpha_client, alpha):
    update = MilestoneUpdate.objects.filter(milestone=alpha.milestone).first()
    assert alpha_client.get(reverse("admin:plans_milestoneupdate_add")).status_code == 403
    change = alpha_client.get(reverse("admin:plans_milestoneupdate_change", args=[update.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    post = alpha_client.post(
        reverse("admin:plans_milestoneupdate_change", args=[update.pk]), {"status": "red"}
    )
    assert post.status_code == 403


def test_milestone_state_stays_read_only_for_partnership_admins(alpha_client, alpha):
    response = alpha_client.get(reverse("admin:plans_milestone_change", args=[alpha.milestone.pk]))
    form = response.context["adminform"].form
    for name in ("status", "due_date", "completed_on", "latest_update", "version"):
        assert name not in form.fields


# --- Query counts -------------------------------------------------------------------------------


def test_partnership_admins_milestone_changelist_query_count_does_not_grow(
    alpha_client, alpha, bravo, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15) as small:
        alpha_client.get(reverse("admin:plans_milestone_changelist"))
    factories.plan_with_milestones(partnership=alpha.partnership, milestones=60)
    factories.plan_with_milestones(partnership=bravo.partnership, milestones=30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = alpha_client.get(reverse("admin:plans_milestone_changelist"))
    assert response.context["cl"].result_count == 64


def test_an_old_version_of_an_object_now_in_another_partnership_cannot_be_reverted(
    alpha_client, alpha, bravo
):
    """The history page hands over the old record, which still says Alpha; the row says Bravo."""
    priority = Priority.objects.filter(plan=alpha.plan).first()
    old = priority.history.first()
    priority.plan = bravo.plan
    priority.save()

    url = reverse("admin:plans_priority_simple_history", args=[priority.pk, old.history_id])
    response = alpha_client.get(url)
    post = alpha_client.post(url, {"plan": alpha.plan.pk, "number": "1", "title": "Back"})

    assert response.status_code == 403
    assert post.status_code == 403
    priority.refresh_from_db()
    assert priority.plan == bravo.plan


# --- The Django admin's side doors (issue 16) ------------------------------------------------


def _delete_targets(alpha):
    update = factories.MilestoneUpdateFactory(milestone=alpha.milestone)
    return {
        "plans_person": alpha.person,
        "plans_milestone": alpha.milestone,
        "plans_milestoneupdate": update,
        "plans_plan": alpha.plan,
        "plans_action": alpha.action,
        "plans_membership": Membership.objects.get(user=alpha.member),
    }


def test_a_staff_partnership_admin_cannot_hard_delete_their_own_people_milestones_or_plans(
    alpha_client, alpha
):
    for name, obj in _delete_targets(alpha).items():
        url = reverse(f"admin:{name}_delete", args=[obj.pk])
        assert alpha_client.get(url).status_code == 403, name
        assert alpha_client.post(url, {"post": "yes"}).status_code == 403, name
        assert type(obj).objects.filter(pk=obj.pk).exists(), name
        changelist = alpha_client.post(
            reverse(f"admin:{name}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )
        assert changelist.status_code in (200, 302, 403), name
        assert type(obj).objects.filter(pk=obj.pk).exists(), f"{name} deleted from its list"
    # Nor through an inline's "Delete" box: the action page offers none for its milestones.
    change = alpha_client.get(reverse("admin:plans_action_change", args=[alpha.action.pk]))
    assert b"-DELETE" not in change.content


def test_a_staff_partnership_admin_cannot_revert_history_of_any_model(alpha_client, alpha):
    plan = alpha.plan
    plan.title = "Renamed"
    plan.save()
    membership = Membership.objects.get(user=alpha.member)
    membership.role = "lead"
    membership.save()
    for obj in (plan, membership):
        meta = obj._meta
        first = obj.history.earliest()
        url = reverse(
            f"admin:{meta.app_label}_{meta.model_name}_simple_history",
            args=[obj.pk, first.history_id],
        )
        response = alpha_client.post(url, {"title": "Old", "role": "admin"})
        assert response.status_code == 403, meta.model_name
    assert Membership.objects.get(pk=membership.pk).role == "lead"
    plan.refresh_from_db()
    assert plan.title == "Renamed"


def test_the_site_operator_may_delete_a_milestone_with_nothing_recorded_and_nobody_a_person(
    client, alpha
):
    operator = get_user_model().objects.create_superuser("operator", "op@example.org", "pw-x-1234")
    client.force_login(operator)
    person_url = reverse("admin:plans_person_delete", args=[alpha.person.pk])
    assert client.post(person_url, {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=alpha.person.pk).exists()
    # A milestone with updates keeps them: its updates may not be deleted, so neither may it.
    recorded = alpha.milestone
    factories.MilestoneUpdateFactory(milestone=recorded)
    url = reverse("admin:plans_milestone_delete", args=[recorded.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Milestone.objects.filter(pk=recorded.pk).exists()
    empty = factories.MilestoneFactory(action=alpha.action)
    assert not empty.updates.exists()
    url = reverse("admin:plans_milestone_delete", args=[empty.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Milestone.objects.filter(pk=empty.pk).exists()
