"""The named rotations of ARCHITECTURE.md, day 0 first, and the runs they are made of."""

from __future__ import annotations

from dataclasses import dataclass

from coparent.core.schedule.model import Letter

PATTERNS: dict[str, str] = {
    "alternating-weeks": "AAAAAAABBBBBBB",
    "2-2-3": "AABBAAABBAABBB",
    "2-2-5-5": "AABBAAAAABBBBB",
    "3-4-4-3": "AAABBBBAAAABBB",
    "5-2": "AAAAABB",
    "4-3": "AAAABBB",
    "every-other-weekend": "AAAABBAAAAAAAA",
    "every-other-weekend-midweek": "AABABBAAABAAAA",
}
"""Pattern name -> rotation, one letter per day from the plan's ``start``."""

DESCRIPTIONS: dict[str, str] = {
    "alternating-weeks": "a week with each parent in turn",
    "2-2-3": "2 days, 2 days, then 3 days, alternating; the weekends swap every week",
    "2-2-5-5": "2 days each, then 5 days each; each parent keeps the same weekdays",
    "3-4-4-3": "3 days and 4 days, then 4 days and 3 days",
    "5-2": "5 days with the first parent, 2 with the second, every week",
    "4-3": "4 days with the first parent, 3 with the second, every week",
    "every-other-weekend": "the second parent has every other weekend",
    "every-other-weekend-midweek": (
        "the second parent has every other weekend and a midweek overnight each week"
    ),
}
"""Pattern name -> a sentence for people choosing one."""


@dataclass(frozen=True, slots=True)
class Run:
    """``length`` days of ``letter`` starting at day ``offset`` of the cycle."""

    offset: int
    length: int
    letter: Letter


def runs_of(rotation: str) -> tuple[Run, ...]:
    """The rotation as runs of one letter, in cycle order (a run never wraps the cycle)."""
    runs: list[Run] = []
    offset = 0
    while offset < len(rotation):
        end = offset
        while end < len(rotation) and rotation[end] == rotation[offset]:
            end += 1
        letter: Letter = "A" if rotation[offset] == "A" else "B"
        runs.append(Run(offset, end - offset, letter))
        offset = end
    return tuple(runs)
