"""STYLE.md 4: views and API endpoints never fetch family-owned rows themselves; they go through
the selectors, which start from the requesting user's memberships. This test reads the code of
every view and endpoint module and fails on a direct `<FamilyModel>.objects` anywhere in it."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent / "coparent"


def _family_owned_models() -> set[str]:
    names = set()
    for model in apps.get_models():
        field_names = {f.name for f in model._meta.get_fields()}
        if model.__module__.startswith("coparent.") and (
            "family" in field_names or model.__name__ == "Family"
        ):
            names.add(model.__name__)
    return names


def _view_modules() -> list[Path]:
    modules = sorted(ROOT.glob("*/views.py")) + sorted((ROOT / "api").rglob("*.py"))
    return [m for m in modules if "migrations" not in m.parts]


def test_family_owned_models_are_known():
    assert {"Family", "Membership", "Child", "Invitation", "RecordEntry"} <= (
        _family_owned_models()
    )


def test_no_view_or_endpoint_fetches_family_data_directly():
    owned = _family_owned_models()
    offences = []
    for module in _view_modules():
        tree = ast.parse(module.read_text(), filename=str(module))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"objects", "_default_manager", "_base_manager"}
                and isinstance(node.value, ast.Name)
                and node.value.id in owned
            ):
                offences.append(f"{module.relative_to(ROOT.parent)}:{node.lineno} {node.value.id}")
    assert not offences, "use the selectors instead of: " + ", ".join(offences)
