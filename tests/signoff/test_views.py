"""The sign-off pages as people use them: admins switch on and nominate, signatories sign,
another partnership's members find nothing."""

import pytest
from django.urls import reverse

from plans.models import ReportingPeriod
from signoff.models import Signatory, Signoff, SignoffSettings
from tests import factories
from tests.signoff.conftest import make_world


def period_url(world):
    return reverse("signoff:period", args=[world.period.pk])


def organisation_url(world, organisation):
    return reverse("signoff:organisation", args=[world.period.pk, organisation.pk])


def test_an_admin_switches_sign_off_on_and_names_the_chair(client, partnership, admin_user):
    chair = factories.MembershipFactory(
        partnership=partnership, user__username="chairperson", user__first_name="Carol"
    ).user
    client.force_login(admin_user)
    url = reverse("signoff:settings", args=[partnership.pk])
    page = client.get(url).content.decode()
    assert "Sign-off of quarters" in page and "Carol" in page

    response = client.post(url, {"enabled": "yes", "chair": chair.pk}, follow=True)

    assert "Sign-off is switched on" in response.content.decode()
    settings = SignoffSettings.objects.get(partnership=partnership)
    assert settings.enabled and settings.chair == chair
    assert settings.history.get().history_user == admin_user


def test_the_settings_form_says_what_to_do_and_saves_nothing(client, partnership, admin_user):
    client.force_login(admin_user)
    url = reverse("signoff:settings", args=[partnership.pk])
    response = client.post(url, {"chair": "999999"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select yes if partners sign off each quarter" in page
    assert "Choose the chair from the partnership&#x27;s members" in page
    assert "<title>Error: " in page
    assert not SignoffSettings.objects.exists()


def test_an_admin_nominates_a_signatory_from_the_members(client, world):
    client.force_login(world.admin)
    url = reverse("signoff:signatory", args=[world.police.pk])
    page = client.get(url).content.decode()
    assert "Signatory for Cleveland Police" in page
    assert f'<option value="{world.police_signatory.pk}" selected>' in page

    client.post(url, {"signatory": world.board.pk})

    assert Signatory.objects.get(organisation=world.police).user == world.board
    stranger = factories.UserFactory(username="not-a-member")
    response = client.post(url, {"signatory": stranger.pk})
    assert "Choose the signatory from the partnership" in response.content.decode()
    assert Signatory.objects.get(organisation=world.police).user == world.board


@pytest.mark.parametrize("name", ["settings", "signatory"])
def test_only_admins_nominate(client, world, name):
    pk = world.partnership.pk if name == "settings" else world.police.pk
    client.force_login(world.police_signatory)
    url = reverse(f"signoff:{name}", args=[pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"enabled": "no", "signatory": ""}).status_code == 403
    assert SignoffSettings.objects.get().enabled
    assert Signatory.objects.filter(organisation=world.police).exists()


def test_a_signatory_reads_their_organisations_updates_and_signs_them_off(client, world):
    client.force_login(world.police_signatory)
    page = client.get(organisation_url(world, world.police)).content.decode()
    assert "Joint patrols: on track" in page
    assert "Safeguarding audit" not in page  # the council's milestone, not theirs
    assert "I have read these updates and sign them off for Cleveland Police." in page

    response = client.post(
        reverse("signoff:organisation_sign", args=[world.period.pk, world.police.pk]),
        {"version": "0"},
        follow=True,
    )

    page = response.content.decode()
    assert "You have signed off 2019/20 Q3 for Cleveland Police." in page
    assert "Signed off</strong> by Alice Smith" in page
    assert Signoff.objects.get(organisation=world.police).signed_by == world.police_signatory


def test_a_second_click_is_told_it_is_signed_already_and_makes_no_second_sign_off(client, world):
    client.force_login(world.police_signatory)
    url = reverse("signoff:organisation_sign", args=[world.period.pk, world.police.pk])
    client.post(url, {"version": "0"})
    response = client.post(url, {"version": "0"}, follow=True)
    assert "already signed off by Alice Smith" in response.content.decode()
    assert Signoff.history.count() == 1


def test_another_member_sees_the_updates_but_cannot_sign(client, world):
    client.force_login(world.council_signatory)
    page = client.get(organisation_url(world, world.police)).content.decode()
    assert "Joint patrols" in page
    assert "sign them off for Cleveland Police" not in page
    url = reverse("signoff:organisation_sign", args=[world.period.pk, world.police.pk])
    assert client.post(url, {"version": "0"}).status_code == 403
    assert not Signoff.objects.exists()


def test_the_chair_signs_the_whole_from_the_period_page_once_ready(client, world):
    client.force_login(world.chair)
    page = client.get(period_url(world)).content.decode()
    assert "once every organisation has signed off" in page
    for organisation, user in (
        (world.police, world.police_signatory),
        (world.council, world.council_signatory),
    ):
        Signoff.objects.create(
            period=world.period,
            organisation=organisation,
            signed_by=user,
            signed_by_name=user.get_full_name(),
            signed_at=world.period.start_date.isoformat() + "T12:00Z",
            version=1,
        )
    page = client.get(period_url(world)).content.decode()
    assert "Sign off 2019/20 Q3" in page
    client.post(reverse("signoff:chair_sign", args=[world.period.pk]), {"version": "0"})
    assert Signoff.objects.get(organisation__isnull=True).signed_by == world.chair


def test_a_signatory_withdraws_with_a_reason_while_the_period_is_open(client, world):
    client.force_login(world.police_signatory)
    client.post(
        reverse("signoff:organisation_sign", args=[world.period.pk, world.police.pk]),
        {"version": "0"},
    )
    url = reverse("signoff:organisation_withdraw", args=[world.period.pk, world.police.pk])
    response = client.post(url, {"version": "1", "reason": ""})
    assert "Enter why the sign-off is being withdrawn" in response.content.decode()
    assert Signoff.objects.get().is_signed

    client.post(url, {"version": "1", "reason": "An update was revised"})

    row = Signoff.objects.get()
    assert not row.is_signed and row.withdrawn_reason == "An update was revised"
    assert row.history.count() == 2


def test_the_period_page_says_when_sign_off_is_off(client, world):
    SignoffSettings.objects.update(enabled=False)
    client.force_login(world.board)
    page = client.get(period_url(world)).content.decode()
    assert "does not sign off its quarters" in page
    assert "Cleveland Police" not in page


def test_my_sign_offs_lists_the_open_quarters_of_what_i_sign(client, world):
    client.force_login(world.police_signatory)
    page = client.get(reverse("signoff:mine")).content.decode()
    assert "You sign off" in page and "Cleveland Police's updates" in page
    assert period_url(world) in page
    client.force_login(world.board)
    page = client.get(reverse("signoff:mine")).content.decode()
    assert "You are not a signatory or the chair" in page


def test_another_partnerships_members_get_not_found_everywhere(client, world, outsider):
    client.force_login(outsider)
    period, police = world.period.pk, world.police.pk
    gets = [
        reverse("signoff:settings", args=[world.partnership.pk]),
        reverse("signoff:signatory", args=[police]),
        reverse("signoff:period", args=[period]),
        reverse("signoff:organisation", args=[period, police]),
        reverse("signoff:organisation_withdraw", args=[period, police]),
        reverse("signoff:chair_withdraw", args=[period]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("signoff:organisation_sign", args=[period, police]),
        reverse("signoff:chair_sign", args=[period]),
    ):
        assert client.post(url, {"version": "0"}).status_code == 404, url
    assert "Cleveland Police" not in client.get(reverse("signoff:mine")).content.decode()


def test_an_organisation_of_another_partnership_is_not_found_under_this_period(
    client, world, outsider
):
    other = factories.OrganisationFactory(name="Someone else's")
    client.force_login(world.admin)
    assert client.get(organisation_url(world, other)).status_code == 404


def test_a_closed_period_shows_its_sign_offs_and_offers_no_button(client, world):
    ReportingPeriod.objects.filter(pk=world.period.pk).update(status="closed")
    client.force_login(world.police_signatory)
    page = client.get(organisation_url(world, world.police)).content.decode()
    assert "is closed: its sign-offs can no longer change" in page
    assert "sign them off for" not in page
    response = client.post(
        reverse("signoff:organisation_sign", args=[world.period.pk, world.police.pk]),
        {"version": "0"},
        follow=True,
    )
    assert "is closed: it can no longer be signed off" in response.content.decode()
    assert not Signoff.objects.exists()


def _grow(world, n, start=0):
    """``n`` more organisations, each leading a milestone, with a signatory and a sign-off,
    and ``n`` more police milestones."""
    action = world.plan.priorities.first().outcomes.first().actions.first()
    for i in range(start, start + n):
        organisation = factories.OrganisationFactory(
            partnership=world.partnership, name=f"Agency grown {i}"
        )
        lead = factories.PersonFactory(partnership=world.partnership, organisation=organisation)
        factories.MilestoneUpdateFactory(
            milestone=factories.MilestoneFactory(action=action, lead=lead)
        )
        police_lead = factories.PersonFactory(
            partnership=world.partnership, organisation=world.police
        )
        factories.MilestoneFactory(action=action, lead=police_lead)
        user = factories.MembershipFactory(partnership=world.partnership).user
        Signatory.objects.create(organisation=organisation, user=user)
        Signoff.objects.create(
            period=world.period,
            organisation=organisation,
            signed_by=user,
            signed_by_name=f"Signer {i}",
            signed_at="2019-11-01T12:00Z",
            version=1,
        )


@pytest.mark.parametrize(
    "page",
    ["period", "settings", "organisation", "mine"],
)
def test_each_page_costs_the_same_queries_with_more_organisations(
    client, partnership, admin_user, django_assert_max_num_queries, page
):
    world = make_world(partnership, admin_user)
    urls = {
        "period": period_url(world),
        "settings": reverse("signoff:settings", args=[partnership.pk]),
        "organisation": organisation_url(world, world.police),
        "mine": reverse("signoff:mine"),
    }
    client.force_login(world.admin)
    Signatory.objects.create(
        organisation=partnership.organisations.get(name="Leads nothing"), user=world.admin
    )
    _grow(world, 1)
    with django_assert_max_num_queries(30) as small:
        assert client.get(urls[page]).status_code == 200
    _grow(world, 6, start=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(urls[page]).status_code == 200
