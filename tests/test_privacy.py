"""Safety in high conflict (issue #17, point 3): nothing that says where the other parent is, or
from what, ever reaches a parent. Sam logs in, makes a token, opens a conversation (a read
receipt), writes, and checks in at an exchange sharing a position — all from a distinctive
address, browser and place. Then every page and API read open to Alex (the rows of the
permission matrix) is fetched, and none of it holds Sam's IP address, browser (user agent) or
position: Alex learns that Sam read the message and whether Sam was at the exchange place,
never from where or on what.

Sam's own pages (the security log, the sessions list) do show Sam's own addresses: they are
Sam's, and the matrix gives them to nobody else."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from coparent.accounts.services import token_create
from coparent.exchanges.selectors import exchanges_between
from tests.factories import PASSWORD
from tests.kit import API, client_for
from tests.test_permission_matrix import (  # the matrix's own cast and walk of every read
    _exchange_key,
    _reads_as,
    _thread,
    matrix_cast,  # noqa: F401 - a fixture, used by name
)

SAM_IP = "198.51.100.173"
SAM_AGENT = "Mozilla/5.0 (SamsPhone-Zx81; Tablet) Gecko/20100101 Firefox/142.0"
SAM_MARK = "SamsPhone-Zx81"
# Kept to three decimals (about 100 m): 37.123 and -122.988.
SAM_LATITUDE, SAM_LONGITUDE = 37.12345, -122.98765
SAM_PLACE = ("37.123", "122.988")


def _sam_acts_from_his_phone(c) -> None:
    phone = {"REMOTE_ADDR": SAM_IP, "HTTP_USER_AGENT": SAM_AGENT}
    # A password login: the security log and the sessions list note the address and browser.
    browser = Client(**phone)
    login = browser.post(
        "/accounts/login/", {"login": c.sam.email, "password": PASSWORD}, secure=True
    )
    assert login.status_code == 302, login.content[:300]
    assert browser.get("/accounts/", secure=True).status_code == 200
    # Opening the conversation Alex started: a first view, which Alex's page may show.
    thread = _thread(c)
    page = browser.get(f"/families/{c.family.pk}/messages/threads/{thread.pk}/", secure=True)
    assert page.status_code == 200
    # A token made from the phone, and a reply through the API with it.
    made = browser.post(
        API + "/tokens",
        json.dumps({"name": "phone", "password": PASSWORD}),
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
        secure=True,
    )
    assert made.status_code == 201, made.content[:300]
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}
    api = Client(**phone)
    reply = api.post(
        f"{API}/families/{c.family.pk}/threads/{thread.pk}/messages",
        json.dumps({"body": "See you at the gate."}),
        content_type="application/json",
        headers=bearer,
        secure=True,
    )
    assert reply.status_code == 201, reply.content[:300]
    # A check-in at the plan's first exchange, sharing where Sam stands.
    key = _exchange_key(c)
    start = exchanges_between(c.access(c.alex), *_window())[0]
    with time_machine.travel(start.planned_at - timedelta(minutes=5), tick=False):
        tap = api.post(
            f"{API}/families/{c.family.pk}/exchanges/{key}/check-ins",
            json.dumps({"step": "arrived", "latitude": SAM_LATITUDE, "longitude": SAM_LONGITUDE}),
            content_type="application/json",
            headers=bearer,
            secure=True,
        )
    assert tap.status_code == 201, tap.content[:300]


def _window():
    from datetime import UTC, datetime

    start = datetime(2040, 1, 2, tzinfo=UTC)
    return start, start.replace(day=12)


@pytest.fixture
def c(matrix_cast):  # noqa: F811 - the matrix's fixture, imported above
    """The matrix's cast, after Sam acted from his phone."""
    _sam_acts_from_his_phone(matrix_cast)
    return matrix_cast


def test_alex_never_learns_where_sam_is_or_on_what(c):
    secrets = (SAM_IP, SAM_MARK, *SAM_PLACE)

    bodies = _reads_as(c, "alex")

    assert len(bodies) > 100  # every page and API read open to a parent
    leaks = {
        (route, secret) for route, body in bodies.items() for secret in secrets if secret in body
    }
    assert not leaks


def test_sam_sees_his_own_addresses_on_his_own_pages(c):
    sam = client_for(c.sam)
    log = sam.get("/accounts/").content.decode() + sam.get("/accounts/sessions/").content.decode()

    assert SAM_IP in log


# --- Safe mode: a parent's home address (docs/safety.md) ---------------------------------------

SAM_ADDRESS = "742 Evergreen Terrace\nSpringfield, OR 97403"
SAM_STREET = "Evergreen Terrace"


@pytest.fixture
def safe(matrix_cast):  # noqa: F811 - the matrix's fixture, imported above
    """The matrix's cast whose plan, in force from a few days ahead (so every calendar feed
    carries its exchanges), hands the children over at Sam's home ("home:B"); Sam keeps the
    address with safe mode on and, standing there, marks it as the exchange place."""
    from datetime import UTC, datetime

    from django.utils import timezone

    from coparent.exchanges.services import check_in
    from coparent.families.services import home_set
    from coparent.schedule.services import plan_accept, plan_propose
    from tests.test_permission_matrix import PLAN

    c = matrix_cast
    soon = timezone.localdate() + timedelta(days=3)
    c.plan_version = plan_propose(
        access=c.access(c.alex), plan={**PLAN, "exchange_place": "home:B"}, effective_from=soon
    )
    plan_accept(access=c.access(c.sam), version=c.plan_version)
    home_set(access=c.access(c.sam), address=SAM_ADDRESS, safe_mode=True)
    start = datetime(soon.year, soon.month, soon.day, tzinfo=UTC) + timedelta(days=1)
    first = exchanges_between(c.access(c.sam), start, start + timedelta(days=8))[0]
    with time_machine.travel(first.planned_at - timedelta(minutes=5), tick=False):
        check_in(
            access=c.access(c.sam),
            planned_at=first.planned_at,
            step="arrived",
            latitude=45.04612,
            longitude=-123.02201,
            pin_place=True,
        )
    c.first_exchange = first
    return c


@pytest.mark.parametrize("reader", ["alex", "morgan", "vic"])
def test_with_safe_mode_on_no_response_to_anyone_else_holds_sams_address(safe, reader):
    """Every page, API read and calendar feed open to Alex, to Morgan the mediator and to Vic
    the viewer says "Sam's home (address private)", never the street or the postcode."""
    bodies = _reads_as(safe, reader)

    assert len(bodies) > 10
    leaks = {route for route, body in bodies.items() if SAM_STREET in body or "97403" in body}
    assert not leaks
    assert "Sam's home (address private)" in bodies["own feed"]


def test_sam_reads_the_address_of_his_own_home(safe):
    key = safe.first_exchange.key
    sam = client_for(safe.sam)

    read = sam.get(f"{API}/families/{safe.family.pk}/exchanges/{key}").json()

    assert read["place"] == "Sam's home, 742 Evergreen Terrace, Springfield, OR 97403"


# --- Photos: where they were taken ---------------------------------------------------------------


def test_sams_photos_reach_alex_without_where_they_were_taken_or_on_what(cast):
    """Sam sends a photo from his phone in a message, as an expense receipt and as a document:
    each has the phone's make and a GPS position in its EXIF. Every copy Alex can download —
    the file and its thumbnail — is redrawn from the pixels alone (docs/messages.md)."""
    import io
    from datetime import date

    from PIL import Image

    from coparent.documents.services import document_add
    from coparent.messaging.attachments import IncomingFile
    from tests.expenses.conftest import log
    from tests.messaging.conftest import jpeg_with_gps, start

    def photo() -> list[IncomingFile]:
        return [IncomingFile("IMG_2041.JPG", jpeg_with_gps())]

    fam = f"/families/{cast.family.pk}"
    message = start(cast, cast.sam, attachments=photo())
    attachment = message.attachments.get()
    receipt = log(cast, cast.sam, receipts=photo()).receipts.get()
    document = document_add(
        access=cast.access(cast.sam),
        title="Vaccination card",
        dated=date(2025, 9, 1),
        category="vaccination_record",
        children=[cast.leo.pk],
        file=photo()[0],
    )
    version = document.versions.get()
    downloads = [
        f"{fam}/messages/attachments/{attachment.pk}/",
        f"{fam}/messages/attachments/{attachment.pk}/thumbnail/",
        f"{fam}/expenses/receipts/{receipt.pk}/",
        f"{fam}/documents/versions/{version.pk}/",
        f"{fam}/documents/versions/{version.pk}/small/",
    ]

    alex = client_for(cast.alex)
    for url in downloads:
        response = alex.get(url)
        assert response.status_code == 200, url
        data = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"PhoneMaker" not in data and b"Phone 12" not in data, url
        assert not Image.open(io.BytesIO(data)).getexif(), url  # no camera, no GPS


def test_sams_street_in_the_info_bank_from_before_safe_mode_shows_only_as_the_label(safe):
    """Sam wrote his street into Mia's info bank while safe mode was off (his GP practice is at
    home; marked for care, so the nanny's card lists it), then turned safe mode back on. Every
    page, API read and feed open to Alex, Morgan and Vic shows "Sam's home (address private)".
    The family record is never rewritten: its entry of that moment still holds the street, so
    it is held back from them as a stub — on the record's pages, the API and the export Alex
    asked for (docs/safety.md, "The record"). No route shows the street now."""
    from coparent.families.services import home_set
    from coparent.infobank.services import item_add

    sam = safe.access(safe.sam)
    home_set(access=sam, address=SAM_ADDRESS, safe_mode=False)
    item_add(
        access=sam,
        child=safe.mia,
        kind="doctor",
        values={"name": "Dr Sam", "role": "doctor", "address": "742 Evergreen Terrace"},
    )
    home_set(access=sam, address=SAM_ADDRESS, safe_mode=True)

    for reader in ("alex", "morgan", "vic"):
        bodies = _reads_as(safe, reader)
        leaks = {route for route, body in bodies.items() if SAM_STREET in body}
        assert not leaks, reader
        if reader != "vic":  # a viewer does not read the record
            record = json.loads(bodies["/api/v1/families/{family_id}/record"])
            assert any(item["withheld"] for item in record["items"]), reader
        assert any("Sam's home (address private)" in body for body in bodies.values())


# --- The info bank: a passport or ID number (docs/infobank.md) ---------------------------------

PASSPORT = "NXC4PR7Q2"  # the matrix's own: Mia's passport, added by Alex
RENEWED = "QZ9XW8VU7TS6"


@pytest.fixture
def passport(matrix_cast, django_capture_on_commit_callbacks, caplog):  # noqa: F811 - imported
    """Alex adds Mia's passport, Sam renews it through the API (the other parent is told), and
    Sam reveals the new number once on the page and once through the API."""
    from django.core import mail

    from tests.test_permission_matrix import _info_item

    c = matrix_cast
    caplog.set_level(logging.DEBUG)  # every line any logger writes, for the test to read
    mail.outbox.clear()
    sam = Client()
    sam.force_login(c.sam)
    bearer = {"Authorization": "Bearer " + token_create(user=c.sam, name="renew")[1]}
    with django_capture_on_commit_callbacks(execute=True):
        item = _info_item(c)
        renewed = Client().put(
            f"{API}/families/{c.family.pk}/info/{item.pk}",
            json.dumps({"values": {"document": "passport", "number": RENEWED, "country": "NL"}}),
            content_type="application/json",
            headers=bearer,
        )
        assert renewed.status_code == 200, renewed.content[:300]
        page = sam.post(f"/families/{c.family.pk}/info/items/{item.pk}/reveal/", secure=True)
        assert RENEWED in page.content.decode()
        c.api_reveal = Client().post(
            f"{API}/families/{c.family.pk}/info/{item.pk}/reveal", headers=bearer
        )
    assert c.api_reveal.json()["value"] == RENEWED
    return c


@pytest.mark.parametrize("reader", ["alex", "morgan", "vic"])
def test_a_passport_number_is_masked_in_every_read_until_a_parent_reveals_it(passport, reader):
    """Every page, API read and feed open to Alex, to Morgan the mediator and to Vic the
    viewer shows Mia's passport number masked ("•••••••••7TS6" on its own pages), never in
    full: not in a list, the history, the record, an export or a notification."""
    bodies = _reads_as(passport, reader)

    assert len(bodies) > 10
    leaks = {route for route, body in bodies.items() if PASSPORT in body or RENEWED in body}
    assert not leaks
    if reader != "vic":  # a viewer sees only what is marked for care: a passport is not
        assert any("7TS6" in body for body in bodies.values())


def test_a_passport_number_is_kept_only_in_its_own_versions_and_the_reveals_answer(
    passport, caplog
):
    """The number is stored once (the item's versions): no other table, no email, no log line
    holds it. The reveal's answer, the one place it shows, tells every cache to keep nothing."""
    from django.apps import apps
    from django.core import mail

    from coparent.infobank.models import InfoItemVersion

    for model in apps.get_models():
        if model is InfoItemVersion:
            continue
        rows = json.dumps(list(model._default_manager.values()), default=str)
        assert PASSPORT not in rows and RENEWED not in rows, model._meta.label
    for sent in mail.outbox:
        text = f"{sent.subject} {sent.body} {getattr(sent, 'alternatives', '')}"
        assert PASSPORT not in text and RENEWED not in text
    logged = caplog.get_records("setup") + caplog.get_records("call")
    assert logged and not [r for r in logged if RENEWED in r.getMessage()]
    assert "no-store" in passport.api_reveal.headers["Cache-Control"]
