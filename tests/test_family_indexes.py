"""Every family-owned table can be read one family at a time without looking at the others:
it has an index whose first column is `family_id` (ARCHITECTURE.md, "Scale path"). With ten
thousand families, a page then costs what it costs with ten (bench/scale.py measures it on
PostgreSQL), and the tables can later be distributed by `family_id` (docs/operations.md)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from coparent.families.models import Family


def _family_owned_models():
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        field = next(
            (
                f
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is Family and f.column == "family_id"
            ),
            None,
        )
        if field is not None:
            yield model


def test_there_are_family_owned_tables_to_check():
    names = {m.__name__ for m in _family_owned_models()}
    assert {"RecordEntry", "Thread", "Message", "Expense", "CheckIn", "PlanVersion"} <= names


@pytest.mark.django_db
def test_every_family_owned_table_has_an_index_that_starts_with_family_id():
    missing = []
    with connection.cursor() as cursor:
        for model in _family_owned_models():
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            if not any(
                (c["index"] or c["unique"] or c["primary_key"])
                and c["columns"]
                and c["columns"][0] == "family_id"
                for c in constraints.values()
            ):
                missing.append(model._meta.label)
    assert missing == []


def test_no_family_owned_foreign_key_turns_its_index_off():
    """The plain index Django makes for the foreign key is what most of them rely on."""
    off = [
        m._meta.label
        for m in _family_owned_models()
        if not m._meta.get_field("family").db_index
        and not any(
            (getattr(i, "fields", None) or [""])[0] in ("family", "family_id")
            for i in [*m._meta.indexes, *m._meta.constraints]
        )
    ]
    assert off == []
