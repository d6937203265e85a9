from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coparent.families.selectors import families_for_user, pending_professional_memberships


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: no database work, so a slow database never fails it."""
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    accesses = families_for_user(request.user)
    if len(accesses) == 1 and not request.GET.get("all"):
        return redirect("families:dashboard", family_id=accesses[0].family.pk)
    return render(
        request,
        "web/home.html",
        {
            "accesses": accesses,
            "waiting": pending_professional_memberships(request.user),
        },
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "web/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Forbidden."}, status=403)
    return render(request, "web/403.html", {"reason": str(exception or "")}, status=403)
