"""Personal API tokens: shown once at creation, stored hashed, revocable."""

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from coparent.accounts import services
from coparent.accounts.models import ApiToken
from coparent.accounts.selectors import api_tokens, get_api_token
from coparent.api.auth import caller
from coparent.api.schemas import Id, TokenCreatedOut, TokenIn, TokenOut, answers

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
    response=answers({201: TokenCreatedOut}, 400, 422),
    summary="Create an API token (the token is in this answer only)",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    token, raw = services.token_create(
        user=caller(request),
        name=payload.name,
        client=services.client_info(request),
    )
    out = TokenOut.model_validate(token).model_dump()
    return Status(201, TokenCreatedOut(**out, token=raw))


@router.delete(
    "/tokens/{int:token_id}",
    response=answers({204: None}, 404, 422),
    summary="Revoke one of my API tokens (revoking twice changes nothing)",
)
def token_revoke(request: HttpRequest, token_id: Id) -> Status[None]:
    user = caller(request)
    services.token_revoke(
        user=user, token=get_api_token(user, token_id), client=services.client_info(request)
    )
    return Status(204, None)
