"""CPU seconds of each stage of WeasyPrint laying out and writing a board pack, in one process.

    DATABASE_URL=… python bench/pdf_stages.py [--plan-id N] [--repeats 3] [--profile out.prof]

The pack of the generated plan's bench period (as bench/worker.py's ``pack`` job builds it) is
rendered with ``PACK_PDF_WORKERS=1``, so every part is laid out here, one after another, and
``time.process_time`` is read around each stage: parsing the HTML, the cascade (computed
styles), the box tree, layout, drawing, the tag tree, fonts (subsetting), writing the file
(pydyf, with compression), then the join and page numbers (pikepdf). A stage called inside
another is counted in its own row only. CPU seconds are steadier than wall time on a machine
that others share; the median of the repeats is printed, one row a stage, and the JSON.
"""

import argparse
import cProfile
import functools
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ["PACK_PDF_WORKERS"] = "1"

STAGES: dict[str, float] = {}
_stack: list[list] = []  # [stage, started, time of nested stages]


def _timed(stage: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        _stack.append([stage, time.process_time(), 0.0])
        try:
            return function(*args, **kwargs)
        finally:
            name, started, nested = _stack.pop()
            spent = time.process_time() - started
            STAGES[name] = STAGES.get(name, 0.0) + spent - nested
            if _stack:
                _stack[-1][2] += spent

    return wrapper


def _timed_generator(stage: str, function):
    """For ``layout_document``, a generator: each page it yields is timed as it is made."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        pages = function(*args, **kwargs)
        step = _timed(stage, lambda: next(pages, StopIteration))
        while (page := step()) is not StopIteration:
            yield page

    return wrapper


def _gc_timer(phase, info, started=[0.0]):  # noqa: B006 — the start of the running collection
    if phase == "start":
        started[0] = time.process_time()
    else:
        GC[info["generation"]] = GC.get(info["generation"], 0.0) + time.process_time() - started[0]


GC: dict[int, float] = {}


def instrument():
    gc.callbacks.append(_gc_timer)
    import pikepdf
    import pydyf
    import weasyprint
    from weasyprint import document, pdf
    from weasyprint.pdf import fonts, tags

    from reporting.packs import pdf_parts

    weasyprint.HTML.__init__ = _timed("parse HTML", weasyprint.HTML.__init__)
    document.get_all_computed_styles = _timed("cascade", document.get_all_computed_styles)
    document.build_formatting_structure = _timed("box tree", document.build_formatting_structure)
    document.layout_document = _timed_generator("layout", document.layout_document)
    document.Page.paint = _timed("draw", document.Page.paint)
    pdf.add_tags = _timed("tags", tags.add_tags)
    pdf.build_fonts_dictionary = _timed("fonts", fonts.build_fonts_dictionary)
    pydyf.PDF.write = _timed("write PDF", pydyf.PDF.write)
    pdf_parts.join_tagged = _timed("join and number", pdf_parts.join_tagged)
    pikepdf.Pdf.save = _timed("join and number", pikepdf.Pdf.save)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan-id", type=int, help="Default: the first generated plan.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", help="Then render once more under cProfile, written here.")
    args = parser.parse_args()

    import django

    django.setup()
    from bench.worker import bench_period, job_plan
    from reporting.packs.data import pack_for_period
    from reporting.packs.pdf import render_pdf

    instrument()
    plan_id = args.plan_id or job_plan({})["plan_id"]
    pack = pack_for_period(period=bench_period(plan_id))
    runs = []
    for _repeat in range(args.repeats):
        STAGES.clear()
        GC.clear()
        started, wall = time.process_time(), time.perf_counter()
        content = render_pdf(pack)
        total = time.process_time() - started
        runs.append(
            {
                **STAGES,
                "other": total - sum(STAGES.values()),
                "total CPU": total,
                "wall": time.perf_counter() - wall,
                # Inside the stages above: Python's cyclic garbage collections, by generation.
                **{f"of which GC, gen {g}": GC.get(g, 0.0) for g in range(3)},
            }
        )
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(render_pdf, pack)
        profile.dump_stats(args.profile)
    result = {stage: statistics.median(run[stage] for run in runs) for stage in runs[0]}
    result["bytes"] = len(content)
    result["load average"] = os.getloadavg()[0]
    for stage, seconds in result.items():
        print(f"{stage:>18}  {seconds:8.2f}" if stage != "bytes" else f"{stage:>18}  {seconds}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
