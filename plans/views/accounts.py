"""Signing in without a council account: e-mailed one-use links, and admins sending them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.generic import FormView, TemplateView
from sesame import settings as sesame_settings
from sesame.backends import ModelBackend as SesameBackend
from sesame.tokens import parse_token
from sesame.views import LoginView as SesameLoginView

from plans import services, tasks
from plans.access import partnership_ids_for
from plans.forms import SendSignInLinkForm, SignInForm, SignInLinkRequestForm
from plans.limits import email_request_allow
from plans.models import Membership, Person
from security.authentication import own_site_path


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


class SignInView(auth_views.LoginView):
    """Password sign-in by username or e-mail address (plans.forms.SignInForm)."""

    authentication_form = SignInForm


@method_decorator(login_not_required, name="dispatch")
class SignInLinkRequestView(FormView):
    """A lead types their e-mail address and is sent a link; the reply never says if it exists.

    The page the lead was going to (``next``, this site's paths only) travels in the link.
    """

    template_name = "registration/signin_link_request.html"
    form_class = SignInLinkRequestForm

    def get_initial(self):
        return {"next": own_site_path(self.request.GET.get("next"))}

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if email_request_allow(
            request=self.request,
            kind="signin-link",
            email=email,
            per_address=settings.SIGNIN_LINK_LIMIT_PER_ADDRESS,
            per_ip=settings.SIGNIN_LINK_LIMIT_PER_IP,
        ):
            # The worker looks the address up and sends the mail: known and unknown addresses
            # cost the request the same.
            tasks.signin_link_request_send.enqueue(
                email=email,
                base_url=_base_url(self.request),
                next_path=form.cleaned_data["next"],
            )
        # Over the limit, the same reply as ever: a limit must not tell anyone which
        # addresses exist (email_request_allow logs the refusal).
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
    """Sign in from an e-mailed link: opening it (GET or HEAD) shows a page with a "Sign in"
    button, and only that button's POST (with its CSRF token) signs in and spends the link.

    Mail link scanners open every link before the lead does; they no longer use it up. And a
    link an attacker sends cannot sign a victim's browser into the attacker's account unseen.
    An expired or used link explains what to do instead.
    """

    def get(self, request):
        token = request.GET.get(sesame_settings.TOKEN_NAME, "")
        # Checking the token does not spend it: only login() moves last_login on.
        if not token or parse_token(token, SesameBackend().get_user) is None:
            return self.login_failed()
        context = {"token": token, "next": self.get_redirect_url()}
        response = render(request, "registration/signin_link_landing.html", context)
        add_never_cache_headers(response)  # the page holds the token: no cache keeps it
        return response

    def post(self, request):
        token = request.POST.get(sesame_settings.TOKEN_NAME)
        user = authenticate(request, sesame=token) if token else None
        if user is None:
            return self.login_failed()
        login(request, user)
        return self.login_success()

    def login_failed(self):
        return render(self.request, "registration/signin_link_invalid.html", status=403)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited like sign-in links and sent by the worker.

    The reply is the same whatever the address and whether or not a limit was reached.
    """

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if email_request_allow(
            request=self.request,
            kind="password-reset",
            email=email,
            per_address=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            per_ip=settings.PASSWORD_RESET_LIMIT_PER_IP,
        ):
            tasks.password_reset_send.enqueue(
                email=email, domain=self.request.get_host(), use_https=self.request.is_secure()
            )
        return redirect(self.get_success_url())


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

    def get_context_data(self, **kwargs):
        """A lead with no e-mail address cannot be sent a link: say so, and link to adding
        one, rather than show an empty choice."""
        context = super().get_context_data(**kwargs)
        wanted = self.request.GET.get("person", "")
        if wanted.isdigit():
            context["without_email"] = (
                Person.objects.filter(
                    partnership_id__in=self.admin_of, removed_at__isnull=True, email=""
                )
                .filter(pk=int(wanted))
                .first()
            )
        context["anyone_with_email"] = context["form"].fields["person"].queryset.exists()
        return context

    def form_valid(self, form):
        person = form.cleaned_data["person"]
        user = services.lead_signin_link_send(
            person=person, sender=self.request.user, base_url=_base_url(self.request)
        )
        messages.success(self.request, f"A sign-in link has been sent to {person} at {user.email}.")
        return redirect("plans:send_signin_link")
