"""Who can sign in to a partnership: its members and their roles, invitations, and accepting one.

The rules are in plans.people; these views only turn them into pages.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import FormView, TemplateView

from plans import people as people_services
from plans.access import partnership_ids_for
from plans.models import Invitation, Membership, Person
from plans.people_forms import InvitationAcceptForm, InvitationForm, MembershipRoleForm
from plans.views.people import (
    PartnershipAdminMixin,
    ScopedObjectMixin,
    ServiceFormView,
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


# --- Members ----------------------------------------------------------------------------------


class MemberListView(PartnershipAdminMixin, TemplateView):
    """Everyone who can sign in to the partnership, with their role and the person they are."""

    template_name = "plans/member_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = Person.objects.filter(partnership=self.partnership, removed_at__isnull=True)
        members = list(
            Membership.objects.filter(partnership=self.partnership)
            .select_related("user")
            .prefetch_related(Prefetch("user__people", queryset=people, to_attr="here"))
            .order_by("role", "user__last_name", "user__first_name", "user__username", "pk")
        )
        context["members"] = members
        context["admin_count"] = sum(1 for m in members if m.role == Membership.Role.ADMIN)
        return context


class MembershipObjectMixin(ScopedObjectMixin):
    def scoped_queryset(self):
        return Membership.objects.filter(
            partnership_id__in=partnership_ids_for(self.request.user)
        ).select_related("user", "partnership")

    def get_context_data(self, **kwargs):
        membership = self.object
        return super().get_context_data(
            membership=membership,
            member_name=membership.user.get_full_name() or membership.user.get_username(),
            is_self=membership.user_id == self.request.user.pk,
            **kwargs,
        )


class MemberRoleView(MembershipObjectMixin, ServiceFormView):
    template_name = "plans/member_role.html"
    form_class = MembershipRoleForm

    def get_initial(self):
        return {"role": self.object.role}

    def perform(self, form):
        membership = people_services.membership_role_change(
            membership=self.object, role=form.cleaned_data["role"], user=self.request.user
        )
        name = membership.user.get_full_name() or membership.user.get_username()
        messages.success(self.request, f"{name} is now a {membership.get_role_display().lower()}.")
        if membership.user_id == self.request.user.pk and membership.role != "admin":
            return redirect("plans:plan_list")  # no longer an admin here: the page would be 403
        return redirect("plans:members", self.partnership.pk)


class MemberEndView(MembershipObjectMixin, TemplateView):
    template_name = "plans/member_end.html"

    def post(self, request, *args, **kwargs):
        membership = self.object
        name = membership.user.get_full_name() or membership.user.get_username()
        try:
            people_services.membership_end(membership=membership, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("plans:members", self.partnership.pk)
        messages.success(request, f"{name} can no longer sign in to {self.partnership}.")
        if membership.user_id == request.user.pk:
            return redirect("plans:plan_list")
        return redirect("plans:members", self.partnership.pk)


# --- Invitations ------------------------------------------------------------------------------


class InvitationListView(PartnershipAdminMixin, TemplateView):
    template_name = "plans/invitation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitations"] = list(
            Invitation.objects.filter(partnership=self.partnership).select_related(
                "invited_by", "accepted_by", "person"
            )[:200]
        )
        return context


class InvitationCreateView(PartnershipAdminMixin, ServiceFormView):
    template_name = "plans/invitation_form.html"
    form_class = InvitationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership_id": self.partnership.pk}

    def get_initial(self):
        initial = {"role": self.request.GET.get("role", "")}
        wanted = self.request.GET.get("person", "")
        person = (
            Person.objects.filter(
                partnership=self.partnership, removed_at__isnull=True, user__isnull=True
            )
            .filter(pk=int(wanted))
            .first()
            if wanted.isdigit()
            else None
        )
        if person is not None:
            initial.update(person=person.pk, email=person.email, name=person.name)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid_days=settings.INVITATION_VALID_DAYS, **kwargs)

    def perform(self, form):
        invitation = people_services.invitation_create(
            partnership=self.partnership,
            user=self.request.user,
            base_url=_base_url(self.request),
            **form.cleaned_data,
        )
        messages.success(
            self.request,
            f"An invitation has been sent to {invitation.email}. The link works once, within "
            f"{invitation.expires_at:%-d %B %Y}.",
        )
        return redirect("plans:invitations", self.partnership.pk)


class InvitationObjectMixin(ScopedObjectMixin):
    def scoped_queryset(self):
        return Invitation.objects.filter(
            partnership_id__in=partnership_ids_for(self.request.user)
        ).select_related("partnership")


class InvitationCancelView(InvitationObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            invitation = people_services.invitation_cancel(
                invitation=self.object, user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The invitation to {invitation.email} has been cancelled.")
        return redirect("plans:invitations", self.partnership.pk)


class InvitationResendView(InvitationObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            invitation = people_services.invitation_resend(
                invitation=self.object, user=request.user, base_url=_base_url(request)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"A new invitation link has been sent to {invitation.email}.")
        return redirect("plans:invitations", self.partnership.pk)


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(FormView):
    """Where an invitation's link lands. Opening it (GET, as mail scanners do) changes nothing.

    - Nobody has an account with the address, and nobody is signed in: the invitee chooses a
      password, and a new account is made with a role in this partnership only.
    - An account already uses the address: only its owner, signed in as it, accepts (a
      button); anyone else is asked to sign in as that account. No password is set on it.
    - Someone else is signed in: they are told whom the invitation is for; nothing happens.
    """

    template_name = "plans/invitation_accept.html"
    form_class = InvitationAcceptForm

    def dispatch(self, request, *args, **kwargs):
        self.invitation = people_services.invitation_for_token(kwargs["token"])
        if self.invitation is None:
            response = render(request, "plans/invitation_invalid.html", status=403)
            add_never_cache_headers(response)
            return response
        user = request.user
        self.refusal = people_services.invitation_refusal(invitation=self.invitation, user=user)
        self.signed_in = user.is_authenticated
        self.account_exists = (
            not self.signed_in
            and people_services.accounts_with_address(self.invitation.email).exists()
        )
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)  # the page's address holds the token
        return response

    def get_initial(self):
        return {"name": self.invitation.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            invitation=self.invitation,
            refusal=self.refusal,
            signed_in=self.signed_in,
            account_exists=self.account_exists,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.signed_in:
            if self.refusal:
                raise PermissionDenied(self.refusal)
            try:
                membership = people_services.invitation_accept(
                    invitation=self.invitation, user=request.user
                )
            except ValidationError:
                return render(request, "plans/invitation_invalid.html", status=403)
            messages.success(
                request,
                f"You are a {membership.get_role_display().lower()} of {membership.partnership}.",
            )
            return redirect("plans:plan_list")
        if self.account_exists:
            raise PermissionDenied("Sign in as the account with this address to accept.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            account = people_services.invitation_accept_new_account(
                invitation=self.invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("password1", message)
            return self.form_invalid(form)
        # The password backend the sign-in page uses (an unlisted backend signs them out again).
        login(self.request, account, backend="security.authentication.UsernameOrEmailBackend")
        messages.success(
            self.request,
            f"Your account has been set up: you are a "
            f"{self.invitation.get_role_display().lower()} of {self.invitation.partnership}. "
            f"Your username is {account.get_username()}.",
        )
        return redirect("plans:plan_list")
