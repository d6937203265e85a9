"""Model instances from SQL written by hand, for the few reads every request makes.

The ORM builds and compiles a query on every call, which for the reads each request pays
before it does anything (its session, user, token and family seat) costs more processor time
than the database takes to answer them (issue #17, "The cost of a request"). Those reads are
written as SQL once; this module gives them the model's columns and turns their rows into the
same model instances the ORM would, through the same converters (a UUID stored as text on
SQLite, an aware datetime, a boolean), so nothing downstream can tell the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, models

M = TypeVar("M", bound=models.Model)

Converter = Callable[[Any, Any, Any], Any]


class Columns(Generic[M]):
    """Every concrete column of `model` under a table alias, for a SELECT list, and the row
    slice that comes back as an instance of `model` (`Model.from_db`, as the ORM does)."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def sql(self) -> str:
        return ", ".join(f'{self.alias}."{f.column}"' for f in self.fields)

    def _converters_for(self, using: str) -> list[tuple[int, list[Converter], Any]]:
        found = self._converters.get(using)
        if found is None:
            connection = connections[using]
            found = []
            for i, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if converters:
                    found.append((i, converters, column))
            self._converters[using] = found
        return found

    def build(self, row: Sequence[Any], start: int = 0, using: str = "default") -> M:
        """The instance from `row[start:start + len(self)]`, read from the database `using`."""
        values = list(row[start : start + len(self.fields)])
        connection = connections[using]
        for i, converters, column in self._converters_for(using):
            value = values[i]
            for converter in converters:
                value = converter(value, column, connection)
            values[i] = value
        return self.model.from_db(using, self.attnames, values)


def convert(field: models.Field[Any, Any], value: Any, using: str = "default") -> Any:
    """One value of `field` as read by hand, converted as the ORM would convert it."""
    connection = connections[using]
    column = field.get_col(field.model._meta.db_table)
    for converter in connection.ops.get_db_converters(column) + column.get_db_converters(
        connection
    ):
        value = converter(value, column, connection)
    return value


def db_value(field: models.Field[Any, Any], value: Any, using: str = "default") -> Any:
    """`value` as the database stores it in `field`'s column (a UUID is text on SQLite), for
    a parameter of SQL written by hand."""
    return field.get_db_prep_value(value, connections[using])
