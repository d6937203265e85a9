"""mypy checks the whole package strictly (pyproject.toml, [tool.mypy]); where it cannot be
satisfied, a `# type: ignore` names the error it silences, so nothing else hides behind it
(mypy's ignore-without-code enforces that), and says why, so the next reader can tell whether
the reason still holds. This test holds the second half of the rule (docs/new-app.md, "Typing")."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<codes>\[[^\]]*\])?(?P<rest>.*)")
REASON = re.compile(r"^\s*#\s*\S")


def _explained(comment: str) -> bool:
    match = IGNORE.search(comment)
    return bool(match and match["codes"] and REASON.match(match["rest"]))


def _ignores() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "coparent").rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
        for token in tokens:
            if token.type == tokenize.COMMENT and IGNORE.search(token.string):
                found.append((f"{path.relative_to(ROOT)}:{token.start[0]}", token.string))
    return found


def test_an_ignore_is_explained_only_with_its_code_and_a_reason():
    assert _explained("# type: ignore[attr-defined]  # set by ninja's auth, not on HttpRequest")
    assert not _explained("# type: ignore")
    assert not _explained("# type: ignore  # allauth is untyped")
    assert not _explained("# type: ignore[attr-defined]")
    assert not _explained("# type: ignore[attr-defined]  #")


def test_every_type_ignore_in_the_package_names_its_error_code_and_says_why():
    unexplained = [
        f"{where}: {comment}" for where, comment in _ignores() if not _explained(comment)
    ]
    assert unexplained == []
