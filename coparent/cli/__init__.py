"""The ``coparent`` command: serve, worker, demo, export, verify, backup, restore, plan, tone,
manage. One module per group of commands, each adding its own parser (`add_parser`).

Django is set up only by the commands that need it, so ``coparent verify`` runs with nothing but
the standalone verifier - the same code a court's expert would read - and ``coparent plan`` and
``coparent tone`` with nothing but the pure cores.
"""

from __future__ import annotations

import argparse
import os
import sys

from coparent import __version__
from coparent.cli import backup, demo, generate, plan, records, serve, tone


def _manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coparent.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coparent manage", *args])
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coparent",
        description="Coparent: a calm, verifiable place for separated parents.",
    )
    parser.add_argument("--version", action="version", version=f"coparent {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for group in (serve, demo, generate, records, backup, plan, tone):
        group.add_parser(commands)
    commands.add_parser("manage", help="Django's management commands (coparent manage help)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["manage"]:
        # Everything after `manage` belongs to Django, --help included.
        return _manage(args[1:])
    parser = _parser()
    ns = parser.parse_args(args)
    handler = getattr(ns, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    result: int = handler(ns)
    return result
