"""Shared pieces for the family page tests."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from coparent.accounts.models import User
from coparent.families import services
from coparent.families.models import Invitation, Membership
from coparent.families.selectors import FamilyAccess
from coparent.families.services import IssuedInvitation
from tests.kit import HttpsClient, client_for  # noqa: F401 - the browsers, by their older path


@pytest.fixture
def pages(settings):
    """Render pages as in production, but with static files found without `collectstatic`
    (the manifest storage wants the collected manifest)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def call_view(user: User, url: str) -> HttpResponse:
    """GET the view behind `url` alone, without the middleware, so that a query count names
    exactly the page's own queries (loading the session and the user is the middleware's)."""
    request = RequestFactory().get(url, secure=True)
    request.user = user
    match = resolve(url)
    return match.func(request, *match.args, **match.kwargs)


def family_urls(cast, family=None, *, child=None, member=None, invitation=None) -> dict[str, str]:
    """Every page of a family, keyed by URL name. The ids default to the Rivera family's own,
    so the outsider test can also point Olivia's family pages at Rivera objects."""
    family = family or cast.family
    child = child or cast.mia
    member = member or cast.mediator
    if invitation is None:
        invitation = Invitation.objects.filter(family=cast.family).first()
    f = {"family_id": family.pk}
    m = {**f, "member_id": member.pk}
    return {
        "families:dashboard": reverse("families:dashboard", kwargs=f),
        "families:children": reverse("families:children", kwargs=f),
        "families:child_add": reverse("families:child_add", kwargs=f),
        "families:child_edit": reverse("families:child_edit", kwargs={**f, "child_id": child.pk}),
        "families:members": reverse("families:members", kwargs=f),
        "families:invite": reverse("families:invite", kwargs=f),
        "families:invitation_cancel": reverse(
            "families:invitation_cancel", kwargs={**f, "invitation_id": invitation.pk}
        ),
        "families:consent_give": reverse("families:consent_give", kwargs=m),
        "families:consent_withdraw": reverse("families:consent_withdraw", kwargs=m),
        "families:member_end": reverse("families:member_end", kwargs=m),
        "records:timeline": reverse("records:timeline", kwargs=f),
    }


POST_ONLY = {
    "families:invitation_cancel",
    "families:consent_give",
    "families:consent_withdraw",
    "families:member_end",
}


def request_page(client, name: str, url: str) -> HttpResponse:
    return client.post(url) if name in POST_ONLY else client.get(url)


def invite(access: FamilyAccess, email: str, role: str = "viewer", **kwargs) -> IssuedInvitation:
    """An invitation issued as the invite page issues it, minus the email."""
    return services.invitation_create(
        access=access, email=email, role=role, send_email=False, **kwargs
    )


def join(access: FamilyAccess, user: User, role: str = "viewer", **kwargs) -> Membership:
    """`user` is invited through `access` and accepts at once."""
    return services.invitation_accept(
        token=invite(access, user.email, role, **kwargs).token, user=user
    )
