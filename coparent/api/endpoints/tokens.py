"""Personal API tokens: shown once at creation, stored hashed, revocable."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from coparent.accounts import services
from coparent.accounts.identity import confirm_identity
from coparent.accounts.models import ApiToken
from coparent.accounts.selectors import api_tokens, get_api_token
from coparent.api.auth import caller
from coparent.api.schemas import TokenCreatedOut, TokenIn, TokenOut, answers

router = Router(tags=["tokens"])


@router.get(
    "/tokens",
    response=answers({200: list[TokenOut]}),
    summary="My API tokens, active first (never the token itself)",
)
def token_list(request: HttpRequest) -> list[ApiToken]:
    return list(api_tokens(caller(request)))


@router.post(
    "/tokens",
    response=answers({201: TokenCreatedOut}, 400, 422, 429),
    summary="Create an API token (the token is in this answer only)",
    description=(
        "Send your current `password` (and `code`, with the second factor on): a token outlives "
        "whatever asks for it, so a stolen token or session alone cannot mint another. A wrong "
        "password or code is a 400 on that field and counts towards the login lock-out; once "
        "locked out, 429. Every token is revoked when the password is changed or reset, or the "
        "email address changes."
    ),
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    user = caller(request)
    proof = confirm_identity(request, user, {"password": payload.password, "code": payload.code})
    if proof.errors:
        raise ValidationError(
            {field: [str(m) for m in messages] for field, messages in proof.errors.items()}
        )
    token, raw = services.token_create(
        user=user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        client=services.client_info(request),
    )
    out = TokenOut.model_validate(token).model_dump()
    return Status(201, TokenCreatedOut(**out, token=raw))


@router.delete(
    "/tokens/{int:token_id}",
    response=answers({204: None}, 404),
    summary="Revoke one of my API tokens (revoking twice changes nothing)",
)
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    user = caller(request)
    services.token_revoke(
        user=user, token=get_api_token(user, token_id), client=services.client_info(request)
    )
    return Status(204, None)
