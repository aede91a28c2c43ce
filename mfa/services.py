"""Two-factor sign-in: setting up an authenticator app, checking codes, recovery codes, reset.

Built on django-otp's devices: a ``TOTPDevice`` (the authenticator app) and a ``StaticDevice``
holding one-use recovery codes. Both are throttled by django-otp: each wrong code doubles the
wait before the next one is checked (OTP_*_THROTTLE_FACTOR).
"""

import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.events import security_event

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# 16 base32 characters (80 random bits), the most django-otp's StaticToken column holds.
RECOVERY_CODE_LENGTH = 16


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or why none did."""

    device: TOTPDevice | StaticDevice | None = None
    wait_until: datetime | None = None

    @property
    def wait_seconds(self) -> int:
        if self.wait_until is None:
            return 0
        return max(1, int((self.wait_until - timezone.now()).total_seconds() + 0.999))


def code_normalise(code: str) -> str:
    """What people type, as stored: no spaces or hyphens, lower case."""
    return "".join(ch for ch in code if not ch.isspace() and ch != "-").lower()


def recovery_code_display(code: str) -> str:
    """``abcdefghijklmnop`` → ``abcd-efgh-ijkl-mnop``, easier to copy by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def totp_secret_display(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def user_has_confirmed_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_enrolment_start(*, user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up for ``user`` (made on first visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def _throttled(device) -> datetime | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    return (data or {}).get("locked_until") or timezone.now()


@transaction.atomic
def mfa_enrolment_confirm(*, user, device_id: int, code: str) -> tuple[CodeCheck, list[str]]:
    """Confirm the app being set up with a code it shows; on success make recovery codes.

    Returns the check and, when it passed, the new recovery codes (shown once, never again).
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, pk=device_id, confirmed=False)
        .first()
    )
    if device is None:
        return CodeCheck(), []
    wait_until = _throttled(device)
    if wait_until:
        return CodeCheck(wait_until=wait_until), []
    if not device.verify_token(code_normalise(code)):
        security_event("mfa_code_refused", user_id=user.pk, step="set_up")
        return CodeCheck(), []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only one app per person: an abandoned set-up elsewhere is dropped.
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = recovery_codes_replace(user=user)
    security_event("mfa_set_up", user_id=user.pk)
    return CodeCheck(device=device), codes


@transaction.atomic
def recovery_codes_replace(*, user) -> list[str]:
    """Give ``user`` a fresh set of MFA_RECOVERY_CODES one-use codes; older ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [
        b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:RECOVERY_CODE_LENGTH]
        for _ in range(settings.MFA_RECOVERY_CODES)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    """A verified admin asks for new recovery codes (the old ones stop working); logged."""
    codes = recovery_codes_replace(user=user)
    security_event("mfa_recovery_codes_replaced", user_id=user.pk)
    return codes


@transaction.atomic
def mfa_code_check(*, user, code: str) -> CodeCheck:
    """Check a code from the person's authenticator app, or one of their recovery codes.

    Six digits go to the app, anything else to the recovery codes (a used one is deleted).
    While either device is waiting after wrong codes, neither is tried, so alternating between
    them gains nothing.
    """
    code = code_normalise(code)
    app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    waits = [w for w in (_throttled(d) for d in (app, recovery) if d is not None) if w]
    if waits:
        return CodeCheck(wait_until=max(waits))
    device = app if code.isdigit() and len(code) == 6 else recovery
    if device is None or not device.verify_token(code):
        security_event("mfa_code_refused", user_id=user.pk, step="sign_in")
        return CodeCheck()
    kind = "app" if device is app else "recovery_code"
    security_event("mfa_verified", user_id=user.pk, method=kind)
    return CodeCheck(device=device)


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def mfa_reset(*, user, by: str = "operator") -> int:
    """Remove every two-factor device of ``user``: they set up a new app at next sign-in.

    Sessions already verified with a removed device stop being verified at their next request.
    Returns how many devices were removed.
    """
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    security_event("mfa_reset", user_id=user.pk, devices_removed=removed, by=by)
    return removed
