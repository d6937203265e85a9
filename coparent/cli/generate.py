"""`coparent generate`: fill the database with synthetic families, for load and scale tests
(docs/operations.md, "Load and scale"). The families are built in bulk by
coparent.cli.synthetic, imported once Django is set up."""

from __future__ import annotations

import argparse
import json
import time

from coparent.cli.common import migrate_quietly, setup


def generate(ns: argparse.Namespace) -> int:
    setup()
    from coparent.accounts.models import User
    from coparent.accounts.services import token_create
    from coparent.cli.synthetic import SYNTHETIC_PASSWORD, generate_families

    migrate_quietly()
    start = time.perf_counter()
    made = generate_families(ns.families, progress=not ns.json)
    seconds = time.perf_counter() - start
    # API tokens only for the families a load test logs in as: each costs a hash and an audit row.
    with_tokens = made[: ns.tokens]
    users = User.objects.in_bulk(
        [email for f in with_tokens for email in f.parents], field_name="email"
    )
    families = []
    for item in with_tokens:
        people = []
        for email in item.parents:
            _, raw = token_create(user=users[email], name="load test")
            people.append(
                {"username": email, "password": SYNTHETIC_PASSWORD, "token": raw, "role": "parent"}
            )
        families.append({"id": str(item.family_id), "users": people})
    if ns.json:
        print(json.dumps({"families": families}))
    else:
        print(
            f"Made {len(made):,} families in {seconds:,.1f} s; every password is "
            f'"{SYNTHETIC_PASSWORD}".'
        )
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "generate", help="fill the database with synthetic families (load and scale tests)"
    )
    parser.add_argument("--families", type=int, default=10_000, help="how many (10,000)")
    parser.add_argument(
        "--tokens",
        type=int,
        default=0,
        help="make API tokens for both parents of the first N families",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"families": [{"id", "users": [{"username", "password", "token", "role"}]}]}',
    )
    parser.set_defaults(handler=generate)
