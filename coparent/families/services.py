"""Writes to family spaces (STYLE.md 3): keyword-only, typed, atomic, each fact recorded in the
family record inside the same transaction, emails sent after commit."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.infobank import commit
from coparent.core.zones import is_known_zone
from coparent.families.hooks import member_joined
from coparent.families.links import INVITATION_PURPOSE, invitation_path
from coparent.families.models import (
    ADDRESS_MAX_CHARS,
    MAX_PARENTS,
    Child,
    Family,
    HomeAddress,
    Invitation,
    Membership,
    ProfessionalConsent,
    ProfessionalKind,
    Role,
)
from coparent.families.selectors import FamilyAccess, own_home
from coparent.families.tasks import send_invitation_email
from coparent.infra.errors import DomainError
from coparent.infra.labels import check_label
from coparent.infra.secrets_links import hash_link_token, link_token
from coparent.records.models import Kind
from coparent.records.services import record_append


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _clean_child(name: str, date_of_birth: date) -> tuple[str, date]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the child's name.")]
    elif len(name) > 100:
        errors["name"] = [_("A name can be at most 100 characters.")]
    check_label(errors, "name", name)
    if not isinstance(date_of_birth, date):
        errors["date_of_birth"] = [_("Enter a valid date.")]
    elif date_of_birth > timezone.localdate():
        errors["date_of_birth"] = [_("The date of birth cannot be in the future.")]
    elif date_of_birth.year < 1900:
        errors["date_of_birth"] = [_("Enter a date of birth after 1900.")]
    if errors:
        raise ValidationError(errors)
    return name, date_of_birth


def _zone_problems(errors: dict[str, list[str]], timezone_name: str) -> None:
    if not is_known_zone(timezone_name):
        errors["timezone"] = [
            _("Choose a time zone from the list, such as Europe/Paris or America/Chicago.")
        ]


def family_create(
    *, user: User, name: str, timezone_name: str = "UTC", at: datetime | None = None
) -> Family:
    """A new family space with `user` as its first parent. `timezone_name` is the IANA zone
    its pages show every time in (the page offers the creator's browser's zone)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the family space a name.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("A name can be at most 100 characters.")]})
    errors: dict[str, list[str]] = {}
    check_label(errors, "name", name)
    timezone_name = (timezone_name or "").strip()
    _zone_problems(errors, timezone_name)
    if errors:
        raise ValidationError(errors)
    moment = _now(at)
    with transaction.atomic():
        family = Family.objects.create(
            name=name, created_by=user, created_at=moment, timezone=timezone_name
        )
        membership = Membership.objects.create(
            family=family, user=user, role=Role.PARENT, joined_at=moment
        )
        record_append(
            family=family,
            kind=Kind.FAMILY_CREATED,
            actor=user,
            at=moment,
            data={"family": str(family.pk), "name": name, "timezone": timezone_name},
        )
        record_append(
            family=family,
            kind=Kind.MEMBER_JOINED,
            actor=user,
            at=moment,
            data=_member_data(membership),
        )
    return family


def family_zone_set(*, access: FamilyAccess, timezone_name: str) -> Family:
    """A parent changes the zone the family's pages show times in. Both parents read the
    family's times in it, so the change is recorded; choosing the zone in force changes
    nothing."""
    access.require_parent()
    timezone_name = (timezone_name or "").strip()
    errors: dict[str, list[str]] = {}
    _zone_problems(errors, timezone_name)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        family = Family.objects.select_for_update().get(pk=access.family.pk)
        if family.timezone == timezone_name:
            return family
        before = family.timezone
        family.timezone = timezone_name
        family.save(update_fields=["timezone"])
        record_append(
            family=family,
            kind=Kind.FAMILY_ZONE_CHANGED,
            actor=access.membership.user,
            data={"from": before, "to": timezone_name},
        )
    access.family.timezone = timezone_name
    return family


def _member_data(membership: Membership) -> dict[str, str]:
    data = {
        "member": str(membership.pk),
        "user": str(membership.user_id),
        "name": membership.user.display_name,
        "role": membership.role,
    }
    if membership.professional_kind:
        data["professional_kind"] = membership.professional_kind
    if membership.relationship:
        data["relationship"] = membership.relationship
    return data


def child_add(
    *, access: FamilyAccess, name: str, date_of_birth: date, at: datetime | None = None
) -> Child:
    access.require_parent()
    name, date_of_birth = _clean_child(name, date_of_birth)
    moment = _now(at)
    with transaction.atomic():
        child = Child.objects.create(
            family=access.family, name=name, date_of_birth=date_of_birth, created_at=moment
        )
        record_append(
            family=access.family,
            kind=Kind.CHILD_ADDED,
            actor=access.membership.user,
            at=moment,
            data={"child": str(child.pk), "name": name, "date_of_birth": date_of_birth.isoformat()},
        )
    return child


def child_update(
    *,
    access: FamilyAccess,
    child: Child,
    name: str,
    date_of_birth: date,
    at: datetime | None = None,
) -> Child:
    access.require_parent()
    if child.family_id != access.family.pk:
        raise PermissionDenied
    name, date_of_birth = _clean_child(name, date_of_birth)
    changes: dict[str, dict[str, str]] = {}
    if name != child.name:
        changes["name"] = {"from": child.name, "to": name}
    if date_of_birth != child.date_of_birth:
        changes["date_of_birth"] = {
            "from": child.date_of_birth.isoformat(),
            "to": date_of_birth.isoformat(),
        }
    if not changes:
        return child
    with transaction.atomic():
        child.name, child.date_of_birth = name, date_of_birth
        child.save(update_fields=["name", "date_of_birth"])
        record_append(
            family=access.family,
            kind=Kind.CHILD_CHANGED,
            actor=access.membership.user,
            at=_now(at),
            data={"child": str(child.pk), "changes": changes},
        )
    return child


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the email link; only its hash is stored

    @property
    def path(self) -> str:
        return invitation_path(self.token)


def _active_parents(family: Family) -> int:
    return Membership.objects.active().parents().filter(family=family).count()


def invitation_create(
    *,
    access: FamilyAccess,
    email: str,
    role: str,
    professional_kind: str = "",
    relationship: str = "",
    at: datetime | None = None,
    send_email: bool = True,
) -> IssuedInvitation:
    """A parent invites the co-parent, a professional or a viewer by email."""
    access.require_parent()
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Choose parent, professional or viewer.")]
    if role == Role.PROFESSIONAL and professional_kind not in ProfessionalKind.values:
        errors["professional_kind"] = [_("Choose what kind of professional you are inviting.")]
    if role != Role.PROFESSIONAL:
        professional_kind = ""
    if len(relationship) > 60:
        errors["relationship"] = [_("At most 60 characters.")]
    check_label(errors, "relationship", relationship)
    family = access.family
    if role == Role.PARENT:
        pending_parent = Invitation.objects.filter(
            family=family, role=Role.PARENT, status=Invitation.Status.PENDING
        ).exclude(expires_at__lte=timezone.now())
        if _active_parents(family) >= MAX_PARENTS:
            errors["role"] = [_("This family already has two parents.")]
        elif pending_parent.exists():
            errors["role"] = [
                _("An invitation to the second parent is already pending; cancel it first.")
            ]
    if Membership.objects.active().filter(family=family, user__email=email).exists():
        errors["email"] = [_("This person is already a member of the family.")]
    if errors:
        raise ValidationError(errors)
    invitation_id = uuid.uuid4()
    token = link_token(INVITATION_PURPOSE, invitation_id)
    moment = _now(at)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            id=invitation_id,
            family=family,
            email=email,
            role=role,
            professional_kind=professional_kind,
            relationship=relationship.strip(),
            token_hash=hash_link_token(token),
            invited_by=access.membership.user,
            created_at=moment,
            expires_at=moment + timedelta(days=settings.COPARENT_INVITATION_DAYS),
        )
        data = {"invitation": str(invitation.pk), "email": email, "role": role}
        if professional_kind:
            data["professional_kind"] = professional_kind
        record_append(
            family=family,
            kind=Kind.MEMBER_INVITED,
            actor=access.membership.user,
            at=moment,
            data=data,
        )
        issued = IssuedInvitation(invitation=invitation, token=token)
        if send_email:
            transaction.on_commit(lambda: send_invitation_email.enqueue(str(invitation.pk)))
    return issued


def invitation_cancel(
    *, access: FamilyAccess, invitation: Invitation, at: datetime | None = None
) -> None:
    access.require_parent()
    if invitation.family_id != access.family.pk:
        raise PermissionDenied
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation is no longer pending."))
    with transaction.atomic():
        invitation.status = Invitation.Status.CANCELLED
        invitation.save(update_fields=["status"])
        record_append(
            family=access.family,
            kind=Kind.INVITATION_CANCELLED,
            actor=access.membership.user,
            at=_now(at),
            data={"invitation": str(invitation.pk), "email": invitation.email},
        )


class InvitationProblem(DomainError):
    """Why an invitation link cannot be used; the message is shown to the person, and `reason`
    tells the page and the API which answer to give: `unknown` (no such link was ever issued),
    `gone` (used, cancelled or expired) or `seat` (a live link that cannot apply to this person:
    already a member, or no parent seat left)."""

    STATUS = {"unknown": 400, "gone": 410, "seat": 409}

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, reason=reason)
        self.status = self.STATUS[reason]


def invitation_lookup(token: str, *, now: datetime | None = None) -> Invitation:
    """Find a usable invitation by its raw token, or explain plainly why it is not usable."""
    invitation = (
        Invitation.objects.filter(token_hash=hash_link_token(token))
        .select_related("family", "invited_by")
        .first()
    )
    if invitation is None:
        raise InvitationProblem(
            _(
                "This invitation link is not valid. Check that you copied all "
                "of it, or ask for a new invitation."
            ),
            reason="unknown",
        )
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationProblem(
            _("This invitation has already been used. Each link works once."), reason="gone"
        )
    if invitation.status == Invitation.Status.CANCELLED:
        raise InvitationProblem(_("This invitation was cancelled by the family."), reason="gone")
    if invitation.is_expired(now):
        raise InvitationProblem(
            _("This invitation has expired. Ask the parent who invited you for a new one."),
            reason="gone",
        )
    return invitation


def invitation_accept(*, token: str, user: User, at: datetime | None = None) -> Membership:
    moment = _now(at)
    with transaction.atomic():
        invitation = invitation_lookup(token, now=moment)
        # Lock the invitation so a double click cannot use it twice.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            raise InvitationProblem(_("This invitation has already been used."), reason="gone")
        family = invitation.family
        if Membership.objects.active().filter(family=family, user=user).exists():
            raise InvitationProblem(_("You are already a member of this family."), reason="seat")
        if invitation.role == Role.PARENT and _active_parents(family) >= MAX_PARENTS:
            raise InvitationProblem(
                _("This family already has two parents. A family can have at most two."),
                reason="seat",
            )
        membership = Membership.objects.create(
            family=family,
            user=user,
            role=invitation.role,
            professional_kind=invitation.professional_kind,
            relationship=invitation.relationship,
            joined_at=moment,
        )
        invitation.status = Invitation.Status.ACCEPTED
        invitation.accepted_at = moment
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
        record_append(
            family=family,
            kind=Kind.MEMBER_JOINED,
            actor=user,
            at=moment,
            data={**_member_data(membership), "invitation": str(invitation.pk)},
        )
        # What the domain apps do for a new member (messaging: deliver the conversations written
        # before a co-parent joined), in this transaction: families imports none of them.
        member_joined(membership=membership, at=moment)
        if invitation.role == Role.PROFESSIONAL:
            inviter = (
                Membership.objects.active()
                .parents()
                .filter(family=family, user_id=invitation.invited_by_id)
                .first()
            )
            if inviter is not None:
                # Inviting a professional is the inviting parent's consent; the other parent
                # still has to give theirs before access starts.
                _consent_give(
                    family=family, professional=membership, parent=inviter.user, at=moment
                )
    return membership


def _consent_give(
    *, family: Family, professional: Membership, parent: User, at: datetime
) -> ProfessionalConsent:
    consent = ProfessionalConsent.objects.create(
        family=family, professional=professional, parent=parent, given_at=at
    )
    record_append(
        family=family,
        kind=Kind.CONSENT_GIVEN,
        actor=parent,
        at=at,
        data={
            "member": str(professional.pk),
            "professional": professional.user.display_name,
            "consent": str(consent.pk),
        },
    )
    return consent


def consent_give(
    *, access: FamilyAccess, professional: Membership, at: datetime | None = None
) -> ProfessionalConsent:
    access.require_parent()
    if professional.family_id != access.family.pk or professional.role != Role.PROFESSIONAL:
        raise ValidationError(_("Consent applies only to a professional of this family."))
    with transaction.atomic():
        if ProfessionalConsent.objects.filter(
            professional=professional, parent=access.membership.user, withdrawn_at__isnull=True
        ).exists():
            raise ValidationError(_("You have already given your consent."))
        return _consent_give(
            family=access.family,
            professional=professional,
            parent=access.membership.user,
            at=_now(at),
        )


def consent_withdraw(
    *, access: FamilyAccess, professional: Membership, at: datetime | None = None
) -> None:
    """Either parent can withdraw consent; the professional loses access at the next request."""
    access.require_parent()
    if professional.family_id != access.family.pk or professional.role != Role.PROFESSIONAL:
        raise ValidationError(_("Consent applies only to a professional of this family."))
    moment = _now(at)
    with transaction.atomic():
        consent = (
            ProfessionalConsent.objects.select_for_update()
            .filter(
                professional=professional, parent=access.membership.user, withdrawn_at__isnull=True
            )
            .first()
        )
        if consent is None:
            raise ValidationError(_("You have not given consent, so there is none to withdraw."))
        consent.withdrawn_at = moment
        consent.save(update_fields=["withdrawn_at"])
        record_append(
            family=access.family,
            kind=Kind.CONSENT_WITHDRAWN,
            actor=access.membership.user,
            at=moment,
            data={
                "member": str(professional.pk),
                "professional": professional.user.display_name,
                "consent": str(consent.pk),
            },
        )


def membership_end(
    *, access: FamilyAccess, membership: Membership, at: datetime | None = None
) -> None:
    """A member leaves, or a parent removes a professional or a viewer. A parent's seat is ended
    only by that parent: nobody can push a co-parent out of the family record."""
    if membership.family_id != access.family.pk or membership.ended_at is not None:
        raise ValidationError(_("This person is not an active member."))
    leaving_self = membership.user_id == access.membership.user_id
    if not leaving_self:
        access.require_parent()
        if membership.role == Role.PARENT:
            raise PermissionDenied(_("A parent can only leave the family themselves."))
    moment = _now(at)
    with transaction.atomic():
        membership.ended_at = moment
        membership.save(update_fields=["ended_at"])
        ProfessionalConsent.objects.filter(
            professional=membership, withdrawn_at__isnull=True
        ).update(withdrawn_at=moment)
        record_append(
            family=access.family,
            kind=Kind.MEMBER_LEFT,
            actor=access.membership.user,
            at=moment,
            data={**_member_data(membership), "removed_by_other": not leaving_self},
        )


def home_set(
    *, access: FamilyAccess, address: str, safe_mode: bool, at: datetime | None = None
) -> HomeAddress | None:
    """A parent keeps their home address in this family, and turns safe mode on or off.

    The change is a new version (the older ones stay, append-only) and a "home.changed" record
    entry that says who changed what — the address only as a salted commitment, so the record
    proves which address was kept when without anyone reading it there. Saving what is already
    in force changes nothing and returns it; None when there is nothing and nothing is asked."""
    access.require_parent()
    address = "\n".join(line.strip() for line in (address or "").strip().splitlines())
    errors: dict[str, list[str]] = {}
    if len(address) > ADDRESS_MAX_CHARS:
        errors["address"] = [
            _("An address can be at most %(n)s characters.") % {"n": ADDRESS_MAX_CHARS}
        ]
    check_label(errors, "address", address)
    if errors:
        raise ValidationError(errors)
    safe_mode = bool(safe_mode)
    user = access.membership.user
    with transaction.atomic():
        # Two saves at once by the same parent get consecutive numbers, not a clash: the lock
        # on their own seat writes nothing.
        Membership.objects.select_for_update().filter(pk=access.membership.pk).values_list(
            "pk", flat=True
        ).first()
        latest = own_home(access)
        before_address, before_safe = (latest.address, latest.safe_mode) if latest else ("", False)
        if (address, safe_mode) == (before_address, before_safe):
            return latest
        salt = secrets.token_hex(16)
        home = HomeAddress.objects.create(
            family=access.family,
            user=user,
            n=(latest.n if latest else 0) + 1,
            address=address,
            safe_mode=safe_mode,
            salt=salt,
            created_at=_now(at),
        )
        record_append(
            family=access.family,
            kind=Kind.HOME_CHANGED,
            actor=user,
            at=home.created_at,
            data={
                "user": str(user.pk),
                "name": user.display_name,
                "n": home.n,
                # Never the address: whether there is one, whether it changed, and a salted
                # commitment a parent holding the address and the salt can prove it with.
                "address_kept": bool(address),
                "address_changed": address != before_address,
                "address": commit(address, salt) if address else "",
                "safe_mode": safe_mode,
                "safe_mode_changed": safe_mode != before_safe,
            },
        )
    return home
