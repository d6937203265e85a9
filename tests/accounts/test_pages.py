"""Every account page renders for the person it is for, shows what it promises, and carries no
inline script or style: the Content-Security-Policy allows neither, so a page that did would
break in the browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core import mail
from django.urls import URLPattern, get_resolver, reverse

from coparent.accounts import auth_urls, services, urls
from coparent.accounts.models import AuditEvent
from tests.accounts.conftest import fresh_reauth, log_in, turn_on_2fa
from tests.accounts.test_passkeys import add_passkey

TEMPLATES = Path(services.__file__).parent / "templates" / "accounts"


class _InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: <script> without src, <style>, style="",
    and on…="" event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]


def _inline_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")), ids=str)
def test_no_template_source_has_inline_script_or_style(template):
    source = (TEMPLATES / template).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", source), template
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", source), template


def _patterns() -> list[URLPattern]:
    found = [*urls.urlpatterns, *auth_urls.urlpatterns]
    assert all(isinstance(pattern, URLPattern) for pattern in found)
    return found  # type: ignore[return-value]


def _name(pattern: URLPattern) -> str:
    return f"accounts:{pattern.name}" if pattern in urls.urlpatterns else str(pattern.name)


def _pages_of_every_account_url(client, dana, cast) -> dict[str, str]:
    """GET every URL of the accounts app and of allauth's pages, filled in with real
    arguments, as the person it is for; plus the pages only a POST shows (a new token, the
    lock-out) or that need a state first (the second step of a login, a passkey to remove)."""
    fresh_reauth(client)
    add_passkey(client)
    passkey = Authenticator.objects.get(user=dana, type=Authenticator.Type.WEBAUTHN)
    fresh_reauth(client)
    pages: dict[str, str] = {
        name: client.get(reverse(name)).content.decode()
        for name in ("mfa_add_webauthn", "mfa_activate_totp")
    }
    # A move to a new address, waiting for its link (no second factor can be added meanwhile).
    address = EmailAddress.objects.create(user=dana, email="dana.new@example.org")
    token, _raw = services.token_create(user=dana, name="Script")
    session_row = UserSession.objects.filter(user=dana).first()
    client.post(reverse("account_reset_password"), {"email": dana.email})
    reset_link = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)[1]
    arguments = {
        "account_confirm_email": {"key": EmailConfirmationHMAC(address).key},
        "accounts:session_end": {"pk": session_row.pk},
        "accounts:token_revoke": {"pk": token.pk},
        "mfa_remove_webauthn": {"pk": passkey.pk},
    }
    skipped = {
        "account_logout",
        "account_reset_password_from_key",
        "mfa_authenticate",
        "mfa_login_webauthn",
    }
    for pattern in _patterns():
        name = _name(pattern)
        if name in skipped:
            continue
        response = client.get(reverse(name, kwargs=arguments.get(name)))
        if response.status_code == 200:
            pages[name] = response.content.decode()
    pages["account_reset_password_from_key"] = client.get(reset_link, follow=True).content.decode()
    pages["tokens_created"] = client.post(
        reverse("accounts:tokens"), {"name": "Another"}
    ).content.decode()
    turn_on_2fa(dana)
    fresh_reauth(client)
    for name in ("mfa_deactivate_totp", "mfa_generate_recovery_codes", "mfa_view_recovery_codes"):
        pages[name] = client.get(reverse(name)).content.decode()
    pages["account_confirm_email_done"] = client.post(
        reverse("account_confirm_email", kwargs=arguments["account_confirm_email"])
    ).content.decode()

    anonymous = type(client)()
    pages["account_login"] = anonymous.get(reverse("account_login")).content.decode()
    pages["account_signup"] = anonymous.get(reverse("account_signup")).content.decode()
    log_in(anonymous, "dana.new@example.org")
    pages["mfa_authenticate"] = anonymous.get(reverse("mfa_authenticate")).content.decode()
    pages["confirm_problem"] = anonymous.get(
        reverse("account_confirm_email", kwargs={"key": "nope"})
    ).content.decode()
    stranger = type(client)()
    for _attempt in range(5):
        locked = log_in(stranger, cast.sam.email, "guess")
    assert locked.status_code == 429
    pages["locked_out"] = locked.content.decode()
    return pages


def test_every_account_page_renders_without_inline_script_or_style(client, dana, cast):
    client.force_login(dana)
    pages = _pages_of_every_account_url(client, dana, cast)

    get_pages = {_name(p) for p in _patterns()} - {
        "account_logout",
        "accounts:confirm_resend",
        "accounts:session_end",
        "accounts:token_revoke",
        "mfa_login_webauthn",
    }
    assert get_pages <= set(pages), get_pages - set(pages)
    for name, html in pages.items():
        assert "<h1" in html, name
        assert _inline_problems(html) == [], name


def test_the_account_page_shows_the_state_of_every_credential(client, dana, cast):
    client.force_login(dana)
    for _attempt in range(25):
        services.audit_log(kind=AuditEvent.Kind.LOGIN_FAILED, user=dana, detail={})
    services.audit_log(kind=AuditEvent.Kind.LOGIN, user=cast.alex)

    page = client.get(reverse("accounts:security"))
    html = page.content.decode()
    assert "dana@example.org" in html
    assert "Confirmed" in html
    assert "Off" in html and reverse("mfa_activate_totp") in html
    for name in (
        "accounts:sessions",
        "accounts:tokens",
        "account_change_password",
        "account_email",
        "mfa_index",
    ):
        assert reverse(name) in html
    # The person's own last twenty events, never anyone else's.
    events = page.context["events"]
    assert len(events) == 20
    assert {event.user_id for event in events} == {dana.pk}

    turn_on_2fa(dana)
    client.force_login(dana)
    html = client.get(reverse("accounts:security")).content.decode()
    assert "10 recovery codes left" in html
    assert reverse("mfa_deactivate_totp") in html


def test_account_pages_need_a_login(client, db):
    for name in (
        "accounts:security",
        "accounts:sessions",
        "accounts:tokens",
        "account_reauthenticate",
        "mfa_index",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    # Except the page a sign-up leads to, which must not log anyone in (it would tell a new
    # address from a taken one).
    assert client.get(reverse("account_email_verification_sent")).status_code == 200


def test_the_accounts_app_is_mounted_where_the_base_template_links_it():
    resolver = get_resolver()
    assert reverse("accounts:security") == "/accounts/"
    assert reverse("account_login") == "/accounts/login/"
    assert resolver.resolve("/accounts/logout/").url_name == "account_logout"


@pytest.mark.parametrize("events", [1, 30])
def test_the_security_page_costs_the_same_however_long_the_log(
    cast, events, django_assert_num_queries
):
    from coparent.accounts.models import AuditEvent
    from coparent.accounts.services import audit_log

    for _ in range(events):
        audit_log(kind=AuditEvent.Kind.LOGIN, user=cast.sam)
    browser = cast.client_for(cast.sam)
    browser.get(reverse("accounts:security"))  # the session's first visit notes the browser once
    # 1 the session, 2 its user, 3 the session list check, 4 the second factors, 5 an address
    # waiting to be confirmed, 6 the last 20 security events, 7 the count of sessions, 8 the
    # header's unread notifications, 9 the zone of a family of Sam's (how times are shown).
    with django_assert_num_queries(9):
        assert browser.get(reverse("accounts:security")).status_code == 200
