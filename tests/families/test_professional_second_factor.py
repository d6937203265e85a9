"""A professional reads what both parents of a high-conflict family share, so a password alone
must not open it: a professional with no second factor is sent to set one up before any family
page, and the API refuses them with a 403 that says why. Parents and viewers are not asked."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages

from coparent.families.services import consent_withdraw
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


def test_without_a_factor_the_home_page_names_no_family_and_asks_for_one(cast, without_factor):
    # Morgan's only seat is the Rivera family's mediator: its name is the family's data.
    response = client_for(without_factor).get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Rivera" not in page
    assert 'id="second-factor-prompt"' in page
    assert 'href="/accounts/2fa/"' in page


def test_without_a_factor_a_seat_waiting_for_consent_is_not_named_either(cast, without_factor):
    # Sam withdraws his consent: Morgan's seat waits for it again, and says nothing of the family.
    consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)

    page = client_for(without_factor).get("/").content.decode()

    assert "Rivera" not in page
    assert 'id="second-factor-prompt"' in page


def test_with_the_factor_on_the_home_page_names_the_family(cast):
    page = client_for(cast.morgan).get("/?all=1").content.decode()

    assert "Rivera family" in page
    assert 'id="second-factor-prompt"' not in page


def test_the_api_family_list_refuses_them_without_naming_a_family(cast, as_, without_factor):
    response = as_(without_factor).get("/families")

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert response.json()["setup_url"] == "/accounts/2fa/"
    assert "Rivera" not in response.content.decode()


def test_the_api_me_answers_without_the_families_they_work_with(cast, as_, without_factor):
    response = as_(without_factor).get("/me")

    assert response.status_code == 200
    assert response.json()["families"] == []
    assert "Rivera" not in response.content.decode()


def test_a_parent_is_never_asked_on_the_home_page_or_the_list(cast, as_):
    assert 'id="second-factor-prompt"' not in client_for(cast.alex).get("/?all=1").content.decode()
    assert [f["name"] for f in as_(cast.alex).get("/families").json()] == ["Rivera family"]
