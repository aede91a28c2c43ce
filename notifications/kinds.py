"""What a person can hear of: the four kinds of notification, and how a digest heads each."""

from django.db import models


class Kind(models.TextChoices):
    UPDATE_QUERIED = "update_queried", "Updates queried"
    QUERY_ANSWERED = "query_answered", "Queries answered"
    MILESTONE_RED = "milestone_red", "Milestones gone Red"
    PACK_FINAL = "pack_final", "Board packs final"


UPDATE_QUERIED = Kind.UPDATE_QUERIED.value
QUERY_ANSWERED = Kind.QUERY_ANSWERED.value
MILESTONE_RED = Kind.MILESTONE_RED.value
PACK_FINAL = Kind.PACK_FINAL.value

# The order a digest lists its groups in: what needs the reader's action first.
DIGEST_ORDER = (UPDATE_QUERIED, QUERY_ANSWERED, MILESTONE_RED, PACK_FINAL)
