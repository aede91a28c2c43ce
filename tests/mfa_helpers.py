"""Two-factor helpers for tests: a verified session, and codes as an authenticator app makes."""

import time

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def mfa_verify_session(client, user) -> TOTPDevice:
    """Record in ``client``'s session that ``user`` gave a code (making them an app if needed)."""
    if not isinstance(user, get_user_model()):
        user = get_user_model()._default_manager.get(pk=user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code ``device``'s app shows now (or ``steps_ahead`` 30-second steps later: the
    device accepts one step either side, and never the same step twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def totp_code_from_key(base32_key: str) -> str:
    """The code an app set up by typing ``base32_key`` (as the set-up page shows it) makes."""
    from base64 import b32decode

    key = "".join(base32_key.split()).upper()
    key += "=" * (-len(key) % 8)
    totp = TOTP(b32decode(key))
    totp.time = time.time()
    return f"{totp.token():06d}"
