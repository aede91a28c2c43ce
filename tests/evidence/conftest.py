import pytest
from django.core.files.storage import storages

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_evidence_storage(settings):
    """Each test starts with an empty evidence storage of its own (memory, as in tests)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    yield


def stored_files() -> list[str]:
    """Every object in the evidence storage."""
    storage = storages["evidence"]
    try:
        _, files = storage.listdir("evidence")
    except FileNotFoundError:
        return []
    return sorted(files)


@pytest.fixture
def lead_user(partnership):
    return factories.MembershipFactory(
        partnership=partnership, role="lead", user__username="lead-user"
    ).user


@pytest.fixture
def lead(partnership, lead_user):
    return factories.PersonFactory(partnership=partnership, name="Simon Perry", user=lead_user)


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Delivery Plan 2019/20")


@pytest.fixture
def milestone(plan, lead):
    return factories.MilestoneFactory(
        action__outcome__priority__plan=plan, lead=lead, text="Train 40 staff in safeguarding"
    )


@pytest.fixture
def update(milestone, lead_user):
    update = factories.MilestoneUpdateFactory(
        milestone=milestone, author=lead_user, author_name="Simon Perry", commentary="Booked."
    )
    type(milestone).objects.filter(pk=milestone.pk).update(latest_update=update)
    return update
