"""One measurement in its own process, so the parent can read its peak memory (bench/run.py).

    python bench/worker.py <job> [arguments as JSON]

Prints one line of JSON with the figures. Django is set up from the environment the parent
passes (DATABASE_URL of the bench database, a throwaway media directory).
"""

import json
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")


def setup():
    import django

    django.setup()


def median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def bench_period(plan_id: int):
    """The plan's 2025/26 Q2 period: inside the generated history, open (a DRAFT pack)."""
    from plans.models import ReportingPeriod

    return ReportingPeriod.objects.select_related("plan__partnership").get(
        plan_id=plan_id, year=2025, quarter=2
    )


def job_plan(args):
    """The id of the (only) generated plan and its milestone count."""
    from plans.models import Milestone, Plan

    plan = Plan.objects.filter(partnership__slug__startswith="demo-").order_by("pk").first()
    count = Milestone.objects.filter(action__outcome__priority__plan=plan).count()
    return {"plan_id": plan.pk, "milestones": count}


def job_pack(args):
    """Build one pack's data and render it; optionally write the bytes (or the HTML) to a file."""
    from reporting.packs import render
    from reporting.packs.data import pack_for_period

    period = bench_period(args["plan_id"])
    started = time.perf_counter()
    pack = pack_for_period(period=period)
    data_s = time.perf_counter() - started
    if args.get("html_out"):
        from reporting.packs.pdf import pack_html

        Path(args["html_out"]).write_text(pack_html(pack), encoding="utf-8")
        return {"data_s": data_s}
    started, cpu = time.perf_counter(), time.process_time()
    content = render(pack, args["fmt"])
    render_s = time.perf_counter() - started
    render_cpu_s = time.process_time() - cpu  # this process only: not the layout workers
    if args.get("out"):
        Path(args["out"]).write_bytes(content)
    from reporting.packs.pdf_parts import LAST_RENDER

    return {
        "data_s": data_s,
        "render_s": render_s,
        "render_cpu_s": render_cpu_s,
        "load_average": os.getloadavg()[0],
        "total_s": data_s + render_s,
        "bytes": len(content),
        **LAST_RENDER,  # parts, workers, worker_peak_mb where the PDF was laid out in parts
    }


def _cells(path: str):
    """Every cell of a workbook with the styles a bare writer would have to set.

    Equal styles are interned to one object each, as a writer with a few style constants
    (which is what a careful bare openpyxl script has) would hold them.
    """
    from copy import copy

    from openpyxl import Workbook, load_workbook

    blank = Workbook().active["A1"]
    defaults = {repr(blank.font), repr(blank.fill), repr(blank.alignment)}
    wb = load_workbook(path)
    interned = {}

    def one(style):
        """The style to set, or None where the cell keeps the default (nothing to write)."""
        key = repr(style)
        if key in defaults:
            return None
        return interned.setdefault((type(style), key), copy(style))

    sheets = []
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                styled = c.has_style
                cells.append(
                    (
                        c.row,
                        c.column,
                        c.value,
                        c.data_type,
                        c.number_format,
                        one(c.font) if styled else None,
                        one(c.fill) if styled else None,
                        one(c.alignment) if styled else None,
                    )
                )
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        sheets.append((ws.title, cells, widths, ws.freeze_panes, ws.auto_filter.ref))
    return sheets


def _bare_write(sheets) -> bytes:
    """The same rows and styles written with openpyxl and nothing else."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, cells, widths, freeze, autofilter in sheets:
        ws = wb.create_sheet(title)
        for row, column, value, data_type, number_format, font, fill, alignment in cells:
            cell = ws.cell(row=row, column=column, value=value)
            if data_type == "s":
                cell.data_type = "s"
            if number_format != "General":
                cell.number_format = number_format
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if alignment is not None:
                cell.alignment = alignment
        for key, width in widths.items():
            ws.column_dimensions[key].width = width
        ws.freeze_panes = freeze
        ws.auto_filter.ref = autofilter
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def job_excel(args):
    """Excel pack render vs a bare openpyxl write of the same cells, interleaved."""
    import tempfile

    from reporting.packs.data import pack_for_period
    from reporting.packs.excel import render_xlsx

    period = bench_period(args["plan_id"])
    pack = pack_for_period(period=period)
    content = render_xlsx(pack)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
        f.write(content)
        f.flush()
        sheets = _cells(f.name)
    ours, bare = [], []
    for _ in range(args["repeats"]):
        started = time.perf_counter()
        render_xlsx(pack)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        _bare_write(sheets)
        bare.append(time.perf_counter() - started)
    rows = sum(len(cells) for _, cells, *_ in sheets)
    return {
        "ours_s": statistics.median(ours),
        "bare_s": statistics.median(bare),
        "cells": rows,
        "bytes": len(content),
    }


def job_import(args):
    """Importer parse-and-check and full import vs a bare openpyxl load-and-iterate."""
    from openpyxl import load_workbook

    from imports.services import plan_file_read, plan_import
    from plans.models import Partnership, Plan

    data = Path(args["path"]).read_bytes()

    def bare():
        wb = load_workbook(BytesIO(data))  # normal mode: merged ranges are part of the job
        for ws in wb.worksheets:
            for _ in ws.iter_rows(values_only=True):
                pass
            list(ws.merged_cells.ranges)

    def parse():
        parsed = plan_file_read(data=data, filename="legacy.xlsx")
        if parsed.refused:
            raise SystemExit(f"The importer refused the bench file: {parsed.refused}")

    partnership, _ = Partnership.objects.get_or_create(name="Bench import", slug="bench-import")
    counter = [0]

    def write():
        counter[0] += 1
        plan = Plan.objects.create(
            partnership=partnership,
            title=f"Imported {args['rows']} #{counter[0]} {time.time()}",
            start_date="2008-04-01",
            end_date="2011-03-31",
        )
        result = plan_import(plan=plan, data=data, filename="legacy.xlsx")
        if result.refused:
            raise SystemExit(f"The import was refused: {result.refused}")

    # Wall time, and this process's CPU time beside it: on a shared machine the CPU time is the
    # steadier figure (the database server's own time is in the wall time only).
    times = {name: ([], []) for name in ("bare", "parse", "write")}
    for _ in range(args["repeats"]):
        for name, fn in (("bare", bare), ("parse", parse), ("write", write)):
            started, cpu = time.perf_counter(), time.process_time()
            fn()
            times[name][0].append(time.perf_counter() - started)
            times[name][1].append(time.process_time() - cpu)
    # Imported plans would otherwise swell the admin changelist measured later.
    partnership.delete()
    result = {"bytes": len(data), "load": os.getloadavg()[0]}
    for name, (wall, cpu) in times.items():
        result[f"{name}_s"] = statistics.median(wall)
        result[f"{name}_cpu_s"] = statistics.median(cpu)
    return result


def job_pages(args):
    """Server time and queries of the pages and the admin changelist, with the test client."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from plans.models import Membership, Milestone, Person, Priority

    plan_id = job_plan({})["plan_id"]
    admin_membership = (
        Membership.objects.filter(role="admin", partnership__slug__startswith="demo-")
        .select_related("user")
        .first()
    )
    lead = (
        Person.objects.filter(user__isnull=False)
        .annotate(n=Count("milestones_led"))
        .order_by("-n")
        .select_related("user")
        .first()
    )
    User = get_user_model()
    superuser, _ = User.objects.get_or_create(
        username="bench-superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    milestone_admin = admin.site._registry[Milestone]
    milestone_admin.list_per_page = args["page_size"]

    # The plan's largest priority: the one-priority view at its heaviest.
    priority = (
        Priority.objects.filter(plan_id=plan_id)
        .annotate(n=Count("outcomes__actions__milestones"))
        .order_by("-n", "pk")
        .first()
    )
    pages = [
        ("Milestone list", admin_membership.user, "/milestones/"),
        ("Plan page", admin_membership.user, f"/plans/{plan_id}/"),
        (
            "Plan page, one priority",
            admin_membership.user,
            f"/plans/{plan_id}/?priority={priority.pk}",
        ),
        ("My milestones", lead.user, "/my-milestones/"),
        ("Indicator scorecard", admin_membership.user, f"/indicators/plan/{plan_id}/"),
        ("Home page", admin_membership.user, "/"),
        ("Packs page", admin_membership.user, f"/reporting/plans/{plan_id}/"),
        ("Admin changelist (baseline)", superuser, "/admin/plans/milestone/"),
    ]
    # Interleaved: each round times every page once, so a noisy moment slows them all alike.
    results, clients, times, queries_of = {}, {}, {}, {}
    for label, user, url in pages:
        client = Client()
        client.force_login(user)
        response = client.get(url)  # warm-up (templates, caches)
        if response.status_code != 200:
            results[label] = {"error": f"HTTP {response.status_code} for {url}"}
            continue
        clients[label], times[label] = client, []
    for _ in range(args["repeats"]):
        for label, _user, url in pages:
            if label not in clients:
                continue
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = clients[label].get(url)
                times[label].append(time.perf_counter() - started)
            queries_of[label] = (len(queries), len(response.content), url)
    for label, (queries, size, url) in queries_of.items():
        results[label] = {
            "median_s": statistics.median(times[label]),
            "queries": queries,
            "bytes": size,
            "url": url,
        }
    results["_lead_milestones"] = lead.n
    return results


def job_stored(args):
    """Close a period, produce its pack once, then time later downloads of the stored file."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from plans.models import Membership
    from reporting import jobs, services

    period = bench_period(args["plan_id"])
    admin_user = Membership.objects.filter(role="admin").select_related("user").first().user
    if not period.is_closed:
        services.period_close(period=period, user=admin_user)
        period.refresh_from_db()
    started = time.perf_counter()
    job = jobs.pack_job_request(period=period, fmt=args["fmt"], user=admin_user)
    job.refresh_from_db()
    first_s = time.perf_counter() - started
    if job.status != "done":
        return {"error": f"pack job ended {job.status}: {job.message}"}
    client = Client()
    client.force_login(get_user_model().objects.get(pk=admin_user.pk))
    url = f"/reporting/periods/{period.pk}/pack.{args['fmt']}"

    def download():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"Stored pack download answered HTTP {response.status_code}")
        return b"".join(response.streaming_content)

    size = len(download())
    median, _ = median_time(download, args["repeats"])
    return {"first_s": first_s, "stored_s": median, "bytes": size}


def job_fresh(args):
    """Produce a draft pack as the background refresh does, then time downloads of it.

    The plan is ``plan_id`` (a generated plan, its 2025/26 Q2 draft) or, without it, the
    demo's largest plan in the quarter it is collecting updates for. Also timed: a render
    (what a download of a changed pack cost before packs were kept ready) and building the
    pack's data with its digest (what checking freshness by the data would cost).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from plans.models import Membership, Milestone, Plan
    from plans.selectors import period_collecting
    from reporting import jobs
    from reporting.packs.data import pack_for_period

    if args.get("plan_id"):
        period = bench_period(args["plan_id"])
    else:
        plan = (
            Plan.objects.filter(partnership__slug__in=["middlesbrough", "rotherham"])
            .annotate(n=Count("priorities__outcomes__actions__milestones"))
            .order_by("-n")
            .first()
        )
        period = period_collecting(plan=plan).period
    plan = period.plan
    milestones = Milestone.objects.live().filter(action__outcome__priority__plan=plan).count()
    admin = Membership.objects.filter(role="admin", partnership=plan.partnership).first().user
    started = time.perf_counter()
    job = jobs.pack_job_request(period=period, fmt=args["fmt"], user=None)
    job.refresh_from_db()
    render_s = time.perf_counter() - started
    if job.status != "done":
        return {"error": f"pack job ended {job.status}: {job.message}"}
    digest_s, _ = median_time(
        lambda: jobs.pack_data_digest(pack_for_period(period=period)), max(args["repeats"] // 3, 1)
    )
    client = Client()
    client.force_login(get_user_model().objects.get(pk=admin.pk))
    url = f"/reporting/periods/{period.pk}/pack.{args['fmt']}"

    def download():
        response = client.get(url)
        if response.status_code != 200 or not response.streaming:
            raise RuntimeError(f"Fresh pack download was not the stored file: {response}")
        return b"".join(response.streaming_content)

    size = len(download())
    median, _ = median_time(download, args["repeats"])
    return {
        "milestones": milestones,
        "render_s": render_s,
        "digest_s": digest_s,
        "fresh_s": median,
        "bytes": size,
    }


def job_legacy(args):
    """Write a generated legacy-style plan spreadsheet."""
    from bench.legacy import legacy_workbook

    Path(args["path"]).write_bytes(legacy_workbook(args["rows"]))
    return {"path": args["path"]}


def job_leads(args):
    """Usernames of leads with milestones, for the load test."""
    from django.db.models import Count

    from plans.models import Person

    people = (
        Person.objects.filter(user__isnull=False)
        .annotate(n=Count("milestones_led"))
        .filter(n__gt=0)
        .order_by("-n")
        .values_list("user__username", flat=True)[: args["count"]]
    )
    return {"usernames": list(people)}


def job_journey_leads(args):
    """Leads with an account and their own live milestones, for the load test through the
    balancer (bench/balancer.py): each simulated lead updates only milestones whose lead they
    are, so two of them never edit one milestone (a conflict would then be a correct answer)."""
    from collections import defaultdict

    from plans.models import Milestone

    mine = defaultdict(list)
    rows = (
        Milestone.objects.live()
        .filter(
            lead__user__isnull=False,
            lead__user__is_active=True,
            action__outcome__priority__plan__archived_at__isnull=True,
        )
        .order_by("pk")
        .values_list("lead__user__username", "pk")
    )
    for username, pk in rows:
        mine[username].append(pk)
    leads = sorted(mine.items(), key=lambda item: (-len(item[1]), item[0]))[: args["count"]]
    return {"leads": [{"username": u, "milestones": pks} for u, pks in leads]}


JOBS = {
    "plan": job_plan,
    "pack": job_pack,
    "excel": job_excel,
    "import": job_import,
    "pages": job_pages,
    "stored": job_stored,
    "fresh": job_fresh,
    "leads": job_leads,
    "legacy": job_legacy,
    "journey_leads": job_journey_leads,
}

if __name__ == "__main__":
    job = sys.argv[1]
    arguments = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    setup()
    if job in ("stored", "fresh"):
        # Render in this process, as the background worker would, instead of queueing.
        from django.test.utils import override_settings

        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
        ):
            print(json.dumps(JOBS[job](arguments)))
    else:
        print(json.dumps(JOBS[job](arguments)))
