from __future__ import annotations

import hashlib
import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from coparent.families.selectors import your_families
from coparent.infra import faults


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: no database work, so a slow database never fails it."""
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    families = your_families(request.user)
    accesses = families.accesses
    if len(accesses) == 1 and not families.second_factor_needed and not request.GET.get("all"):
        return redirect("families:dashboard", family_id=accesses[0].family.pk)
    return render(
        request,
        "web/home.html",
        {
            "accesses": accesses,
            "waiting": families.waiting,
            "second_factor_needed": families.second_factor_needed,
        },
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "web/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called inside the `except` that caught the error, from any view or
    middleware. A database that is not answering is not a bug: 503 with `Retry-After`
    (coparent.infra.faults). Either way the answer is rendered without the request, so it needs
    no session, user or query, and shows no trace: JSON under /api/, a short page elsewhere."""
    error = sys.exc_info()[1]
    if error is not None and faults.is_database_unavailable(error):
        faults.log_unavailable(request.method or "", request.path, error)
        status, message = 503, faults.unavailable_message()
    else:
        status, message = 500, _("Something went wrong on the server.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    else:
        page = render_to_string("web/error.html", {"status": status, "detail": message})
        response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = str(faults.RETRY_AFTER)
    return response


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Forbidden."}, status=403)
    return render(request, "web/403.html", {"reason": str(exception or "")}, status=403)


# --- The installable app: manifest, service worker, offline page ------------------------------

SHELL = (
    "coparent/site.css",
    "coparent/site.js",
    "coparent/icons/icon.svg",
    "coparent/icons/icon-192.png",
    "coparent/icons/icon-512.png",
    # What the emergency card needs to show and print without a network (below, sw.js).
    "infobank/infobank.css",
    "infobank/card.js",
)


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: what a phone needs to install Coparent to its home screen."""
    icon = static("coparent/icons/icon-512.png")
    return JsonResponse(
        {
            "id": "/",
            "name": "Coparent",
            "short_name": "Coparent",
            "description": _("One calm place to raise your children together."),
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#f3f6f9",
            "theme_color": "#1f5f99",
            "icons": [
                {
                    "src": static("coparent/icons/icon-192.png"),
                    "sizes": "192x192",
                    "type": "image/png",
                    "purpose": "any",
                },
                {"src": icon, "sizes": "512x512", "type": "image/png", "purpose": "any"},
                {
                    "src": static("coparent/icons/maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: at the site's root, so its scope is the whole site. Never cached by the HTTP
    cache (`no-cache`): the browser checks for a new version on every visit, and the version
    in its cache's name changes with the shell's files."""
    shell = [static(name) for name in SHELL] + [reverse("web:offline")]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    body = render_to_string(
        "web/sw.js",
        {
            "shell": shell,
            "offline": reverse("web:offline"),
            "icon": static("coparent/icons/icon-192.png"),
            "version": version,
            "logout": reverse("account_logout"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page while there is no network: the same for
    everyone (no session, no names), so it can be cached."""
    return HttpResponse(render_to_string("web/offline.html"))
