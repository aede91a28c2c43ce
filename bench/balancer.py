"""Load through the balancer (issue 18, item 4): 50 leads for 60 s against two app servers.

    .venv/bin/python bench/balancer.py [--leads 50] [--seconds 60] [--smoke]

Not a test and not run in CI. Starts the production topology on loopback, as
tests/infra/test_two_servers.py does (``tests.infra.services.two_app_servers``: two gunicorn
servers, a ``db_worker`` beside each, HAProxy round-robin in front, PostgreSQL, Redis and an S3
API), in its own PostgreSQL database (``plans_balancer``, or ``$BENCH_BALANCER_DB``; dropped at
the end). ``generate_demo`` seeds one partnership whose plan has enough leads with accounts.

A lead's journey, through HAProxy: sign in with their password (once a session, as people
do), then again and again: open My milestones, open the update form of one of their own
milestones, save an update (CSRF token and the form's ``version`` field as the browser posts
them). Each simulated lead updates only milestones whose lead they are, so no two of them edit
one milestone: a conflict page would be a correct answer to such a race, so here any conflict
page counts as an error, as does any answer other than the expected one (a sign-in or save
that does not redirect, a form refused, an HTTP error, a time-out).

1. Unloaded: one lead at a time walks the journey ``--quiet-rounds`` times (a new session each
   round, so sign-in is measured too): the median of each request kind.
2. Loaded: ``--leads`` leads arrive ``--spawn-rate`` a second and walk the journey with a think
   time between requests (``--think``, 3–10 s as in bench/locustfile.py, which says why), for
   ``--seconds`` from the moment the last has signed in. Percentiles are of the requests
   started in that window; sign-ins happen as leads arrive, so theirs are of every sign-in.
   The CPU the app servers and the bench database's PostgreSQL backends used in the window
   (``/proc``) gives the cost of a request whatever else shares the machine.
3. Unloaded again, to see that the machine did not change under the run.

Other engineers may share the machine: the load average is recorded beside every phase.
Latencies are the client's (loopback), nearest-rank percentiles. The target is 0 errors and
the journey's p95 (sign-in excluded: a deliberately slow password hash, once a session) at most
3× its unloaded median; each kind's ratio is printed too. Writes the figures as JSON with
``--json`` (docs/benchmarks-growth.json keeps them beside the growth figures).
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-lead-password-2026"  # noqa: S105 — throwaway accounts in a throwaway database
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KINDS = ["sign in (form)", "sign in", "my milestones", "update (form)", "update (save)"]
JOURNEY = KINDS[2:]  # what the p95 target is about: browsing and updating


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0–1) of ``values``; NaN if there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))]


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else ""


class Recorder:
    """Every request's kind, start, latency and error (None when it was the right answer)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, float, float, str | None, str]] = []

    def add(self, kind, started, ms, error, server=""):
        with self.lock:
            self.rows.append((kind, started, ms, error, server))


class Lead:
    """One person's browser through the balancer: a cookie jar and their own milestones."""

    def __init__(self, base: str, username: str, milestones: list[int], recorder: Recorder):
        import requests

        self.base, self.username, self.milestones = base, username, milestones
        self.recorder = recorder
        self.session = requests.Session()
        self.turn = 0

    def request(self, kind, method, path, *, expect, data=None, check=None):
        """One request; records it; returns the response, or None when it went wrong."""
        started = time.monotonic()
        error, response = None, None
        try:
            response = self.session.request(
                method,
                self.base + path,
                data=data,
                headers={"Referer": self.base + path} if method == "POST" else None,
                allow_redirects=False,
                timeout=60,
            )
            if response.status_code != expect:
                error = f"HTTP {response.status_code}"
                if response.status_code == 200 and 'id="conflict-title"' in response.text:
                    error = "conflict page"
                elif response.status_code == 200 and "govuk-error-summary" in response.text:
                    error = "form refused"
            elif check and not check(response):
                error = "unexpected page"
        except Exception as failure:  # noqa: BLE001 — every failure is a figure here
            error = type(failure).__name__
        ms = (time.monotonic() - started) * 1000
        server = response.headers.get("X-Served-By", "") if response is not None else ""
        self.recorder.add(kind, started, ms, error, server)
        return None if error else response

    def sign_in(self) -> bool:
        self.session.cookies.clear()
        form = self.request("sign in (form)", "GET", "/accounts/login/", expect=200)
        if form is None:
            return False
        token = CSRF.search(form.text)
        data = {
            "username": self.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        signed_in = self.request("sign in", "POST", "/accounts/login/", expect=302, data=data)
        return signed_in is not None

    def journey(self, pause=lambda: None) -> None:
        """My milestones, the update form of one of their own milestones, save it."""
        page = self.request("my milestones", "GET", "/my-milestones/", expect=200)
        pause()
        if page is None:
            return
        pk = self.milestones[self.turn % len(self.milestones)]
        self.turn += 1
        url = f"/milestones/{pk}/update/"
        form = self.request("update (form)", "GET", url, expect=200)
        pause()
        if form is None:
            return
        html = form.text
        token = CSRF.search(html)
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "version": field(html, "version"),
            "status": ("green", "amber", "red")[self.turn % 3],
            "commentary": f"Met the partners ({self.turn}); next steps agreed and dates checked.",
            "status_reason": "The board agreed the revised approach at its last meeting.",
        }
        for part in ("day", "month", "year"):
            data[f"due_date-{part}"] = field(html, f"due_date-{part}")
        self.request("update (save)", "POST", url, expect=302, data=data)
        pause()


def summarise(rows, kinds=KINDS) -> dict:
    by_kind = defaultdict(list)
    errors = Counter()
    for kind, _started, ms, error, _server in rows:
        by_kind[kind].append(ms)
        if error:
            errors[f"{kind}: {error}"] += 1
    out = {}
    for kind in kinds:
        values = by_kind.get(kind, [])
        out[kind] = {
            "count": len(values),
            "errors": sum(n for k, n in errors.items() if k.startswith(f"{kind}: ")),
            "p50": percentile(values, 0.5),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
        }
    journey = [ms for kind, _s, ms, _e, _v in rows if kind in JOURNEY]
    out["journey"] = {
        "count": len(journey),
        "errors": sum(out[k]["errors"] for k in JOURNEY),
        "p50": percentile(journey, 0.5),
        "p95": percentile(journey, 0.95),
        "p99": percentile(journey, 0.99),
    }
    out["_errors"] = dict(errors)
    out["_servers"] = dict(Counter(server for *_rest, server in rows if server))
    return out


def quiet(base: str, leads: list[dict], rounds: int) -> dict:
    """One lead at a time, no think time: the unloaded figures of each request kind."""
    recorder = Recorder()
    started = time.monotonic()
    load_before = load_average()
    for index in range(rounds):
        spec = leads[index % len(leads)]
        lead = Lead(base, spec["username"], spec["milestones"], recorder)
        if lead.sign_in():
            lead.journey()
    result = summarise(recorder.rows)
    result["_load_average"] = [load_before, load_average()]
    result["_seconds"] = time.monotonic() - started
    return result


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds so far of each of ``pids`` that still runs."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return out


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU used by the two app servers (gunicorn masters and workers) and by the PostgreSQL
    backends of the bench database between ``start()`` and ``stop()``: what the load cost,
    whatever else shares the machine."""

    def __init__(self, topology, pg_url: str, db_name: str):
        self.masters = [topology.processes["app1"].pid, topology.processes["app2"].pid]
        self.pg_url, self.db_name = pg_url, db_name

    def pids(self):
        import psycopg2

        app = [pid for m in self.masters for pid in [m, *children(m)]]
        connection = psycopg2.connect(f"{self.pg_url}/postgres")
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.db_name]
                )
                database = [row[0] for row in cursor.fetchall()]
        finally:
            connection.close()
        return app, database

    def start(self):
        app, database = self.pids()
        self.before = (cpu_seconds(app), cpu_seconds(database))

    def stop(self) -> dict:
        app, database = self.pids()
        after = (cpu_seconds(app), cpu_seconds(database))
        used = [
            sum(v - before.get(pid, 0.0) for pid, v in now.items())
            for before, now in zip(self.before, after, strict=True)
        ]
        return {"app_cpu_s": used[0], "database_cpu_s": used[1]}


def loaded(base, leads, *, seconds, spawn_rate, think, meter=None) -> dict:
    """``len(leads)`` leads arriving ``spawn_rate`` a second, each signing in and walking the
    journey with ``think`` (low, high) seconds between requests. The measured window is the
    ``seconds`` from the moment every lead has signed in (the steady state: leads do not all
    sign in in the same half-minute of a real morning); they go on until it ends."""
    import random

    recorder = Recorder()
    begun = time.monotonic()
    window = [float("inf"), float("inf")]
    load_averages = [load_average()]
    signed_in = Counter()
    lock = threading.Lock()

    def one(index, spec):
        rng = random.Random(index)  # noqa: S311 — think times, not secrets
        time.sleep(max(0.0, begun + index / spawn_rate - time.monotonic()))
        lead = Lead(base, spec["username"], spec["milestones"], recorder)

        def pause():
            time.sleep(rng.uniform(*think))

        ok = lead.sign_in()
        with lock:
            signed_in[ok] += 1
            if sum(signed_in.values()) == len(leads):
                window[0] = time.monotonic()
                window[1] = window[0] + seconds
                if meter:
                    meter.start()
                load_averages.append(load_average())
        pause()
        while ok and time.monotonic() < window[1]:
            lead.journey(pause)

    threads = [
        threading.Thread(target=one, args=(index, spec), daemon=True)
        for index, spec in enumerate(leads)
    ]
    for thread in threads:
        thread.start()
    cpu = {}
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.5)
        if meter and not cpu and time.monotonic() >= window[1]:
            cpu = meter.stop()
        if time.monotonic() > begun + len(leads) / spawn_rate + seconds + 300:
            break
    load_averages.append(load_average())
    rows = recorder.rows
    steady = [r for r in rows if window[0] <= r[1] < window[1] and r[0] in JOURNEY]
    sign_ins = [r for r in rows if r[0] not in JOURNEY]
    result = summarise(steady + sign_ins)
    # Errors count whenever they happened, not only in the window.
    result["_errors"] = summarise(rows)["_errors"]
    result["_all_requests"] = len(rows)
    result["_all_errors"] = sum(1 for r in rows if r[3])
    result["_window_requests"] = len(steady)
    result["_window_requests_per_s"] = len(steady) / seconds
    result["_signed_in"] = signed_in[True]
    result["_sign_in_ramp_s"] = window[0] - begun
    result["_load_average"] = load_averages
    if cpu:
        result["_cpu"] = cpu
        # The window's requests are journey requests (every sign-in came before it).
        result["_cpu_ms_per_request"] = {
            key: value * 1000 / max(1, len(steady)) for key, value in cpu.items()
        }
    return result


def report(quiet_before, load, quiet_after, args) -> dict:
    lines = [
        "| Request | Unloaded median ms | Loaded count | Errors | p50 ms | p95 ms | p99 ms "
        "| p95 ÷ unloaded median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in [*KINDS, "journey"]:
        q, r = quiet_before[kind], load[kind]
        ratio = r["p95"] / q["p50"] if q["p50"] == q["p50"] and q["p50"] else float("nan")
        name = "journey (sign-in excluded)" if kind == "journey" else kind
        lines.append(
            f"| {name} | {q['p50']:.0f} | {r['count']:,} | {r['errors']} | {r['p50']:.0f} "
            f"| {r['p95']:.0f} | {r['p99']:.0f} | {ratio:.2f}× |"
        )
    journey_ratio = load["journey"]["p95"] / quiet_before["journey"]["p50"]
    met = load["_all_errors"] == 0 and journey_ratio <= 3
    print("\n".join(lines))
    cpu = load.get("_cpu_ms_per_request")
    if cpu:
        per_request = cpu["app_cpu_s"] + cpu["database_cpu_s"]
        print(
            f"\nCPU in the window: {load['_cpu']['app_cpu_s']:.1f} s app servers, "
            f"{load['_cpu']['database_cpu_s']:.1f} s PostgreSQL for {load['_window_requests']} "
            f"requests: {cpu['app_cpu_s']:.0f} + {cpu['database_cpu_s']:.0f} ms a request, so "
            f"{os.cpu_count()} cores of its own would serve about "
            f"{os.cpu_count() * 1000 / per_request:.0f} requests/s."
        )
    print(
        f"\nErrors: {load['_all_errors']} of {load['_all_requests']:,} requests "
        f"({load['_errors'] or 'none'}); {load['_window_requests_per_s']:.1f} requests/s in "
        f"the window; servers {load['_servers']}; journey p95 {journey_ratio:.2f}× unloaded "
        f"median (target ≤ 3×, 0 errors): {'met' if met else 'MISSED'}.\n"
        f"Unloaded journey median before {quiet_before['journey']['p50']:.0f} ms, after "
        f"{quiet_after['journey']['p50']:.0f} ms. Load average: unloaded "
        f"{quiet_before['_load_average']}, loaded {load['_load_average']}, after "
        f"{quiet_after['_load_average']}. Every lead signed in "
        f"{load['_sign_in_ramp_s']:.0f} s after the first arrived."
    )
    return {
        "measured": datetime.now(UTC).strftime("%d %B %Y %H:%M UTC"),
        "leads": args.leads,
        "seconds": args.seconds,
        "think_seconds": args.think,
        "gunicorn_workers_per_server": args.gunicorn_workers,
        "milestones": args.milestones,
        "table": "\n".join(lines),
        "journey_p95_ratio": journey_ratio,
        "met": met,
        "unloaded": quiet_before,
        "loaded": load,
        "unloaded_after": quiet_after,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=50, help="Simulated leads (default 50).")
    parser.add_argument("--seconds", type=int, default=60, help="Loaded window (default 60).")
    parser.add_argument(
        "--milestones",
        type=int,
        default=5000,
        help="Size of the generated plan (default 5,000: about 100 leads with accounts).",
    )
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="Leads arriving a second.")
    parser.add_argument(
        "--think",
        default="3-10",
        help="Seconds between a lead's requests, low-high (default 3-10, bench/locustfile.py).",
    )
    parser.add_argument(
        "--gunicorn-workers", type=int, default=3, help="Sync workers per app server."
    )
    parser.add_argument("--quiet-rounds", type=int, default=15, help="Unloaded journeys.")
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file.")
    parser.add_argument(
        "--write",
        action="store_true",
        help='Keep the figures in docs/benchmarks.json (under "balancer").',
    )
    parser.add_argument("--keep-db", action="store_true", help="Do not drop the database.")
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name.",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="5 leads for 10 s on a small plan: checks the bench."
    )
    args = parser.parse_args(argv)
    low, _, high = args.think.partition("-")
    args.think = (float(low), float(high or low))
    if args.smoke:
        args.leads, args.seconds, args.milestones, args.quiet_rounds = 5, 10, 600, 3
    return args


def run(args) -> dict:
    import psycopg2

    from bench.run import PYTHON, run_measured
    from tests.infra.services import two_app_servers

    if not shutil.which("haproxy"):
        raise SystemExit("haproxy is not installed (apt-get install haproxy)")
    db_name = os.environ.get("BENCH_BALANCER_DB", "plans_balancer")
    base = args.pg.rstrip("/")

    def pg(sql):
        connection = psycopg2.connect(f"{base}/postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    tmp = Path(tempfile.mkdtemp(prefix="plans-balancer-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",  # the demo app is installed
        "DATABASE_URL": f"{base}/{db_name}",
        "DJANGO_MEDIA_ROOT": str(tmp / "media"),
        "DJANGO_DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }

    def manage(*command):
        result = run_measured([PYTHON, "manage.py", *command], env=env)
        if result["returncode"] != 0:
            raise RuntimeError(f"manage.py {command[0]} failed:\n{result['stderr'][-3000:]}")
        return result

    pg(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    pg(f'CREATE DATABASE "{db_name}"')
    try:
        log(f"Migrating {db_name} (load average {load_average()})")
        manage("migrate", "--no-input", "-v0")
        log(f"Generating {args.milestones:,} milestones")
        manage(
            "generate_demo",
            f"--milestones={args.milestones}",
            "--partnerships=1",
            "--seed=1",
            f"--password={PASSWORD}",
        )
        picked = run_measured(
            [PYTHON, "bench/worker.py", "journey_leads", json.dumps({"count": args.leads})],
            env=env,
        )
        leads = json.loads(picked["stdout"].strip().splitlines()[-1])["leads"]
        if len(leads) < args.leads:
            raise SystemExit(f"Only {len(leads)} leads with milestones; give more --milestones")
        owned = [len(lead["milestones"]) for lead in leads]
        log(f"{len(leads)} leads, each leading {min(owned)}–{max(owned)} milestones of their own")
        pg_vacuum(base, db_name)
        with two_app_servers(
            database_url=f"{base}/{db_name}",
            logs=tmp / "logs",
            settings_module="bench.balancer_settings",
            extra_env={"DJANGO_MEDIA_ROOT": str(tmp / "media"), "DATABASE_CONN_MAX_AGE": "60"},
            gunicorn_workers=args.gunicorn_workers,
            gunicorn_args=("--timeout", "120", "--log-level", "warning"),
        ) as topology:
            log(f"Topology up at {topology.url}; warming up")
            quiet(topology.url, leads, 2)  # each worker's first requests load templates
            log(f"Unloaded: {args.quiet_rounds} journeys, one at a time")
            before = quiet(topology.url, leads, args.quiet_rounds)
            log(f"Loaded: {args.leads} leads for {args.seconds} s (load {load_average()})")
            load = loaded(
                topology.url,
                leads,
                seconds=args.seconds,
                spawn_rate=args.spawn_rate,
                think=args.think,
                meter=CpuMeter(topology, base, db_name),
            )
            log("Unloaded again")
            after = quiet(topology.url, leads, args.quiet_rounds)
        result = report(before, load, after, args)
        if args.json:
            args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
            log(f"Wrote {args.json}")
        if args.write and not args.smoke:
            from bench.run import keep_result

            keep_result("balancer", result)
        return result
    finally:
        if args.keep_db:
            log(f"Keeping database {db_name}")
        else:
            pg(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def pg_vacuum(base: str, db_name: str) -> None:
    """VACUUM ANALYZE the generated rows, as autovacuum would soon have (bench/run.py)."""
    import psycopg2

    connection = psycopg2.connect(f"{base}/{db_name}")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()


if __name__ == "__main__":
    run(main())
