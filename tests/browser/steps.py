"""Steps the browser tests share: signing up through the real pages, reading the emails the
task worker writes to the data folder, and setting up a family with two parents; and `follow`
and `submit`, the one safe way to leave a page by clicking (docs/testing.md)."""

from __future__ import annotations

import re
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import Locator, Page

PASSWORD = "quiet-harbour-lantern-58"
WAIT_MS = 15_000  # the coach answers after a 400 ms pause; a loaded machine may take longer


def follow(target: Locator) -> None:
    """Click `target`, a link or a form's button the server answers with a new page, and wait
    until that page has loaded.

    A click returns once the mouse is up, before the navigation it starts has begun: reading
    `page.content()`, `page.url` or a locator right after it can read the old page, or an empty
    one mid-navigation; and `page.wait_for_load_state()` returns at once, as the old page is
    loaded already. Listening for the navigation before clicking cannot miss it. Only for
    clicks that leave the page: one a script handles in place (the tone coach's "Use this
    version", the plan editor's preview) would wait here for a navigation that never comes."""
    with target.page.expect_navigation():
        target.click()


def submit(page: Page, button: str | re.Pattern[str], *, exact: bool = False) -> None:
    """Press the button named `button` of a form on `page` and wait for the page the server
    answers with (the next page, or the same form again with its errors)."""
    follow(page.get_by_role("button", name=button, exact=exact))


def link_in_emails(data_dir: Path, recipient: str, marker: str, timeout: float = 60) -> str:
    """Wait for the task worker to write the email to the data folder and return its link."""
    deadline = time.monotonic() + timeout
    pattern = re.compile(r"https?://\S*" + re.escape(marker) + r"\S*")
    while time.monotonic() < deadline:
        for path in (
            sorted((data_dir / "emails").glob("*.log")) if (data_dir / "emails").exists() else []
        ):
            text = path.read_text()
            if f"To: {recipient}" in text and (match := pattern.search(text)):
                return match.group(0)
        time.sleep(0.5)
    raise AssertionError(f"no email to {recipient} with {marker} within {timeout}s")


def sign_up(page, base: str, email: str, name: str, data_dir: Path) -> None:
    """Fill in the sign-up form, then open the emailed link in the same browser and press
    Confirm, which logs the person in (a sign-up alone does not: it must look the same when
    the address already has an account). Ends on the "Thank you" page.

    The link is opened on `base`'s host, which may be another name for the same server than
    the one in the email (http://localhost, where passkeys work, for http://127.0.0.1)."""
    page.fill("input[name=email]", email)
    page.fill("input[name=display_name]", name)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page, re.compile("create|sign up", re.I))
    page.get_by_role("heading", name="Check your email").wait_for()
    link = urlsplit(link_in_emails(data_dir, email, "/accounts/confirm/"))
    page.goto(urlunsplit(link._replace(netloc=urlsplit(base).netloc)))
    # Opening the link only shows a button, so a mail scanner cannot spend it.
    submit(page, "Confirm")
    page.get_by_role("heading", name="Thank you").wait_for()


def family_with_two_parents(browser, base, data_dir, zone: str | None = None):
    """Alex signs up, creates the family and invites Sam, who signs up and accepts. With
    `zone`, both browsers live in that time zone, and the family takes it from Alex's browser
    when it is created (the page preselects it)."""
    run = uuid.uuid4().hex[:8]
    alex_email, sam_email = f"alex-m-{run}@example.org", f"sam-m-{run}@example.org"
    where = {"timezone_id": zone} if zone else {}
    alex = browser.new_context(viewport={"width": 390, "height": 844}, **where)  # a phone
    page = alex.new_page()
    page.goto(base + "/accounts/signup/")
    sign_up(page, base, alex_email, "Alex", data_dir)
    page.goto(base + "/families/new/")
    page.fill("input[name=name]", "Rivera family")
    submit(page, re.compile("create", re.I))
    page.wait_for_url(re.compile(r"/families/[0-9a-f-]{36}/$"))
    dashboard = page.url
    page.goto(dashboard + "members/invite/")
    page.fill("input[name=email]", sam_email)
    page.select_option("select[name=role]", "parent")
    submit(page, re.compile("invite|send", re.I))
    invite_link = link_in_emails(data_dir, sam_email, "/invite/")

    sam = browser.new_context(viewport={"width": 1280, "height": 900}, **where)
    sam_page = sam.new_page()
    sam_page.goto(invite_link)
    follow(sam_page.get_by_role("link", name=re.compile("create an account", re.I)))
    sign_up(sam_page, base, sam_email, "Sam", data_dir)
    follow(sam_page.get_by_role("link", name="Continue where you were"))
    sam_page.wait_for_url(re.compile(r"/invite/"))
    submit(sam_page, re.compile("accept", re.I))
    sam_page.wait_for_url(re.compile(r"/families/[0-9a-f-]{36}/$"))
    return alex, page, sam, sam_page, dashboard


def invite_and_join(
    browser, base, data_dir, page, dashboard: str, name: str, role: str, relationship: str = ""
):
    """A parent (on `page`) invites `name` as `role`; they sign up from the emailed link on a
    phone and accept. Returns their browser context and page, on the family's home page."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(dashboard + "members/invite/")
    page.fill("input[name=email]", email)
    page.select_option("select[name=role]", role)
    if relationship:
        page.fill("input[name=relationship]", relationship)
    submit(page, re.compile("invite|send", re.I))
    link = link_in_emails(data_dir, email, "/invite/")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    joined = context.new_page()
    joined.goto(link)
    follow(joined.get_by_role("link", name=re.compile("create an account", re.I)))
    sign_up(joined, base, email, name, data_dir)
    follow(joined.get_by_role("link", name="Continue where you were"))
    joined.wait_for_url(re.compile(r"/invite/"))
    submit(joined, re.compile("accept", re.I))
    joined.wait_for_url(re.compile(r"/families/[0-9a-f-]{36}/$"))
    return context, joined


def propose_and_accept_plan(page, sam_page, dashboard: str, start, zone: str) -> None:
    """Alex proposes a 2-2-3 rotation from `start` with an 18:00 exchange at the school gate,
    in `zone`; Sam accepts it."""
    propose_plan(page, dashboard, start, zone=zone)
    sam_page.goto(dashboard + "schedule/proposals/")
    submit(sam_page, "Accept")


def send_message(page, dashboard: str, subject: str, topic: str, body: str) -> str:
    """Write a new conversation from the message pages; returns its address."""
    page.goto(dashboard + "messages/new/")
    page.fill("input[name=subject]", subject)
    page.select_option("select[name=topic]", topic)
    page.fill("textarea[name=body]", body)
    submit(page, "Send")
    page.wait_for_url(re.compile(r"/messages/threads/[0-9a-f-]{36}/"))
    return page.url.split("#")[0]


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """What axe-core (the npm package `make install-browser` installs) finds on the page, at
    the given impacts, one line each: rule, impact, and the elements. The script is evaluated
    through DevTools, which the page's Content-Security-Policy rightly does not cover."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def virtual_authenticator(context, page) -> tuple[object, str]:
    """Chromium's virtual authenticator (DevTools' WebAuthn domain): a platform passkey
    store, unlocked by its owner, that answers every request at once. Returns the DevTools
    session and the authenticator's id, to read the credentials it holds."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def console_errors(page) -> list[str]:
    """Errors the page logs: a CSP refusal or a script error would show here."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def add_child(page, dashboard: str, name: str, born: str) -> None:
    page.goto(dashboard + "children/new/")
    page.fill("input[name=name]", name)
    page.fill("input[name=date_of_birth]", born)
    submit(page, re.compile("add", re.I))


def upload_document(
    page,
    dashboard: str,
    *,
    title: str,
    dated: str,
    category: str,
    children: tuple[str, ...] = (),
    file: tuple[str, bytes],
) -> str:
    """A parent adds a document to the family folder on its form; returns the document's page."""
    page.goto(dashboard + "documents/new/")
    page.fill("input[name=title]", title)
    page.fill("input[name=date]", dated)
    page.select_option("select[name=category]", category)
    for name in children:
        page.get_by_label(name, exact=True).check()
    name, data = file
    page.set_input_files(
        "input[name=file]", files=[{"name": name, "mimeType": "application/pdf", "buffer": data}]
    )
    submit(page, "Add to the folder")
    page.wait_for_url(re.compile(r"/documents/[0-9a-f-]{36}/$"))
    return str(page.url)


def propose_plan(
    page, dashboard: str, start: date, place: str = "School gate", zone: str = "America/Chicago"
) -> None:
    """Alex's proposal: a 2-2-3 rotation from `start`, exchanges at 18:00 in `zone`."""
    page.goto(dashboard + "schedule/plan/")
    page.select_option("select[name=pattern]", "2-2-3")
    page.fill("input[name=start]", start.isoformat())
    page.fill("input[name=exchange_time]", "18:00")
    page.fill("input[name=exchange_place]", place)
    page.select_option("select[name=timezone]", zone)
    page.fill("input[name=effective_from]", start.isoformat())
    submit(page, "Propose this plan")


def no_sideways_scroll(page) -> bool:
    """The page fits the viewport's width (nothing to scroll sideways on a phone)."""
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def wait_for_unread(page, url: str, timeout: float = 60, *, at_least: int = 1) -> str:
    """Reload `url` until the header counts at least `at_least` unread notifications (the
    worker delivers them a second or two after what caused them); returns the count as shown."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        badge = page.locator("[data-unread-notifications]")
        if badge.count():
            shown = badge.inner_text()
            if int(shown.split()[0]) >= at_least:
                return shown
        if time.monotonic() > deadline:
            raise AssertionError("no unread notification in the header")
        time.sleep(1)


def add_mediator(browser, base: str, data_dir: Path, dashboard: str, page, sam_page):
    """Alex invites Morgan, a mediator, who signs up and accepts; Sam gives consent on the
    members page, so Morgan's access starts. Returns Morgan's context and page."""
    email = f"morgan-m-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(dashboard + "members/invite/")
    page.fill("input[name=email]", email)
    page.select_option("select[name=role]", "professional")
    page.select_option("select[name=professional_kind]", "mediator")
    submit(page, re.compile("invite|send", re.I))
    invite_link = link_in_emails(data_dir, email, "/invite/")
    morgan = browser.new_context(viewport={"width": 390, "height": 844})
    morgan_page = morgan.new_page()
    morgan_page.goto(invite_link)
    follow(morgan_page.get_by_role("link", name=re.compile("create an account", re.I)))
    sign_up(morgan_page, base, email, "Morgan", data_dir)
    follow(morgan_page.get_by_role("link", name="Continue where you were"))
    morgan_page.wait_for_url(re.compile(r"/invite/"))
    submit(morgan_page, re.compile("accept", re.I))
    sam_page.goto(dashboard + "members/")
    submit(sam_page, "Give my consent")
    # A professional opens the family only with a second factor (docs/permissions.md).
    turn_on_authenticator_app(morgan_page, base)
    return morgan, morgan_page


def turn_on_authenticator_app(page, base: str) -> None:
    """The person turns on two-step login: types the password again if asked, reads the key
    off the page as an authenticator app would, and types the code it shows."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    page.goto(base + "/accounts/2fa/totp/activate/")
    if "/reauth/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        submit(page, "Continue")
        page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = "".join(page.locator("#totp-key").inner_text().split())  # shown in groups
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    submit(page, "Turn on")
    assert "/accounts/2fa/totp/activate/" not in page.url, "the code was refused"
