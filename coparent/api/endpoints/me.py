"""Who the caller is, and the record-signing key anyone may check an export against."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from coparent.api.auth import caller
from coparent.api.schemas import FamilyRef, MeOut, RecordKeyOut, answers
from coparent.core.record.chain import key_fingerprint, public_key_text
from coparent.families.models import Role
from coparent.families.selectors import families_for_user
from coparent.infra.keys import ensure_signing_key

router = Router(tags=["me"])


@router.get("/me", response=answers({200: MeOut}), summary="The calling user and their families")
def me(request: HttpRequest) -> MeOut:
    user = caller(request)
    families = [
        FamilyRef(id=a.family.pk, name=a.family.name, role=Role(a.role))
        for a in families_for_user(user)
    ]
    return MeOut(
        id=user.pk,
        email=user.email,
        display_name=user.display_name,
        email_confirmed=user.email_confirmed,
        families=families,
    )


@router.get(
    "/record-key",
    response={200: RecordKeyOut},
    auth=None,
    summary="The server's record-signing public key",
    description=(
        "Public on purpose: anyone holding an export can compare its `public_key` and "
        "fingerprint with the server's."
    ),
)
def record_key(request: HttpRequest) -> RecordKeyOut:
    text = public_key_text(ensure_signing_key(settings.DATA_DIR).public_key())
    return RecordKeyOut(algorithm="Ed25519", public_key=text, fingerprint=key_fingerprint(text))
