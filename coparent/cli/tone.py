"""`coparent tone [--json] [TEXT]`: the tone coach on TEXT, or on standard input without it.

No Django: the coach is a pure module, so this runs without a database or settings. The exit
code is 0 whatever the verdict (the coach advises, it never blocks); 1 only when the input
cannot be read. Standard input is read as UTF-8, undecodable bytes shown as U+FFFD.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from coparent.core.tone import ANALYSIS_LIMIT, Verdict, analyse

_LEVEL_WORDS = {
    "ok": "ok: nothing here should start a fight",
    "caution": "caution: some wording may land badly",
    "hostile": "hostile: this is likely to escalate",
}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``tone`` on the ``coparent`` parser."""
    parser = commands.add_parser(
        "tone",
        help="check how a message will land (the tone coach)",
        description=(
            "Flag risky wording in TEXT (or standard input), explain why, and suggest a brief, "
            "informative, friendly, firm version. Offsets in --json are Python string indices "
            f"(code points). Only the first {ANALYSIS_LIMIT:,} characters are analysed."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.add_argument("text", nargs="?", metavar="TEXT", help="the text (default: stdin)")
    parser.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    if ns.text is not None:
        text: str = ns.text
    else:
        if sys.stdin is None:
            print("coparent: no TEXT and no standard input to read.", file=sys.stderr)
            return 1
        if sys.stdin.isatty():
            print("Type or paste the text, then press Ctrl+D.", file=sys.stderr)
        text = _read_stdin()
    verdict = analyse(text)
    if ns.json:
        print(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(verdict))
    return 0


def _read_stdin() -> str:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a replaced sys.stdin (tests, embedding) that only speaks text
        return sys.stdin.read()
    data: bytes = buffer.read()
    return data.decode("utf-8", errors="replace")


def render(verdict: Verdict) -> str:
    """The verdict for a person at a terminal."""
    lines = [f"Tone: {_LEVEL_WORDS[verdict.level]} (score {verdict.score:.2f})"]
    for flag in verdict.flags:
        label = "supportive" if flag.kind == "supportive" else flag.kind
        shown = flag.text if len(flag.text) <= 80 else flag.text[:77] + "..."
        lines.append("")
        lines.append(f"  [{label}] {shown!r} (characters {flag.start}-{flag.end})")
        lines.extend(textwrap.wrap(flag.why, 96, initial_indent="    ", subsequent_indent="    "))
        lines.extend(
            textwrap.wrap(
                "Try: " + flag.suggestion, 96, initial_indent="    ", subsequent_indent="    "
            )
        )
    if verdict.rewrite:
        lines.append("")
        lines.append("A calmer version you could send:")
        for paragraph in verdict.rewrite.split("\n\n"):
            lines.extend(textwrap.wrap(paragraph, 96, initial_indent="  ", subsequent_indent="  "))
            lines.append("")
        lines.pop()
    return "\n".join(lines)
