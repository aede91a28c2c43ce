"""Signing in without a council account: e-mailed one-use links, and admins sending them."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.generic import FormView, TemplateView
from sesame.views import LoginView as SesameLoginView

from config.security import security_event
from plans import services
from plans.access import partnership_ids_for
from plans.forms import SendSignInLinkForm, SignInLinkRequestForm
from plans.models import Membership, Person


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _signin_link_allowed(request, email: str) -> bool:
    """At most a few links an hour per address and per network address, so nobody can use the
    form to flood a lead's inbox or create accounts in bulk. Counts live in Django's cache
    (per process with the default local-memory cache; a shared cache makes them global)."""
    limits = (
        (f"signin-link:email:{email.strip().lower()}", settings.SIGNIN_LINK_LIMIT_PER_ADDRESS),
        (f"signin-link:ip:{get_client_ip_address(request)}", settings.SIGNIN_LINK_LIMIT_PER_IP),
    )
    allowed = True
    for key, limit in limits:
        cache.add(key, 0, timeout=60 * 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=60 * 60)
            count = 1
        allowed = allowed and count <= limit
    return allowed


@method_decorator(login_not_required, name="dispatch")
class SignInLinkRequestView(FormView):
    """A lead types their e-mail address and is sent a link; the reply never says if it exists."""

    template_name = "registration/signin_link_request.html"
    form_class = SignInLinkRequestForm

    def form_valid(self, form):
        if _signin_link_allowed(self.request, form.cleaned_data["email"]):
            services.signin_link_request(
                email=form.cleaned_data["email"], base_url=_base_url(self.request)
            )
        else:
            # The same reply as ever: a limit must not tell anyone which addresses exist.
            security_event("signin_link_throttled", user_id=None)
        self.request.session["signin_link_email"] = form.cleaned_data["email"]
        return redirect("signin_link_sent")


@method_decorator(login_not_required, name="dispatch")
class SignInLinkSentView(TemplateView):
    template_name = "registration/signin_link_sent.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["email"] = self.request.session.get("signin_link_email", "")
        return context


@method_decorator(login_not_required, name="dispatch")
class SignInLinkLoginView(SesameLoginView):
    """Sign in from an e-mailed link; an expired or used link explains what to do instead."""

    def login_failed(self):
        return render(self.request, "registration/signin_link_invalid.html", status=403)


class SendSignInLinkView(FormView):
    """A partnership admin e-mails a lead a sign-in link, creating their account if needed."""

    template_name = "registration/signin_link_send.html"
    form_class = SendSignInLinkForm

    def dispatch(self, request, *args, **kwargs):
        self.admin_of = partnership_ids_for(request.user, roles=(Membership.Role.ADMIN,))
        if not self.admin_of:
            raise PermissionDenied("Only partnership admins can send sign-in links.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["people"] = (
            Person.objects.filter(partnership_id__in=self.admin_of, removed_at__isnull=True)
            .exclude(email="")
            .select_related("organisation", "partnership")
        )
        return kwargs

    def get_initial(self):
        return {"person": self.request.GET.get("person")}

    def form_valid(self, form):
        person = form.cleaned_data["person"]
        user = services.lead_user_ensure(person=person)
        services.signin_link_send(user=user, base_url=_base_url(self.request))
        security_event("signin_link_sent", user_id=self.request.user.pk, person_id=person.pk)
        messages.success(self.request, f"A sign-in link has been sent to {person} at {user.email}.")
        return redirect("plans:send_signin_link")
