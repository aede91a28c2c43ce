"""Board packs: data (from live selectors or a snapshot) → PDF or Excel bytes."""

from django.utils.text import slugify

# Nothing here imports a model at import time: the PDF's layout workers import
# reporting.packs.pdf_parts (and so this package) without setting Django up.


def __getattr__(name: str):
    """``packs.pack_for_period``, imported on first use (it needs the models)."""
    if name == "pack_for_period":
        from reporting.packs.data import pack_for_period

        return pack_for_period
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def render(pack: dict, fmt: str) -> bytes:
    """Pack data to the bytes of one format."""
    if fmt == "pdf":
        from reporting.packs.pdf import render_pdf

        return render_pdf(pack)
    if fmt == "xlsx":
        from reporting.packs.excel import render_xlsx

        return render_xlsx(pack)
    raise ValueError(f"Board packs come as pdf or xlsx, not {fmt!r}.")


def build_pack(
    *,
    period_id: int,
    fmt: str,
    priority_id: int | None = None,
    organisation_id: int | None = None,
) -> bytes:
    """Ids in, file bytes out: what a background task calls to produce a pack."""
    from plans.models import ReportingPeriod
    from reporting import packs

    period = ReportingPeriod.objects.select_related("plan__partnership").get(pk=period_id)
    filters = {"priority_id": priority_id, "organisation_id": organisation_id}
    return render(packs.pack_for_period(period=period, **filters), fmt)


def pack_filename(pack: dict, fmt: str) -> str:
    """Partnership, plan, quarter and subset, e.g.
    "middlesbrough-childrens-trust-action-plan-2009-2009-10-Q3-staying-safe.pdf" ("-DRAFT"
    before the extension for live data). Names are slugified: ASCII letters, digits, hyphens.
    """
    period = pack["period"].replace("/", "-").replace(" ", "-")
    names = [
        slugify(pack["partnership"])[:60].strip("-"),
        slugify(pack["plan"])[:60].strip("-"),
        period,
        slugify(pack.get("subset", ""))[:60].strip("-"),
    ]
    draft = "-DRAFT" if pack["draft"] else ""
    stem = "-".join(name for name in names if name) or "board-pack"
    return f"{stem}{draft}.{FORMATS[fmt][1]}"
