"""Coparent installs to a phone's home screen: a manifest with real icons, a service worker at
the site's root that caches the shell (never a family's pages) and shows an offline page, and
the same strict Content-Security-Policy as every page."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from tests.families.helpers import client_for


@pytest.fixture(autouse=True)
def _static(pages):  # noqa: F811
    """Static files found as in development, without collectstatic."""


def _static_file(url: str) -> Path:
    found = finders.find(url.removeprefix("/static/"))
    assert found, url
    return Path(found)


def test_the_manifest_names_the_app_and_its_icons(db):
    response = Client().get("/manifest.webmanifest", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Coparent" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        with Image.open(_static_file(icon["src"])) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
            assert image.mode == "RGBA"


def test_a_maskable_icon_fills_its_square_and_the_any_icons_keep_a_margin(db):
    manifest = json.loads(Client().get("/manifest.webmanifest", secure=True).content)
    for icon in manifest["icons"]:
        with Image.open(_static_file(icon["src"])) as image:
            corner = image.getpixel((0, 0))
            assert (corner[3] == 255) is (icon["purpose"] == "maskable"), icon


def test_the_service_worker_is_served_at_the_root_and_never_cached(db):
    response = Client().get("/sw.js", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    for url in ("/static/coparent/site.css", "/static/coparent/site.js", "/offline/"):
        assert f'"{url}"' in script
    for handler in ('"install"', '"activate"', '"fetch"', '"push"', '"notificationclick"'):
        assert f"addEventListener({handler}" in script
    # Pages come from the network, or the offline page; nothing of a family is ever cached.
    assert 'request.mode === "navigate"' in script and "caches.match(OFFLINE)" in script


def test_the_offline_page_is_the_same_for_everyone(cast):
    anonymous = Client().get("/offline/", secure=True)
    signed_in = client_for(cast.alex).get("/offline/", secure=True)
    assert anonymous.status_code == signed_in.status_code == 200
    assert anonymous.content == signed_in.content
    assert b"You are offline" in anonymous.content and b"Alex" not in signed_in.content


def test_every_page_links_the_manifest_and_registers_the_worker(cast):
    html = client_for(cast.alex).get(f"/families/{cast.family.pk}/", secure=True).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-service-worker="/sw.js"' in html
    site = _static_file("/static/coparent/site.js").read_text()
    assert "navigator.serviceWorker.register(serviceWorkerUrl" in site


def test_the_content_security_policy_is_not_widened_for_the_app(db):
    """The worker, the manifest and the icons are this site's own: 'self' covers them all."""
    for path in ("/", "/sw.js", "/manifest.webmanifest", "/offline/"):
        policy = Client().get(path, secure=True)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert "worker-src" not in directives and "manifest-src" not in directives


def test_the_svg_icon_is_an_svg(db):
    svg = _static_file("/static/coparent/icons/icon.svg").read_bytes()
    assert svg.startswith(b"<svg") and b"<script" not in svg
    assert io.BytesIO(svg).read(4) == b"<svg"


def test_the_worker_keeps_emergency_cards_for_offline_use_and_forgets_them_on_logout(db):
    """The one family page kept on the device (docs/infobank.md): the emergency card, network
    first with its last copy as the fallback, dropped when the server stops showing it and on
    logout."""
    script = Client().get("/sw.js", secure=True).content.decode()
    assert 'const CARDS = "coparent-cards"' in script
    assert "CARD_PATH.test(url.pathname)" in script and "event.respondWith(card(request))" in script
    # Network first: the fetch comes before the cache, which answers only in the catch.
    body = script[script.index("function card(") :]
    assert body.index("fetch(request)") < body.index(".catch(") < body.index("cache.match")
    assert "cache.delete(request)" in body  # a 403/404 or a redirect to log in forgets it
    assert 'const LOGOUT = "/accounts/logout/"' in script
    assert "caches.delete(CARDS)" in script
    for url in ("/static/infobank/infobank.css", "/static/infobank/card.js"):
        assert f'"{url}"' in script
    # The pattern matches a card's address and nothing else of the family's.
    import re

    pattern = re.search(r"const CARD_PATH = /(.+)/;", script).group(1).replace("\\/", "/")
    family, child = "6f1c2b1e-1111-4222-8333-444455556666", "0a1b2c3d-aaaa-4bbb-8ccc-ddddeeeeffff"
    assert re.match(pattern, f"/families/{family}/info/{child}/card/")
    assert not re.match(pattern, f"/families/{family}/info/{child}/")
    assert not re.match(pattern, f"/families/{family}/messages/{child}/card/")
