"""Configuration of the gunicorn that `coparent serve` starts
(`--config python:coparent.cli.gunicorn_conf`).

gunicorn writes its own `Server: gunicorn` header into every response, before any header of the
application, and has no setting to leave it out; the way its maintainers point to is its
module-level `SERVER` name, which the response code reads. A product banner only helps someone
looking for servers with a known weakness, so it names no software here. Set in the master
before the workers import the HTTP code, and again in each worker in case a future gunicorn
imports that code earlier; tests/cli/test_serve_http.py checks the header of a real server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gunicorn

if TYPE_CHECKING:
    from gunicorn.workers.base import Worker

SERVER_HEADER = "Coparent"

gunicorn.SERVER = SERVER_HEADER  # type: ignore[misc]  # replaced on purpose; the stubs call it Final


def post_worker_init(worker: Worker) -> None:
    from gunicorn.http import wsgi

    wsgi.SERVER = SERVER_HEADER  # type: ignore[attr-defined]  # the name it imported; the stubs omit it
