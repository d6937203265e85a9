"""`coparent demo` and the demo logins `coparent serve --with-demo` prints. The families
themselves are built by coparent.cli.demo_data, imported once Django is set up."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from coparent.cli.common import login_url, migrate_quietly, setup

if TYPE_CHECKING:
    from coparent.cli.demo_data import DemoFamily

DEMO_LOGINS_FILE = "demo-logins.txt"


def _demo_lines(families: list[DemoFamily]) -> list[str]:
    lines = []
    for demo in families:
        lines.append(f"  {demo.family.name}")
        for member in demo.users:
            name = member.user.display_name
            lines.append(f"    {member.role:<13} {name:<16} {member.user.email}")
    return lines


def _demo_banner(url: str, people: list[str], saved: Path) -> str:
    from coparent.cli.demo_data import DEMO_PASSWORD

    return "\n".join(
        [
            f"Demo data loaded. Log in at {login_url(url)} as any of these people,",
            f'each with the password "{DEMO_PASSWORD}":',
            *people,
            f"(These demo logins are kept in {saved}.)",
        ]
    )


def serve_demo(url: str) -> Path | None:
    """Load the demo families into an empty database and print who can log in, at the address
    this server really answers on; on later runs print the kept list again. Returns where the
    list is kept, or None when there is none."""
    from django.conf import settings

    from coparent.accounts.models import User
    from coparent.cli.demo_data import DEMO_PASSWORD, build_demo

    saved = Path(settings.DATA_DIR) / DEMO_LOGINS_FILE
    if User.objects.exists():
        if not saved.exists():
            print("The database already has accounts, so no demo data was added.")
            return None
        # The people only (indented lines): the address is this run's, whatever it was before.
        people = [line for line in saved.read_text().splitlines() if line.startswith("  ")]
        print(_demo_banner(url, people, saved))
        return saved
    people = _demo_lines(build_demo())
    print(_demo_banner(url, people, saved))
    # Kept so the next `make run` can show the logins again (they are demo accounts only).
    fd = os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(
            "\n".join(
                [
                    "Coparent demo accounts (log in at the address `coparent serve` prints),",
                    f'each with the password "{DEMO_PASSWORD}":',
                    *people,
                ]
            )
            + "\n"
        )
    return saved


def demo(ns: argparse.Namespace) -> int:
    setup()
    from django.conf import settings

    from coparent.cli.demo_data import DEMO_PASSWORD, build_demo

    migrate_quietly()
    families = build_demo()
    if ns.json:
        print(json.dumps({"families": [demo.as_json() for demo in families]}, indent=2))
        return 0
    print(f'Created {len(families)} demo families. Every demo password is "{DEMO_PASSWORD}".')
    print(f"Log in at {login_url(settings.BASE_URL)}")
    for demo in families:
        print()
        print(f"{demo.family.name} (family id {demo.family.pk})")
        for member in demo.users:
            print(f"  {member.role:<13} {member.user.display_name:<16} {member.user.email}")
            print(f"  {'':<13} API token: {member.token}")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("demo", help="create two demo families with a year of history")
    parser.add_argument("--json", action="store_true", help="print the accounts as JSON")
    parser.set_defaults(handler=demo)
