"""Background work for families: invitation emails go through the task worker."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from coparent.families.links import INVITATION_PURPOSE, invitation_path
from coparent.families.models import Invitation
from coparent.infra.mail import send_email
from coparent.infra.secrets_links import link_token


@task()
def send_invitation_email(invitation_id: str) -> None:
    invitation = Invitation.objects.select_related("family", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "inviter": invitation.invited_by.display_name,
        "link": settings.BASE_URL + invitation_path(link_token(INVITATION_PURPOSE, invitation.pk)),
        "days": settings.COPARENT_INVITATION_DAYS,
    }
    send_email(template="families/email/invitation", context=context, to=invitation.email)
