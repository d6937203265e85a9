"""Fixtures of the command-line tests."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from tests.cli.sites import SERVER_URL, Site, pg_admin


@pytest.fixture(scope="module")
def make_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Site]]:
    scratch: list[str] = []

    def make(name: str) -> Site:
        data_dir = tmp_path_factory.mktemp(name)
        if not SERVER_URL:
            return Site(data_dir)
        db_name = f"cp_restore_{secrets.token_hex(4)}"
        with pg_admin() as admin:
            admin.execute(f'CREATE DATABASE "{db_name}"')
        scratch.append(db_name)
        return Site(data_dir, urlsplit(SERVER_URL)._replace(path=f"/{db_name}").geturl())

    yield make
    if scratch:
        with pg_admin() as admin:
            for db_name in scratch:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
