"""Bulk inserts with their history rows, the history copied by the database.

``simple_history.utils.bulk_create_with_history`` builds a second model object per row (the
historical record) and sends every value twice. Here the rows are inserted once and their
history rows are copied from them by the database, one ``INSERT … SELECT`` per model: the
same records that library writes (type "+", with the history user, change reason and date it
is given), read back by the audit trail as before.

On PostgreSQL the rows go in one ``INSERT … SELECT FROM UNNEST`` of one array per column, as
Django's own ``bulk_create`` sends them, but without its per-value preparation (a field's
``get_db_prep_save`` for each of the 150,000 values of a 5,000-row plan was a fifth of the
import): the importer's objects hold plain values already (str, int, bool, date, aware
datetime, None), which the driver adapts as they are. Other databases use ``bulk_create``.
"""

import operator

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

# The field types whose Python value is the database's value on PostgreSQL: inserted as they
# are. A model with any other field (JSON, decimal, UUID, arrays) goes through bulk_create.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "EmailField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def bulk_create_with_history(
    objs: list,
    model,
    *,
    default_user=None,
    default_change_reason=None,
    default_date=None,
    history_values: dict | None = None,
) -> list:
    """Insert ``objs`` (model instances, or rows as dicts: see ``bulk_insert``) and one
    history row for each, with the keywords of ``simple_history.utils.bulk_create_with_history``:
    the user, change reason and date every history row gets (the importer's one entry per
    import, plans.audit).

    ``history_values``: columns whose history row records another value than the row's own
    (attname → value): a milestone inserted already pointing at its first update is recorded
    as created without it, as it was before that update was written."""
    if not objs:
        return objs
    with transaction.atomic(savepoint=False):
        created = bulk_insert(objs, model)
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            pk = model._meta.pk.attname
            rows = isinstance(created[0], dict)
            _copy_history(
                [obj[pk] for obj in created] if rows else [obj.pk for obj in created],
                model,
                instance=model() if rows else created[0],
                user=default_user,
                reason=default_change_reason,
                when=default_date,
                overrides=history_values or {},
            )
    return created


def bulk_insert(objs: list, model, *, ignore_conflicts: bool = False) -> list:
    """Insert ``objs`` in one statement on PostgreSQL (``bulk_create`` elsewhere), all with a
    primary key or all without, and give each its primary key.

    ``objs`` are model instances (marked saved, as ``bulk_create`` does), or rows as dicts of
    attname → value, every row with the same keys: a model instance costs 10–20 µs to build,
    a second of a 5,000-row plan's 31,000 items. A field a row leaves out gets its default;
    one whose default is computed (``timezone.now``) must be given. Each row gets its
    primary key under the key's attname ("id")."""
    if not objs:
        return objs
    opts = model._meta
    as_rows = isinstance(objs[0], dict)
    if as_rows:
        keys = objs[0].keys()
        with_pk = opts.pk.attname in keys
        if any(row.keys() != keys for row in objs):
            raise ValueError(f"Every {opts.object_name} row must have the same keys.")
    else:
        with_pk = objs[0].pk is not None
        if any((obj.pk is not None) != with_pk for obj in objs):
            return model._default_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
    fields = [f for f in opts.concrete_fields if with_pk or f is not opts.pk]
    if (
        connection.vendor != "postgresql"
        or opts.parents
        or any(f.get_internal_type() not in PLAIN_TYPES for f in _targets(fields))
    ):
        if not as_rows:
            return model._default_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        instances = [model(**row) for row in objs]
        model._default_manager.bulk_create(instances, ignore_conflicts=ignore_conflicts)
        for row, instance in zip(objs, instances, strict=True):
            row[opts.pk.attname] = instance.pk
        return objs
    columns = _row_columns(objs, fields, model) if as_rows else _object_columns(objs, fields)
    quote = connection.ops.quote_name
    # varchar[], not varchar(30)[]: the array cast must not cut a value the column refuses.
    arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    names = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {quote(opts.db_table)} ({names}) SELECT * FROM UNNEST({arrays})"  # noqa: S608 # nosec B608
    returning = not with_pk and not ignore_conflicts
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    elif returning:
        sql += f" RETURNING {quote(opts.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        ids = [row[0] for row in cursor.fetchall()] if returning else []
    if as_rows:
        for row, pk in zip(objs, ids, strict=False):
            row[opts.pk.attname] = pk
        return objs
    alias = connection.alias
    for index, obj in enumerate(objs):
        if ids:
            obj.pk = ids[index]
        obj._state.adding = False
        obj._state.db = alias
    return objs


def _object_columns(objs: list, fields: list) -> list[list]:
    for obj in objs:
        if obj._state.fields_cache:
            # Built with a related object (a person's new agency, saved since): its key is
            # copied in now, as bulk_create does.
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
    values = operator.attrgetter(*[f.attname for f in fields])
    rows = [values(obj) for obj in objs] if len(fields) > 1 else [(values(o),) for o in objs]
    return [list(column) for column in zip(*rows, strict=True)]


def _row_columns(rows: list[dict], fields: list, model) -> list[list]:
    keys = rows[0].keys()
    unknown = set(keys) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model._meta.object_name} has no column {', '.join(sorted(unknown))}.")
    columns = []
    for f in fields:
        if f.attname in keys:
            columns.append([row[f.attname] for row in rows])
        elif f.has_default() and callable(f.default):
            raise ValueError(f"Give {model._meta.object_name}.{f.attname}: its default varies.")
        else:
            columns.append([f.get_default()] * len(rows))
    return columns


def reserve_ids(model, count: int) -> list[int] | None:
    """``count`` primary keys from the model's sequence, for rows inserted later in this
    transaction (so others can point at them first); None where the database has none."""
    if connection.vendor != "postgresql" or count <= 0:
        return None
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _targets(fields):
    """Each field, or the field a foreign key points at (whose type the column has)."""
    return [f.target_field if f.is_relation else f for f in fields]


def _copy_history(
    ids: list, model, *, instance, user=None, reason=None, when=None, overrides=None
) -> None:
    history = get_history_manager_for_model(model).model
    if user is None:
        # As the library does: the signed-in user of the request, if the middleware knows it.
        user = history.get_default_history_user(instance)
    quote = connection.ops.quote_name
    targets, sources, values = [], [], []
    for field in history.tracked_fields:
        targets.append(quote(history._meta.get_field(field.name).column))
        if field.attname in (overrides or {}):
            sources.append("%s")
            values.append(overrides[field.attname])
        else:
            sources.append(quote(field.column))
    targets += [quote(name) for name in ("history_date", "history_change_reason", "history_type")]
    targets.append(quote(history._meta.get_field("history_user").column))
    select = ", ".join(sources) + ", %s, %s, '+', %s"
    # Only table and column names from the models are formatted in, quoted; values are bound.
    table, columns = quote(history._meta.db_table), ", ".join(targets)
    source = quote(model._meta.db_table)
    head = f"INSERT INTO {table} ({columns}) SELECT {select} FROM {source} "  # noqa: S608 # nosec B608
    pk = quote(model._meta.pk.column)
    values += [
        connection.ops.adapt_datetimefield_value(when or timezone.now()),
        reason,
        getattr(user, "pk", None),
    ]
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
