"""API tokens: issue against username, password and TOTP; revoke."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from liaison.actions.accounts import do_sign_in, do_sign_out
from liaison.domain.accounts import MAX_PASSWORD_LENGTH
from liaison.http.deps import Caller, NodeDep

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    otp: str | None = Field(default=None, pattern=r"^[0-9]{6,8}$")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_at: datetime


@router.post("/token", responses={401: {"description": "Sign-in refused"}})
def issue_token(body: TokenRequest, node: NodeDep) -> TokenResponse:
    with node.db.writing() as session:
        outcome = do_sign_in(
            session,
            node.accounts,
            node.sealer,
            username=body.username,
            password=body.password,
            otp=body.otp,
            kind="api",
        )
    if outcome.credential is None or outcome.secret is None:
        # One answer for every failure: it must not tell whether the user exists or is locked.
        raise HTTPException(401, "sign-in refused: check the username, password and code")
    return TokenResponse(access_token=outcome.secret, expires_at=outcome.credential.expires_at)


@router.delete("/token", status_code=204)
def revoke_token(caller: Caller, node: NodeDep) -> Response:
    with node.db.writing() as session:
        do_sign_out(session, caller)
    return Response(status_code=204)
