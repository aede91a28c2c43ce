"""Evidence pages: attach a file to an update, download one, remove one."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from evidence import selectors, services
from evidence.filetypes import size_display
from evidence.forms import AttachmentForm
from evidence.models import Attachment
from plans.access import may_update_milestone, partnership_ids_for
from plans.models import MilestoneUpdate


def _scoped_update(*, user, pk: int) -> MilestoneUpdate:
    return get_object_or_404(
        MilestoneUpdate.objects.filter(
            milestone__action__outcome__priority__plan__partnership_id__in=partnership_ids_for(user)
        )
        .select_related(
            "milestone__lead", "milestone__action__outcome__priority__plan__partnership"
        )
        .prefetch_related("milestone__action__leads"),
        pk=pk,
    )


class AttachmentAddView(FormView):
    """Attach a file to one update: the milestone's leads, delegates and partnership admins."""

    template_name = "evidence/attachment_add.html"
    form_class = AttachmentForm

    def dispatch(self, request, *args, **kwargs):
        self.update = _scoped_update(user=request.user, pk=kwargs["pk"])
        if not may_update_milestone(user=request.user, milestone=self.update.milestone):
            raise PermissionDenied(
                "Only the milestone's lead, the action's leads, their delegates and "
                "partnership admins can attach evidence to its updates."
            )
        self.refusal = services.evidence_change_refusal(update=self.update)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            attachment = services.attachment_add(
                update=self.update,
                user=self.request.user,
                name=upload.name,
                file=upload,
                size=upload.size,
            )
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"‘{attachment.original_name}’ ({size_display(attachment.size)}) is attached to "
            "the update.",
        )
        return redirect(f"{self.update.milestone.get_absolute_url()}#update-{self.update.pk}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        milestone = self.update.milestone
        context.update(
            update=self.update,
            milestone=milestone,
            plan=milestone.action.outcome.priority.plan,
            refusal=self.refusal,
            attachments=selectors.attachments_by_update(update_ids=[self.update.pk]).get(
                self.update.pk, []
            ),
        )
        return context


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact name as RFC 6266 ``filename*``."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class AttachmentDownloadView(View):
    """The file itself, streamed, to any member of its partnership; others get 404."""

    def get(self, request, pk):
        attachment = selectors.attachment_for_download(user=request.user, pk=pk)
        try:
            stream = services.evidence_storage().open(attachment.stored_name, "rb")
        except (FileNotFoundError, OSError) as error:
            raise Http404 from error
        response = FileResponse(stream, content_type=attachment.content_type)
        response["Content-Length"] = str(attachment.size)
        response["Content-Disposition"] = content_disposition(attachment.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class AttachmentRemoveView(TemplateView):
    """Remove an attached file (who attached it, or an admin): asks first, keeps the record."""

    template_name = "evidence/attachment_remove.html"

    def dispatch(self, request, *args, **kwargs):
        self.attachment: Attachment = selectors.attachment_for_change(
            user=request.user, pk=kwargs["pk"]
        )
        if not services.may_remove(user=request.user, attachment=self.attachment):
            raise PermissionDenied(
                "Only the person who attached the file and partnership admins can remove it."
            )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.attachment_remove(attachment=self.attachment, user=request.user)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(refusal=" ".join(error.messages)))
        messages.success(
            request,
            f"‘{self.attachment.original_name}’ has been removed from the update. The update's "
            "history records that it was attached and who removed it.",
        )
        milestone = self.attachment.update.milestone
        return redirect(f"{milestone.get_absolute_url()}#update-{self.attachment.update_id}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        update = self.attachment.update
        context.setdefault(
            "refusal",
            "This file has already been removed."
            if self.attachment.is_removed
            else services.evidence_change_refusal(update=update),
        )
        context.update(
            attachment=self.attachment,
            update=update,
            milestone=update.milestone,
            plan=update.milestone.action.outcome.priority.plan,
        )
        return context
