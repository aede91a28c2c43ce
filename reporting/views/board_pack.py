"""The board pack page of a plan, pack downloads and the "what changed" page."""

from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView, View

from plans.access import is_partnership_admin
from plans.selectors import period_collecting
from reporting import selectors, tasks
from reporting.forms import PackFilterForm
from reporting.packs import FORMATS
from reporting.packs.data import pack_for_period
from security.events import security_event


def filter_form(request, plan) -> PackFilterForm:
    return PackFilterForm(
        request.GET or None,
        priorities=plan.priorities.all(),
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
        return super().get_context_data(
            plan=plan,
            periods=periods,
            collecting=period_collecting(plan=plan, periods=periods),
            is_admin=is_partnership_admin(self.request.user, plan.partnership_id),
            form=form,
            query=query,
            pack_jobs=tasks.pack_jobs_recent(plan=plan),
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
        # A closed quarter's pack is rendered once and then served from storage.
        security_event(
            "board_pack_downloaded", user_id=request.user.pk, period_id=period.pk, format=fmt
        )
        stored = tasks.pack_stored_get(period=period, fmt=fmt, **filters)
        if stored is not None:
            return tasks.pack_file_response(stored)
        if tasks.pack_needs_background(plan_id=period.plan_id):
            context = {
                "period": period,
                "plan": period.plan,
                "fmt": fmt,
                "query": request.GET.urlencode(),
            }
            return TemplateResponse(request, "reporting/pack_job_start.html", context)
        try:
            job, content = tasks.pack_inline(period=period, fmt=fmt, user=request.user, **filters)
        except tasks.PackLimitReached as error:
            return pack_limit_response(request, period, fmt, error)
        if job.status != job.Status.DONE:
            # Another request is still rendering this pack, or it was cancelled meanwhile.
            return redirect("reporting:pack_job", pk=job.pk)
        if content is None:
            with job.file.open("rb") as stored_file:
                content = stored_file.read()
        response = HttpResponse(content, content_type=FORMATS[fmt][0])
        response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


def pack_limit_response(request, period, fmt, error) -> TemplateResponse:
    """The "produce the pack" page with the per-person limit's sentence as its error."""
    context = {
        "period": period,
        "plan": period.plan,
        "fmt": fmt,
        "query": request.GET.urlencode(),
        "error": error.messages[0],
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
