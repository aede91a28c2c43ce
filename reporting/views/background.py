"""Board packs produced in the background: ask for one, watch its progress, download it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView, View

from reporting import jobs, selectors
from reporting.downloads import pack_job_download
from reporting.packs import FORMATS
from reporting.views.board_pack import (
    filter_form,
    filter_values,
    pack_file_response,
    pack_limit_response,
)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PackJobRequestView(View):
    """Queue a pack for the background worker (or find the one already made) and show it."""

    def post(self, request, pk: int, fmt: str):
        if fmt not in FORMATS:
            raise Http404("Packs come as pdf or xlsx.")
        period = selectors.period_get(user=request.user, pk=pk)
        filters = filter_values(filter_form(request, period.plan))
        try:
            job = jobs.pack_job_request(period=period, fmt=fmt, user=request.user, **filters)
        except jobs.PackLimitReached as error:
            return pack_limit_response(request, period, fmt, error.messages[0])
        return redirect("reporting:pack_job", pk=job.pk)


class PackJobView(TemplateView):
    """A background pack's progress; app.mjs polls its status region in place until it is ready."""

    template_name = "reporting/pack_job.html"

    def get_context_data(self, **kwargs):
        job = jobs.pack_job_current(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(job=job, period=job.period, plan=job.period.plan, **kwargs)


class PackJobDownloadView(View):
    """The stored file of a finished pack: no rendering, only a read from storage."""

    def get(self, request, pk: int):
        job = pack_job_download(
            job=jobs.pack_job_current(user=request.user, pk=pk), user=request.user
        )
        if job is None:
            raise Http404("This board pack is not ready yet.")
        return pack_file_response(job)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PackJobRetryView(View):
    """Try a failed or cancelled pack again (or show the identical one already under way)."""

    def post(self, request, pk: int):
        job = jobs.pack_job_current(user=request.user, pk=pk)
        try:
            job = jobs.pack_job_retry(job=job, user=request.user)
        except jobs.PackLimitReached as error:
            messages.error(request, error.messages[0])
        except ValidationError:
            pass  # already queued, running or done: nothing to retry, and the job page says which
        return redirect("reporting:pack_job", pk=job.pk)
