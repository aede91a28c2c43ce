"""Signing off a quarter: who may, when, once only, withdrawn with a reason, history kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from plans import services as plans_services
from plans.models import Person, ReportingPeriod
from plans.personal_data import FORMER_LEAD
from signoff import selectors, services
from signoff.models import Signatory, Signoff, SignoffSettings
from tests import factories


def sign(world, organisation, user, version=0):
    return services.signoff_sign(
        period=world.period, organisation=organisation, user=user, version=version
    )


def test_a_signatory_signs_off_their_organisation_and_who_and_when_are_kept(world):
    signoff = sign(world, world.police, world.police_signatory)
    assert signoff.is_signed
    assert signoff.signed_by == world.police_signatory
    assert signoff.signed_by_name == "Alice Smith"
    history = list(signoff.history.order_by("history_date"))
    assert [(h.history_change_reason, h.history_user) for h in history] == [
        ("Signed off", world.police_signatory)
    ]


def test_nobody_signs_for_an_organisation_they_are_not_signatory_of(world):
    with pytest.raises(PermissionDenied, match="not the signatory for Cleveland Police"):
        sign(world, world.police, world.council_signatory)
    with pytest.raises(PermissionDenied):
        sign(world, world.police, world.admin)  # an admin is not a signatory by being admin
    assert not Signoff.objects.exists()


def test_another_partnerships_organisation_cannot_be_signed_for(world):
    elsewhere = factories.OrganisationFactory(name="Elsewhere")
    Signatory.objects.create(organisation=elsewhere, user=world.police_signatory)
    with pytest.raises(PermissionDenied, match="not part of this partnership"):
        sign(world, elsewhere, world.police_signatory)


def test_a_closed_period_cannot_be_signed_off(world):
    ReportingPeriod.objects.filter(pk=world.period.pk).update(status="closed")
    with pytest.raises(ValidationError, match="is closed"):
        sign(world, world.police, world.police_signatory)
    assert not Signoff.objects.exists()


def test_a_partnership_that_has_not_switched_sign_off_on_cannot_sign(world):
    SignoffSettings.objects.update(enabled=False)
    with pytest.raises(ValidationError, match="does not sign off"):
        sign(world, world.police, world.police_signatory)


def test_a_double_click_or_second_tab_signs_once(world):
    sign(world, world.police, world.police_signatory, version=0)
    with pytest.raises(ValidationError, match="already signed off by Alice Smith"):
        sign(world, world.police, world.police_signatory, version=0)
    assert Signoff.objects.filter(organisation=world.police).count() == 1
    assert Signoff.history.filter(organisation=world.police).count() == 1


def test_a_page_opened_before_a_withdrawal_cannot_sign_with_its_old_version(world):
    sign(world, world.police, world.police_signatory, version=0)
    services.signoff_withdraw(
        period=world.period,
        organisation=world.police,
        user=world.police_signatory,
        version=1,
        reason="Figures corrected",
    )
    with pytest.raises(ValidationError, match="changed since you opened the page"):
        sign(world, world.police, world.police_signatory, version=0)
    assert sign(world, world.police, world.police_signatory, version=2).version == 3


def test_the_database_refuses_two_rows_for_one_organisation_and_period(world):
    Signoff.objects.create(period=world.period, organisation=world.police)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signoff.objects.create(period=world.period, organisation=world.police)
    Signoff.objects.create(period=world.period, organisation=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signoff.objects.create(period=world.period, organisation=None)


def test_the_chair_signs_the_whole_once_every_organisation_has(world):
    with pytest.raises(
        ValidationError, match="Not signed off yet: Cleveland Police, Middlesbrough"
    ):
        sign(world, None, world.chair)
    sign(world, world.police, world.police_signatory)
    sign(world, world.council, world.council_signatory)
    with pytest.raises(PermissionDenied, match="Only the partnership's chair"):
        sign(world, None, world.police_signatory)
    chair = sign(world, None, world.chair)
    assert chair.organisation is None and chair.signed_by_name == "Carol Chair"


def test_a_withdrawal_needs_a_reason_and_stays_in_the_history(world):
    sign(world, world.police, world.police_signatory)
    with pytest.raises(ValidationError) as error:
        services.signoff_withdraw(
            period=world.period,
            organisation=world.police,
            user=world.police_signatory,
            version=1,
            reason="  ",
        )
    assert error.value.message_dict == {"reason": ["Enter why the sign-off is being withdrawn"]}
    row = services.signoff_withdraw(
        period=world.period,
        organisation=world.police,
        user=world.admin,  # an admin may withdraw
        version=1,
        reason="Two updates were revised after signing",
    )
    assert not row.is_signed and row.signed_by_name == ""
    history = list(
        row.history.order_by("history_date").values_list(
            "history_change_reason", "signed_by_name", "withdrawn_reason"
        )
    )
    assert history == [
        ("Signed off", "Alice Smith", ""),
        ("Withdrawn", "", "Two updates were revised after signing"),
    ]


def test_an_organisation_cannot_withdraw_under_the_chairs_sign_off_nor_in_a_closed_period(world):
    sign(world, world.police, world.police_signatory)
    sign(world, world.council, world.council_signatory)
    sign(world, None, world.chair)
    with pytest.raises(ValidationError, match="chair's sign-off must be withdrawn first"):
        services.signoff_withdraw(
            period=world.period,
            organisation=world.police,
            user=world.police_signatory,
            version=1,
            reason="Changed",
        )
    ReportingPeriod.objects.filter(pk=world.period.pk).update(status="closed")
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        services.signoff_withdraw(
            period=world.period, organisation=None, user=world.chair, version=1, reason="Late"
        )


def test_a_board_member_who_is_not_a_signatory_cannot_withdraw(world):
    sign(world, world.police, world.police_signatory)
    with pytest.raises(PermissionDenied):
        services.signoff_withdraw(
            period=world.period,
            organisation=world.police,
            user=world.board,
            version=1,
            reason="No",
        )


def test_missing_signoffs_names_each_organisation_with_its_signatory_and_the_chair(world):
    Signatory.objects.filter(organisation=world.council).delete()
    missing = [m.text for m in selectors.missing_signoffs(world.period)]
    assert missing == [
        "Cleveland Police — signatory Alice Smith",
        "Middlesbrough Council — no signatory nominated",
        "the chair (Carol Chair)",
    ]
    sign(world, world.police, world.police_signatory)
    assert [m.text for m in selectors.missing_signoffs(world.period)] == [
        "Middlesbrough Council — no signatory nominated",
        "the chair (Carol Chair)",
    ]


def test_missing_signoffs_is_empty_where_sign_off_is_off(world):
    SignoffSettings.objects.update(enabled=False)
    assert selectors.missing_signoffs(world.period) == []


def test_only_admins_change_the_settings_and_nominate_members_only(world):
    with pytest.raises(PermissionDenied):
        services.signoff_settings_set(
            partnership=world.partnership, user=world.chair, enabled=False
        )
    stranger = factories.UserFactory(username="stranger")
    with pytest.raises(ValidationError) as error:
        services.signatory_set(organisation=world.police, user=world.admin, signatory=stranger)
    assert error.value.message_dict == {
        "signatory": ["Choose the signatory from the partnership's members"]
    }
    services.signatory_set(organisation=world.police, user=world.admin, signatory=world.board)
    assert Signatory.objects.get(organisation=world.police).user == world.board
    services.signatory_set(organisation=world.police, user=world.admin, signatory=None)
    assert not Signatory.objects.filter(organisation=world.police).exists()
    assert Signatory.history.filter(organisation_id=world.police.pk).count() == 3


def test_removing_a_person_takes_their_name_out_of_sign_offs_and_their_nomination(world):
    person = factories.PersonFactory(
        partnership=world.partnership,
        name="Alice Smith",
        user=world.police_signatory,
        organisation=world.police,
    )
    sign(world, world.police, world.police_signatory)
    plans_services.person_remove(person=Person.objects.get(pk=person.pk), user=world.admin)
    row = Signoff.objects.get(organisation=world.police)
    assert row.signed_by_name == FORMER_LEAD
    assert set(row.history.values_list("signed_by_name", flat=True)) == {FORMER_LEAD}
    # Their membership ended with the removal, so they no longer sign for the police.
    assert not Signatory.objects.filter(organisation=world.police).exists()
    assert "Alice Smith" not in str(selectors.signoff_state(period=world.period))
