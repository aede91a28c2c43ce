"""The two-factor pages: give a code at sign-in, set up an authenticator app, recovery codes."""

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login

from mfa import services
from mfa.forms import CodeForm
from plans.access import has_admin_powers

RECOVERY_CODES_SESSION_KEY = "mfa_recovery_codes"


def _next_url(request) -> str:
    """Where to go after the code: the page first asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _recovery_codes_url(request) -> str:
    return reverse("mfa:recovery_codes") + "?" + urlencode({"next": _next_url(request)})


def _wait_error(check: services.CodeCheck) -> str:
    seconds = check.wait_seconds
    when = f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds >= 120:
        when = f"{(seconds + 59) // 60} minutes"
    return f"You have entered a wrong code too many times. Wait {when}, then try again"


def _signed_in_with(request, device):
    """Mark this session verified by ``device``, with a new session key (a raised privilege)."""
    request.session.cycle_key()
    otp_login(request, device)


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code of ``text`` as a data: URI (the CSP allows data: images, not inline SVG
    styles)."""
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=4
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@method_decorator(never_cache, name="dispatch")
class VerifyView(FormView):
    """After the password or sign-in link: a code from the app, or a recovery code."""

    template_name = "mfa/verify.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_verified() or not has_admin_powers(user):
            return redirect(_next_url(request))
        if not services.user_has_confirmed_app(user):
            return redirect(reverse("mfa:set_up") + request.get_full_path()[len(request.path) :])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "label": "Code",
            "hint": "The 6-digit code your authenticator app shows now, or one of your "
            "recovery codes.",
        }

    def form_valid(self, form):
        check = services.mfa_code_check(user=self.request.user, code=form.cleaned_data["code"])
        if check.device is None:
            form.add_error(
                "code",
                _wait_error(check)
                if check.wait_until
                else "The code is not right. Enter the code your authenticator app shows now, "
                "or a recovery code you have not used",
            )
            return self.form_invalid(form)
        _signed_in_with(self.request, check.device)
        if check.device.persistent_id.startswith("otp_static"):
            left = services.recovery_codes_left(user=self.request.user)
            self.request.session["mfa_recovery_codes_left"] = left
            return redirect(_recovery_codes_url(self.request))
        return redirect(_next_url(self.request))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": _next_url(self.request)}


@method_decorator(never_cache, name="dispatch")
class SetUpView(FormView):
    """Set up an authenticator app: the QR code, the secret as text, then one code from it."""

    template_name = "mfa/set_up.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not has_admin_powers(user):
            return redirect(_next_url(request))
        if services.user_has_confirmed_app(user):
            # Never a second app without the first one's code: that would bypass it.
            target = "mfa:verify" if not user.is_verified() else None
            return redirect(reverse(target) if target else _next_url(request))
        self.device = services.mfa_enrolment_start(user=user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "label": "Code from the app",
            "hint": "The 6 digits it shows for this service, for example 123456.",
        }

    def form_valid(self, form):
        check, codes = services.mfa_enrolment_confirm(
            user=self.request.user, device_id=self.device.pk, code=form.cleaned_data["code"]
        )
        if check.device is None:
            form.add_error(
                "code",
                _wait_error(check)
                if check.wait_until
                else "The code is not right. Enter the 6 digits your authenticator app shows "
                "now for this service",
            )
            return self.form_invalid(form)
        _signed_in_with(self.request, check.device)
        self.request.session[RECOVERY_CODES_SESSION_KEY] = codes
        return redirect(_recovery_codes_url(self.request))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "qr_code": qr_code_data_uri(self.device.config_url),
            "secret": services.totp_secret_display(self.device),
            "issuer": settings.OTP_TOTP_ISSUER,
            "next": _next_url(self.request),
        }


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(TemplateView):
    """The recovery codes, shown once straight after set-up; or how many are left after one
    was used."""

    template_name = "mfa/recovery_codes.html"

    def dispatch(self, request, *args, **kwargs):
        if not has_admin_powers(request.user):
            return redirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        session = self.request.session
        codes = session.pop(RECOVERY_CODES_SESSION_KEY, None)
        return {
            **super().get_context_data(**kwargs),
            "codes": [services.recovery_code_display(c) for c in codes] if codes else None,
            "codes_left": session.pop("mfa_recovery_codes_left", None),
            "next": _next_url(self.request),
        }

    def post(self, request, *args, **kwargs):
        """New codes for a verified admin (after using some); the old ones stop working."""
        if not request.user.is_verified():
            return redirect(_next_url(request))
        request.session[RECOVERY_CODES_SESSION_KEY] = services.recovery_codes_renew(
            user=request.user
        )
        return redirect(_recovery_codes_url(request))
