"""The plan as JSON, for any member of its partnership."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views import View

from config.security import security_event
from plans.access import partnership_ids_for
from plans.exporting import plan_export
from plans.models import Plan


class PlanExportJsonView(View):
    """Any member of the plan's partnership may download the plan as JSON."""

    def get(self, request, pk):
        plan = get_object_or_404(
            Plan.objects.select_related("partnership"),
            pk=pk,
            partnership_id__in=partnership_ids_for(request.user),
        )
        security_event("plan_exported", user_id=request.user.pk, plan_id=plan.pk, format="json")
        response = JsonResponse(plan_export(plan=plan), json_dumps_params={"indent": 2})
        filename = f"{slugify(plan.partnership.name)}-{slugify(plan.title)}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
