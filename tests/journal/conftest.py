"""Alex's journal: a helper that writes an entry the way the page does."""

from __future__ import annotations

from typing import Any

import pytest

from coparent.journal import services
from coparent.journal.models import Entry


@pytest.fixture
def write(cast):
    def _write(text: str = "Sam was 40 minutes late at the gate.", **fields: Any) -> Entry:
        return services.entry_write(
            access=cast.access(fields.pop("by", cast.alex)), text=text, **fields
        )

    return _write
