"""What Coparent runs on is declared, bounded and what the suite ran with: an operator who
installs it gets packages the code imports, within major versions the tests have seen."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# Modules run only at development time, whose imports may come from the dev extras instead.
DEV_TIME = {"coparent/core/tone/training.py": "make tone-model"}


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def _imported_modules(*, dev_time: bool = False) -> dict[str, str]:
    """Top-level module -> a file that imports it, for every absolute import under coparent/
    (in the runtime's modules, or in the development-time ones)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "coparent").rglob("*.py")):
        if (str(path.relative_to(ROOT)) in DEV_TIME) is not dev_time:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_runtime_dependency_has_an_upper_bound():
    unbounded = [
        str(req)
        for req in _requirements()
        if not any(spec.operator in ("<", "<=", "~=", "==") for spec in req.specifier)
    ]
    assert unbounded == []


def test_the_suite_runs_on_versions_the_bounds_allow():
    outside = [
        f"{req.name} {version(req.name)} is not {req.specifier}"
        for req in _requirements()
        if not req.specifier.contains(version(req.name), prereleases=True)
    ]
    assert outside == []


# Not packages: verify_journal.py imports its sibling verify.py by that name when both are
# copied out of Coparent to run alone (coparent/core/record).
SIBLINGS = ("verify",)


def _undeclared(modules: dict[str, str], declared: set[str]) -> list[str]:
    providers = packages_distributions()
    undeclared = []
    for module, where in modules.items():
        if module in sys.stdlib_module_names or module in ("coparent", *SIBLINGS):
            continue
        dists = {canonicalize_name(d) for d in providers.get(module, [])}
        if not dists & declared:
            undeclared.append(f"{module} (imported in {where}; installed by {sorted(dists)})")
    return undeclared


def test_every_third_party_module_the_code_imports_comes_from_a_declared_dependency():
    declared = {canonicalize_name(req.name) for req in _requirements()}
    assert _undeclared(_imported_modules(), declared) == []


def test_development_time_modules_import_only_what_the_dev_extras_declare():
    declared = {canonicalize_name(r.name) for r in _requirements() + _requirements("dev")}
    assert set(_imported_modules(dev_time=True).values()) <= set(DEV_TIME)
    assert _undeclared(_imported_modules(dev_time=True), declared) == []
