import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture
def partnership(db):
    return factories.PartnershipFactory(name="Middlesbrough Children's Trust", slug="mbro")


@pytest.fixture
def admin_user(partnership):
    membership = factories.MembershipFactory(
        partnership=partnership, role="admin", user__username="admin-user"
    )
    return membership.user


@pytest.fixture
def board_user(partnership):
    membership = factories.MembershipFactory(
        partnership=partnership, role="board", user__username="board-user"
    )
    return membership.user


@pytest.fixture
def outsider(db):
    """A member of a different partnership, who must see nothing of ``partnership``."""
    other = factories.PartnershipFactory(name="Rotherham Children's Board", slug="rbc")
    return factories.MembershipFactory(
        partnership=other, role="admin", user__username="outsider"
    ).user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters kept in the cache (sign-in link limits) start at zero in every test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks (e-mails, packs) run at once inside the call that enqueues them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
