"""The milestone list downloaded as Excel or CSV, with the list's own filters and sort."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View

from plans import selectors
from plans.access import partnership_ids_for
from plans.filters import MilestoneFilter
from reporting.milestone_export import milestone_rows, milestones_csv, milestones_xlsx
from reporting.packs import FORMATS
from security.events import security_event

CONTENT_TYPES = {"xlsx": FORMATS["xlsx"][0], "csv": "text/csv; charset=utf-8"}


class MilestoneListDownloadView(View):
    """Every milestone the list shows for this address (all pages), as a file."""

    def get(self, request, fmt: str):
        if fmt not in CONTENT_TYPES:
            raise Http404("The list downloads as xlsx or csv.")
        partnership_ids = partnership_ids_for(request.user)
        sort = selectors.milestone_sort_param(request.GET.get("sort"))
        queryset = selectors.milestone_list(
            user=request.user, sort=sort, partnership_ids=partnership_ids
        ).select_related("latest_update")
        filterset = MilestoneFilter(
            request.GET, queryset=queryset, request=request, partnership_ids=partnership_ids
        )
        if not filterset.is_valid():
            # The list page says what is wrong with the filters; a file would hide it.
            return redirect(f"{reverse('plans:milestone_list')}?{request.GET.urlencode()}")
        rows = milestone_rows(filterset.qs)
        plan = filterset.form.cleaned_data.get("plan")
        stem = slugify(plan.title) if plan else "milestones"
        filename = f"{stem}-milestones-{timezone.localdate():%Y-%m-%d}.{fmt}"
        if fmt == "xlsx":
            title = (
                f"Milestones{f': {plan.title}' if plan else ''} at {timezone.localdate():%-d %B %Y}"
            )
            content = milestones_xlsx(rows, title=title)
        else:
            content = milestones_csv(rows)
        security_event(
            "milestone_list_downloaded", user_id=request.user.pk, format=fmt, rows=len(rows)
        )
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
