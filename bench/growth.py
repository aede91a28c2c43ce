"""Cost as it grows (issue 18, item 5): each figure at several plan sizes, beside its baseline.

    .venv/bin/python bench/growth.py [--only pdf,import,pages] [--json FILE] [--smoke]

Not a test and not run in CI. Uses bench/run.py's machinery (its own PostgreSQL database,
``plans_growth`` or ``$BENCH_DB``, dropped at the end; ``generate_demo`` data; one child process
per measurement, so its peak memory is its own) and measures, each baseline in the same run and
interleaved with ours:

- **PDF pack** (a DRAFT pack of the whole plan) at 100, 300, 1,000 and 5,000 milestones: time
  and peak memory, beside Chromium printing the pack's own HTML. The 5,000 one takes minutes:
  it runs once (``--pdf-repeats``).
- **Import with writes** of a generated legacy workbook of 1,000, 5,000 and 20,000 rows
  (``plan_import`` into a new plan on PostgreSQL), beside a bare openpyxl load of the same file.
- **Pages** (the plan page, My milestones, the home page, the packs page) at 1,000 and 50,000
  milestones: server time and queries, beside the Django admin changelist (50 a page). How long
  ``generate_demo`` took at each size is recorded too.

Other engineers may share the machine: the load average (``os.getloadavg``) is recorded beside
every figure; read the ratios.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DB", "plans_growth")  # not bench/run.py's, which others may run

PARTS = ["pdf", "import", "pages"]
PDF_SIZES = (100, 300, 1000, 5000)
IMPORT_ROWS = (1000, 5000, 20000)
PAGE_SIZES = (1000, 50000)
PAGES = ["Plan page", "My milestones", "Home page", "Packs page"]


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"Measure only these ({','.join(PARTS)})."
    )
    parser.add_argument(
        "--pdf-repeats",
        default="3,3,2,1",
        help="Runs per PDF size (100, 300, 1,000, 5,000 milestones); default 3,3,2,1.",
    )
    parser.add_argument(
        "--import-repeats",
        default="3,3,1",
        help="Rounds per import size (1,000, 5,000, 20,000 rows); default 3,3,1.",
    )
    parser.add_argument(
        "--import-rows",
        default=",".join(str(n) for n in IMPORT_ROWS),
        help="Rows of the generated legacy workbooks (default 1000,5000,20000).",
    )
    parser.add_argument(
        "--page-sizes",
        default=",".join(str(n) for n in PAGE_SIZES),
        help="Plan sizes for the pages (default 1000,50000).",
    )
    parser.add_argument("--page-rounds", type=int, default=15, help="Rounds of every page.")
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file.")
    parser.add_argument(
        "--write",
        action="store_true",
        help='Keep the figures in docs/benchmarks.json (under "growth").',
    )
    parser.add_argument("--keep-db", action="store_true", help="Do not drop the database.")
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name.",
    )
    parser.add_argument("--smoke", action="store_true", help="Tiny sizes, one run each.")
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if set(args.parts) - set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")
    args.pdf_sizes = PDF_SIZES
    args.import_rows = tuple(int(n) for n in args.import_rows.split(","))
    args.page_sizes = tuple(int(n) for n in args.page_sizes.split(","))
    args.pdf_repeats = [int(n) for n in args.pdf_repeats.split(",")]
    args.import_repeats = [int(n) for n in args.import_repeats.split(",")]
    if args.smoke:
        args.pdf_sizes, args.pdf_repeats = (40, 80), [1, 1]
        args.import_rows, args.import_repeats = (100, 200), [1, 1]
        args.page_sizes, args.page_rounds = (100, 300), 2
    if len(args.pdf_repeats) != len(args.pdf_sizes):
        parser.error(f"--pdf-repeats takes {len(args.pdf_sizes)} numbers")
    if len(args.import_repeats) != len(args.import_rows):
        parser.error(f"--import-repeats takes {len(args.import_rows)} numbers")
    return args


class Growth:
    def __init__(self, args):
        from bench.run import Bench, log

        self.args, self.log = args, log
        # bench/run.py's set-up, database, generate_demo and workers; no load test here.
        self.bench = Bench(
            argparse.Namespace(
                quick=True,
                install_baselines=False,
                skip_load=True,
                smoke=args.smoke,
                keep_db=args.keep_db,
                no_write=True,
                pg=args.pg,
            )
        )
        self.rows: list[dict] = []
        self.generation: dict[int, float] = {}

    def add(self, part, size, **figures):
        row = {"part": part, "size": size, "load_average": load_average(), **figures}
        self.rows.append(row)
        self.log(f"  {part} {size:,}: {figures} (load {row['load_average']})")

    def generate(self, size: int) -> int:
        load = load_average()
        plan_id = self.bench.generate(size)
        self.generation[size] = self.bench.generation_now[size]
        self.log(f"  generate_demo {size:,}: {self.generation[size]:.1f} s (load {load})")
        return plan_id

    def pdf(self, plan_id: int, size: int, repeats: int):
        from bench.run import CHROMIUM, run_measured

        self.log(f"PDF pack, {size:,} milestones, {repeats} run(s)")
        html = self.bench.tmp / f"pack-{size}.html"
        self.bench.worker("pack", plan_id=plan_id, html_out=str(html))
        profile = self.bench.tmp / "chromium-profile"
        ours, chrome, pages = [], [], None
        load = [load_average()]
        for _ in range(repeats):
            result = self.bench.worker("pack", plan_id=plan_id, fmt="pdf", out=str(html) + ".pdf")
            ours.append((result["data"]["total_s"], result["peak_mb"]))
            pages = pdf_pages(Path(str(html) + ".pdf"))
            if Path(CHROMIUM).exists():
                pdf = self.bench.tmp / "chromium.pdf"
                pdf.unlink(missing_ok=True)
                done = run_measured(
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
                    raise RuntimeError(f"Chromium made no PDF: {done['stderr'][-2000:]}")
                chrome.append((done["seconds"], done["peak_mb"]))
            load.append(load_average())
        t = statistics.median(s for s, _ in ours)
        mb = max(m for _, m in ours)
        figures = {"ours_s": t, "ours_peak_mb": mb, "pages": pages, "runs": repeats}
        if chrome:
            figures.update(
                chromium_s=statistics.median(s for s, _ in chrome),
                chromium_peak_mb=max(m for _, m in chrome),
            )
            figures["ratio"] = t / figures["chromium_s"]
        self.add("pdf", size, **figures, load_during=load)

    def imports(self, rows: int, repeats: int):
        self.log(f"Import with writes, {rows:,} rows, {repeats} round(s)")
        path = self.bench.tmp / f"legacy-{rows}.xlsx"
        self.bench.worker("legacy", path=str(path), rows=rows)
        load = load_average()
        try:
            result = self.bench.worker("import", path=str(path), rows=rows, repeats=repeats)
        except RuntimeError as error:
            if "refused" not in str(error):
                raise
            # A bound of the importer (a figure too: where the import stops growing).
            refusal = str(error).split("refused the bench file: ", 1)[-1].strip()
            self.add("import", rows, refused=refusal, load_before=load)
            return
        data = result["data"]
        self.add(
            "import",
            rows,
            write_s=data["write_s"],
            parse_s=data["parse_s"],
            bare_s=data["bare_s"],
            ratio=data["write_s"] / data["bare_s"],
            parse_ratio=data["parse_s"] / data["bare_s"],
            file_kb=data["bytes"] / 1024,
            peak_mb=result["peak_mb"],
            rounds=repeats,
            load_before=load,
        )

    def pages(self, size: int):
        self.log(f"Pages, {size:,} milestones")
        self.bench.analyze()
        load = load_average()
        data = self.bench.worker("pages", page_size=50, repeats=self.args.page_rounds)["data"]
        baseline = data["Admin changelist (baseline)"]
        for label in PAGES:
            page = data[label]
            if "error" in page:
                self.add("pages", size, page=label, error=page["error"])
                continue
            self.add(
                "pages",
                size,
                page=label,
                ms=page["median_s"] * 1000,
                queries=page["queries"],
                kb=page["bytes"] / 1024,
                baseline_ms=baseline["median_s"] * 1000,
                baseline_queries=baseline["queries"],
                ratio=page["median_s"] / baseline["median_s"],
                lead_milestones=data["_lead_milestones"],
                rounds=self.args.page_rounds,
                load_before=load,
            )

    def run(self):
        args = self.args
        self.bench.setup()
        try:
            sizes = sorted(
                set(args.pdf_sizes if "pdf" in args.parts else ())
                | set(args.page_sizes if "pages" in args.parts else ())
            )
            imported = False
            for size in sizes:
                if "import" in args.parts and not imported and size > max(args.pdf_sizes):
                    # Before the largest plan: the import's partnership is deleted after it.
                    self.run_imports()
                    imported = True
                plan_id = self.generate(size)
                if "pdf" in args.parts and size in args.pdf_sizes:
                    self.pdf(plan_id, size, args.pdf_repeats[args.pdf_sizes.index(size)])
                if "pages" in args.parts and size in args.page_sizes:
                    self.pages(size)
            if "import" in args.parts and not imported:
                self.run_imports()
        finally:
            self.bench.teardown()
        return {
            "measured": datetime.now(UTC).strftime("%d %B %Y %H:%M UTC"),
            "rows": self.rows,
            "generation_s": self.generation,
            "versions": self.bench.versions,
            "skipped": self.bench.skipped,
        }

    def run_imports(self):
        for rows, repeats in zip(self.args.import_rows, self.args.import_repeats, strict=True):
            self.imports(rows, repeats)


def pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:  # noqa: BLE001 — a page count is a nicety beside the figures
        return None


def table(result: dict) -> str:
    """The figures as the Markdown of docs/benchmarks.md's "Cost as it grows"."""
    rows = result["rows"]
    out = [
        "| Milestones | Our PDF | Peak memory | Pages | Chromium, same HTML | Ratio "
        "| Chromium peak | Runs | Load average (1, 5, 15 min) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (r for r in rows if r["part"] == "pdf"):
        out.append(
            f"| {r['size']:,} | {r['ours_s']:.2f} s | {r['ours_peak_mb']:.0f} MB "
            f"| {r['pages'] or ''} | {r.get('chromium_s', float('nan')):.2f} s "
            f"| {r.get('ratio', float('nan')):.2f}× | {r.get('chromium_peak_mb', 0):.0f} MB "
            f"| {r['runs']} | {' → '.join(r['load_during'][:1] + r['load_during'][-1:])} |"
        )
    out += [
        "",
        "| Rows | Import with writes | Parse and check | Bare openpyxl load | Writes ÷ bare "
        "| Peak memory | Rounds | Load average |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in (r for r in rows if r["part"] == "import"):
        if "refused" in r:
            refused = f"refused: {r['refused']}"
            out.append(f"| {r['size']:,} | {refused} | | | | | | {r['load_before']} |")
            continue
        out.append(
            f"| {r['size']:,} | {r['write_s']:.2f} s | {r['parse_s']:.2f} s | {r['bare_s']:.2f} s "
            f"| {r['ratio']:.2f}× | {r['peak_mb']:.0f} MB | {r['rounds']} | {r['load_before']} |"
        )
    out += [
        "",
        "| Page | Milestones | Server time | Queries | Size | Admin changelist | Ratio "
        "| Load average |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in (r for r in rows if r["part"] == "pages"):
        if "error" in r:
            out.append(f"| {r['page']} | {r['size']:,} | {r['error']} | | | | | |")
            continue
        out.append(
            f"| {r['page']} | {r['size']:,} | {r['ms']:.0f} ms | {r['queries']} | {r['kb']:.0f} KB "
            f"| {r['baseline_ms']:.0f} ms, {r['baseline_queries']} queries | {r['ratio']:.2f}× "
            f"| {r['load_before']} |"
        )
    generation = ", ".join(
        f"{int(n):,} milestones {s:.0f} s" for n, s in sorted(result["generation_s"].items())
    )
    out += ["", f"`generate_demo` on PostgreSQL: {generation}."]
    return "\n".join(out)


def main(argv=None):
    args = parse(argv)
    started = time.perf_counter()
    result = Growth(args).run()
    result["seconds"] = time.perf_counter() - started
    text = table(result)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    if args.write and not args.smoke:
        from bench.run import keep_result

        keep_result("growth", result)


if __name__ == "__main__":
    main()
