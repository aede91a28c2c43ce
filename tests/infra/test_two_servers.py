"""Issue 18: two app servers behind a real load balancer, sharing everything they must.

Two gunicorn servers and two ``db_worker`` processes run the service as production would,
behind HAProxy (Debian's package), with PostgreSQL, an S3 API (moto's server mode) and Redis,
all on loopback. The balancer sends each request round-robin, or to the server a test names
in an ``X-App`` header, and says which server answered in ``X-Served-By``. Nothing a person
does may depend on which server or worker handles it.
"""

import re
import time

import pytest
import requests
from django.db import connection
from django.urls import reverse

from plans.models import Membership, Milestone, MilestoneUpdate, Outcome
from reporting.models import PackJob
from tests import factories
from tests.imports.test_import_views import MIDDLESBROUGH
from tests.infra.services import two_app_servers
from tests.plans.update_world import build_world, form_data

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    db = connection.settings_dict  # the test database, once django_db_setup has made it
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def balancer(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole topology, started once for this module's tests; yields the balancer's URL.
    Each test's data is committed (transactional tests), so the servers see it."""
    if connection.vendor != "postgresql":
        pytest.skip("two app servers need a database server they share (set DATABASE_URL)")
    with two_app_servers(
        database_url=database_url(),
        logs=tmp_path_factory.mktemp("two-servers"),
        # One board member asks for eight packs at once here; the limit has its own tests.
        extra_env={"PACK_JOBS_PER_PERSON": "20"},
    ) as topology:
        yield topology.url


class Browser:
    """A person's browser through the balancer: one cookie jar, any server."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()

    def get(self, path, *, app=None):
        return self.session.get(self.base + path, headers=self._pick(app), timeout=60)

    def post(self, path, data, *, app=None, files=None, page=None):
        """Post ``data`` with the CSRF token of ``page`` (a path fetched first, from ``app``)."""
        form = self.get(page or path, app=app)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        return self.session.post(
            self.base + path,
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={**self._pick(app), "Referer": self.base + (page or path)},
            allow_redirects=False,
            timeout=120,
        )

    def sign_in(self, username, *, app):
        response = self.post(
            reverse("login"), {"username": username, "password": PASSWORD}, app=app
        )
        assert response.status_code == 302, response.text[:2000]
        return response

    @staticmethod
    def _pick(app):
        return {"X-App": app} if app else {}


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_lead_signs_in_through_one_server_and_saves_on_the_other(balancer, partnership):
    world = build_world(partnership)
    with_password(world.lead)
    lead = Browser(balancer)

    signed_in = lead.sign_in("lead", app="app1")
    assert signed_in.headers["X-Served-By"] == "app1"
    url = reverse("plans:milestone_update", args=[world.milestone.pk])
    saved = lead.post(
        url,
        form_data(world.milestone, status="red", commentary="Research delayed by the census."),
        app="app2",
    )

    assert saved.headers["X-Served-By"] == "app2"
    assert saved.status_code == 302, saved.text[:2000]
    update = MilestoneUpdate.objects.get(milestone=world.milestone)
    assert (update.status, update.author) == ("red", world.lead)
    assert Milestone.objects.get(pk=world.milestone.pk).status == "red"


def test_an_import_preview_started_on_one_server_is_confirmed_on_the_other(balancer, partnership):
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2009")
    with_password(
        factories.MembershipFactory(
            partnership=partnership, role=Membership.Role.ADMIN, user__username="officer"
        ).user
    )
    admin = Browser(balancer)
    admin.sign_in("officer", app="app1")

    with MIDDLESBROUGH.open("rb") as upload:
        started = admin.post(
            reverse("imports:import_start"),
            {"plan": str(plan.pk)},
            files={"file": (MIDDLESBROUGH.name, upload)},
            app="app1",
        )
    assert started.headers["X-Served-By"] == "app1"
    assert started.status_code == 302, started.text[:2000]
    preview_url = started.headers["Location"]

    preview = admin.get(preview_url, app="app2")
    assert preview.status_code == 200 and "Check the import" in preview.text
    sheets = re.findall(r'name="sheets"[^>]*value="([^"]+)"', preview.text) or re.findall(
        r'value="([^"]+)"[^>]*name="sheets"', preview.text
    )
    confirmed = admin.post(preview_url, {"action": "import", "sheets": sheets}, app="app2")

    assert confirmed.headers["X-Served-By"] == "app2"
    assert confirmed.status_code == 302, confirmed.text[:2000]
    assert Outcome.objects.filter(priority__plan=plan).count() == 45


def test_packs_made_by_either_worker_download_through_either_server_and_none_twice(
    balancer, partnership
):
    plans = [factories.plan_with_milestones(partnership=partnership, milestones=4) for _ in "ab"]
    periods = [
        factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=quarter)
        for plan in plans
        for quarter in (1, 2, 3, 4)
    ]
    with_password(
        factories.MembershipFactory(
            partnership=partnership, role=Membership.Role.BOARD, user__username="councillor"
        ).user
    )
    board = Browser(balancer)
    board.sign_in("councillor", app="app1")
    for index, period in enumerate(periods):
        path = reverse("reporting:pack_job_request", args=[period.pk, "xlsx"])
        asked = board.post(
            path,
            {},
            app=f"app{index % 2 + 1}",
            page=reverse("reporting:board_pack", args=[period.plan_id]),
        )
        assert asked.status_code == 302, asked.text[:2000]

    deadline = time.monotonic() + 180
    while PackJob.objects.exclude(status=PackJob.Status.DONE).exists():
        assert time.monotonic() < deadline, list(PackJob.objects.values("status", "message"))
        time.sleep(0.5)

    from django_tasks_db.models import DBTaskResult

    jobs = list(PackJob.objects.all())
    assert len(jobs) == len(periods)
    assert all(job.attempts == 1 for job in jobs), "a job was rendered more than once"
    claims = [result.worker_ids for result in DBTaskResult.objects.all()]
    assert all(len(ids) == 1 for ids in claims), f"a task was claimed twice: {claims}"
    for job in jobs:
        bodies = {
            app: board.get(reverse("reporting:pack_job_download", args=[job.pk]), app=app)
            for app in ("app1", "app2")
        }
        assert {app: r.status_code for app, r in bodies.items()} == {"app1": 200, "app2": 200}
        assert bodies["app1"].content == bodies["app2"].content
        assert bodies["app1"].content[:2] == b"PK"
