"""Download a plan as JSON: any member of the plan's partnership."""

import tempfile

from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views import View

from plans.access import is_partnership_admin, partnership_ids_for
from plans.models import Plan
from portability.export import plan_export_logged, plan_export_zip


class PlanExportJsonView(View):
    """Any member of the plan's partnership may download the plan as JSON; only its admins
    get people's e-mail addresses in it."""

    def get(self, request, pk):
        plan = get_object_or_404(
            Plan.objects.select_related("partnership"),
            pk=pk,
            partnership_id__in=partnership_ids_for(request.user),
        )
        data = plan_export_logged(
            plan=plan,
            user_id=request.user.pk,
            with_emails=is_partnership_admin(request.user, plan.partnership_id),
        )
        response = JsonResponse(data, json_dumps_params={"indent": 2})
        filename = f"{slugify(plan.partnership.name)}-{slugify(plan.title)}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class PlanExportZipView(View):
    """The JSON export with the evidence files, as a zip: any member of the partnership."""

    def get(self, request, pk):
        plan = get_object_or_404(
            Plan.objects.select_related("partnership"),
            pk=pk,
            partnership_id__in=partnership_ids_for(request.user),
        )
        out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        plan_export_zip(
            plan=plan,
            user_id=request.user.pk,
            with_emails=is_partnership_admin(request.user, plan.partnership_id),
            out=out,
        )
        out.seek(0)
        filename = f"{slugify(plan.partnership.name)}-{slugify(plan.title)}-with-files.zip"
        return FileResponse(
            out, as_attachment=True, filename=filename, content_type="application/zip"
        )
