import pytest
from django.core.cache import cache
from django.test import Client

from tests import factories
from tests.mfa_helpers import mfa_verify_session


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


@pytest.fixture(autouse=True)
def _sessions_pass_two_factor(request, monkeypatch):
    """``client.force_login(user)`` and ``client.login(...)`` give a session that has passed
    the two-factor step, as if the person had typed a code from their app (a confirmed
    authenticator device is made for them and recorded in the session, as django-otp's
    ``login`` does). Tests about the step itself are marked ``mfa_unverified`` and sign in
    as a person would; see tests/mfa/."""
    if request.node.get_closest_marker("mfa_unverified"):
        return
    force_login, login = Client.force_login, Client.login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        mfa_verify_session(self, user)

    def login_verified(self, **credentials):
        ok = login(self, **credentials)
        if ok:
            mfa_verify_session(self, self.session.get("_auth_user_id"))
        return ok

    monkeypatch.setattr(Client, "force_login", force_login_verified)
    monkeypatch.setattr(Client, "login", login_verified)
