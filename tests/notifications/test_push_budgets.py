"""Query budget of the devices list (issue #17, point 8): one device or five, the same cost."""

from __future__ import annotations

import pytest

from coparent.notifications.services import push_subscribe
from tests.api.conftest import AUTH_QUERIES


@pytest.mark.parametrize("n", [1, 5])
def test_the_push_subscription_list_costs_the_same_whatever_the_number(
    cast, as_, push_service, django_assert_num_queries, n
):
    for i in range(n):
        device = push_service.subscribe(f"device-{i}").as_json()
        push_subscribe(
            user=cast.sam,
            endpoint=device["endpoint"],
            p256dh=device["keys"]["p256dh"],
            auth=device["keys"]["auth"],
        )
    sam = as_(cast.sam)
    sam.get("/me")  # the token's once-a-minute "last used" write happens here
    # auth; 1 Sam's devices.
    with django_assert_num_queries(AUTH_QUERIES + 1):
        answer = sam.get("/notifications/push-subscriptions")
    assert len(answer.json()) == n
