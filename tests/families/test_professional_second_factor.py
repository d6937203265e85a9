"""A professional reads what both parents of a high-conflict family share, so a password alone
must not open it: a professional with no second factor is sent to set one up before any family
page, and the API refuses them with a 403 that says why. Parents and viewers are not asked."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages

from tests.kit import client_for


@pytest.fixture
def without_factor(cast):
    """Morgan, the consented mediator, as if the authenticator app had been turned off."""
    Authenticator.objects.filter(user=cast.morgan).delete()
    return cast.morgan


@pytest.mark.parametrize(
    "page", ["", "members/", "children/", "record/", "messages/", "expenses/", "info/"]
)
def test_a_professional_without_a_second_factor_is_sent_to_set_one_up(cast, without_factor, page):
    client = client_for(without_factor)

    response = client.get(f"/families/{cast.family.pk}/{page}")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "second factor" in message
    # The page they land on works, and says so.
    landing = client.get("/accounts/2fa/")
    assert landing.status_code == 200
    assert "Rivera" not in landing.content.decode()


def test_the_api_refuses_them_with_a_clear_error(cast, as_, without_factor):
    response = as_(without_factor).get(f"/families/{cast.family.pk}/children")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "second_factor_required"
    assert "second factor" in body["detail"]
    assert body["setup_url"] == "/accounts/2fa/"
    assert "Mia" not in response.content.decode()


def test_with_the_app_on_the_professional_reads_the_family(cast, as_):
    # The fixed cast's Morgan has the authenticator app on.
    assert client_for(cast.morgan).get(f"/families/{cast.family.pk}/").status_code == 200
    assert as_(cast.morgan).get(f"/families/{cast.family.pk}/children").status_code == 200


def test_a_passkey_counts_as_a_second_factor(cast, as_, without_factor):
    Authenticator.objects.create(user=without_factor, type=Authenticator.Type.WEBAUTHN, data={})

    assert as_(without_factor).get(f"/families/{cast.family.pk}/children").status_code == 200


def test_recovery_codes_alone_do_not(cast, as_, without_factor):
    Authenticator.objects.create(
        user=without_factor, type=Authenticator.Type.RECOVERY_CODES, data={}
    )

    assert as_(without_factor).get(f"/families/{cast.family.pk}/children").status_code == 403


def test_parents_and_viewers_are_not_asked(cast, as_):
    assert not Authenticator.objects.filter(user__in=[cast.sam, cast.vic]).exists()

    assert client_for(cast.sam).get(f"/families/{cast.family.pk}/").status_code == 200
    assert as_(cast.vic).get(f"/families/{cast.family.pk}/children").status_code == 200


def test_another_family_is_still_a_404_not_a_hint(cast, as_, without_factor):
    # The second-factor refusal comes after the seat check: it never tells an outsider anything.
    response = as_(without_factor).get(f"/families/{cast.other_family.pk}/children")

    assert response.status_code == 404
