"""``coparent plan show|timeshare|ics PLAN.toml --from YYYY-MM-DD --to YYYY-MM-DD [--json]``.

The schedule engine on a plan file: no Django, no database. ``--from`` and ``--to`` are local
dates in the plan's zone, the range being [from, to): from 00:00 on ``from`` to 00:00 on ``to``.
Exit codes: 0 done, 1 the plan cannot be read or is not valid (each problem named by its
field), 2 a usage problem (a missing option, a date that is not one, ``--to`` not after
``--from``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import textwrap
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from coparent.core.schedule import (
    METHODS,
    Expansion,
    Letter,
    Plan,
    PlanError,
    expand_dates,
    load_plan,
    plan_timeshare,
    write_ics,
)
from coparent.core.schedule.model import END_DATE, FIRST_DATE

EARLIEST = FIRST_DATE + timedelta(days=3)
LATEST = END_DATE - timedelta(days=4)
"""The engine works a day or two beyond the range asked for; these keep that within its
years."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``plan`` and its three commands on the ``coparent`` parser."""
    plan = commands.add_parser(
        "plan", help="the schedule engine on a plan file: agenda, time-share, iCalendar"
    )
    plan.set_defaults(handler=lambda ns: _usage(plan))
    actions = plan.add_subparsers(title="plan commands", metavar="COMMAND")
    for name, help_text, handler in (
        ("show", "custody segments and exchanges, as an agenda", _show),
        ("timeshare", "each parent's overnights and hours, with percentages", _timeshare),
        ("ics", "the range as an iCalendar (RFC 5545) file on standard output", _ics),
    ):
        action = actions.add_parser(name, help=help_text, description=__doc__)
        action.add_argument("plan", metavar="PLAN.toml", help="the plan file")
        action.add_argument(
            "--from", dest="date_from", type=_date, required=True, metavar="YYYY-MM-DD"
        )
        action.add_argument(
            "--to",
            dest="date_to",
            type=_date,
            required=True,
            metavar="YYYY-MM-DD",
            help="the first local date after the range",
        )
        action.add_argument("--json", action="store_true", help="print JSON")
        action.set_defaults(handler=_quiet_pipe(handler))


def _quiet_pipe(
    handler: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """A reader that stops early (``| head``) ends the command, without a traceback."""

    @functools.wraps(handler)
    def run(ns: argparse.Namespace) -> int:
        try:
            code = handler(ns)
            sys.stdout.flush()
        except BrokenPipeError:
            # Python would complain again when it flushes standard output on exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        return code

    return run


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-14") from None


# --- loading ------------------------------------------------------------------------------


def _load(ns: argparse.Namespace) -> tuple[Plan | None, int]:
    """The plan, or None and the exit code after saying what is wrong."""
    first, stop = ns.date_from, ns.date_to
    if stop <= first:
        return None, _problem("--to must be a date after --from", 2)
    for option, day in (("--from", first), ("--to", stop)):
        if not EARLIEST <= day <= LATEST:
            return None, _problem(f"{option} must be between {EARLIEST} and {LATEST}", 2)
    try:
        return load_plan(ns.plan), 0
    except OSError as exc:
        return None, _problem(f"cannot read {ns.plan}: {exc.strerror or exc}", 1)
    except UnicodeDecodeError:
        return None, _problem(f"cannot read {ns.plan}: it is not UTF-8 text", 1)
    except PlanError as exc:
        lines = "\n".join(f"  {line}" for line in exc.lines())
        return None, _problem(f"{ns.plan} is not a valid plan:\n{lines}", 1)


def _problem(message: str, code: int) -> int:
    print(f"coparent plan: {message}", file=sys.stderr)
    return code


# --- show ---------------------------------------------------------------------------------


def _show(ns: argparse.Namespace) -> int:
    plan, code = _load(ns)
    if plan is None:
        return code
    expansion = expand_dates(plan, ns.date_from, ns.date_to)
    if ns.json:
        _print_json(show_json(plan, expansion, ns.date_from, ns.date_to))
        return 0
    print(_heading(plan, Path(ns.plan).name))
    print(f"From {_when(plan, expansion.start)} to {_when(plan, expansion.end)}")
    print()
    for line in agenda(plan, expansion):
        print(line)
    return 0


def show_json(plan: Plan, expansion: Expansion, first: date, stop: date) -> dict[str, Any]:
    """``plan show --json``: times as ISO 8601 in the plan's zone with their UTC offset."""
    zone = plan.zone
    return {
        "from": first.isoformat(),
        "to": stop.isoformat(),
        "timezone": plan.timezone,
        "segments": [
            {
                "start": segment.start.astimezone(zone).isoformat(),
                "end": segment.end.astimezone(zone).isoformat(),
                "parent": plan.name_of(segment.parent),
                "source": segment.source.label,
            }
            for segment in expansion.segments
        ],
        "exchanges": [
            {
                "at": exchange.at.astimezone(zone).isoformat(),
                "from": plan.name_of(exchange.from_parent),
                "to": plan.name_of(exchange.to_parent),
            }
            for exchange in expansion.exchanges
        ],
    }


def agenda(plan: Plan, expansion: Expansion) -> list[str]:
    """One line per segment and per exchange, in time order (an exchange before the stretch
    it begins)."""
    lines: list[tuple[datetime, int, str]] = []
    place = f" at {plan.exchange_place}" if plan.exchange_place else ""
    for exchange in expansion.exchanges:
        giver, taker = plan.name_of(exchange.from_parent), plan.name_of(exchange.to_parent)
        text = f"{_when(plan, exchange.at)}  exchange: {giver} → {taker}{place}"
        lines.append((exchange.at, 0, text))
    for segment in expansion.segments:
        text = (
            f"{_when(plan, segment.start)}  with {plan.name_of(segment.parent)} until "
            f"{_when(plan, segment.end)} ({segment.source.label})"
        )
        lines.append((segment.start, 1, text))
    return [text for _, _, text in sorted(lines, key=lambda line: (line[0], line[1]))]


def _heading(plan: Plan, file_name: str) -> str:
    rotation = f"pattern {plan.pattern}" if plan.pattern else f"rotation {plan.rotation}"
    return (
        f"{file_name}: {plan.parents[0]} (A) and {plan.parents[1]} (B), {rotation}, "
        f"times in {plan.timezone}"
    )


def _when(plan: Plan, moment: datetime) -> str:
    local = moment.astimezone(plan.zone)
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()}"


# --- timeshare ----------------------------------------------------------------------------


def _timeshare(ns: argparse.Namespace) -> int:
    plan, code = _load(ns)
    if plan is None:
        return code
    if ns.json:
        _print_json(timeshare_json(plan, ns.date_from, ns.date_to))
        return 0
    share = plan_timeshare(plan, ns.date_from, ns.date_to)
    names: dict[Letter, str] = {"A": plan.parents[0], "B": plan.parents[1]}
    days = (ns.date_to - ns.date_from).days
    print(_heading(plan, Path(ns.plan).name))
    print(
        f"Time-share of the {days} days from {ns.date_from} to {ns.date_to} (not counting "
        f"{ns.date_to})"
    )
    for key, tally in share.tallies.items():
        method = METHODS[key]
        amounts, percents = tally.rounded(), tally.percentages()
        print()
        print(textwrap.fill(f"{method.label}: {method.rule}", width=88))
        for letter, name in names.items():
            amount = _amount(amounts[letter], key)
            print(f"  {name:<20} {amount:>12} {method.unit:<10} {percents[letter]:>6.2f}%")
    return 0


def timeshare_json(plan: Plan, first: date, stop: date) -> dict[str, Any]:
    """``plan timeshare --json``, exactly the shape of ARCHITECTURE.md: overnights as whole
    numbers, hours rounded to 2 decimals so that they add up to the period's (rounded) hours,
    percentages to 2 decimals adding up to exactly 100 (0 each for an empty period)."""
    share = plan_timeshare(plan, first, stop, ["overnights", "hours"])
    overnights, hours = share["overnights"], share["hours"]

    def by_name(values: Mapping[Letter, float]) -> dict[str, float]:
        return {plan.name_of(letter): value for letter, value in values.items()}

    return {
        "from": first.isoformat(),
        "to": stop.isoformat(),
        "timezone": plan.timezone,
        "overnights": {plan.name_of(k): int(v) for k, v in overnights.counts.items()},
        "hours": by_name(hours.rounded(2)),
        "percent_overnights": by_name(overnights.percentages(2)),
        "percent_hours": by_name(hours.percentages(2)),
    }


def _amount(value: float, key: str) -> str:
    if key == "overnights":
        return f"{value:,.0f}"
    if key == "days":
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,.2f}"


# --- ics ----------------------------------------------------------------------------------


def _ics(ns: argparse.Namespace) -> int:
    plan, code = _load(ns)
    if plan is None:
        return code
    # Two months either side, so a stay cut by the range is still written whole.
    margin = timedelta(days=62)
    expansion = expand_dates(
        plan, max(ns.date_from - margin, EARLIEST), min(ns.date_to + margin, LATEST)
    )
    text = write_ics(
        plan,
        expansion.segments,
        expansion.exchanges,
        window=(ns.date_from, ns.date_to),
        # UIDs stay the same when the file is edited or moved: they hang on the two parents.
        namespace="plan:" + "|".join(plan.parents),
        stamp=datetime.now(UTC).replace(microsecond=0),
        name=f"{plan.parents[0]} and {plan.parents[1]}: parenting time",
    )
    if ns.json:
        _print_json(
            {
                "from": ns.date_from.isoformat(),
                "to": ns.date_to.isoformat(),
                "timezone": plan.timezone,
                "ics": text,
            }
        )
        return 0
    sys.stdout.write(text)  # as written: RFC 5545 lines end in CRLF
    return 0


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))
