"""The board pack page of a plan, pack downloads and the "what changed" page."""

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView, View

from plans.access import is_partnership_admin
from plans.selectors import period_collecting
from reporting import freshness, selectors
from reporting.downloads import PackDownloadKind, pack_download_decide
from reporting.forms import PackFilterForm
from reporting.models import PackJob
from reporting.packs import FORMATS
from reporting.packs.data import pack_for_period

# The "being updated" page checks again this often (seconds; app.mjs's data-app-poll).
PAGE_REFRESH_EVERY = 3


def filter_form(request, plan) -> PackFilterForm:
    return PackFilterForm(
        request.GET or None,
        priorities=plan.priorities.live(),
        organisations=selectors.plan_organisations(plan=plan),
    )


def filter_values(form: PackFilterForm) -> dict:
    """The chosen priority and organisation ids; an id from another plan is a 404, not a pack."""
    if not form.is_bound:
        return {"priority_id": None, "organisation_id": None}
    if not form.is_valid():
        raise Http404("No such priority or organisation in this plan.")
    return {
        "priority_id": form.cleaned_data["priority"],
        "organisation_id": form.cleaned_data["organisation"],
    }


class BoardPackView(TemplateView):
    """A plan's reporting periods with their packs; admins close and reopen them here."""

    template_name = "reporting/board_pack.html"

    def get_context_data(self, **kwargs):
        plan = selectors.plan_get(user=self.request.user, pk=self.kwargs["pk"])
        form = filter_form(self.request, plan)
        query = self.request.GET.urlencode() if form.is_bound and form.is_valid() else ""
        periods = list(selectors.period_list(plan=plan))
        collecting = period_collecting(plan=plan, periods=periods)
        shown, earlier = selectors.periods_arranged(periods=periods, collecting=collecting)
        current = collecting.period if collecting and collecting.period.pk else None
        usable = not form.is_bound or form.is_valid()
        states = (
            freshness.pack_states(period=current, filters=filter_values(form))
            if usable and current is not None and not current.is_closed
            else {}
        )
        return super().get_context_data(
            plan=plan,
            periods=periods,
            shown_periods=shown,
            earlier_periods=earlier,
            current_pk=collecting.period.pk if collecting else None,
            latest_closed_pk=next((p.pk for p in reversed(periods) if p.is_closed), None),
            collecting=collecting,
            is_admin=is_partnership_admin(self.request.user, plan.partnership_id),
            form=form,
            query=query,
            pack_jobs=selectors.pack_jobs_recent(plan=plan),
            pack_states=states,
            refresh_every=PAGE_REFRESH_EVERY,
            **kwargs,
        )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PackDownloadView(View):
    """One period's pack as PDF or Excel: a closed period's from its snapshot, else DRAFT.

    Never inside a request-wide transaction: rendering a long PDF takes seconds, and no
    database lock should be held meanwhile.
    """

    def get(self, request, pk: int, fmt: str):
        if fmt not in FORMATS:
            raise Http404("Packs come as pdf or xlsx.")
        period = selectors.period_get(user=request.user, pk=pk)
        filters = filter_values(filter_form(request, period.plan))
        # ?wait=1: the "being updated" page, which checks again (in place with JavaScript, by
        # its "Check again" link without) and offers the new file once it is ready.
        waiting = request.GET.get("wait") == "1"
        decision = pack_download_decide(
            period=period, fmt=fmt, user=request.user, record=not waiting, **filters
        )
        if decision.kind is PackDownloadKind.STORED and waiting:
            context = {"period": period, "plan": period.plan, "fmt": fmt, "ready": decision.job}
            return TemplateResponse(request, "reporting/pack_updating.html", context)
        if decision.kind is PackDownloadKind.STORED:
            return pack_file_response(decision.job)
        if decision.kind is PackDownloadKind.BACKGROUND:
            context = {
                "period": period,
                "plan": period.plan,
                "fmt": fmt,
                "query": request.GET.urlencode(),
            }
            return TemplateResponse(request, "reporting/pack_job_start.html", context)
        if decision.kind is PackDownloadKind.UPDATING:
            query = request.GET.copy()
            query["wait"] = "1"
            if not waiting:
                return redirect(f"{request.path}?{query.urlencode()}")
            context = {
                "period": period,
                "plan": period.plan,
                "fmt": fmt,
                "state": decision.state,
                "refresh_every": PAGE_REFRESH_EVERY,
                "again": f"{request.path}?{query.urlencode()}",
            }
            return TemplateResponse(request, "reporting/pack_updating.html", context)
        if decision.kind is PackDownloadKind.REFUSED:
            return pack_limit_response(request, period, fmt, decision.error)
        if decision.kind is PackDownloadKind.PENDING:
            # Another request is still rendering this pack, or it was cancelled meanwhile.
            return redirect("reporting:pack_job", pk=decision.job.pk)
        response = HttpResponse(decision.content, content_type=FORMATS[fmt][0])
        response["Content-Disposition"] = f'attachment; filename="{decision.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


def pack_file_response(job: PackJob) -> FileResponse:
    """A stored pack as a download: streamed from storage, never rendered again."""
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename or job.file.name.rsplit("/", 1)[-1],
        content_type=FORMATS[job.fmt][0],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def pack_limit_response(request, period, fmt, error: str) -> TemplateResponse:
    """The "produce the pack" page with the per-person limit's sentence as its error."""
    context = {
        "period": period,
        "plan": period.plan,
        "fmt": fmt,
        "query": request.GET.urlencode(),
        "error": error,
    }
    return TemplateResponse(request, "reporting/pack_job_start.html", context, status=429)


class PeriodChangesView(TemplateView):
    """What changed in a period against the quarter before, as the pack reports it."""

    template_name = "reporting/period_changes.html"

    def get_context_data(self, **kwargs):
        period = selectors.period_get(user=self.request.user, pk=self.kwargs["pk"])
        form = filter_form(self.request, period.plan)
        pack = pack_for_period(period=period, **filter_values(form))
        return super().get_context_data(
            period=period, plan=period.plan, pack=pack, changes=pack["changes"], **kwargs
        )
