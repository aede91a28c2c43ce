"""Partnership admins' pages for the plan's structure (the writes are in plans/structure.py).

Every page finds its item among the user's partnerships' items (another partnership's ids
are not found: 404) and then refuses members who are not its admins (403). Admins have
given their second factor by then (mfa.middleware).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, TemplateView

from plans import structure
from plans.access import AdminOnlyMixin, is_partnership_admin, partnership_ids_for
from plans.models import Action, Outcome, Plan, Priority
from plans.structure import CHILD_KIND, KINDS, PLAN_PATH, StructureConflict
from plans.structure_forms import (
    RenumberForm,
    VersionForm,
    WithdrawForm,
    item_form_class,
    parent_kind_of,
    plan_items,
)

_JOINS = {
    "priority": ["plan__partnership"],
    "outcome": ["priority__plan__partnership"],
    "action": ["outcome__priority__plan__partnership"],
    "milestone": ["action__outcome__priority__plan__partnership", "lead"],
}
NOUNS = {
    "plan": "plan",
    "priority": "priority",
    "outcome": "outcome",
    "action": "action",
    "milestone": "milestone",
}


def scoped_item(*, user, kind: str, pk: int):
    """The item of ``kind`` among the user's partnerships' items, or 404."""
    if kind == "plan":
        return get_object_or_404(
            Plan.objects.filter(partnership_id__in=partnership_ids_for(user)).select_related(
                "partnership"
            ),
            pk=pk,
        )
    model = structure.model_for(kind)
    return get_object_or_404(
        model.objects.filter(
            **{f"{PLAN_PATH[kind]}__partnership_id__in": partnership_ids_for(user)}
        ).select_related(*_JOINS[kind], "withdrawn_by"),
        pk=pk,
    )


def item_url(item) -> str:
    if isinstance(item, Priority):
        return item.get_absolute_url()
    return item.get_absolute_url()


class StructureMixin(AdminOnlyMixin):
    admin_only_message = "Only partnership admins can change the plan's structure."

    def dispatch(self, request, *args, **kwargs):
        self.kind = kwargs["kind"]
        if self.kind not in KINDS and not (self.kind == "plan" and self.allows_plan):
            raise Http404("No such kind of item.")
        self.item = scoped_item(user=request.user, kind=self.kind, pk=kwargs["pk"])
        self.plan = structure.plan_of(self.item)
        self.require_admin(self.plan.partnership_id)
        return super().dispatch(request, *args, **kwargs)

    allows_plan = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(item=self.item, kind=self.kind, noun=NOUNS[self.kind], plan=self.plan)
        return context

    def conflict(self, error: StructureConflict):
        messages.error(
            self.request,
            "Someone else changed this item while you were looking at it. Nothing was saved: "
            "here it is as it is now.",
        )
        return redirect(self.request.path)


class ItemEditView(StructureMixin, TemplateView):
    """Reword, re-lead or move an item; a stale version is refused, nothing overwritten."""

    template_name = "plans/structure_form.html"

    def get_form(self):
        form_class = item_form_class(self.kind)
        data = self.request.POST if self.request.method == "POST" else None
        form = form_class(
            data,
            instance=type(self.item).objects.get(pk=self.item.pk),
            kind=self.kind,
            plan=self.plan,
            with_parent=True,
        )
        form.initial["version"] = self.item.version
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update(
            heading=f"Edit {self.kind} {self.item.number}".strip(), button="Save changes"
        )
        return context

    def post(self, request, *args, **kwargs):
        parent = None
        if self.kind != "priority":
            parent_kind = parent_kind_of(self.kind)
            raw = request.POST.get("parent", "")
            if raw:
                # Another plan's item is not found here, whatever its id.
                if not raw.isdigit():
                    raise Http404("No such item in this plan.")
                parent = get_object_or_404(plan_items(parent_kind, self.plan), pk=int(raw))
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            version = form.cleaned_data.get("version")
            if version is None:
                raise ValidationError("The page was out of date. Try again.")
            saved = structure.item_edit(
                item=self.item,
                user=request.user,
                version=version,
                fields=form.item_fields(),
                parent=parent,
            )
        except StructureConflict as error:
            return self.conflict(error)
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"{self.kind.title()} {saved.number} saved.".replace("  ", " "))
        return redirect(saved.get_absolute_url())


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ItemAddView(StructureMixin, TemplateView):
    """Add a priority to a plan, an outcome to a priority, and so on; last in the order."""

    template_name = "plans/structure_form.html"
    allows_plan = True

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in CHILD_KIND:
            raise Http404("Nothing can be added there.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def child_kind(self):
        return CHILD_KIND[self.kind]

    def get_form(self):
        form_class = item_form_class(self.child_kind)
        data = self.request.POST if self.request.method == "POST" else None
        form = form_class(data, kind=self.child_kind, plan=self.plan, with_parent=False)
        form.initial.setdefault("number", structure.next_number(self.item))
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update(
            heading=f"Add a {self.child_kind}", button=f"Add {self.child_kind}", adding=True
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.kind != "plan" and self.item.withdrawn_at is not None:
            raise Http404("Nothing can be added under a withdrawn item.")
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            item = structure.item_create(
                parent=self.item, user=request.user, fields=form.item_fields()
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"{self.child_kind.title()} {item.number} added.")
        return redirect(item.get_absolute_url())


class ItemWithdrawView(StructureMixin, TemplateView):
    template_name = "plans/structure_withdraw.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", WithdrawForm(initial={"version": self.item.version}))
        context["delete_blockers"] = structure.delete_blockers(self.item)
        return context

    def post(self, request, *args, **kwargs):
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            structure.item_withdraw(
                item=self.item,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except StructureConflict as error:
            return self.conflict(error)
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            f"{self.kind.title()} {self.item.number} withdrawn. It has left the plan's pages, "
            "counts, packs and reminders; you can reinstate it from this page.",
        )
        return redirect(self.item.get_absolute_url())


class ItemReinstateView(StructureMixin, TemplateView):
    template_name = "plans/structure_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=VersionForm(initial={"version": self.item.version}),
            heading=f"Reinstate {self.kind} {self.item.number}?",
            explanation="It comes back into the plan's pages, counts, packs and reminders, "
            "with everything under it as it was.",
            button=f"Reinstate {self.kind}",
            warning=False,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = VersionForm(request.POST)
        if not form.is_valid():
            return redirect(request.path)
        try:
            structure.item_reinstate(
                item=self.item, user=request.user, version=form.cleaned_data["version"]
            )
        except StructureConflict as error:
            return self.conflict(error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.kind.title()} {self.item.number} reinstated.")
        return redirect(self.item.get_absolute_url())


class ItemDeleteView(StructureMixin, TemplateView):
    """Delete an item with nothing recorded on it; anything else is withdrawn instead."""

    template_name = "plans/structure_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        blockers = structure.delete_blockers(self.item)
        context.update(
            form=VersionForm(initial={"version": self.item.version}),
            blockers=blockers,
            heading=f"Delete {self.kind} {self.item.number}?",
            explanation="Nothing has been recorded on it, so it can be deleted for good. "
            "The audit trail keeps a line saying you deleted it.",
            button=f"Delete {self.kind}",
            warning=True,
        )
        return context

    def post(self, request, *args, **kwargs):
        parent = structure.parent_of(self.item)
        try:
            structure.item_delete(item=self.item, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.item.get_absolute_url())
        messages.success(request, f"{self.kind.title()} {self.item.number} deleted.")
        return redirect(parent.get_absolute_url())


class ItemMoveView(StructureMixin, TemplateView):
    """POST only: swap an item with its neighbour (Move up / Move down buttons)."""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        direction = request.POST.get("direction", "")
        try:
            moved = structure.item_move(item=self.item, user=request.user, direction=direction)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            moved = False
        if moved:
            mine, other = moved
            numbers = (
                f" It is now numbered {mine.number}, and the one it swapped places with "
                f"{other.number or 'has no number'}."
                if mine.number
                else ""
            )
            messages.success(request, f"Moved {direction}.{numbers}")
        elif moved is None:
            messages.info(request, f"It is already {'first' if direction == 'up' else 'last'}.")
        parent = structure.parent_of(self.item)
        url = request.POST.get("next", "")
        if url not in (parent.get_absolute_url(), structure_url(self.plan)):
            url = parent.get_absolute_url()
        return redirect(f"{url}#item-{self.kind}-{self.item.pk}")


def structure_url(plan) -> str:
    from django.urls import reverse

    return reverse("plans:plan_structure", kwargs={"pk": plan.pk})


class RenumberView(StructureMixin, TemplateView):
    """Renumber one parent's children on request: choose a style, preview, confirm."""

    template_name = "plans/structure_renumber.html"
    allows_plan = True

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in CHILD_KIND:
            raise Http404("Nothing to renumber there.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or RenumberForm(self.request.GET or None)
        rows = None
        if form.is_bound and form.is_valid():
            rows = structure.renumber_preview(parent=self.item, style=form.cleaned_data["style"])
        context.update(form=form, rows=rows, child_kind=CHILD_KIND[self.kind])
        return context

    def post(self, request, *args, **kwargs):
        form = RenumberForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        changed = structure.renumber(
            parent=self.item, user=request.user, style=form.cleaned_data["style"]
        )
        messages.success(request, f"{changed} number{'s' if changed != 1 else ''} changed.")
        return redirect(
            self.item.get_absolute_url() if self.kind != "plan" else structure_url(self.plan)
        )


class PlanStructureView(AdminOnlyMixin, DetailView):
    """The plan's priorities, outcomes and actions with links to change them, and its
    withdrawn items (to reinstate). A fixed number of queries whatever the plan's size."""

    template_name = "plans/plan_structure.html"
    context_object_name = "plan"
    admin_only_message = "Only partnership admins can change the plan's structure."

    def get_queryset(self):
        actions = Action.objects.order_by(*Action._meta.ordering)
        outcomes = Outcome.objects.prefetch_related(Prefetch("actions", queryset=actions))
        return (
            Plan.objects.filter(partnership_id__in=partnership_ids_for(self.request.user))
            .select_related("partnership")
            .prefetch_related(
                Prefetch(
                    "priorities",
                    queryset=Priority.objects.prefetch_related(
                        Prefetch("outcomes", queryset=outcomes)
                    ),
                )
            )
        )

    def get_object(self, queryset=None):
        plan = super().get_object(queryset)
        self.require_admin(plan.partnership_id)
        return plan

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        withdrawn = []
        for kind in ("priority", "outcome", "action", "milestone"):
            model = KINDS[kind]
            withdrawn += list(
                model.objects.filter(**{PLAN_PATH[kind]: plan}, withdrawn_at__isnull=False)
                .select_related("withdrawn_by")
                .order_by("-withdrawn_at")
            )
        withdrawn.sort(key=lambda item: item.withdrawn_at, reverse=True)
        context["withdrawn_items"] = [(structure.kind_of(i), i) for i in withdrawn]
        return context


class PriorityDetailView(DetailView):
    """One priority of a plan: its outcomes; for admins, the links to change them."""

    template_name = "plans/priority_detail.html"
    context_object_name = "priority"

    def get_queryset(self):
        return (
            Priority.objects.filter(plan__partnership_id__in=partnership_ids_for(self.request.user))
            .select_related("plan__partnership", "withdrawn_by")
            .prefetch_related(
                Prefetch(
                    "outcomes",
                    queryset=Outcome.objects.not_withdrawn().order_by(*Outcome._meta.ordering),
                )
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        admin = is_partnership_admin(self.request.user, self.object.plan.partnership_id)
        context.update(
            is_partnership_admin=admin,
            may_delete=admin and not structure.delete_blockers(self.object),
        )
        return context
