"""Site-wide answers that no single view should have to remember: rate-limited requests
answered 429, and the Permissions-Policy header."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coparent.families.selectors import SecondFactorRequired
from coparent.infra.ratelimit import REQUEST_ATTRIBUTE, RateLimited


class RateLimitMiddleware:
    """A page view that hits a limit either lets `RateLimited` escape (this answers with a
    friendly page) or shows it as a form error, keeping what the person typed (this turns that
    page's 200 into a 429). Either way the answer carries `Retry-After`. The API answers its
    own 429s in JSON (coparent.api.errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refused = getattr(request, REQUEST_ATTRIBUTE, None)
        if isinstance(refused, RateLimited) and response.status_code in (200, 429):
            response.status_code = 429
            response["Retry-After"] = str(refused.retry_after)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RateLimited) or request.path.startswith("/api/"):
            return None
        response = render(request, "web/429.html", {"message": exception.messages[0]}, status=429)
        response["Retry-After"] = str(exception.retry_after)
        return response


class SecondFactorMiddleware:
    """A professional with no second factor who opens any family page (the family access path
    refuses them with SecondFactorRequired) is sent to the second-factor page, told why. The
    API answers its own 403 in JSON (coparent.api.errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SecondFactorRequired) or request.path.startswith("/api/"):
            return None
        messages.warning(request, str(exception))
        return redirect("mfa_index")


def permissions_policy(*allowed: str) -> str:
    """The site's Permissions-Policy, with `allowed` features granted to the site itself: for
    the one page that needs one (an exchange's page asks for the location with a tap)."""
    policy: dict[str, list[str]] = {
        feature: list(allow) for feature, allow in settings.COPARENT_PERMISSIONS_POLICY.items()
    }
    for feature in allowed:
        policy[feature] = ["self"]
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Turn off the browser features Coparent never uses (camera, microphone, location…), so
    an injected script or a framed page could not use them either. A page that needs one sets
    its own header (`permissions_policy("geolocation")`), which this leaves alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.value = permissions_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.value:
            response.setdefault("Permissions-Policy", self.value)
        return response
