"""Every account page renders for the person it is for, shows what it promises, and carries no
inline script or style: the Content-Security-Policy allows neither, so a page that did would
break in the browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail
from django.urls import URLPattern, get_resolver, reverse

from coparent.accounts import services, urls
from coparent.accounts.models import AuditEvent, EmailConfirmation, UserSession
from coparent.accounts.selectors import confirmation_token
from tests.accounts.conftest import fresh_reauth, log_in, turn_on_2fa

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


def _pages_of_every_account_url(client, dana, cast) -> dict[str, str]:
    """GET every URL of the accounts app, filled in with real arguments, as the person it is
    for; plus the pages only a POST shows (codes, a new token, the lock-out)."""
    fresh_reauth(client)
    confirmation = services.email_confirmation_create(user=dana, email=dana.email)
    token, _raw = services.token_create(user=dana, name="Script")
    session_row = UserSession.objects.filter(user=dana).first()
    client.post(reverse("account_reset_password"), {"email": dana.email})
    reset_link = re.search(r"(/accounts/password/reset/\S+/\S+/)", mail.outbox[-1].body)[1]
    arguments = {
        "confirm": {"token": confirmation_token(confirmation.pk)},
        "session_end": {"pk": session_row.pk},
        "token_revoke": {"pk": token.pk},
    }
    pages: dict[str, str] = {}
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = pattern.name
        if name in ("logout", "password_reset_confirm"):
            continue
        response = client.get(reverse(f"accounts:{name}", kwargs=arguments.get(name)))
        if response.status_code == 200:
            pages[name] = response.content.decode()
    pages["password_reset_confirm"] = client.get(reset_link, follow=True).content.decode()
    pages["otp_setup"] = client.get(reverse("mfa_activate_totp")).content.decode()
    pages["tokens_created"] = client.post(
        reverse("accounts:tokens"), {"name": "Another"}
    ).content.decode()
    _device, _codes = turn_on_2fa(dana)  # a credential change: every session ends
    client.force_login(dana)
    fresh_reauth(client)
    pages["otp_codes"] = client.post(reverse("mfa_generate_recovery_codes")).content.decode()
    pages["otp_disable"] = client.get(reverse("mfa_deactivate_totp")).content.decode()
    pages["otp_recovery"] = client.get(reverse("mfa_generate_recovery_codes")).content.decode()
    pages["confirm_done"] = client.post(
        reverse("account_confirm_email", kwargs=arguments["confirm"])
    ).content.decode()

    anonymous = type(client)()
    pages["login"] = anonymous.get(reverse("account_login")).content.decode()
    pages["signup"] = anonymous.get(reverse("account_signup")).content.decode()
    log_in(anonymous, dana.email)
    pages["login_2fa"] = anonymous.get(reverse("mfa_authenticate")).content.decode()
    EmailConfirmation.objects.update(used_at=None)
    pages["confirm_problem"] = anonymous.get(
        reverse("account_confirm_email", kwargs={"token": "nope"})
    ).content.decode()
    for _attempt in range(5):
        locked = log_in(anonymous, cast.sam.email, "guess")
    assert locked.status_code == 429
    pages["locked_out"] = locked.content.decode()
    return pages


def test_every_account_page_renders_without_inline_script_or_style(client, dana, cast):
    client.force_login(dana)
    pages = _pages_of_every_account_url(client, dana, cast)

    get_pages = {p.name for p in urls.urlpatterns} - {
        "logout",
        "confirm_resend",
        "session_end",
        "token_revoke",
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
    for name in ("sessions", "tokens", "password_change", "email_change"):
        assert reverse(f"accounts:{name}") in html
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
    for name in ("security", "sessions", "tokens", "reauth"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    # Except the page a sign-up leads to, which must not log anyone in (it would tell a new
    # address from a taken one).
    assert client.get(reverse("account_email_verification_sent")).status_code == 200


def test_the_accounts_app_is_mounted_where_the_base_template_links_it():
    resolver = get_resolver()
    assert reverse("accounts:security") == "/accounts/"
    assert reverse("account_login") == "/accounts/login/"
    assert resolver.resolve("/accounts/logout/").url_name == "logout"
