"""Family pages: create a space, the dashboard, children, members, invitations and consent.

Views stay thin (STYLE.md 6): `@family_view` resolves the family through the one access path,
a form checks the shape of the input, one service call does the work, and a message plus a
redirect tell the person what happened.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from coparent.accounts.http import AuthenticatedRequest
from coparent.families import selectors, services
from coparent.families.forms import (
    ChildForm,
    FamilyForm,
    FamilyZoneForm,
    HomeForm,
    InvitationForm,
)
from coparent.families.models import Role
from coparent.families.today import family_today
from coparent.infra import ratelimit
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, posted, submit
from coparent.web.pages import FamilyPages

render_page = FamilyPages(nav="dashboard")


# --- Family space -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def family_create(request: AuthenticatedRequest) -> HttpResponse:
    form = FamilyForm(posted(request))
    family = submit(
        form,
        lambda data: services.family_create(
            user=request.user,
            name=data["name"],
            timezone_name=data["timezone"],
        ),
    )
    if family:
        messages.success(
            request, _("Your family space is ready. Add your children and invite your co-parent.")
        )
        return redirect("families:dashboard", family_id=family.pk)
    return render(request, "families/create.html", {"form": form})


@family_view()
@require_http_methods(["GET"])
def dashboard(request: FamilyRequest) -> HttpResponse:
    """The family's home: today first (who has the children now and until when, the next
    exchange, the week's events, what waits for the member), then the rest."""
    access = request.family_access
    today = family_today(access)
    if not access.can_read_shared:
        # A viewer's role is the calendar and the children's events: the children's first names
        # and ages, and nothing about the members, invitations or the record.
        return render_page(
            request,
            "families/dashboard_viewer.html",
            today=today,
            children=selectors.child_views(access),
        )
    return render_page(
        request,
        "families/dashboard.html",
        today=today,
        overview=selectors.family_overview(access),
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def family_settings(request: FamilyRequest) -> HttpResponse:
    """A parent changes the family's time zone (recorded, as both parents read in it)."""
    access = request.family_access
    form = FamilyZoneForm(posted(request), initial={"timezone": request.family.timezone})
    if request.method == "POST":
        saved = submit(
            form,
            lambda data: services.family_zone_set(access=access, timezone_name=data["timezone"]),
        )
        if saved is not None:
            messages.success(
                request,
                _("Every time in the family space is now shown in %(zone)s.")
                % {"zone": saved.timezone},
            )
            return redirect("families:settings", family_id=request.family.pk)
    return render_page(request, "families/settings.html", nav="members", form=form)


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def home(request: FamilyRequest) -> HttpResponse:
    """A parent keeps their own home address here and turns safe mode on or off (a new
    version each time, recorded without the address; docs/safety.md)."""
    access = request.family_access
    current = selectors.own_home(access)
    initial = {"address": current.address, "safe_mode": current.safe_mode} if current else {}
    form = HomeForm(posted(request), initial=initial)
    if request.method == "POST":
        # The service answers None when there is nothing to keep: the switch as saved says
        # what to tell the parent.
        saved = submit(
            form,
            lambda data: (
                services.home_set(
                    access=access, address=data["address"], safe_mode=data["safe_mode"]
                ),
                bool(data["safe_mode"]),
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("Safe mode is on: only you see your address in this family.")
                if saved[1]
                else _("Saved. Safe mode is off."),
            )
            return redirect("families:home", family_id=request.family.pk)
    return render_page(request, "families/home.html", nav="members", form=form, home=current)


# --- Children -----------------------------------------------------------------------------------


@family_view(shared=True)
@require_http_methods(["GET"])
def children(request: FamilyRequest) -> HttpResponse:
    return render_page(
        request,
        "families/children.html",
        nav="children",
        children=selectors.child_views(request.family_access),
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def child_add(request: FamilyRequest) -> HttpResponse:
    form = ChildForm(posted(request))
    child = submit(form, lambda data: services.child_add(access=request.family_access, **data))
    if child:
        messages.success(request, _("%(name)s was added.") % {"name": child.name})
        return redirect("families:children", family_id=request.family.pk)
    return render_page(request, "families/child_form.html", nav="children", form=form, child=None)


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def child_edit(request: FamilyRequest, child_id: uuid.UUID) -> HttpResponse:
    child = selectors.get_child(request.family_access, child_id)
    initial = {"name": child.name, "date_of_birth": child.date_of_birth}
    form = ChildForm(posted(request), initial=initial)
    saved = submit(
        form,
        lambda data: services.child_update(access=request.family_access, child=child, **data),
    )
    if saved:
        messages.success(request, _("%(name)s's details were saved.") % {"name": saved.name})
        return redirect("families:children", family_id=request.family.pk)
    return render_page(request, "families/child_form.html", nav="children", form=form, child=child)


# --- Members, invitations and consent ------------------------------------------------------------


@family_view(shared=True)
@require_http_methods(["GET"])
def members(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    return render_page(
        request,
        "families/members.html",
        nav="members",
        members=selectors.member_rows(access),
        invitations=list(selectors.pending_invitations(access)),
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
@never_cache
def invite(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    # "Invite your co-parent" on the dashboard links here with ?role=parent.
    form = InvitationForm(posted(request), initial={"role": request.GET.get("role")})

    def create(data: dict[str, Any]) -> services.IssuedInvitation:
        # Each invitation emails someone outside the family: limited per parent and address.
        ratelimit.hit(request, "invitation", email=data["email"])
        return services.invitation_create(access=access, **data)

    issued = submit(form, create)
    if issued:
        # Shown once, on this response only: the token is never stored in clear, not even in
        # the session, so a refresh or the back button cannot bring it back.
        messages.success(
            request,
            _("An email with the invitation link was sent to %(email)s.")
            % {"email": issued.invitation.email},
        )
        return render_page(
            request,
            "families/invite_sent.html",
            nav="members",
            invitation=issued.invitation,
            link=request.build_absolute_uri(issued.path),
        )
    return render_page(request, "families/invite.html", nav="members", form=form)


@family_view(parent=True)
@require_POST
def invitation_cancel(request: FamilyRequest, invitation_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    invitation = selectors.get_invitation(access, invitation_id)
    act(
        request,
        lambda: services.invitation_cancel(access=access, invitation=invitation),
        _("The invitation to %(email)s was cancelled; its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("families:members", family_id=request.family.pk)


@family_view(parent=True)
@require_POST
def consent(request: FamilyRequest, member_id: uuid.UUID, give: bool) -> HttpResponse:
    """A parent gives or withdraws their consent to a professional's access (`give` comes from
    the URL: one path for each, so each button says exactly what it does)."""
    access = request.family_access
    professional = selectors.get_member(access, member_id)
    if give:
        done = _("You consented to %(name)s's access.")
    else:
        done = _("You withdrew your consent. %(name)s no longer has access to this family.")

    def action() -> None:
        if give:
            services.consent_give(access=access, professional=professional)
        else:
            services.consent_withdraw(access=access, professional=professional)

    act(request, action, done % {"name": professional.user})
    return redirect("families:members", family_id=request.family.pk)


@family_view()
@require_POST
def member_end(request: FamilyRequest, member_id: uuid.UUID) -> HttpResponse:
    """Leave the family (any member, for oneself), or remove a professional or a viewer (a
    parent). The service refuses the rest with PermissionDenied, which answers 403."""
    access = request.family_access
    membership = selectors.get_member(access, member_id)
    leaving = membership.user_id == access.membership.user_id
    if leaving:
        done = _("You left %(family)s.") % {"family": request.family.name}
    else:
        done = _("%(name)s was removed from the family.") % {"name": membership.user}
    ended = act(
        request, lambda: services.membership_end(access=access, membership=membership), done
    )
    if ended and leaving:
        return redirect("web:home")
    return redirect("families:members", family_id=request.family.pk)


# --- Accepting an invitation (top-level /invite/<token>/) ---------------------------------------


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "families/invitation_problem.html", {"problem": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens. Unusable links change nothing: 410 Gone for a link
    that was used, cancelled or has expired, 404 for one that never existed."""
    try:
        invitation = services.invitation_lookup(token)
    except services.InvitationProblem as problem:
        # A link that never existed is not found; one that did is gone for good.
        return _problem(request, problem.message, 404 if problem.reason == "unknown" else 410)

    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except services.InvitationProblem as problem:
            # A seat problem (a third parent, already a member): the link stays usable.
            return _problem(request, problem.message, 409)
        if membership.role == Role.PROFESSIONAL and not selectors.professional_has_access(
            membership
        ):
            messages.info(
                request,
                _(
                    "You joined %(family)s. Your access starts once both parents have "
                    "consented; you will see the family here then."
                )
                % {"family": invitation.family.name},
            )
            return redirect("web:home")
        messages.success(request, _("Welcome to %(family)s.") % {"family": invitation.family.name})
        return redirect("families:dashboard", family_id=membership.family_id)

    return render(
        request,
        "families/invitation.html",
        {
            "invitation": invitation,
            "seat_problem": selectors.invitation_seat_problem(invitation, request.user),
            "next_query": urlencode({"next": request.path}),
            "login_url": reverse("account_login"),
            "signup_url": reverse("account_signup"),
        },
    )
