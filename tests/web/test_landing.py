"""The landing page says what Coparent does today, and promises nothing it does not."""

from __future__ import annotations

from django.test import Client


def test_the_landing_page_names_what_exists_and_nothing_more(db):
    text = Client().get("/").content.decode()
    for exists in ("schedule", "exchange", "events", "Messages", "family record", "time zone"):
        assert exists in text
    for missing in ("decisions", "expenses"):
        assert missing not in text.lower()
