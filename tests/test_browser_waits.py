"""The browser tests read a page only once it is there (docs/testing.md, "Browser tests"). A
click returns before the navigation it starts has begun, so a read right after it may see the
old page or an empty one; `wait_for_load_state()` returns at once, the old page being loaded.
Clicks that leave the page go through `follow` or `submit` (tests/browser/steps.py). This test
keeps the two racy idioms that once turned CI red from coming back, without a browser."""

from __future__ import annotations

import ast
from pathlib import Path

BROWSER = Path(__file__).resolve().parent / "browser"
# Calls that answer from the page as it is this instant, without waiting or retrying.
INSTANT_READS = {"content", "inner_text", "all_inner_texts", "text_content", "count", "evaluate"}
RACY_WAITS = {"wait_for_load_state", "wait_for_navigation"}


def _is_click(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and statement.value.func.attr == "click"
    )


def _instant_reads(statement: ast.stmt) -> list[str]:
    found = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Attribute) and node.attr == "url":
            found.append("url")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in INSTANT_READS
        ):
            found.append(node.func.attr + "()")
    return found


def _problems(source: str, name: str) -> list[str]:
    problems: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RACY_WAITS
        ):
            problems.append((node.lineno, f"{node.func.attr}() after a click"))
        for body in ("body", "orelse", "finalbody"):
            statements = getattr(node, body, None)
            if not isinstance(statements, list):
                continue
            for click, after in zip(statements, statements[1:], strict=False):
                if _is_click(click) and (reads := _instant_reads(after)):
                    problems.append((after.lineno, f"{', '.join(reads)} right after a click"))
    return [f"{name}:{line}: {problem}" for line, problem in sorted(problems)]


def test_the_check_finds_both_racy_idioms_and_passes_the_safe_one():
    racy = (
        "page.get_by_role('button', name='Keep it').click()\n"
        "page.wait_for_load_state()\n"
        "page.get_by_role('link', name='Journal').click()\n"
        "assert 'late' in page.content()\n"
    )
    assert [p.split(": ", 1)[1] for p in _problems(racy, "x")] == [
        "wait_for_load_state() after a click",
        "content() right after a click",
    ]
    safe = (
        "submit(page, 'Keep it')\n"
        "assert 'late' in page.content()\n"
        "with page.expect_navigation():\n"
        "    page.get_by_role('link', name='Journal').click()\n"
        "assert page.url.endswith('/journal/')\n"
    )
    assert _problems(safe, "x") == []


def test_no_browser_test_reads_the_page_before_a_click_has_brought_the_next_one():
    problems = []
    for path in sorted(BROWSER.glob("*.py")):
        problems += _problems(path.read_text(), path.name)
    assert problems == []
