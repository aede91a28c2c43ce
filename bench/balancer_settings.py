"""Settings for the app servers of the load test through the balancer (bench/balancer.py).

Those of the two-server test (tests/infra/server_settings.py), with Django's own password
hashers: a lead's sign-in costs what it costs in production, and the accounts that
``generate_demo`` writes (hashed with the default hasher) can sign in.
"""

from django.conf import global_settings

from tests.infra.server_settings import *  # noqa: F403

PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
