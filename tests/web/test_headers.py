"""Every answer turns off the browser features Coparent never uses (issue #8): pages, API
answers, errors and redirects alike."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/accounts/login/", 200),
        ("/api/v1/me", 401),
        ("/nope", 404),
        ("/accounts/", 302),
    ],
)
def test_every_answer_carries_the_permissions_policy(db, path, status):
    response = Client().get(path, secure=True)

    assert response.status_code == status
    policy = response["Permissions-Policy"]
    features = dict(item.split("=") for item in policy.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
