"""The demo families have a year of conversations: calm and tense, opened and answered, with
an attachment — and their records still verify (tests/cli/test_demo.py checks every chain)."""

from __future__ import annotations

from datetime import UTC, datetime

from coparent.cli.demo_data import build_demo
from coparent.messaging.models import Attachment, Message, MessageView, Thread


def test_both_demo_families_have_a_year_of_messages(db):
    now = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)
    for demo in build_demo(now=now):
        family = demo.family
        messages = Message.objects.filter(family=family)
        assert Thread.objects.filter(family=family).count() >= 20
        assert messages.count() >= 50
        first, last = (
            messages.order_by("created_at").first(),
            messages.order_by("created_at").last(),
        )
        assert (last.created_at - first.created_at).days > 250
        assert MessageView.objects.filter(family=family).exists()
        assert messages.filter(body__contains="ALWAYS").exists()  # a tense one
        assert Attachment.objects.filter(family=family).exists()
