"""STYLE.md 4: views and API endpoints never fetch family-owned rows themselves; they go through
the selectors, which start from the requesting user's memberships. This test reads the code of
every view and endpoint module and fails on a direct `<FamilyModel>.objects` anywhere in it; it
reads the whole package for `get_object_or_404(<FamilyModel>, ...)` (the selectors' `get_owned`
is the one lookup by id) and for seats asked for by hand instead of through
`Membership.objects.active()` / `.parents()`."""

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


def _package_modules() -> list[Path]:
    return [m for m in sorted(ROOT.rglob("*.py")) if "migrations" not in m.parts]


def _root_name(node: ast.AST) -> str | None:
    """`Membership` for `Membership.objects.filter(...).exclude`, None for anything else."""
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def test_no_family_object_is_fetched_with_get_object_or_404():
    owned = _family_owned_models()
    offences = []
    for module in _package_modules():
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func
            name = name.id if isinstance(name, ast.Name) else name
            if name in {"get_object_or_404", "get_list_or_404"}:
                if _root_name(node.args[0]) in owned:
                    offences.append(f"{module.relative_to(ROOT.parent)}:{node.lineno}")
    assert not offences, "use get_owned(model, access, pk) instead of: " + ", ".join(offences)


def test_seats_are_asked_for_through_the_membership_queryset():
    by_hand = {"ended_at__isnull", "ended_at", "role"}
    offences = []
    for module in _package_modules():
        if module.relative_to(ROOT).as_posix() == "families/models.py":
            continue  # where MembershipQuerySet writes them, once
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"filter", "exclude", "get"}
                and _root_name(node.func.value) == "Membership"
                and by_hand & {k.arg for k in node.keywords}
            ):
                offences.append(f"{module.relative_to(ROOT.parent)}:{node.lineno}")
    assert not offences, "use Membership.objects.active() / .parents(): " + ", ".join(offences)
