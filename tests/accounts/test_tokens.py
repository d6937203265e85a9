"""Personal API tokens: Dana makes one for a calendar app, sees it once, and revokes it when
she stops using the app; nobody else can touch her tokens."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from coparent.accounts import services
from coparent.accounts.models import TOKEN_PREFIX, ApiToken, AuditEvent, hash_token
from coparent.accounts.selectors import user_for_token
from tests.accounts.conftest import log_in

Kind = AuditEvent.Kind


def test_a_new_token_is_shown_once_and_never_listed_again(client, dana):
    log_in(client, dana.email)

    created = client.post(reverse("accounts:tokens"), {"name": "Calendar sync"})
    assert created.status_code == 200
    raw = created.context["created"]["raw"]
    assert raw.startswith(TOKEN_PREFIX)
    html = created.content.decode()
    assert raw in html
    assert "only time it is shown" in html
    assert 'data-copy="new-token"' in html
    assert created["Cache-Control"].startswith("max-age=0")

    token = ApiToken.objects.get(user=dana)
    assert token.token_hash == hash_token(raw)
    assert token.hint == raw[:8]
    assert raw not in str(ApiToken.objects.values().get())

    listed = client.get(reverse("accounts:tokens")).content.decode()
    assert "Calendar sync" in listed
    assert token.hint in listed
    assert raw not in listed
    assert AuditEvent.objects.filter(user=dana, kind=Kind.TOKEN_CREATED).exists()


def test_a_token_needs_a_name(client, dana):
    log_in(client, dana.email)
    for name in ("", "   ", "x" * 101):
        response = client.post(reverse("accounts:tokens"), {"name": name})
        assert "name" in response.context["form"].errors
        assert response.context["created"] is None
    assert not ApiToken.objects.exists()


def test_the_api_knows_the_token_until_it_is_revoked(client, dana):
    token, raw = services.token_create(user=dana, name="Script")
    assert user_for_token(raw) == dana
    assert user_for_token(raw + "x") is None
    assert user_for_token("") is None
    assert user_for_token("not-a-token") is None

    log_in(client, dana.email)
    response = client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response["Location"] == reverse("accounts:tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(raw) is None
    assert "Revoked" in client.get(reverse("accounts:tokens")).content.decode()
    assert AuditEvent.objects.filter(user=dana, kind=Kind.TOKEN_REVOKED).count() == 1

    # Revoking twice changes nothing and logs nothing more.
    client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert AuditEvent.objects.filter(user=dana, kind=Kind.TOKEN_REVOKED).count() == 1


def test_a_deactivated_person_s_token_stops_working(dana):
    _token, raw = services.token_create(user=dana, name="Script")
    dana.is_active = False
    dana.save(update_fields=["is_active"])
    assert user_for_token(raw) is None


def test_last_used_is_written_at_most_once_a_minute(dana, django_assert_num_queries):
    token, raw = services.token_create(user=dana, name="Script")
    with django_assert_num_queries(2):
        # 1. the token and its owner  2. last used, recorded (never used before)
        user_for_token(raw)
    with django_assert_num_queries(1):
        # 1. the token and its owner; used seconds ago, so no write
        user_for_token(raw)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with django_assert_num_queries(2):
        user_for_token(raw)


def test_someone_elses_token_is_not_found(browser, dana, cast):
    token, raw = services.token_create(user=dana, name="Dana's script")
    alex = browser()
    log_in(alex, cast.alex.email)

    response = alex.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    assert user_for_token(raw) == dana
    assert "Dana's script" not in alex.get(reverse("accounts:tokens")).content.decode()
    assert alex.post(reverse("accounts:token_revoke", kwargs={"pk": 999_999})).status_code == 404


def test_revoking_is_post_only(client, dana):
    token, _raw = services.token_create(user=dana, name="Script")
    log_in(client, dana.email)
    assert client.get(reverse("accounts:token_revoke", kwargs={"pk": token.pk})).status_code == 405


def test_the_token_list_costs_a_fixed_number_of_queries(client, dana, django_assert_num_queries):
    for number in range(6):
        token, _raw = services.token_create(user=dana, name=f"Script {number}")
    services.token_revoke(user=dana, token=token)
    log_in(client, dana.email)
    client.get(reverse("accounts:tokens"))

    with django_assert_num_queries(4):
        # 1. the session, from the session store
        # 2. the user
        # 3. this session's row (session tracking)
        # 4. the person's tokens
        page = client.get(reverse("accounts:tokens"))
    assert len(page.context["tokens"]) == 6
    # Active tokens come first, the revoked one last.
    assert page.context["tokens"][-1].revoked_at is not None
