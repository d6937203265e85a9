"""Build a fixture's rows once per test process, then give every test the same rows again.

The fixed cast (tests/conftest.py) is made through the real services, so every family has a
valid record chain: about a hundred queries, two dozen record entries signed and hashed, for
every one of the suite's thousands of tests. Like Zulip's template database, `frozen` builds it
once — the first time a test asks, inside a savepoint of that test's transaction, with that
test's settings — remembers every row the build added (model rows and the database cache's rate
counters), rolls the savepoint back, and from then on inserts those rows, with their own primary
keys and values, into each test's transaction. The test sees the very rows the services wrote:
same ids, same record chain and seals, same timestamps, same password hashes; only no service
runs again.

Why this is sound:
- Inserting is all it does. The append-only tables refuse UPDATE and DELETE, never INSERT, and
  the test's rollback undoes the inserts as it undid the services' writes.
- Foreign keys are checked at commit (Django creates them DEFERRABLE INITIALLY DEFERRED on both
  SQLite and PostgreSQL), so the order of the inserts does not matter.
- Primary keys stay free for the test's own rows: SQLite's AUTOINCREMENT counter moves past an
  explicit id, and PostgreSQL's sequences, which never roll back, are set past the highest id.
- Emails the build sent are put back in `mail.outbox`, as if the services had just sent them.

What the build returns (a dataclass or a dict) comes back with each model instance in it
replaced by a fresh instance of the inserted row, so a test may change its objects freely.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction

T = TypeVar("T")


@dataclasses.dataclass
class _Snapshot:
    # Per model, the rows the build added: {attname: value}, in the order they were written.
    rows: list[tuple[type[models.Model], list[dict[str, Any]]]]
    # Rows added to tables no model describes (the database cache), as (table, columns, rows).
    raw: list[tuple[str, list[str], list[tuple[Any, ...]]]]
    # Where each model instance in the build's result sits: {path: (model, pk)}.
    result: Any
    outbox: list[Any]


class _Undo(Exception):
    """Raised inside the build's savepoint to roll it back once the rows are copied."""


_snapshots: dict[tuple[str, str], _Snapshot] = {}


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _raw_tables() -> list[str]:
    """Tables outside the models whose rows a build may add: the database cache, where the
    rate limiters count (settings.CACHE_TABLE)."""
    caches = settings.CACHES["default"]
    if caches["BACKEND"].endswith("DatabaseCache"):
        return [caches["LOCATION"]]
    return []


def _raw_rows(table: str) -> tuple[list[str], set[tuple[Any, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a setting
        columns = [c[0] for c in cursor.description]
        return columns, set(cursor.fetchall())


def _state() -> tuple[dict[type[models.Model], set[Any]], dict[str, set[tuple[Any, ...]]]]:
    keys = {m: set(m._base_manager.values_list("pk", flat=True)) for m in _models()}
    raw = {t: _raw_rows(t)[1] for t in _raw_tables()}
    return keys, raw


def _row(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _placeholders(result: Any) -> Any:
    """The build's result with each model instance swapped for (model, pk)."""
    if isinstance(result, models.Model):
        return ("__row__", type(result), result.pk)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return (
            "__dataclass__",
            type(result),
            {f.name: _placeholders(getattr(result, f.name)) for f in dataclasses.fields(result)},
        )
    if isinstance(result, dict):
        return {k: _placeholders(v) for k, v in result.items()}
    if isinstance(result, list | tuple):
        return type(result)(_placeholders(v) for v in result)
    return copy.deepcopy(result)


def _fill(shape: Any, inserted: dict[tuple[type[models.Model], Any], models.Model]) -> Any:
    if isinstance(shape, tuple) and shape and shape[0] == "__row__":
        return inserted[(shape[1], shape[2])]
    if isinstance(shape, tuple) and shape and shape[0] == "__dataclass__":
        return shape[1](**{k: _fill(v, inserted) for k, v in shape[2].items()})
    if isinstance(shape, dict):
        return {k: _fill(v, inserted) for k, v in shape.items()}
    if isinstance(shape, list | tuple):
        return type(shape)(_fill(v, inserted) for v in shape)
    return copy.deepcopy(shape)


def _take(build: Callable[[], Any]) -> _Snapshot:
    """Run `build` in a savepoint, copy what it added, and roll it back."""
    keys_before, raw_before = _state()
    outbox_before = len(getattr(mail, "outbox", []))
    snapshot: _Snapshot | None = None
    try:
        with transaction.atomic():
            result = build()
            rows = []
            for model, before in keys_before.items():
                added = model._base_manager.exclude(pk__in=before) if before else None
                query = added if added is not None else model._base_manager.all()
                found = [_row(obj) for obj in query.order_by("pk")]
                if found:
                    rows.append((model, found))
            raw = []
            for table, old in raw_before.items():
                columns, now = _raw_rows(table)
                if now - old:
                    raw.append((table, columns, sorted(now - old, key=repr)))
            sent = list(getattr(mail, "outbox", []))[outbox_before:]
            snapshot = _Snapshot(rows=rows, raw=raw, result=_placeholders(result), outbox=sent)
            raise _Undo
    except _Undo:
        pass
    assert snapshot is not None
    return snapshot


def _restore(snapshot: _Snapshot) -> Any:
    inserted: dict[tuple[type[models.Model], Any], models.Model] = {}
    for model, rows in snapshot.rows:
        objects = [model(**copy.deepcopy(row)) for row in rows]
        fields = model._meta.concrete_fields
        size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
        for start in range(0, len(objects), size):
            # raw=True, as loaddata inserts: the values as captured, with no pre_save (an
            # auto_now field would otherwise take the time of this test).
            model._base_manager._insert(objects[start : start + size], fields=fields, raw=True)
        for obj in objects:
            obj._state.adding = False
            obj._state.db = connection.alias
            inserted[(model, obj.pk)] = obj
    with connection.cursor() as cursor:
        for table, columns, raw_rows in snapshot.raw:
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})",  # noqa: S608
                raw_rows,
            )
        if connection.vendor == "postgresql":
            # Sequences never roll back, so they are normally past these ids already; but a
            # test that reset them would otherwise hand a new row an id taken here.
            statements = connection.ops.sequence_reset_sql(
                no_style(), [model for model, _ in snapshot.rows]
            )
            if statements:
                cursor.execute("\n".join(statements))
    if hasattr(mail, "outbox"):
        mail.outbox.extend(copy.deepcopy(snapshot.outbox))
    return _fill(snapshot.result, inserted)


def frozen(name: str, build: Callable[[], T]) -> T:
    """`build()`'s rows in this test's transaction: built through `build` the first time in
    this process, re-inserted from then on. `name` tells builds apart; a build must depend on
    nothing but the settings every test shares (tests/conftest.py)."""
    key = (name, connection.vendor)
    if key not in _snapshots:
        _snapshots[key] = _take(build)
    try:
        with transaction.atomic():
            result: T = _restore(_snapshots[key])
    except IntegrityError:
        # The test made rows of its own first (a fixture before `cast` in its arguments) and
        # they hold ids the snapshot needs: build through `build` as before the kit.
        return build()
    return result
