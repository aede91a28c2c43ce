"""Leads browsing and updating their milestones, for the load test (bench/run.py runs it).

Each simulated lead signs in with a generated account (BENCH_USERNAMES, BENCH_PASSWORD),
then reads "My milestones", milestone pages, the milestone list and the plan page, and now
and then saves an update of a milestone they lead. A saved update answers with a redirect;
a form the service refuses (for example a date rule) is counted apart, not as an error.
"""

import json
import os
import random
import re

from locust import HttpUser, between, events, task

USERNAMES = [u for u in os.environ.get("BENCH_USERNAMES", "").split(",") if u]
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
PLAN_ID = os.environ.get("BENCH_PLAN_ID", "1")
_next = [0]
# Load-test choices, not secrets.
rng = random.Random()  # noqa: S311

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MILESTONE = re.compile(r'href="/milestones/(\d+)/(?:update/)?"')


# Response times of browsing and updating (sign-in is once a session and hashes a password on
# purpose, so it is kept out), written for bench/run.py to take its own percentiles.
LATENCIES: list[float] = []


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception=None, **kwargs):
    if not name.startswith("sign in") and name != "update (refused by a rule)":
        LATENCIES.append(response_time)


SIGNED_IN = [0]


def signed_in(environment) -> None:
    """Measure the steady state from the moment the last lead has signed in.

    The sign-in ramp (each a deliberately slow password hash, all at once here, not as real
    leads arrive over a morning) is not browsing. Locust's "spawning complete" comes when the
    last lead starts, while the last sign-ins still queue for the CPU, so it is not enough.
    """
    SIGNED_IN[0] += 1
    if SIGNED_IN[0] == environment.runner.target_user_count:
        LATENCIES.clear()


@events.test_stop.add_listener
def save(environment, **kwargs):
    target = os.environ.get("BENCH_LATENCY_FILE")
    if target:
        with open(target, "w") as f:
            json.dump(LATENCIES, f)


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else ""


def think_time() -> tuple[float, float]:
    """Seconds a lead spends on a page before the next request: ``BENCH_THINK_SECONDS``.

    3 to 10 s by default. A person reading a page of 50 milestones, or a milestone and its
    history, or typing a paragraph of progress into the update form takes tens of seconds, so
    3–10 s is still brisker than real leads (locust's own examples use 1–5 s, for clients
    that are programs) and 50 such leads at once are a deadline-day peak. The 0.5–2 s used
    before had each simulated lead request about 50 pages a minute: it measured the server's
    saturation throughput rather than what people wait for. ``BENCH_THINK_SECONDS=0.5-2``
    reproduces that figure.
    """
    low, _, high = os.environ.get("BENCH_THINK_SECONDS", "3-10").partition("-")
    return float(low), float(high or low)


class Lead(HttpUser):
    wait_time = between(*think_time())

    def on_start(self):
        self.username = USERNAMES[_next[0] % len(USERNAMES)]
        _next[0] += 1
        page = self.client.get("/accounts/login/", name="sign in (form)")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign in",
        )
        signed_in(self.environment)
        self.milestones = []
        self.my_milestones()

    @task(3)
    def my_milestones(self):
        page = self.client.get("/my-milestones/", name="my milestones")
        found = MILESTONE.findall(page.text)
        if found:
            self.milestones = found

    @task(3)
    def milestone(self):
        if self.milestones:
            self.client.get(f"/milestones/{rng.choice(self.milestones)}/", name="milestone page")

    @task(2)
    def milestone_list(self):
        status = rng.choice(["", "red", "amber", "green"])
        self.client.get(f"/milestones/?status={status}", name="milestone list")

    @task(1)
    def plan_page(self):
        if os.environ.get("BENCH_PLAN_PAGE", "1") == "1":
            self.client.get(f"/plans/{PLAN_ID}/", name="plan page")

    @task(1)
    def update(self):
        if not self.milestones:
            return
        pk = rng.choice(self.milestones)
        form = self.client.get(f"/milestones/{pk}/update/", name="update (form)")
        if form.status_code != 200:
            return
        html = form.text
        data = {
            "csrfmiddlewaretoken": CSRF.search(html).group(1),
            "version": field(html, "version"),
            "status": rng.choice(["green", "amber", "red"]),
            "commentary": "Met the partners this week; next steps agreed and dates checked.",
            "status_reason": "The board agreed the revised approach at its last meeting.",
        }
        for part in ("day", "month", "year"):
            data[f"due_date-{part}"] = field(html, f"due_date-{part}")
        with self.client.post(
            f"/milestones/{pk}/update/",
            data,
            name="update (save)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            elif response.status_code == 200 and "govuk-error-summary" in response.text:
                response.success()
                self.environment.events.request.fire(
                    request_type="POST",
                    name="update (refused by a rule)",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
            else:
                response.failure(f"HTTP {response.status_code}")
