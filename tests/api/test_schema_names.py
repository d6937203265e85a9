"""Ninja names each schema component of the OpenAPI document by its class name alone, so two
shapes with one name in two modules silently become one: the second's answers are checked (and
documented) against the first's fields. Every shape of the API has a name of its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import coparent.api.endpoints as endpoints


def test_no_two_api_shapes_share_a_name() -> None:
    modules = [importlib.import_module("coparent.api.schemas")] + [
        importlib.import_module(f"{endpoints.__name__}.{info.name}")
        for info in pkgutil.iter_modules(endpoints.__path__)
    ]
    where: dict[str, set[str]] = defaultdict(set)
    for module in modules:
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                where[name].add(module.__name__)
    shared = {name: sorted(found) for name, found in where.items() if len(found) > 1}
    assert not shared, f"API shapes with the same name in different modules: {shared}"
