"""The record tells the apps that listen of each fact appended, without importing them
(coparent.records.hooks): the notification centre hears of proposals, events, answers and
messages this way, inside the transaction of the fact."""

from __future__ import annotations

from datetime import date

import pytest

from coparent.families import services
from coparent.notifications.sources import SOURCES
from coparent.notifications.tasks import on_entry
from coparent.records import hooks
from coparent.records.models import Kind, RecordEntry


def test_the_notification_centre_listens_to_the_facts_it_tells_of():
    (kinds,) = [kinds for kinds, hook in hooks.registered() if hook is on_entry]
    assert kinds == set(SOURCES)
    assert Kind.PLAN_PROPOSED in kinds and Kind.MESSAGE_SENT in kinds
    assert Kind.MESSAGE_VIEWED not in kinds and Kind.RECORD_EXPORTED not in kinds


@pytest.fixture
def listen(monkeypatch):
    monkeypatch.setattr(hooks, "_HOOKS", list(hooks._HOOKS))

    def register(hook, kinds):
        hooks.on_appended(hook, kinds=kinds)
        hooks.on_appended(hook, kinds=kinds)  # registering twice runs it once

    return register


def test_a_hook_hears_each_entry_of_its_kinds_once(cast, listen):
    heard = []
    listen(heard.append, [Kind.CHILD_ADDED])
    child = services.child_add(
        access=cast.access(cast.alex), name="Zoe", date_of_birth=date(2021, 3, 3)
    )
    services.child_update(
        access=cast.access(cast.alex), child=child, name="Zoé", date_of_birth=date(2021, 3, 3)
    )
    assert [(e.kind, e.data["name"]) for e in heard] == [(Kind.CHILD_ADDED, "Zoe")]


def test_a_hook_that_fails_undoes_the_fact(cast, listen):
    def refuse(entry):
        raise RuntimeError("no")

    listen(refuse, [Kind.CHILD_ADDED])
    before = RecordEntry.objects.count()
    with pytest.raises(RuntimeError):
        services.child_add(
            access=cast.access(cast.alex), name="Zoe", date_of_birth=date(2021, 3, 3)
        )
    assert RecordEntry.objects.count() == before
    assert not cast.family.children.filter(name="Zoe").exists()
