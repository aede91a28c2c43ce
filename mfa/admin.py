"""Authenticator devices stay out of the Django admin.

django-otp registers its device models there, with each TOTP secret and its QR code. Nobody
else needs to see a person's secret: people set up their own device (mfa.views), and the site
operator removes a lost one with ``manage.py mfa_reset USERNAME``.
"""

import contextlib

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    with contextlib.suppress(NotRegistered):
        admin.site.unregister(model)
