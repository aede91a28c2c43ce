"""The import journey: upload a legacy plan, check the preview, confirm. Admins only.

The uploaded file waits between the steps in default storage under a random token, in a
folder of the uploading user; the session remembers which tokens are this user's. Nothing
is written to the plan until the admin confirms, and then in one transaction.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView

from imports.forms import ImportCheckForm, ImportUploadForm
from imports.journey import UploadGone, upload_choose, upload_finish, upload_get, upload_keep
from imports.layout import FIELDS
from imports.services import (
    mapping_remember,
    mapping_remembered,
    plan_file_read,
    plan_import,
)
from plans.access import AdminOnlyMixin, is_partnership_admin, partnership_ids_for
from plans.formatting import plural
from plans.models import RAG, Plan


class ImportAdminMixin(AdminOnlyMixin):
    """Partnership admins only: everyone else gets 403, whatever the URL."""

    admin_of_any_partnership = True
    admin_only_message = "Only partnership admins can import plans."


FIRST_ROWS = 10


def first_rows(parsed) -> list[dict]:
    """The first milestones as they will land: where from, under what, led by whom, when."""
    rows = []
    for priority in parsed.priorities:
        for outcome in priority.outcomes:
            for action in outcome.actions:
                for milestone in action.milestones:
                    rows.append(
                        {
                            "where": f"{milestone.sheet}, row {milestone.row}",
                            "priority": priority.title,
                            "outcome": " ".join(
                                p for p in (outcome.number, outcome.statement) if p
                            ),
                            "action": " ".join(p for p in (action.number, action.text) if p),
                            "milestone": milestone.text,
                            "lead": milestone.lead_text,
                            "due": milestone.due.text,
                            "due_date": milestone.due.day,
                            "status": RAG(milestone.status).label,
                            "commentary": milestone.commentary,
                        }
                    )
                    if len(rows) >= FIRST_ROWS:
                        return rows
    return rows


class ImportStartView(ImportAdminMixin, FormView):
    template_name = "imports/import_start.html"
    form_class = ImportUploadForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {"plan": self.request.GET.get("plan")}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = upload.read()
        parsed = plan_file_read(data=data, filename=upload.name)
        if parsed.refused:
            form.add_error("file", parsed.refused)
            return self.form_invalid(form)
        plan = form.cleaned_data["plan"]
        token = upload_keep(
            session=self.request.session,
            user=self.request.user,
            plan=plan,
            filename=upload.name,
            data=data,
            sheets=[sheet.name for sheet in parsed.sheets],
            mapping=mapping_remembered(plan=plan, parsed=parsed),
        )
        return redirect("imports:import_preview", token=token)


class ImportPreviewView(ImportAdminMixin, TemplateView):
    """The dry run: what will be created, what each column was read as, and every finding."""

    template_name = "imports/import_preview.html"

    def setup_upload(self, token):
        try:
            self.upload = upload_get(session=self.request.session, token=token)
        except UploadGone as gone:
            raise Http404(str(gone)) from gone
        self.entry, self.token, self.data = self.upload.entry, token, self.upload.data
        self.plan = get_object_or_404(
            Plan.objects.select_related("partnership"),
            pk=self.entry["plan"],
            partnership_id__in=partnership_ids_for(self.request.user),
        )
        if not is_partnership_admin(self.request.user, self.plan.partnership_id):
            raise PermissionDenied("Only the partnership's admins can import into this plan.")
        if self.plan.archived_at is not None:
            raise PermissionDenied("This plan is archived, so nothing can be imported into it.")

    def dry_run(self, *, mapping, sheets):
        return plan_import(
            plan=self.plan,
            data=self.data,
            filename=self.entry["filename"],
            mapping=mapping,
            sheets=sheets,
            dry_run=True,
        )

    def check_form(self, result, data=None):
        return ImportCheckForm(
            data,
            columns=result.parsed.columns,
            sheet_names=self.entry["sheets"],
            uncertain=result.parsed.mapping_uncertain,
            initial={"sheets": self.entry["chosen"] or self.entry["sheets"]},
        )

    def get(self, request, token):
        self.setup_upload(token)
        result = self.dry_run(mapping=self.entry["mapping"], sheets=self.entry["chosen"])
        return self.render_to_response(self.context(result, self.check_form(result)))

    def post(self, request, token):
        self.setup_upload(token)
        # Reading is enough to bind the form; the dry run is only needed to show a page.
        parsed = plan_file_read(
            data=self.data,
            filename=self.entry["filename"],
            mapping=self.entry["mapping"],
            sheets=self.entry["chosen"],
            fallback_title=self.plan.title,  # as plan_import reads it, so it is read once
        )
        form = ImportCheckForm(
            request.POST,
            columns=parsed.columns,
            sheet_names=self.entry["sheets"],
            uncertain=parsed.mapping_uncertain,
        )
        sheets = form.chosen_sheets()
        all_sheets = not sheets or set(sheets) == set(self.entry["sheets"])
        unchanged = upload_choose(
            session=request.session,
            upload=self.upload,
            mapping=form.mapping(self.entry["mapping"]),
            chosen=None if all_sheets else sheets,
        )
        if request.POST.get("action") != "import":
            return redirect("imports:import_preview", token=token)
        if not unchanged:
            # The admin changed a column or a sheet: they must see that preview first.
            messages.info(request, "The preview has been updated. Check it, then import.")
            return redirect("imports:import_preview", token=token)
        if not form.is_valid() or parsed.refused:
            result = self.dry_run(mapping=self.entry["mapping"], sheets=self.entry["chosen"])
            return self.render_to_response(self.context(result, form))
        imported = plan_import(
            plan=self.plan,
            data=self.data,
            filename=self.entry["filename"],
            mapping=self.entry["mapping"],
            sheets=self.entry["chosen"],
            parsed=parsed,  # read above with this mapping and these sheets: once per request
            user=request.user,
        )
        if not imported.ok:
            return self.render_to_response(self.context(imported, form))
        mapping_remember(plan=self.plan, parsed=imported.parsed, user=request.user)
        upload_finish(session=request.session, upload=self.upload)
        created = imported.created
        messages.success(
            request,
            f"Imported {self.entry['filename']}: {plural(created['outcomes'], 'outcome')}, "
            f"{plural(created['actions'], 'action')} and "
            f"{plural(created['milestones'], 'milestone')} added"
            + ("." if any(created.values()) else " — nothing new; the plan already had it all."),
        )
        return redirect(self.plan.get_absolute_url())

    def context(self, result, form):
        skipped = [r for r in result.parsed.reports if r.outcome != "plan"]
        return self.get_context_data(
            plan=self.plan,
            token=self.token,
            filename=self.entry["filename"],
            result=result,
            form=form,
            field_labels=FIELDS,
            skipped=skipped,
            findings=result.findings[:500],
            findings_hidden=max(len(result.findings) - 500, 0),
            counts=[
                (label, result.created.get(key, 0), result.matched.get(key, 0))
                for key, label in (
                    ("priorities", "Priorities"),
                    ("outcomes", "Outcomes"),
                    ("actions", "Actions"),
                    ("milestones", "Milestones"),
                    ("updates", "Progress updates"),
                    ("people", "Leads (people)"),
                    ("organisations", "Organisations"),
                )
            ],
            tree=result.parsed.priorities,
            first_rows=first_rows(result.parsed),
            changes=result.changes[:500],
        )
