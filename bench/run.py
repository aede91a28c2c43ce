"""The benchmark suite: board packs, import, pages and load, each against a baseline, in one run.

    .venv/bin/python bench/run.py [--quick] [--install-baselines] [--skip-load]

Not a test and not run in CI. It creates its own PostgreSQL database (``plans_bench``, or
``$BENCH_DB`` so two runs can share a server; dropped at the end), generates data with
``generate_demo``, measures every figure as the median of several runs with its baseline
measured in the same run (interleaved, so a noisy neighbour slows both), prints a table and
writes ``docs/benchmarks.md`` (not with ``--no-write``).

Baselines: Chromium printing the pack's own HTML (``/usr/bin/chromium``), LibreOffice
converting the Excel pack (installed with apt-get only with ``--install-baselines``; otherwise
skipped and said so), a bare openpyxl write and load, the Django admin changelist, and the
unloaded median response time. Peak memory is the largest resident set of a measured child
process (``os.wait4``), one process per render.
"""

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
DB_NAME = os.environ.get("BENCH_DB", "plans_bench")
PASSWORD = "bench-lead-password-2026"  # noqa: S105 — throwaway accounts in a throwaway database
CHROMIUM = "/usr/bin/chromium"
PORT = 8765
PARTS = ["pdf", "excel", "stored", "fresh", "import", "pages", "load"]
RESULTS = ROOT / "docs" / "benchmarks.json"
NOTES_MARK = "<!-- Notes below this line are kept when the bench rewrites the file. -->"
# Top-level keys of docs/benchmarks.json that other bench scripts write (keep_result).
OTHER_RESULTS = ("growth", "balancer")


def keep_result(key: str, result: dict) -> None:
    """Store ``result`` under ``key`` in docs/benchmarks.json, leaving the rest as it is."""
    if key not in OTHER_RESULTS:
        raise ValueError(f"{key} is not one of {OTHER_RESULTS}")
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = result
    RESULTS.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def run_measured(cmd: list[str], *, env=None, timeout: float = 1800) -> dict:
    """Run a command; its wall time, the peak RSS of its largest process, and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)  # noqa: S603
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
        "stderr": stderr,
        "returncode": process.returncode,
    }


class Bench:
    def __init__(self, args):
        self.args = args
        self.repeats = 3 if args.quick else 5
        self.tmp = Path(tempfile.mkdtemp(prefix="plans-bench-"))
        self.pg_base = args.pg.rstrip("/")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",  # local: the demo app is installed
            "DATABASE_URL": f"{self.pg_base}/{DB_NAME}",
            "DJANGO_MEDIA_ROOT": str(self.tmp / "media"),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DJANGO_DEBUG": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.rows: list[dict] = []
        self.part = ""
        self.when = datetime.now(UTC).strftime("%d %B %Y %H:%M UTC")
        self.earlier: list[str] = []
        self.import_rows = (1000, 5000)
        self.load_seconds = 60
        self.load_users = 50
        self.spawn_rate = 2
        self.skipped: list[str] = []
        self.notes: list[str] = []
        self.versions: dict[str, str] = {}

    # ----- set-up -------------------------------------------------------------------------

    def pg(self, sql: str, dbname: str = "postgres"):
        import psycopg2

        connection = psycopg2.connect(f"{self.pg_base}/{dbname}")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def setup(self):
        log(f"Working directory {self.tmp}")
        self.soffice = shutil.which("soffice")
        if not self.soffice and self.args.install_baselines:
            log("Installing LibreOffice Calc (apt-get) for the Excel-to-PDF baseline")
            apt = ["apt-get", "install", "-y", "--no-install-recommends", "libreoffice-calc-nogui"]
            if os.geteuid() != 0:
                apt = ["sudo", *apt]
            subprocess.run(apt, check=False)  # noqa: S603
            self.soffice = shutil.which("soffice")
        if not self.soffice:
            self.skipped.append(
                "LibreOffice baseline: `soffice` is not installed (run with --install-baselines "
                "to install libreoffice-calc-nogui with apt-get)."
            )
        if not Path(CHROMIUM).exists():
            self.skipped.append(f"Chromium baseline: {CHROMIUM} is not installed.")
        if not self.args.skip_load and not (BIN / "locust").exists():
            log("Installing locust into the virtualenv for the load test")
            subprocess.run([str(BIN / "pip"), "install", "-q", "locust"], check=False)  # noqa: S603
        self.pg(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        self.pg(f'CREATE DATABASE "{DB_NAME}"')
        self.manage("migrate", "--no-input", "-v0")
        self.collect_versions()

    def collect_versions(self):
        def output(cmd):
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)  # noqa: S603
                return (done.stdout or done.stderr).strip().splitlines()[0]
            except (OSError, IndexError, subprocess.TimeoutExpired):
                return "not installed"

        probe = (
            "import django, weasyprint, openpyxl, gunicorn, sys;"
            "print(sys.version.split()[0], django.get_version(), weasyprint.__version__,"
            " openpyxl.__version__, gunicorn.__version__)"
        )
        python, django, weasyprint, openpyxl, gunicorn = output([PYTHON, "-c", probe]).split()
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        self.versions = {
            "Machine": f"{cpu}, {os.cpu_count()} CPUs, {mem_kb / 1024 / 1024:.0f} GB RAM, "
            f"{platform.system()} {platform.release()}",
            "Python": python,
            "Django": django,
            "WeasyPrint": weasyprint,
            "openpyxl": openpyxl,
            "gunicorn": gunicorn,
            "PostgreSQL": self.pg("SHOW server_version")[0][0],
            "Chromium": output([CHROMIUM, "--version"]) if Path(CHROMIUM).exists() else "-",
            "LibreOffice": output([self.soffice, "--version"]) if self.soffice else "-",
            "locust": output([str(BIN / "locust"), "--version"])
            if (BIN / "locust").exists()
            else "-",
        }

    def teardown(self):
        if self.args.keep_db:
            log(f"Keeping database {DB_NAME}")
        else:
            self.pg(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ----- helpers ------------------------------------------------------------------------

    def manage(self, *args) -> dict:
        result = run_measured([PYTHON, "manage.py", *args], env=self.env)
        if result["returncode"] != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result['stderr'][-3000:]}")
        return result

    def worker(self, job: str, env=None, **arguments) -> dict:
        command = [PYTHON, "bench/worker.py", job, json.dumps(arguments)]
        result = run_measured(command, env={**self.env, **(env or {})})
        if result["returncode"] != 0:
            raise RuntimeError(f"worker {job} failed:\n{result['stderr'][-3000:]}")
        result["data"] = json.loads(result["stdout"].strip().splitlines()[-1])
        return result

    def generate(self, milestones: int) -> int:
        log(f"Generating {milestones:,} milestones")
        result = self.manage(
            "generate_demo",
            f"--milestones={milestones}",
            "--partnerships=1",
            "--seed=1",
            f"--password={PASSWORD}",
            "--replace",
        )
        self.generation = getattr(self, "generation", {})
        self.generation[milestones] = result["seconds"]
        self.generation_now = getattr(self, "generation_now", {})
        self.generation_now[milestones] = result["seconds"]
        plan = self.worker("plan")["data"]
        if plan["milestones"] != milestones:
            raise RuntimeError(f"Expected {milestones} milestones, found {plan['milestones']}")
        return plan["plan_id"]

    def add(
        self, area, measure, size, ours, baseline=None, ratio=None, target="", met=None, **extra
    ):
        row = {
            "part": self.part,
            "area": area,
            "measure": measure,
            "size": size,
            "ours": ours,
            "baseline": baseline or "",
            "ratio": ratio,
            "target": target,
            "met": met,
            **extra,
        }
        self.rows.append(row)
        ratio_text = f"{ratio:.2f}×" if isinstance(ratio, float) else ""
        verdict = "" if met is None else ("met" if met else "MISSED")
        log(f"  {area} | {measure} | {size} | {ours} | {baseline or ''} | {ratio_text} {verdict}")

    # ----- measurements -------------------------------------------------------------------

    def packs(self, plan_id: int, size: int):
        self.part = "pdf"
        log(f"PDF pack, {size:,} milestones")
        html = self.tmp / f"pack-{size}.html"
        xlsx = self.tmp / f"pack-{size}.xlsx"
        self.worker("pack", plan_id=plan_id, html_out=str(html))
        self.worker("pack", plan_id=plan_id, fmt="xlsx", out=str(xlsx))
        profile = self.tmp / "chromium-profile"
        lo_profile = self.tmp / "lo-profile"
        repeats = self.repeats if size <= 1000 else max(2, self.repeats - 2)
        ours, serial, chrome, office = [], [], [], []
        if self.soffice:  # the first run sets up LibreOffice's profile: not counted
            self.soffice_convert(xlsx, lo_profile)
        loads = [os.getloadavg()[0]]
        for _ in range(repeats):
            # Parallel (PACK_PDF_WORKERS unset: one a core) and serial (1), interleaved.
            for runs, workers in ((ours, {}), (serial, {"PACK_PDF_WORKERS": "1"})):
                result = self.worker("pack", env=workers, plan_id=plan_id, fmt="pdf")
                data = result["data"]
                # Layout workers are the fork server's children, not in this child's rusage.
                peak = max(result["peak_mb"], data.get("worker_peak_mb", 0))
                runs.append((data["total_s"], peak, data))
            if Path(CHROMIUM).exists():
                pdf = self.tmp / "chromium.pdf"
                pdf.unlink(missing_ok=True)
                result = run_measured(
                    [
                        CHROMIUM,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--no-pdf-header-footer",
                        f"--user-data-dir={profile}",
                        f"--print-to-pdf={pdf}",
                        html.as_uri(),
                    ]
                )
                if not pdf.exists():
                    raise RuntimeError(f"Chromium made no PDF: {result['stderr'][-2000:]}")
                chrome.append((result["seconds"], result["peak_mb"]))
            if self.soffice:
                office.append(self.soffice_convert(xlsx, lo_profile))
            loads.append(os.getloadavg()[0])
        t_ours = statistics.median(t for t, _, _ in ours)
        m_ours = max(m for _, m, _ in ours)
        pdf_bytes = ours[-1][2]["bytes"]
        limit = 2.5 if size <= 1000 else 3.0
        load = f"load average {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores"
        if chrome:
            t_chrome = statistics.median(t for t, _ in chrome)
            m_chrome = max(m for _, m in chrome)
            for label, runs in (("parallel", ours), ("serial, PACK_PDF_WORKERS=1", serial)):
                t_runs = statistics.median(t for t, _, _ in runs)
                m_runs = max(m for _, m, _ in runs)
                render_only = statistics.median(d["render_s"] for _, _, d in runs)
                data = runs[-1][2]
                parted = (
                    f", {data['parts']} parts on {data['workers']} worker(s)"
                    if data.get("parts")
                    else ", one document"
                )
                self.add(
                    "PDF pack",
                    f"time vs Chromium --print-to-pdf of the same HTML ({label})",
                    size,
                    f"{t_runs:.2f} s (render {render_only:.2f} s, {pdf_bytes / 1e6:.1f} MB"
                    f"{parted}; {load})",
                    f"{t_chrome:.2f} s",
                    t_runs / t_chrome,
                    f"≤ {limit:g}×",
                    t_runs / t_chrome <= limit if runs is ours else None,
                )
                self.add(
                    "PDF pack",
                    f"peak memory vs Chromium (largest process; {label})",
                    size,
                    f"{m_runs:.0f} MB",
                    f"{m_chrome:.0f} MB",
                    m_runs / m_chrome,
                    "≤ 700 MB" if size > 1000 else "",
                    m_runs <= 700 if size > 1000 and runs is ours else None,
                )
        if office:
            t_office = statistics.median(t for t, _ in office)
            m_office = max(m for _, m in office)
            self.add(
                "PDF pack",
                "time vs LibreOffice converting the Excel pack",
                size,
                f"{t_ours:.2f} s",
                f"{t_office:.2f} s",
                t_ours / t_office,
            )
            self.add(
                "PDF pack",
                "peak memory vs LibreOffice",
                size,
                f"{m_ours:.0f} MB",
                f"{m_office:.0f} MB",
                m_ours / m_office,
            )

    def soffice_convert(self, xlsx: Path, profile: Path) -> tuple[float, float]:
        out = self.tmp / "soffice-out"
        out.mkdir(exist_ok=True)
        result = run_measured(
            [
                self.soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(xlsx),
            ]
        )
        if not (out / (xlsx.stem + ".pdf")).exists():
            raise RuntimeError(f"LibreOffice made no PDF: {result['stderr'][-2000:]}")
        (out / (xlsx.stem + ".pdf")).unlink()
        return result["seconds"], result["peak_mb"]

    def excel(self, plan_id: int, size: int):
        self.part = "excel"
        log(f"Excel pack, {size:,} milestones")
        result = self.worker("excel", plan_id=plan_id, repeats=self.repeats)
        data = result["data"]
        ratio = data["ours_s"] / data["bare_s"]
        self.add(
            "Excel pack",
            "render vs bare openpyxl write of the same cells and styles",
            size,
            f"{data['ours_s']:.2f} s ({data['cells']:,} cells)",
            f"{data['bare_s']:.2f} s",
            ratio,
            "≤ 1.5×",
            ratio <= 1.5,
            peak=f"{result['peak_mb']:.0f} MB",
        )

    def stored(self, plan_id: int, size: int):
        self.part = "stored"
        log(f"Stored pack of a closed quarter, {size:,} milestones")
        result = self.worker("stored", plan_id=plan_id, fmt="pdf", repeats=self.repeats * 3)
        data = result["data"]
        if "error" in data:
            raise RuntimeError(data["error"])
        self.add(
            "Closed quarter",
            "stored PDF pack download (server time) vs first production",
            size,
            f"{data['stored_s'] * 1000:.1f} ms ({data['bytes'] / 1e6:.1f} MB)",
            f"{data['first_s']:.2f} s",
            data["stored_s"] / data["first_s"],
            "≤ 0.1 s",
            data["stored_s"] <= 0.1,
        )

    def fresh(self, plan_id: int | None, size: str):
        """A board member's download of a draft pack kept ready (fresh): the stored file."""
        self.part = "fresh"
        log(f"Fresh draft pack download, {size}")
        result = self.worker("fresh", plan_id=plan_id, fmt="pdf", repeats=self.repeats * 3)
        data = result["data"]
        if "error" in data:
            raise RuntimeError(data["error"])
        label = f"{data['milestones']:,}" + (" (demo)" if plan_id is None else "")
        self.add(
            "Draft pack",
            "draft pack download when fresh (server time) vs producing it on the click",
            label,
            f"{data['fresh_s'] * 1000:.1f} ms ({data['bytes'] / 1e6:.1f} MB)",
            f"{data['render_s']:.2f} s (the data and its digest alone {data['digest_s']:.2f} s)",
            data["fresh_s"] / data["render_s"],
            "≤ 0.2 s",
            data["fresh_s"] <= 0.2,
        )

    def imports(self):
        self.part = "import"
        for rows in self.import_rows:
            log(f"Import of a {rows:,}-row legacy spreadsheet")
            path = self.tmp / f"legacy-{rows}.xlsx"
            self.worker("legacy", path=str(path), rows=rows)
            data = self.worker("import", path=str(path), rows=rows, repeats=self.repeats)["data"]
            bare = f"{data['bare_s']:.2f} s (CPU {data['bare_cpu_s']:.2f} s)"
            for key, measure, target in (
                ("parse", "parse and check vs bare openpyxl load and iterate", 2),
                ("write", "with database writes (PostgreSQL) vs bare openpyxl load", 4),
            ):
                ratio = data[f"{key}_s"] / data["bare_s"]
                cpu_ratio = data[f"{key}_cpu_s"] / data["bare_cpu_s"]
                self.add(
                    "Import",
                    measure,
                    rows,
                    f"{data[f'{key}_s']:.2f} s (CPU {data[f'{key}_cpu_s']:.2f} s, "
                    f"{cpu_ratio:.2f}×; load {data['load']:.1f})",
                    bare,
                    ratio,
                    f"≤ {target}×",
                    ratio <= target,
                    cpu_ratio=cpu_ratio,
                )

    def pages(self, size: int):
        self.part = "pages"
        log(f"Pages, {size:,} milestones")
        self.analyze()
        data = self.worker("pages", page_size=50, repeats=self.repeats * 5)["data"]
        baseline = data["Admin changelist (baseline)"]
        self.page_queries = getattr(self, "page_queries", {})
        for label in (
            "Milestone list",
            "Plan page",
            "Plan page, one priority",
            "My milestones",
            "Indicator scorecard",
        ):
            page = data[label]
            if "error" in page:
                self.add("Pages", label, size, page["error"])
                continue
            self.page_queries.setdefault(label, {})[size] = page["queries"]
            ratio = page["median_s"] / baseline["median_s"]
            self.add(
                "Pages",
                f"{label}: server time vs admin changelist (50 a page)",
                size,
                f"{page['median_s'] * 1000:.0f} ms, {page['queries']} queries, "
                f"{page['bytes'] / 1024:.0f} KB",
                f"{baseline['median_s'] * 1000:.0f} ms, {baseline['queries']} queries",
                ratio,
                "≤ 1×",
                ratio <= 1.0,
            )
        self.notes.append(
            f"At {size:,} milestones the busiest lead ('My milestones') leads "
            f"{data['_lead_milestones']:,} milestones."
        )

    def analyze(self):
        """Vacuum and analyse the rows just generated, as a live database would have them.

        Autovacuum (PostgreSQL 13 and later also after inserts) gives a live database planner
        statistics and a visibility map soon after rows change. A server with autovacuum off,
        or a measurement seconds after a bulk load, would have the planner guess and read the
        heap for every index-only scan: both our pages and the admin baseline would be timed on
        a database no one runs. PostgreSQL's own advice after a bulk load is the same.
        """
        self.pg("VACUUM ANALYZE", dbname=DB_NAME)

    def page_query_rows(self):
        self.part = "pages"
        for label, by_size in getattr(self, "page_queries", {}).items():
            sizes = sorted(by_size)
            if len(sizes) < 2:
                continue
            same = by_size[sizes[0]] == by_size[sizes[-1]]
            self.add(
                "Pages",
                f"{label}: queries at {sizes[0]:,} and {sizes[-1]:,} milestones",
                "/".join(f"{s:,}" for s in sizes),
                " → ".join(str(by_size[s]) for s in sizes),
                target="constant",
                met=same,
            )

    def load(self, plan_id: int, size: int):
        self.part = "load"
        log(f"Load test against gunicorn + PostgreSQL, {size:,} milestones")
        self.analyze()
        usernames = self.worker("leads", count=self.load_users)["data"]["usernames"]
        workers = str(2 * (os.cpu_count() or 1) + 1)
        quiet_seconds = 5 if self.args.smoke else 20 if self.args.quick else 30
        scenarios = [
            ("browsing and updating, plan page included", "1"),
            ("browsing and updating, without the plan page", "0"),
        ]
        self.load_detail = {}
        for label, plan_page in scenarios:
            env = {
                **self.env,
                "BENCH_USERNAMES": ",".join(usernames),
                "BENCH_PASSWORD": PASSWORD,
                "BENCH_PLAN_ID": str(plan_id),
                "BENCH_PLAN_PAGE": plan_page,
            }
            # A fresh server per scenario and per phase: requests still queued from a
            # saturated phase must not count against the next one.
            log(f"  {label}: 1 lead")
            # One lead cannot load the server, so a short think time only gives the unloaded
            # median more requests to be the median of.
            with self.gunicorn(workers):
                quiet = self.locust(
                    {**env, "BENCH_THINK_SECONDS": "0.5-2"},
                    users=1,
                    seconds=quiet_seconds,
                    name=f"quiet{plan_page}",
                )
            log(f"  {label}: {self.load_users} leads")
            with self.gunicorn(workers):
                loaded = self.locust(
                    env, users=self.load_users, seconds=self.load_seconds, name=f"load{plan_page}"
                )
            self.record_load(label, size, workers, quiet, loaded)
            self.load_detail[label] = loaded["detail"]
            for name, requests, failures, p50, p95 in loaded["detail"]:
                log(f"    {name}: {requests} requests, {failures} failed, p50 {p50}, p95 {p95} ms")

    @contextmanager
    def gunicorn(self, workers: str):
        # A new port each time: the last server may still be finishing slow requests.
        self.port = getattr(self, "port", PORT - 1) + 1
        server = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--workers",
                workers,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            env={**self.env, "DATABASE_CONN_MAX_AGE": "60"},
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(150):
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.2)
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    def record_load(self, label, size, workers, quiet, loaded):
        ratio = loaded["p95"] / quiet["p50"] if quiet["p50"] == quiet["p50"] else float("nan")
        self.add(
            "Load",
            f"{self.load_users} leads for {self.load_seconds} s ({label}), gunicorn "
            f"{workers} workers: errors",
            size,
            f"{loaded['failures']} of {loaded['requests']:,} requests "
            f"({loaded['rps']:.1f} requests/s)",
            target="0",
            met=loaded["failures"] == 0,
        )
        self.add(
            "Load",
            f"p50 / p95 under load vs unloaded median ({label})",
            size,
            f"p50 {loaded['p50']:.0f} ms, p95 {loaded['p95']:.0f} ms",
            f"{quiet['p50']:.0f} ms (1 lead)",
            ratio,
            "p95 ≤ 5×",
            ratio <= 5 if ratio == ratio else None,
        )

    def locust(self, env, *, users: int, seconds: int, name: str) -> dict:
        prefix = self.tmp / f"locust-{name}"
        result = run_measured(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(self.spawn_rate),
                "--run-time",
                f"{seconds + users // self.spawn_rate}s",
                "--host",
                f"http://127.0.0.1:{self.port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**env, "BENCH_LATENCY_FILE": str(prefix) + "-latencies.json"},
            timeout=seconds + 120,
        )
        import csv

        stats_file = Path(f"{prefix}_stats.csv")
        if not stats_file.exists():
            raise RuntimeError(f"locust wrote no statistics: {result['stderr'][-3000:]}")
        rows = list(csv.DictReader(stats_file.open()))
        total = next(r for r in rows if r["Name"] == "Aggregated")
        detail = [
            (r["Name"], int(r["Request Count"]), int(r["Failure Count"]), r["50%"], r["95%"])
            for r in rows
            if r["Name"] != "Aggregated"
        ]
        latencies = sorted(json.loads(Path(str(prefix) + "-latencies.json").read_text()))

        def percentile(share: float) -> float:
            if not latencies:
                return float("nan")
            return latencies[min(len(latencies) - 1, int(share * len(latencies)))]

        return {
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "p50": percentile(0.5),
            "p95": percentile(0.95),
            "rps": float(total["Requests/s"]),
            "detail": detail,
        }

    # ----- report -------------------------------------------------------------------------

    def table(self) -> str:
        lines = [
            "| Area | Measure | Size | Ours (median) | Baseline (median) | Ratio | Target | "
            "| Measured |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            ratio = f"{r['ratio']:.2f}×" if isinstance(r["ratio"], float) else ""
            verdict = "" if r["met"] is None else ("met" if r["met"] else "**missed**")
            size = f"{r['size']:,}" if isinstance(r["size"], int) else r["size"]
            lines.append(
                f"| {r['area']} | {r['measure']} | {size} | {r['ours']} | {r['baseline']} "
                f"| {ratio} | {r['target']} | {verdict} | {r.get('measured', self.when)} |"
            )
        return "\n".join(lines)

    def merge(self, parts: list[str]) -> None:
        """Keep the earlier run's figures for the parts this run did not measure."""
        if set(parts) == set(PARTS) or not RESULTS.exists() or self.args.smoke:
            for row in self.rows:
                row["measured"] = self.when
            return
        old = json.loads(RESULTS.read_text())
        kept = [r for r in old["rows"] if r["part"] not in parts]
        for row in self.rows:
            row["measured"] = self.when
        self.rows = sorted(kept + self.rows, key=lambda r: PARTS.index(r["part"]))
        if "load" not in parts:
            self.load_detail = old.get("load_detail", {})
        if "pages" not in parts:
            self.notes = old.get("notes", []) + self.notes
        self.generation = {**{int(k): v for k, v in old.get("generation", {}).items()}}
        self.generation.update(getattr(self, "generation_now", {}))
        self.earlier = sorted({r["measured"] for r in kept})

    def write(self, started: float):
        path = ROOT / "docs" / "benchmarks.md"
        if self.args.no_write:
            return
        if self.args.smoke:
            path = self.tmp.parent / "benchmarks-smoke.md"
        else:
            # Figures other scripts keep here (bench/growth.py, bench/balancer.py) stay.
            others = {}
            if RESULTS.exists():
                others = {
                    key: value
                    for key, value in json.loads(RESULTS.read_text()).items()
                    if key in OTHER_RESULTS
                }
            RESULTS.write_text(
                json.dumps(
                    {
                        **others,
                        "rows": self.rows,
                        "load_detail": getattr(self, "load_detail", {}),
                        "notes": self.notes,
                        "generation": getattr(self, "generation", {}),
                        "versions": self.versions,
                    },
                    indent=1,
                    ensure_ascii=False,
                )
                + "\n"
            )
        kept = ""
        if path.exists() and NOTES_MARK in path.read_text():
            kept = path.read_text().split(NOTES_MARK, 1)[1]
        mode = "quick" if self.args.quick else "full"
        earlier = ""
        if self.earlier:
            earlier = (
                " Some figures come from an earlier run of the same suite ("
                + "; ".join(self.earlier)
                + "): the table's last column says when each was measured."
            )
        generation = ", ".join(
            f"{n:,} milestones {s:.0f} s"
            for n, s in sorted(getattr(self, "generation", {}).items())
        )
        load_detail = ""
        for label, detail in getattr(self, "load_detail", {}).items():
            load_detail += "\n".join(
                [
                    "",
                    f"Load test by request, {self.load_users} leads, {label}:",
                    "",
                    "| Request | Count | Failures | p50 ms | p95 ms |",
                    "|---|---|---|---|---|",
                ]
                + [f"| {n} | {c:,} | {f} | {p50} | {p95} |" for n, c, f, p50, p95 in detail]
                + [""]
            )
        text = (
            f"""# Benchmarks

How fast the service is at scale, each figure beside what a user would otherwise do, measured
in the same run (medians; baselines interleaved with our runs). Written by
`.venv/bin/python bench/run.py` (`make bench`); not run in CI.

Run: {datetime.now(UTC):%d %B %Y %H:%M} UTC, {mode} mode ({self.repeats} runs per figure,
fewer for the 5,000-milestone PDF), {time.perf_counter() - started:.0f} s in all.{earlier}
Other work may share this machine's two cores while it runs, so read the ratios, not the
absolute times.

| | |
|---|---|
"""
            + "\n".join(f"| {k} | {v} |" for k, v in self.versions.items())
            + f"""

## Results

{self.table()}
{load_detail}

Data generation (`generate_demo`, PostgreSQL): {generation}.

{chr(10).join(f"- {n}" for n in self.notes)}
{chr(10).join(f"- Skipped: {s}" for s in self.skipped)}

## How each figure is measured

- **PDF pack**: a child process builds the pack data from the database and renders it with
  WeasyPrint (a DRAFT pack of an open quarter, the whole plan); time is data + render, not
  Python start-up. Chromium prints the same HTML (`pack_html`, written to a file first) with
  `--headless --print-to-pdf --no-sandbox --disable-gpu --disable-background-networking`,
  timed from launch to exit (its start-up is part of using it). LibreOffice converts the
  Excel pack with `soffice --headless --convert-to pdf` (first run not counted: it sets up a
  profile). Peak memory is `ru_maxrss` from `os.wait4` of each child: the largest single
  process (for Chromium, the largest of its processes that were reaped, not their sum). CPU
  time is not compared: `os.wait4` gave Chromium 1.0 s of CPU for 2.3 s of wall time at 300
  milestones, so its renderers (forked by its zygote) are not counted. A pack of more than
  `PACK_PDF_PARTS_ABOVE_ROWS` (600) table rows, as at 300 milestones and more, is laid out in
  parts of at most `PACK_PDF_PART_ROWS` (600) rows, cut by the length of their HTML into a
  multiple of `PACK_PDF_PARTS_MULTIPLE` (2) parts, on `PACK_PDF_WORKERS`
  processes (default one a core; "parallel") or in the one process ("serial", 1), joined
  (pikepdf) and numbered "Page N of M"; Chromium prints the whole HTML as one document. Its
  peak memory is the largest of the render's process and its layout workers (reported by the
  render too, as workers from a fork server are not the render's children). The bench's
  render runs in a process of one thread, so its workers are forked (a `db_worker`, which has
  other threads, gets them from a fork server it starts once). The load average beside each
  figure is the machine's during the runs: other work shares these cores.
- **Excel pack**: `render_xlsx` of the pack data vs a bare openpyxl write of exactly the cells,
  values, number formats, fonts, fills, alignments, widths, frozen panes and filters that the
  pack holds (read back from the pack, style objects reused), in the same process, interleaved.
- **Import**: a generated legacy workbook (six theme sheets, header rows repeated, issue and
  criteria cells merged down, multi-line cells, free-text dates, RAG words): `plan_file_read`
  (parse and check) and `plan_import` into a new plan on PostgreSQL, vs openpyxl
  `load_workbook` (normal mode, as merged cells need) iterating every row.
- **Pages**: Django test client in one process against PostgreSQL after `VACUUM ANALYZE` of
  the generated rows, signed in (a partnership admin; "My milestones" as the lead with most
  milestones; "one priority" is a large plan's largest priority); median server time over
  15 (quick) or 25 rounds after one warm-up, each round timing every page and the baseline
  once, and the queries of the last request. Baseline: the Django admin
  changelist of milestones as a superuser with `list_per_page = 50` (the list page's size).
- **Stored pack**: a quarter is closed, its PDF produced once by the background job (run in
  process), then the download URL is timed (test client, whole streamed body read).
- **Load**: gunicorn (sync workers) and PostgreSQL on loopback; locust with 50 leads signing in
  with generated accounts, reading My milestones, milestone pages, the milestone list and the
  plan page and saving updates (think time 3–10 s between actions, `BENCH_THINK_SECONDS`; why
  in bench/locustfile.py; 0.5–2 s until November 2026), arriving two a second; the
  percentiles are of the 60 s after the last lead has arrived. The unloaded median is the same
  script with one lead. Each phase gets a freshly started gunicorn. Latencies are locust's
  (client side, loopback); p50 and p95 are of browsing and updating requests only: signing
  in (once a session, a deliberately slow password hash) is counted for errors but kept out
  of the percentiles.

{NOTES_MARK}{kept}"""
        )
        path.write_text(text.rstrip() + "\n")
        log(f"Wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Fewer runs per figure.")
    parser.add_argument(
        "--install-baselines",
        action="store_true",
        help="Install LibreOffice with apt-get if it is missing (needs root or sudo).",
    )
    parser.add_argument("--skip-load", action="store_true", help="Leave out the load test.")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="Tiny sizes, one run each, report to the working directory only: checks the bench.",
    )
    parser.add_argument("--skip-big", action="store_true", help="Leave out 5,000-milestone packs.")
    parser.add_argument(
        "--pack-sizes", default="", help="Milestones of the packs measured, e.g. 300,1000,5000."
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"Measure only these parts ({','.join(PARTS)}); keep the others' earlier figures.",
    )
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="Print the table only; leave docs/benchmarks.md and .json as they are.",
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="Do not drop plans_bench at the end."
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name.",
    )
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if parts - set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")
    started = time.perf_counter()
    bench = Bench(args)
    bench.setup()
    try:
        pack_sizes = (300,) if args.skip_big else (300, 5000)
        if args.pack_sizes:
            pack_sizes = tuple(int(n) for n in args.pack_sizes.split(","))
        page_sizes = (1000, 50000)
        if args.smoke:
            pack_sizes, page_sizes, bench.repeats, bench.import_rows = (60,), (100, 300), 1, (100,)
            bench.load_seconds, bench.load_users = 10, 5
        if parts & {"pdf", "excel", "stored"}:
            for size in pack_sizes:
                plan_id = bench.generate(size)
                if "pdf" in parts:
                    bench.packs(plan_id, size)
                if "excel" in parts:
                    bench.excel(plan_id, size)
                if "stored" in parts and (size <= 1000 or not args.quick):
                    bench.stored(plan_id, size)
        if "fresh" in parts:
            bench.fresh(bench.generate(300 if args.smoke else 1000), "generated")
            bench.manage("load_demo", "-v0")
            bench.fresh(None, "the demo plan")
        if "import" in parts:
            bench.imports()
        if parts & {"pages", "load"}:
            for size in page_sizes if "pages" in parts else page_sizes[-1:]:
                plan_id = bench.generate(size)
                if "pages" in parts:
                    bench.pages(size)
            if "pages" in parts:
                bench.page_query_rows()
            if "load" in parts and not args.skip_load:
                bench.load(plan_id, page_sizes[-1])
    finally:
        bench.merge(sorted(parts))
        bench.write(started)
        print()
        print(bench.table())
        bench.teardown()


if __name__ == "__main__":
    main()
