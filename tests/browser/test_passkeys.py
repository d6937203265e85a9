"""Passkeys in a real browser: Dana signs up, adds a passkey from her account page (her
device's screen lock is Chromium's virtual authenticator), logs out, and logs in again with
the passkey alone, without typing her password. Passkeys need a secure origin, so this runs on
http://localhost (browsers refuse them on 127.0.0.1)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.steps import PASSWORD, follow, sign_up, submit, virtual_authenticator

pytestmark = pytest.mark.browser


def test_dana_adds_a_passkey_and_logs_in_with_it_without_her_password(server, browser):
    base = str(server["url"]).replace("127.0.0.1", "localhost")
    email = f"dana-{uuid.uuid4().hex[:8]}@example.org"
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    errors: list[str] = []
    # (The browser's own request for /favicon.ico on this new origin is no page's error.)
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    devtools, authenticator = virtual_authenticator(context, page)

    page.goto(base + "/accounts/signup/")
    sign_up(page, base, email, "Dana", server["data_dir"])

    # Adding a passkey asks for the password first, then makes it on the device.
    page.goto(base + "/accounts/")
    follow(page.get_by_role("link", name="Manage passkeys"))
    follow(page.get_by_role("link", name="Add a passkey"))
    page.get_by_label("Your password").fill(PASSWORD)
    submit(page, "Continue")
    page.get_by_label("Name of this passkey").fill("Dana's phone")
    page.get_by_role("button", name="Make the passkey").click()
    # The first passkey comes with recovery codes, shown once.
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    page.goto(base + "/accounts/2fa/")
    expect(page.get_by_role("heading", name="Dana's phone")).to_be_visible()
    # The device now holds one passkey for this site, one that can log in alone.
    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert [(c["rpId"], c["isResidentCredential"]) for c in held["credentials"]] == [
        ("localhost", True)
    ]

    # Logged out, Dana logs in with the passkey: no password typed.
    submit(page, "Log out")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_role("button", name="Log in with a passkey").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/accounts/")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert email in page.content()
    assert "Passkey added" in page.content()  # the security log

    assert errors == []
    context.close()
