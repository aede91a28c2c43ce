"""Bulk inserts with their history rows, the history copied by the database.

``simple_history.utils.bulk_create_with_history`` builds a second model object per row (the
historical record) and sends every value twice. Here the rows are inserted once with
Django's ``bulk_create`` and their history rows are copied from them by the database, one
``INSERT … SELECT`` per model: the same records that library writes (type "+", with the
history user, change reason and date it is given), read back by the audit trail as before.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model


def bulk_create_with_history(
    objs: list, model, *, default_user=None, default_change_reason=None, default_date=None
) -> list:
    """Insert ``objs`` (one statement per Django batch) and one history row for each, with
    the keywords of ``simple_history.utils.bulk_create_with_history``: the user, change reason
    and date every history row gets (the importer's one entry per import, plans.audit)."""
    if not objs:
        return objs
    with transaction.atomic(savepoint=False):
        created = model._default_manager.bulk_create(objs)
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            _copy_history(
                created,
                model,
                user=default_user,
                reason=default_change_reason,
                when=default_date,
            )
    return created


def _copy_history(objs: list, model, *, user=None, reason=None, when=None) -> None:
    history = get_history_manager_for_model(model).model
    if user is None:
        # As the library does: the signed-in user of the request, if the middleware knows it.
        user = history.get_default_history_user(objs[0])
    quote = connection.ops.quote_name
    targets, sources = [], []
    for field in history.tracked_fields:
        targets.append(quote(history._meta.get_field(field.name).column))
        sources.append(quote(field.column))
    targets += [quote(name) for name in ("history_date", "history_change_reason", "history_type")]
    targets.append(quote(history._meta.get_field("history_user").column))
    select = ", ".join(sources) + ", %s, %s, '+', %s"
    # Only table and column names from the models are formatted in, quoted; values are bound.
    table, columns = quote(history._meta.db_table), ", ".join(targets)
    source = quote(model._meta.db_table)
    head = f"INSERT INTO {table} ({columns}) SELECT {select} FROM {source} "  # noqa: S608 # nosec B608
    pk = quote(model._meta.pk.column)
    values = [
        connection.ops.adapt_datetimefield_value(when or timezone.now()),
        reason,
        getattr(user, "pk", None),
    ]
    ids = [obj.pk for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL takes all the ids as one array parameter.
            cursor.execute(f"{head}WHERE {pk} = ANY(%s) ORDER BY {pk}", [*values, ids])
            return
        # SQLite binds each id apart: as many a statement as Django lets it bind.
        step = (connection.features.max_query_params or len(ids) + 2) - len(values)
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{head}WHERE {pk} IN ({marks}) ORDER BY {pk}", [*values, *chunk])
