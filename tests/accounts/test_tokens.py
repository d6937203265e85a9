"""Personal API tokens: Dana makes one for a calendar app, sees it once, and revokes it when
she stops using the app; nobody else can touch her tokens. Making one asks for her password
again, a token may expire by itself, and none outlives a password change or reset or an email
change (issue #8: a stolen session must not leave behind a token that keeps working)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coparent.accounts import services
from coparent.accounts.models import TOKEN_PREFIX, ApiToken, AuditEvent, hash_token
from coparent.accounts.selectors import user_for_token
from tests.accounts.conftest import fresh_reauth, log_in
from tests.factories import PASSWORD

Kind = AuditEvent.Kind


def test_a_new_token_is_shown_once_and_never_listed_again(client, dana):
    log_in(client, dana.email)
    fresh_reauth(client)

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
    fresh_reauth(client)
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

    with django_assert_num_queries(6):
        # 1. the session, from the session store
        # 2. the user
        # 3. this session's row (session tracking)
        # 4. the person's tokens
        # 5. the zone of her first family, which her times are read in (she chose none)
        # 6. the header's unread notifications
        page = client.get(reverse("accounts:tokens"))
    assert len(page.context["tokens"]) == 6
    # Active tokens come first, the revoked one last.
    assert page.context["tokens"][-1].revoked_at is not None


def test_a_stolen_session_cannot_mint_a_token_without_the_password(client, dana):
    """Someone at Dana's unlocked laptop (a signed-in session, no password) tries to make a
    token that would outlive the session: they are asked for the password, and nothing is
    made until it is given."""
    log_in(client, dana.email)
    session = client.session
    session.pop("account_authentication_methods", None)
    session.save()

    response = client.post(
        reverse("accounts:tokens"), {"name": "backdoor", "expires_in_days": "30"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ApiToken.objects.exists()

    # Dana herself types her password and comes back to the form as she filled it in.
    back = client.post(response["Location"], {"password": PASSWORD})
    assert back["Location"].startswith(reverse("accounts:tokens"))
    form = client.get(back["Location"]).context["form"]
    assert form["name"].value() == "backdoor"
    assert form["expires_in_days"].value() == "30"
    created = client.post(reverse("accounts:tokens"), {"name": "backdoor"})
    assert created.context["created"]["raw"].startswith(TOKEN_PREFIX)


def test_a_token_that_expires_stops_working_by_itself(client, dana):
    log_in(client, dana.email)
    fresh_reauth(client)
    created = client.post(
        reverse("accounts:tokens"), {"name": "Trip planner", "expires_in_days": "7"}
    )
    raw = created.context["created"]["raw"]
    token = ApiToken.objects.get(user=dana)
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert user_for_token(raw) == dana

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert user_for_token(raw) is None
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "Expired" in page
    assert "Expires" in page and "UTC" in page  # Dana has no family: her times are in UTC


def test_an_expiry_out_of_range_is_a_field_error(dana):
    for days in (0, -1, 3651):
        try:
            services.token_create(user=dana, name="Script", expires_in_days=days)
        except ValidationError as error:
            assert list(error.message_dict) == ["expires_in_days"]
        else:
            raise AssertionError(f"{days} days was accepted")
    assert not ApiToken.objects.exists()


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_token_minted_by_an_intruder_dies_when_dana_resets_her_password(
    client, browser, dana, django_capture_on_commit_callbacks
):
    """The attack of issue #8: an intruder with Dana's password makes a token; Dana notices
    and resets her password. The token must stop working, and the email must say so."""
    intruder = browser()
    log_in(intruder, dana.email)
    fresh_reauth(intruder)
    raw = intruder.post(reverse("accounts:tokens"), {"name": "sync"}).context["created"]["raw"]
    _mine, own_raw = services.token_create(user=dana, name="Dana's own script")
    assert user_for_token(raw) == dana

    client.post(reverse("account_reset_password"), {"email": dana.email})
    form_page = client.get(_reset_link(mail.outbox[-1]), follow=True)
    new_password = "seven quiet otters swim 2027"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            form_page.redirect_chain[-1][0],
            {"password1": new_password, "password2": new_password},
        )

    assert user_for_token(raw) is None
    assert user_for_token(own_raw) is None  # every token: nobody can tell which were hers
    notice = mail.outbox[-1]
    assert notice.to == [dana.email]
    assert notice.subject == "Your Coparent password was reset"
    assert "Your 2 API tokens were revoked" in notice.body
    event = AuditEvent.objects.get(user=dana, kind=Kind.PASSWORD_RESET)
    assert event.detail["tokens_revoked"] == 2
    dana_again = browser()
    log_in(dana_again, dana.email, new_password)
    page = dana_again.get(reverse("accounts:tokens")).content.decode()
    assert page.count('class="badge">Revoked') == 2


def test_a_password_change_revokes_every_token_and_the_email_says_so(
    client, dana, django_capture_on_commit_callbacks
):
    _token, raw = services.token_create(user=dana, name="Script")
    log_in(client, dana.email)
    fresh_reauth(client)
    new_password = "seven quiet otters swim 2027"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_change_password"),
            {"password1": new_password, "password2": new_password},
        )

    assert user_for_token(raw) is None
    notice = mail.outbox[-1]
    assert notice.to == [dana.email]
    assert notice.subject == "Your Coparent password was changed"
    assert "Every other session was logged out." in notice.body
    assert "Your API token was revoked" in notice.body
    assert AuditEvent.objects.get(user=dana, kind=Kind.PASSWORD_CHANGED).detail == {
        "sessions_ended": 0,
        "tokens_revoked": 1,
    }
    # The security log says it too.
    assert "1 API token revoked" in client.get(reverse("accounts:security")).content.decode()


def test_an_email_change_revokes_every_token_and_the_old_address_hears_of_it(
    client, dana, django_capture_on_commit_callbacks
):
    _token, raw = services.token_create(user=dana, name="Script")
    log_in(client, dana.email)
    fresh_reauth(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"email": "dana.new@example.org"})
    link = re.search(r"https?://[^/\s]+(/accounts/confirm/[-:\w]+/)", mail.outbox[-1].body)
    assert link
    assert user_for_token(raw) == dana  # nothing changes until the new address is proven
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link.group(1))

    assert user_for_token(raw) is None
    notice = mail.outbox[-1]
    assert notice.to == ["dana@example.org"]
    assert "Its API token was revoked." in notice.body
