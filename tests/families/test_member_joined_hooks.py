"""Families run the domain apps' "on member joined" hooks without importing them
(coparent.families.hooks): each hook sees the new seat inside the joining transaction."""

from __future__ import annotations

import pytest

from coparent.families import hooks, services
from coparent.families.models import Membership
from coparent.messaging.services import deliver_waiting_messages
from tests.factories import UserFactory


def test_messaging_delivers_waiting_conversations_through_a_hook():
    assert deliver_waiting_messages in hooks.registered()


@pytest.fixture
def extra_hook(monkeypatch):
    monkeypatch.setattr(hooks, "_ON_MEMBER_JOINED", list(hooks._ON_MEMBER_JOINED))

    def register(hook):
        hooks.on_member_joined(hook)
        hooks.on_member_joined(hook)  # registering twice runs it once

    return register


def test_a_hook_runs_once_for_the_new_seat(cast, extra_hook):
    seen = []
    extra_hook(lambda *, membership, at: seen.append((membership.user, at)))
    grandma = UserFactory()
    issued = services.invitation_create(
        access=cast.access(cast.alex), email=grandma.email, role="viewer", send_email=False
    )
    membership = services.invitation_accept(token=issued.token, user=grandma)
    assert seen == [(grandma, membership.joined_at)]


def test_a_hook_that_fails_undoes_the_joining(cast, extra_hook):
    def refuse(*, membership, at):
        raise RuntimeError("the hook failed")

    extra_hook(refuse)
    grandma = UserFactory()
    issued = services.invitation_create(
        access=cast.access(cast.alex), email=grandma.email, role="viewer", send_email=False
    )
    with pytest.raises(RuntimeError):
        services.invitation_accept(token=issued.token, user=grandma)
    assert not Membership.objects.filter(user=grandma).exists()
    # The link is still unused: nothing of the failed joining was kept.
    assert services.invitation_lookup(issued.token)
